"""Settings, read once from the environment and `.env` (prefix PORTALPILOT_, nested `__`)."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs
from dotenv import dotenv_values
from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    create_model,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from portalpilot import _registry as registry
from portalpilot._db import normalise_url
from portalpilot._errors import ConfigError


class PortalSettings(BaseModel):
    """Where a portal is and which account signs in. The same flows run on the mock or live."""

    base_url: str | None = Field(None, description="The portal's address, e.g. https://…/<portal>/")
    email: str | None = None
    password: SecretStr | None = None

    @field_validator("base_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"{value!r} is not a web address: give the portal's address with http:// or "
                "https://, e.g. https://portal.example.com/seller/"
            )
        # Page objects join relative paths ("orders", "login") onto this URL.
        if not value.endswith("/"):
            value += "/"
        return value

    def require(self, portal: str) -> tuple[str, str, SecretStr]:
        """Address and credentials, or a ConfigError naming the missing variables."""
        prefix = f"PORTALPILOT_{portal.upper()}__"
        missing = [
            prefix + name
            for name, value in (
                ("BASE_URL", self.base_url),
                ("EMAIL", self.email),
                ("PASSWORD", self.password),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                f"{', '.join(missing)} not set: the {portal} portal's address and login are "
                "needed (in the environment or .env). For the mock portal, run "
                "`portalpilot mock serve`, which prints them."
            )
        assert self.base_url and self.email and self.password
        return self.base_url, self.email, self.password  # typed only by the sign-in page


class BrowserSettings(BaseModel):
    executable_path: Path | None = Field(
        None, description="Chromium to drive; else Playwright's own, else /usr/bin/chromium."
    )
    headless: bool = True
    timeout_ms: int = Field(10_000, ge=1_000, description="Longest wait for any one step.")
    trace: bool = Field(False, description="Keep a Playwright trace of every failed attempt.")


class RetrySettings(BaseModel):
    # Five: a failed page or list is reloaded in place (pages/_screen.py), so an attempt is
    # spent only on what a reload cannot fix, such as a confirmation the portal answered
    # with 500; against a portal failing a quarter of its requests three were too few.
    attempts: int = Field(5, ge=1, le=30, description="Attempts per item for system errors.")
    backoff_s: float = Field(0.5, ge=0, description="First wait between attempts; doubles.")
    backoff_max_s: float = Field(8.0, ge=0)


class BatchSettings(BaseModel):
    workers: int = Field(2, ge=1, le=16, description="Browser workers of a batch.")
    stop_after_failures: int = Field(
        5, ge=1, description="Stop a batch after this many system failures in a row."
    )
    per_account: int = Field(
        2,
        ge=1,
        le=16,
        description="Queued runs: at most this many browsers work one portal account at once, "
        "across every worker (portals throttle and lock accounts).",
    )


class AgentSettings(BaseModel):
    """How `portalpilot mcp` treats AI agents: plan first, confirm, then apply."""

    confirmation_minutes: float = Field(
        15,
        gt=0,
        le=24 * 60,
        description="How long a plan's confirmation token stays valid (minutes).",
    )
    direct_apply: bool = Field(
        False,
        description="Let agents apply a state-changing tool without a confirmation token "
        "(unattended agents). Off: every change is planned, then confirmed.",
    )
    workers: int = Field(2, ge=1, le=8, description="Browser workers the MCP server keeps warm.")


class _PortalEnv(BaseSettings):
    """Reads one portal's settings, `PORTALPILOT_<NAME>__<FIELD>`, like every other setting."""

    model_config = SettingsConfigDict(
        env_prefix="PORTALPILOT_", env_nested_delimiter="__", extra="ignore"
    )


