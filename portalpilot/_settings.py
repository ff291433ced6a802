"""Settings, read once from the environment and `.env` (prefix PORTALPILOT_, nested `__`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from portalpilot._errors import ConfigError


class PortalSettings(BaseModel):
    """Where a portal is and which account signs in. The same flows run on the mock or live."""

    base_url: str | None = Field(None, description="The portal's address, e.g. https://…/kogan/")
    email: str | None = None
    password: SecretStr | None = None

    @field_validator("base_url")
    @classmethod
    def _trailing_slash(cls, value: str | None) -> str | None:
        # Page objects join relative paths ("orders", "login") onto this URL.
        if value and not value.endswith("/"):
            value += "/"
        return value

    def require(self, portal: str) -> tuple[str, str, str]:
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
        return self.base_url, self.email, self.password.get_secret_value()


class KoganSettings(PortalSettings):
    search_days: Literal[30, 90] = Field(
        30, description="How far back a refund searches the order list (the procedure says 30)."
    )


class BrowserSettings(BaseModel):
    executable_path: Path | None = Field(
        None, description="Chromium to drive; else Playwright's own, else /usr/bin/chromium."
    )
    headless: bool = True
    timeout_ms: int = Field(10_000, ge=1_000, description="Longest wait for any one step.")
    trace: bool = Field(False, description="Keep a Playwright trace of every failed attempt.")


class RetrySettings(BaseModel):
    attempts: int = Field(3, ge=1, le=30, description="Attempts per item for system errors.")
    backoff_s: float = Field(0.5, ge=0, description="First wait between attempts; doubles.")
    backoff_max_s: float = Field(8.0, ge=0)


class BatchSettings(BaseModel):
    workers: int = Field(2, ge=1, le=16, description="Browser workers of a batch.")
    stop_after_failures: int = Field(
        5, ge=1, description="Stop a batch after this many system failures in a row."
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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PORTALPILOT_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    state_dir: Path = Field(Path(".portalpilot"), description="Ledger, sessions and evidence.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    browser: BrowserSettings = BrowserSettings()
    retries: RetrySettings = RetrySettings()
    batch: BatchSettings = BatchSettings()
    agent: AgentSettings = AgentSettings()
    policy_file: Path | None = Field(
        None, description="Operator policy (TOML): limits per flow for every entry point."
    )
    kogan: KoganSettings = KoganSettings()
    chopni: PortalSettings = PortalSettings()
    mirakl: PortalSettings = PortalSettings()

    def portal(self, name: str) -> PortalSettings:
        value = getattr(self, name, None)
        if not isinstance(value, PortalSettings):
            raise ConfigError(f"no settings for a portal named {name!r}")
        return value

    def secrets(self) -> list[str]:
        """Every secret value in force, so that log output can be scrubbed of them."""
        found = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, PortalSettings) and value.password:
                found.append(value.password.get_secret_value())
        return [s for s in found if s]
