"""The Kogan seller inbox (Zendesk) as the runner sees it: name, settings, set-up, sign-in."""

from __future__ import annotations

import re

from playwright.sync_api import Page
from pydantic import Field, field_validator

from pages.kogan_inbox.sign_in import SignInPage
from portalpilot import Login, PortalSettings

ACCEPT = re.compile(r"^\s*(Accept|Accept all|Accept all cookies)\s*$", re.IGNORECASE)


DEFAULT_REPLY = (
    "Hi {customer},\n\n"
    "We have refunded {amount} for your order {reference}. The refund will show on your "
    "statement within 3 to 5 business days.\n\n"
    "Kind regards,\nCustomer Care"
)
PLACEHOLDERS = ("{customer}", "{amount}", "{reference}")


class KoganInboxSettings(PortalSettings):
    """The Kogan inbox's settings: PORTALPILOT_KOGAN_INBOX__…"""

    reply_template: str = Field(
        DEFAULT_REPLY,
        description="The public reply when a refund is done: {customer}, {amount} and "
        "{reference} are filled in; {amount} is required.",
    )

    @field_validator("reply_template")
    @classmethod
    def _names_the_amount(cls, value: str) -> str:
        # Tested before any browser starts: a reply that names no amount, or a typo in a
        # placeholder, would reach every customer of the night's batch.
        if "{amount}" not in value:
            raise ValueError("the reply must name the amount: put {amount} in it")
        unknown = set(re.findall(r"\{[^}]*\}", value)) - set(PLACEHOLDERS)
        if unknown:
            raise ValueError(
                f"unknown placeholder {', '.join(sorted(unknown))}; use {', '.join(PLACEHOLDERS)}"
            )
        return value.replace("\\n", "\n")  # a .env line carries "\n" for a line break

    def reply(self, customer: str, amount: str, reference: str) -> str:
        return (
            self.reply_template.replace("{customer}", customer)
            .replace("{amount}", amount)
            .replace("{reference}", reference)
        )


class KoganInbox:
    name = "kogan_inbox"
    title = "Kogan inbox"
    settings = KoganInboxSettings
    login_path = "login"

    def prepare(self, page: Page) -> None:
        """Accept the cookie-consent dialog whenever it covers the page, as a person would."""
        banner = page.get_by_role("dialog").filter(has=page.get_by_role("button", name=ACCEPT))
        page.add_locator_handler(
            banner, lambda dialog: dialog.get_by_role("button", name=ACCEPT).first.click()
        )

    def sign_in(self, page: Page, login: Login) -> None:
        SignInPage(page).open(login.base_url).log_in(login.email, login.password)


KOGAN_INBOX = KoganInbox()
PORTAL = KOGAN_INBOX  # found by the registry (portalpilot/_registry.py)
