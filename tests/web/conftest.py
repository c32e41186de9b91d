"""The console and the dashboard are served by the same hub as the API: its fixtures, reused."""
from tests.api.conftest import api, hub_clock, served, wecom_api  # noqa: F401 - fixtures for this folder's tests