def _portal_from_env(name: str, model: type[PortalSettings], env_file: Any) -> PortalSettings:
    fields: Any = {name: (model, Field(default_factory=model))}
    env = create_model(f"{name.title()}Env", __base__=_PortalEnv, **fields)
    try:
        value: PortalSettings = getattr(env(_env_file=env_file), name)
    except ValidationError as error:
        problems = "; ".join(
            f"PORTALPILOT_{name.upper()}__{'__'.join(str(p).upper() for p in e['loc'][1:])}: "
            f"{e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        )
        raise ConfigError(f"bad {name} settings: {problems}") from None
    return value


def default_state_dir() -> Path:
    """The platform's per-user state directory (~/.local/state/portalpilot on Linux): cron
    and a person in another folder share one ledger, so "already done" and the policy's
    day limits hold for both."""
    return Path(platformdirs.user_state_dir("portalpilot"))


class Settings(BaseSettings):
    """Every setting. A portal's own (`PORTALPILOT_KOGAN__…`) are declared by the portal
    (`pages/<name>/portal.py`) and read when first asked for, through `portal(name)`."""

    model_config = SettingsConfigDict(
        env_prefix="PORTALPILOT_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="allow",  # a portal's settings given in code: Settings(<portal>=…Settings(…))
    )

    state_dir: Path = Field(
        default_factory=default_state_dir,
        description="Ledger, sessions and evidence: one per user wherever a command runs.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    browser: BrowserSettings = BrowserSettings()
    retries: RetrySettings = RetrySettings()
    batch: BatchSettings = BatchSettings()
    agent: AgentSettings = AgentSettings()
    policy_file: Path | None = Field(
        None, description="Operator policy (TOML): limits per flow for every entry point."
    )
    database_url: str | None = Field(
        None,
        description="The ledger's database when robots run on several machines: "
        "postgresql://user@host:5432/db. Unset: <state_dir>/ledger.sqlite3.",
    )
    _portals: dict[str, PortalSettings] = PrivateAttr(default_factory=dict)
    _env_file: Any = PrivateAttr(default=".env")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        # postgresql://… is made postgresql+psycopg://… (psycopg 3); a bad scheme is refused.
        return normalise_url(value) if value and value.strip() else None

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self._env_file = values.get("_env_file", ".env")

    def portal(self, name: str) -> PortalSettings:
        """The settings of portal `name`: given in code, else read from the environment."""
        if name in self._portals:
            return self._portals[name]
        model = registry.portal(name).settings
        given = (self.model_extra or {}).get(name)
        if isinstance(given, model):
            value: PortalSettings = given
        elif isinstance(given, PortalSettings | dict):
            data = given.model_dump() if isinstance(given, PortalSettings) else given
            value = model.model_validate(data)
        else:
            value = _portal_from_env(name, model, self._env_file)
        self._portals[name] = value
        return value

    def check_names(self) -> None:
        """ConfigError for a PORTALPILOT_… variable (environment or .env) that no setting
        reads: a mistyped name would otherwise be ignored in silence."""
        known = set(_names("PORTALPILOT_", type(self)))
        for name, portal in registry.portals().items():
            known |= set(_names(f"PORTALPILOT_{name.upper()}__", portal.settings))
        given = [n.upper() for n in os.environ if n.upper().startswith("PORTALPILOT_")]
        env_file = self._env_file
        if env_file and Path(str(env_file)).is_file():
            given += [
                n.upper()
                for n in dotenv_values(str(env_file))
                if n.upper().startswith("PORTALPILOT_")
            ]
        for name in sorted(set(given) - known):
            near = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
            hint = f"; did you mean {near[0]}?" if near else ""
            raise ConfigError(f"{name} is not a portalpilot setting{hint}")

    def portals(self) -> dict[str, PortalSettings]:
        """Every registered portal's settings; one that cannot be read is left out."""
        found = {}
        for name in registry.portals():
            try:
                found[name] = self.portal(name)
            except ConfigError:
                continue
        return found

    def secrets(self) -> list[str]:
        """Every secret value in force, so that log output can be scrubbed of them."""
        found = [
            portal.password.get_secret_value()
            for portal in self.portals().values()
            if portal.password
        ]
        if self.database_url:  # postgresql://user:PASSWORD@host/db
            found.append(urlsplit(self.database_url).password or "")
        return [s for s in found if s]


def _names(prefix: str, model: type[BaseModel]) -> list[str]:
    """Every environment variable name the settings model `model` reads."""
    names = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += _names(f"{prefix}{name.upper()}__", annotation)
        else:
            names.append(f"{prefix}{name.upper()}")
    return names
