"""The monday.com board as the runner sees it: its name, settings, pages' set-up, sign-in."""

from __future__ import annotations

from playwright.sync_api import Page
from pydantic import Field

from pages.monday.sign_in import SignInPage
from portalpilot import Login, PortalSettings

DEFAULT_BOARD = 4120000001


class MondaySettings(PortalSettings):
    """The monday board's settings: PORTALPILOT_MONDAY__…"""

    board_id: int = Field(
        DEFAULT_BOARD,
        gt=0,
        description="The board the team records refunds on (boards/BOARD in its address).",
    )


class MondayBoard:
    name = "monday"
    title = "monday.com"
    settings = MondaySettings
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


MONDAY = MondayBoard()
PORTAL = MONDAY  # found by the registry (portalpilot/_registry.py)
