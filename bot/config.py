"""Configuration: one TOML file plus `AFTERSALES_<SECTION>__<KEY>` environment overrides.

A channel is on when its section is filled in. Every error names the key so `aftersales` can exit 2 with it.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

from channels.registry import PLATFORMS, platform
from core.domain.calendar import Shift, parse_shift
from core.domain.details import DESCRIBE_WAIT
from core.domain.money import cents_of
from core.domain.reports import ReportSettings
from core.domain.sla import SlaSettings
from core.domain.surveys import SurveySettings
from core.domain.visits import WORKING_HOURS
from core.durations import parse_duration
from core.sla.config import builtin_sla, parse_sla

ENV_PREFIX = "AFTERSALES_"


class ConfigError(ValueError):
    """Bad configuration; the message names the key."""


@dataclass(frozen=True, kw_only=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = 1_048_576
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks (`10.0.0.0/8`) of the reverse proxies in front of the hub: only from these is
    `X-Forwarded-For` believed to name the client (the web chat's per-address limits count by it)."""

    def __post_init__(self) -> None:
        for entry in self.trusted_proxies:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"server.trusted_proxies: not an address or network: {entry!r}") from None


@dataclass(frozen=True, kw_only=True)
class DatabaseConfig:
    url: str = "sqlite+aiosqlite:///var/aftersales.db"


@dataclass(frozen=True, kw_only=True)
class BusConfig:
    backend: str = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    partitions: int = 0
    """Conversations are spread over this many ordered lanes; 0 picks for the database: one on SQLite (it has a
    single writer, so more lanes only interleave and delay acknowledgements), eight otherwise. Every process sharing
    a Redis bus must use the same number."""
    lease: timedelta = timedelta(seconds=10)
    """Redis bus: how long a process keeps a lane after it stops renewing (crashed); then another takes it over."""
    process: bool = True
    """Whether this process handles inbox messages. False makes an intake-only process (channels, inbox, outbox):
    its acknowledgements never wait behind processing, which other processes on the Redis bus do."""

    def __post_init__(self) -> None:
        if self.backend not in ("memory", "redis"):
            raise ValueError(f"bus.backend must be memory or redis, not {self.backend!r}")
        if self.partitions < 0:
            raise ValueError("bus.partitions must be 0 (automatic) or more")
        if self.lease.total_seconds() <= 0:
            raise ValueError("bus.lease must be positive")
        if not self.process and self.backend != "redis":
            raise ValueError("bus.process = false needs bus.backend = \"redis\": with the in-process bus nothing "
                             "else would handle this process's messages")


@dataclass(frozen=True, kw_only=True)
class NlpConfig:
    model_path: str = ""


@dataclass(frozen=True, kw_only=True)
class KbConfig:
    dir: str = ""
    """Markdown articles imported at start (and by `aftersales kb import DIR`)."""
    threshold: float = 0.25
    """Search score at which an answer is sent; calibrated by bench/bench_kb.py on questions no article lists."""
    refresh_seconds: float = 30.0
    """How often a running hub looks whether an import changed the stored articles, to rebuild its index."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"kb.threshold must be between 0 and 1, not {self.threshold}")
        if self.refresh_seconds <= 0:
            raise ValueError(f"kb.refresh_seconds must be more than 0, not {self.refresh_seconds}")


API_ROLES = ("agent", "supervisor", "admin")
"""What an API token may do, each role all the one before may: agents work tickets and customers, supervisors also
read the figures, admins also manage staff and deliveries."""


@dataclass(frozen=True, kw_only=True)
class ApiToken:
    token: str = field(repr=False)
    role: str = "admin"
    name: str = ""
    """How the audit log names changes made with this token (`api:<name>`); the token itself never appears."""


@dataclass(frozen=True, kw_only=True)
class ApiConfig:
    tokens: tuple[ApiToken, ...] = ()
    """`/api/v1` answers 401 to everyone while this is empty."""
    max_body_bytes: int = 65_536
    """Request bodies over this are refused with 413 before they are read."""


@dataclass(frozen=True, kw_only=True)
class ConsoleConfig:
    session_ttl: timedelta = timedelta(hours=12)
    """How long a sign-in to the console or the dashboard lasts; then the token is asked for again."""

    def __post_init__(self) -> None:
        if self.session_ttl.total_seconds() <= 0:
            raise ValueError("console.session_ttl must be positive")


@dataclass(frozen=True, kw_only=True)
class HandoverConfig:
    timeout: timedelta = timedelta(minutes=30)
    """A conversation a person took over goes back to the bot after this long with nobody writing either way."""

    def __post_init__(self) -> None:
        if self.timeout.total_seconds() <= 0:
            raise ValueError("handover.timeout must be positive")


@dataclass(frozen=True, kw_only=True)
class IntakeConfig:
    describe_wait: timedelta = DESCRIBE_WAIT
    """A bare request ("报修", "我要退货") waits this long for the customer to say what it is about, then is filed as
    it stands."""

    def __post_init__(self) -> None:
        if self.describe_wait.total_seconds() <= 0:
            raise ValueError("intake.describe_wait must be positive")


@dataclass(frozen=True, kw_only=True)
class MediaConfig:
    dir: str = "var/media"
    """Where photos, voice notes and files are kept, by the sha256 of their bytes."""
    max_bytes: int = 20 * 1024 * 1024
    """Larger files are refused (the sender is told); also the limit of a web-chat upload."""
    max_pixels: int = 40_000_000
    """Images with more pixels are refused as decompression bombs before they are decoded."""
    backend: str = "local"
    """`local` (files under `dir`) or `s3` (an S3-compatible bucket, for hubs on several machines)."""
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    """Empty for AWS itself; MinIO, Ceph or another S3-compatible store's address otherwise."""
    s3_region: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_prefix: str = "media/"
    public_url: str = ""
    """The hub's address as customers reach it (`https://service.example.com`): a technician's completion photos
    reach the customer as links under it. Empty: links relative to the hub, which only the web chat can follow."""

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise ValueError("media.max_bytes must be positive")
        if self.max_pixels <= 0:
            raise ValueError("media.max_pixels must be positive")
        if self.backend not in ("local", "s3"):
            raise ValueError(f"media.backend must be local or s3, not {self.backend!r}")
        if self.backend == "s3" and not self.s3_bucket:
            raise ValueError("media.s3_bucket is needed with media.backend = \"s3\"")


