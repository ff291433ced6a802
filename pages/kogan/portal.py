"""The Kogan dispatch portal as the runner sees it: its name, its pages' set-up, signing in."""

from __future__ import annotations

from playwright.sync_api import Page
from pydantic import Field, field_validator

from pages.kogan.sign_in import SignInPage
from portalpilot import Login, PortalSettings


class KoganSettings(PortalSettings):
    """The Kogan dispatch portal's settings: PORTALPILOT_KOGAN__…"""

    search_days: int = Field(
        30, description="How far back a refund searches the order list: 30 or 90 days."
    )

    widen_days: int = Field(
        90,
        description="How far back the whole procedure (kogan resolve) widens the search when "
        "the order is not in the last search_days: 90, or 30 to never widen.",
    )

    @field_validator("search_days", "widen_days")
    @classmethod
    def _a_period_of_the_list(cls, value: int) -> int:
        # The order list offers 7, 30 and 90 days; the procedure widens 7 to 30.
        if value not in (30, 90):
            raise ValueError("the order list searches the last 30 or 90 days: give 30 or 90")
        return value


class KoganDispatch:
    name = "kogan"
    title = "Kogan dispatch portal"
    settings = KoganSettings
    login_path = "login"

    def prepare(self, page: Page) -> None:
        """Accept the cookie-consent dialog whenever it covers the page, as a person would."""
        banner = page.get_by_role("dialog").filter(
            has=page.get_by_role("button", name="Accept", exact=True)
        )
        page.add_locator_handler(
            banner, lambda dialog: dialog.get_by_role("button", name="Accept", exact=True).click()
        )

    def sign_in(self, page: Page, login: Login) -> None:
        SignInPage(page).open(login.base_url).log_in(login.email, login.password)


KOGAN = KoganDispatch()
PORTAL = KOGAN  # found by the registry (portalpilot/_registry.py)
