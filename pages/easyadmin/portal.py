"""EasyAdmin (이지어드민) as the runner sees it: its name, settings, pages' set-up, sign-in.

Its sign-in asks for the company's domain (도메인) besides the user ID and password: a
setting of its own, PORTALPILOT_EASYADMIN__DOMAIN.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page
from pydantic import Field, SecretStr, field_validator

from pages.easyadmin.sign_in import SignInPage
from portalpilot import ConfigError, Login, PortalFailure, PortalSettings

# A cookie-consent dialog's button, in Korean or English (the spec names none).
ACCEPT = re.compile(r"^\s*(?:Accept|동의|동의합니다|모두 동의|수락)\s*$")


class EasyAdminSettings(PortalSettings):
    """EasyAdmin's settings: PORTALPILOT_EASYADMIN__… (EMAIL is the user ID, 아이디)."""

    domain: str | None = Field(
        None, description="The company's domain, typed in 도메인 at sign-in, e.g. demo."
    )

    @field_validator("domain")
    @classmethod
    def _a_domain(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if any(c.isspace() for c in value):
            raise ValueError(f"{value!r} is not a company domain: it holds a space")
        return value

    def require(self, portal: str) -> tuple[str, str, SecretStr]:
        """Address, login and the domain, or a ConfigError naming every missing variable."""
        prefix = f"PORTALPILOT_{portal.upper()}__"
        missing = [
            prefix + name
            for name, value in (
                ("BASE_URL", self.base_url),
                ("EMAIL", self.email),
                ("PASSWORD", self.password),
                ("DOMAIN", self.domain),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                f"{', '.join(missing)} not set: the {portal} portal's address, company domain "
                "and login are needed (in the environment or .env). For the mock portal, run "
                "`portalpilot mock serve`, which prints them."
            )
        return super().require(portal)


class EasyAdmin:
    name = "easyadmin"
    title = "EasyAdmin"
    settings = EasyAdminSettings
    login_path = "login"

    def prepare(self, page: Page) -> None:
        """Accept a cookie-consent dialog whenever it covers the page, as a person would."""
        banner = page.get_by_role("dialog").filter(has=page.get_by_role("button", name=ACCEPT))
        page.add_locator_handler(
            banner, lambda dialog: dialog.get_by_role("button", name=ACCEPT).first.click()
        )

    def sign_in(self, page: Page, login: Login) -> None:
        domain = getattr(login.settings, "domain", None)
        if not domain:
            raise PortalFailure("no company domain (PORTALPILOT_EASYADMIN__DOMAIN) to sign in with")
        SignInPage(page).open(login.base_url).log_in(domain, login.email, login.password)


EASYADMIN = EasyAdmin()
PORTAL = EASYADMIN  # found by the registry (portalpilot/_registry.py)