@dataclass(frozen=True, kw_only=True)
class DispatchConfig:
    accept_timeout: timedelta = timedelta(minutes=15)
    """An offer nobody answers in this long moves on: the next technician, then the grab pool, then supervisors."""
    working_hours: tuple[str, ...] = WORKING_HOURS
    """`HH:MM-HH:MM` stretches in which visits are offered, for technicians with no working hours of their own."""

    def __post_init__(self) -> None:
        if self.accept_timeout.total_seconds() <= 0:
            raise ValueError("dispatch.accept_timeout must be positive")
        if not self.working_hours:
            raise ValueError("dispatch.working_hours: a list such as [\"09:00-13:00\", \"14:00-18:00\"]")
        for number, entry in enumerate(self.working_hours, 1):
            try:
                parse_shift(entry)
            except ValueError as exc:
                raise ValueError(f"dispatch.working_hours[{number}]: {exc}") from None

    @property
    def shifts(self) -> tuple[Shift, ...]:
        return tuple(parse_shift(entry) for entry in self.working_hours)


@dataclass(frozen=True, kw_only=True)
class PricingConfig:
    labour_rate: str = "0"
    """Yuan charged for an hour of labour out of warranty (`"80"`, `"80.50"`); `"0"`: labour is recorded on the job
    sheet but not charged."""

    def __post_init__(self) -> None:
        try:
            cents_of(self.labour_rate)
        except ValueError as exc:
            raise ValueError(f"pricing.labour_rate: {exc}") from exc

    @property
    def labour_rate_cents(self) -> int:
        return cents_of(self.labour_rate)


