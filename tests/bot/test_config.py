"""Configuration as operators meet it: TOML plus environment overrides, and exit 2 naming the key when it is wrong."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.bootstrap import hub_wiring
from bot.cli import EXIT_USAGE, main
from bot.config import ConfigError, config_from_dict, load_config
from core.services.alerts import Room


def test_bus_section_from_file_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "aftersales.toml"
    path.write_text('[bus]\nbackend = "redis"\nlease = "3s"\n', "utf-8")
    config = load_config(path, env={"AFTERSALES_BUS__PARTITIONS": "16",
                                    "AFTERSALES_BUS__REDIS_URL": "redis://10.0.0.5:6379/2",
                                    "AFTERSALES_BUS__PROCESS": "false"})
    assert (config.bus.backend, config.bus.partitions, config.bus.lease) == ("redis", 16, timedelta(seconds=3))
    assert config.bus.redis_url == "redis://10.0.0.5:6379/2"
    assert config.bus.process is False


@pytest.mark.parametrize(("section", "message"), [
    ('[bus]\nbackend = "kafka"\n', "bus.backend must be memory or redis"),
    ('[bus]\nlease = "0s"\n', "bus.lease must be positive"),
    ('[bus]\npartitions = -1\n', "bus.partitions"),
    ('[bus]\nleases = "3s"\n', "unknown key bus.leases"),
    ('[bus]\nprocess = false\n', "bus.process = false needs bus.backend"),
    ("[webchat]\nglobal_rate = 0\n", "webchat.global_rate must be at least 1"),
    ('[webchat]\naddress_session_rate_window = "0s"\n', "webchat.address_session_rate_window positive"),
    ('[server]\ntrusted_proxies = ["10.0.0.300"]\n', "server.trusted_proxies: not an address or network"),
    ('[survey]\ndelay = "soon"\n', "survey.delay"),
    ('[survey]\nlow_score = 6\n', "survey.low_score must be between 0 and 5"),
    ('[survey]\nexpire = "0s"\n', "survey.expire must be positive"),
    ('[survey]\nremind = "4d"\nexpire = "3d"\n', "survey.remind must be 0s"),
    ('[survey]\nreopen_window = "0s"\n', "survey.reopen_window must be positive"),
    ('[survey]\nnps = "maybe"\n', "survey.nps"),
    ('[survey]\ndelays = "1m"\n', "unknown key survey.delays"),
    ('[wechat.templates.survey_csat]\nfields = { first = "text" }\n', "wechat.templates.survey_csat.id"),
    ('[wechat.templates.default]\nid = "T"\nfields = { first = "" }\n', "wechat.templates.default.fields.first"),
    ('[wechat.templates.default]\nid = "T"\n', "wechat.templates.default.fields must map"),
    ('[wechat]\nmenu_commands = { MENU = 3 }\n', "wechat.menu_commands.MENU"),
])
def test_a_bad_setting_is_named(tmp_path: Path, section: str, message: str) -> None:
    path = tmp_path / "aftersales.toml"
    path.write_text(section, "utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path, env={})


def test_survey_section_from_file_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "aftersales.toml"
    path.write_text('[survey]\ndelay = "2s"\nnps = false\nexpire = "1d"\nremind = "0s"\n', "utf-8")
    survey = load_config(path, env={"AFTERSALES_SURVEY__LOW_SCORE": "3",
                                    "AFTERSALES_SURVEY__REOPEN_WINDOW": "7d"}).survey
    assert (survey.delay, survey.nps, survey.expire, survey.remind) == (
        timedelta(seconds=2), False, timedelta(days=1), timedelta(0))
    assert (survey.low_score, survey.reopen_window) == (3, timedelta(days=7))
    assert config_from_dict({}).survey.low_score == 2


def test_wechat_templates_and_menu_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "aftersales.toml"
    path.write_text('[wechat]\napp_id = "wx"\ntoken = "t"\nmenu_commands = { MENU_STATUS = "查询进度" }\n'
                    '[wechat.templates.survey_csat]\nid = "TPL"\nfields = { first = "subject", keyword1 = "code" }\n',
                    "utf-8")
    wechat = load_config(path, env={}).channel("wechat")
    [template] = wechat.template_messages().values()
    assert (template.name, template.id, dict(template.fields)) == ("survey_csat", "TPL",
                                                                   {"first": "subject", "keyword1": "code"})
    assert wechat.menu_commands == {"MENU_STATUS": "查询进度"}


def test_web_chat_limits_from_file_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "aftersales.toml"
    path.write_text('[webchat]\naddress_rate = 30\naddress_rate_window = "2m"\nglobal_rate_window = "5s"\n'
                    '[server]\ntrusted_proxies = ["10.0.0.0/8", "::1"]\n', "utf-8")
    config = load_config(path, env={"AFTERSALES_WEBCHAT__ADDRESS_SESSION_RATE": "4",
                                    "AFTERSALES_WEBCHAT__GLOBAL_RATE": "300"})
    webchat = config.channel("webchat")
    assert (webchat.address_rate, webchat.address_rate_window) == (30, timedelta(minutes=2))
    assert (webchat.address_session_rate, webchat.global_rate, webchat.global_rate_window) == (
        4, 300, timedelta(seconds=5))
    assert config.server.trusted_proxies == ("10.0.0.0/8", "::1")
    path.write_text("", "utf-8")
    from_env = load_config(path, env={"AFTERSALES_SERVER__TRUSTED_PROXIES": "127.0.0.1, 172.16.0.0/12"})
    assert from_env.server.trusted_proxies == ("127.0.0.1", "172.16.0.0/12")


def test_serve_with_a_bad_setting_exits_2_and_says_which(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "aftersales.toml"
    path.write_text('[bus]\nbackend = "kafka"\n', "utf-8")
    assert main(["serve", "--config", str(path)]) == EXIT_USAGE
    assert "bus.backend" in capsys.readouterr().err


def test_sla_section_from_file_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "aftersales.toml"
    path.write_text('[sla]\nwarn_at = 0.9\n[[sla.policy]]\npriorities = ["P1"]\nfirst_response = "10m"\n', "utf-8")
    config = load_config(path, env={"AFTERSALES_SLA__TIMEZONE": "Europe/Berlin"})
    assert (config.sla.warn_at, str(config.sla.timezone)) == (0.9, "Europe/Berlin")
    assert [p.key for p in config.sla.policies] == ["sla.policy[1]"]
    assert config_from_dict({}).sla.policies[0].key == "default P1"


def test_serve_with_a_bad_sla_policy_exits_2_and_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "aftersales.toml"
    path.write_text('[sla]\n[[sla.policy]]\nfirst_response = "1h"\n[[sla.policy]]\ncalendar = "moon"\n'
                    'resolution = "1h"\n', "utf-8")
    assert main(["serve", "--config", str(path)]) == EXIT_USAGE
    assert "sla.policy[2].calendar: unknown calendar 'moon'" in capsys.readouterr().err


def test_alert_rooms_come_from_the_configured_channels() -> None:
    config = config_from_dict({
        "slack": {"bot_token": "xoxb-1", "signing_secret": "s", "alerts_channel": "C0ALERTS"},
        "wecom": {"corp_id": "ww1", "token": "t", "alerts_chat_id": "ops"},
        "wechat": {"app_id": "wx1", "token": "t"},
    })
    assert hub_wiring(config).rooms == (Room("wecom", "chat:ops"), Room("slack", "C0ALERTS"))
    assert hub_wiring(config_from_dict({"slack": {"alerts_channel": "C0ALERTS"}})).rooms == ()


def test_api_tokens_webhooks_and_handover_from_file_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "aftersales.toml"
    path.write_text('[api]\ntokens = ["t0k3n", { token = "agent-1", role = "agent", name = "console" }]\n'
                    '[webhooks]\nurls = ["https://example.com/hook"]\nsecret = "s3cret"\n'
                    '[handover]\ntimeout = "10m"\n[dispatch]\naccept_timeout = "2s"\n[pricing]\nlabour_rate = 80.5\n'
                    '[intake]\ndescribe_wait = "5m"\n',
                    "utf-8")
    config = load_config(path, env={})
    assert [(t.role, t.name) for t in config.api.tokens] == [("admin", "token1"), ("agent", "console")]
    assert "t0k3n" not in repr(config.api) and "s3cret" not in repr(config.channel("webhooks"))
    assert hub_wiring(config).hooks == ("https://example.com/hook",)
    assert hub_wiring(config).handover_timeout == timedelta(minutes=10)
    assert hub_wiring(config).describe_wait == timedelta(minutes=5)
    assert hub_wiring(load_config(None, env={})).describe_wait == timedelta(minutes=15)
    assert hub_wiring(config).accept_timeout == timedelta(seconds=2)
    assert load_config(None, env={}).dispatch.accept_timeout == timedelta(minutes=15)
    assert (hub_wiring(config).labour_rate_cents, hub_wiring(load_config(None, env={})).labour_rate_cents) == (8050, 0)
    path.write_text("", "utf-8")
    from_env = load_config(path, env={"AFTERSALES_API__TOKENS": "a1, b2"})
    assert [(t.token, t.role) for t in from_env.api.tokens] == [("a1", "admin"), ("b2", "admin")]


@pytest.mark.parametrize(("section", "message"), [
    ('[api]\ntokens = [{ token = "x", role = "boss" }]\n', "api.tokens[1].role: 'boss' is not one of"),
    ('[api]\ntokens = ["x", "x"]\n', "api.tokens[2].token: the same token is listed twice"),
    ('[api]\ntokens = [{ token = "x", colour = "red" }]\n', "unknown key api.tokens[1].colour"),
    ('[api]\ntokens = [""]\n', "api.tokens[1].token"),
    ('[webhooks]\nurls = ["ftp://example.com"]\nsecret = "s"\n', "webhooks.urls: not an http(s) URL"),
    ('[webhooks]\nurls = ["https://example.com/hook"]\n', "webhooks.secret is required"),
    ('[handover]\ntimeout = "0s"\n', "handover.timeout must be positive"),
    ('[intake]\ndescribe_wait = "0s"\n', "intake.describe_wait must be positive"),
    ('[media]\nmax_bytes = 0\n', "media.max_bytes must be positive"),
    ('[media]\nbackend = "ftp"\n', "media.backend must be local or s3"),
    ('[media]\nbackend = "s3"\n', "media.s3_bucket is needed"),
    ('[pricing]\nlabour_rate = "eighty"\n', "pricing.labour_rate: 'eighty' is not an amount in yuan"),
    ('[dispatch]\nworking_hours = ["09:00-13:00", "14:00"]\n', "dispatch.working_hours[2]: '14:00' is not HH:MM-HH:MM"),
])
def test_bad_api_webhook_or_handover_settings_are_named(tmp_path: Path, section: str, message: str) -> None:
    path = tmp_path / "aftersales.toml"
    path.write_text(section, "utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path, env={})
