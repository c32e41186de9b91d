"""Pictures on a ticket in the console, in headless Chromium: a signed-in agent sees a photo's thumbnail and opens the
photo, while the same addresses answer 401 before sign-in, after sign-out and to another browser; staff type the
serial read off a nameplate photo beside that photo (a live refresh of the ticket keeps what they typed) and the
device's record then shows it."""
from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api
from tests.api.test_api_attachments import _ticket_with_media, api  # noqa: F401 - a hub keeping media under tmp_path
from tests.web.test_console_browser import CHROMIUM, browser, expect, open_page, sign_in  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="browser tests need Debian's chromium at /usr/bin/chromium")


async def test_a_serial_typed_beside_a_nameplate_photo_names_the_device(open_page: Any, api: Api) -> None:
    code, ids = await _ticket_with_media(api)
    page = await open_page(f"/console?ticket={code}")
    await sign_in(page, "agent")
    await expect(page.get_by_test_id("ticket-code")).to_have_text(code)
    photo = page.locator("[data-testid=attachment][data-type=image]")
    await expect(photo.get_by_test_id("nameplate-form")).to_be_visible()
    await expect(page.locator("[data-testid=attachment][data-type=voice]").get_by_test_id("nameplate-form")).to_have_count(0)

    await photo.get_by_test_id("nameplate-serial").fill("型号 KFR")
    await photo.get_by_test_id("nameplate-save").click()
    await expect(page.get_by_test_id("toast").last).to_contain_text("serial")
    await photo.get_by_test_id("nameplate-serial").fill("kfr-35gw-001")
    assert (await api.post(f"/tickets/{code}/notes", {"text": "铭牌已拍清楚"}))[0] == 201
    await expect(page.get_by_test_id("audit")).to_contain_text("铭牌已拍清楚")
    await expect(photo.get_by_test_id("nameplate-serial")).to_have_value("kfr-35gw-001")
    await photo.get_by_test_id("nameplate-save").click()
    await expect(page.get_by_test_id("toast").last).to_contain_text("已记录序列号 KFR-35GW-001")
    await expect(photo.get_by_test_id("nameplate-of")).to_have_text("铭牌照片 · KFR-35GW-001")
    await expect(page.get_by_test_id("facts")).to_contain_text("KFR-35GW-001")

    status, device = await api.get("/devices/KFR-35GW-001")
    assert status == 200 and (device["nameplate"]["ticket"], device["nameplate"]["attachment"]) == (code, ids["stored"])


async def test_a_signed_in_console_shows_a_photos_thumbnail_and_opens_it_and_nobody_else_gets_it(  # type: ignore[no-untyped-def]
        open_page: Any, api: Api, browser) -> None:
    code, ids = await _ticket_with_media(api)
    url = str(api.server.make_url(f"/api/v1/tickets/{code}/attachments/{ids['stored']}"))
    page = await open_page(f"/console?ticket={code}")
    await expect(page.get_by_test_id("signin")).to_be_visible()
    assert await page.evaluate("(url) => fetch(url).then((r) => r.status)", url) == 401
    assert await page.evaluate("(url) => fetch(url).then((r) => r.status)", url + "/thumbnail") == 401

    await sign_in(page, "agent")
    thumbnail = page.locator("[data-testid=attachment][data-type=image] img")
    await expect(thumbnail).to_have_attribute("src", f"/api/v1/tickets/{code}/attachments/{ids['stored']}/thumbnail")
    await expect(thumbnail).to_have_js_property("complete", True)
    assert 0 < await thumbnail.evaluate("(img) => img.naturalWidth") <= 320
    async with page.context.expect_page() as opened:
        await thumbnail.click()
    photo = await opened.value
    await photo.wait_for_load_state()
    assert photo.url == url
    assert await photo.evaluate("document.images[0].naturalWidth") == 900

    await page.get_by_test_id("sign-out").click()
    await expect(page.get_by_test_id("signin")).to_be_visible()
    assert await page.evaluate("(url) => fetch(url).then((r) => r.status)", url) == 401
    stranger = await (await browser.new_context()).new_page()
    assert (await stranger.goto(url)).status == 401