@dataclass(frozen=True, kw_only=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    bus: BusConfig = field(default_factory=BusConfig)
    sla: SlaSettings = field(default_factory=builtin_sla)
    nlp: NlpConfig = field(default_factory=NlpConfig)
    kb: KbConfig = field(default_factory=KbConfig)
    survey: SurveySettings = field(default_factory=SurveySettings)
    api: ApiConfig = field(default_factory=ApiConfig)
    handover: HandoverConfig = field(default_factory=HandoverConfig)
    intake: IntakeConfig = field(default_factory=IntakeConfig)
    dispatch: DispatchConfig = field(default_factory=DispatchConfig)
    pricing: PricingConfig = field(default_factory=PricingConfig)
    console: ConsoleConfig = field(default_factory=ConsoleConfig)
    media: MediaConfig = field(default_factory=MediaConfig)
    reports: ReportSettings = field(default_factory=ReportSettings)
    channels: Mapping[str, Any] = field(default_factory=dict)
    """Each platform's section (`channels.registry`), built from its own config type; absent ones at their defaults."""

    def channel(self, name: str) -> Any:
        return self.channels[name]

    @property
    def configured_channels(self) -> frozenset[str]:
        """The platforms whose sections are filled in (the web chat always): the only ones the hub sends on, so
        the only ones staff can be told anything on."""
        return frozenset(name for name, section in self.channels.items() if section.enabled)


def load_config(path: str | Path | None = None, *, env: Mapping[str, str] | None = None) -> Config:
    """Read the TOML file (explicit path, `AFTERSALES_CONFIG`, or `aftersales.toml` if present) and apply env overrides."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    chosen = path or env.get(ENV_PREFIX + "CONFIG") or ("aftersales.toml" if Path("aftersales.toml").exists() else None)
    if chosen:
        try:
            raw = tomllib.loads(Path(chosen).read_text("utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {chosen}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{chosen}: {exc}") from exc
    for name, value in env.items():
        if name.startswith(ENV_PREFIX) and "__" in name:
            section, _, key = name[len(ENV_PREFIX):].lower().partition("__")
            raw.setdefault(section, {})[key] = value
    return config_from_dict(raw)


def config_from_dict(raw: Mapping[str, Any]) -> Config:
    sections: dict[str, Any] = {}
    hub_sections = {f.name for f in dataclasses.fields(Config)} - {"channels"}
    channels = {name: platform(name).Config() for name in PLATFORMS}
    for section, values in raw.items():
        if section not in hub_sections and section not in PLATFORMS:
            raise ConfigError(f"unknown config section [{section}]")
        if not isinstance(values, Mapping):
            raise ConfigError(f"[{section}] must be a table")
        if section in PLATFORMS:
            channels[section] = _build_section(section, platform(section).Config, values)
        elif section == "sla":
            sections[section] = _sla(values)
        elif section == "api":
            sections[section] = _api(values)
        else:
            sections[section] = _build_section(section, typing.get_type_hints(Config)[section], values)
    return Config(**sections, channels=channels)


def _sla(values: Mapping[str, Any]) -> SlaSettings:
    """`[sla]` has nested tables and rules of its own, so its own parser reads it."""
    try:
        return parse_sla(values)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _api(values: Mapping[str, Any]) -> ApiConfig:
    """`tokens` holds plain strings (admin tokens) or tables `{token, role, name}`; from the environment, a
    comma-separated list of admin tokens."""
    entries = values.get("tokens", [])
    if isinstance(entries, str):
        entries = [t.strip() for t in entries.split(",") if t.strip()]
    if not isinstance(entries, list):
        raise ConfigError("bad value for api.tokens: expected a list")
    tokens: list[ApiToken] = []
    for n, entry in enumerate(entries, 1):
        where = f"api.tokens[{n}]"
        if isinstance(entry, str):
            entry = {"token": entry}
        if not isinstance(entry, Mapping):
            raise ConfigError(f"bad value for {where}: expected a string or a table")
        unknown = set(entry) - {"token", "role", "name"}
        if unknown:
            raise ConfigError(f"unknown key {where}.{sorted(unknown)[0]}")
        token, role = entry.get("token"), entry.get("role", "admin")
        if not isinstance(token, str) or not token.strip():
            raise ConfigError(f"bad value for {where}.token: expected a non-empty string")
        if role not in API_ROLES:
            raise ConfigError(f"bad value for {where}.role: {role!r} is not one of {', '.join(API_ROLES)}")
        if any(t.token == token for t in tokens):
            raise ConfigError(f"bad value for {where}.token: the same token is listed twice")
        tokens.append(ApiToken(token=token, role=role, name=str(entry.get("name") or f"token{n}")))
    rest = _build_section("api", ApiConfig, {k: v for k, v in values.items() if k != "tokens"})
    return dataclasses.replace(rest, tokens=tuple(tokens))


def _build_section(section: str, section_type: type, values: Mapping[str, Any]) -> Any:
    hints = typing.get_type_hints(section_type)
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in hints:
            raise ConfigError(f"unknown key {section}.{key}")
        try:
            kwargs[key] = _coerce(hints[key], value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"bad value for {section}.{key}: {exc}") from exc
    try:
        return section_type(**kwargs)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _coerce(hint: Any, value: Any) -> Any:
    if hint is timedelta:
        return parse_duration(value)
    if hint is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"expected true/false, got {value!r}")
    if hint is int:
        if isinstance(value, bool):
            raise ValueError(f"expected a number, got {value!r}")
        return int(value)
    if hint is float:
        return float(value)
    if hint is str:
        if not isinstance(value, (str, int, float)):
            raise ValueError(f"expected text, got {value!r}")
        return str(value)
    origin = typing.get_origin(hint)
    if origin is tuple:
        items = value.split(",") if isinstance(value, str) else list(value)
        return tuple(str(i).strip() for i in items if str(i).strip())
    if origin in (Mapping, dict) or isinstance(hint, types.GenericAlias):
        if isinstance(value, str):
            raise ValueError("expected a table")
        return dict(value)
    return value
