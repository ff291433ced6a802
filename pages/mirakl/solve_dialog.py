"""The "Mark as solved" dialog of an order's open incident: a message to the operator."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from pages.mirakl._screen import SCREEN
from portalpilot import Reply, state_change

SOLVED = re.compile(r"solved", re.IGNORECASE)


class SolveIncidentDialog:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialog = page.get_by_role("dialog", name="Mark as solved", exact=True)
        self.message = self.dialog.get_by_label("Message to operator", exact=True)
        self.confirm_button = self.dialog.get_by_role("button", name="Confirm", exact=True)
        self.cancel_button = self.dialog.get_by_role("button", name="Cancel", exact=True)
        self.alert = self.dialog.get_by_role("alert").filter(has_text=re.compile(r"\S"))
        # The spec promises no words for this: any status that says "solved".
        self.solved = page.get_by_role("status").filter(has_text=SOLVED)

    def write(self, text: str) -> None:
        self.message.fill(text)

    @state_change
    def confirm(self) -> Reply:
        """Click "Confirm" once and wait for the portal's answer, whatever it is."""
        self.confirm_button.click()
        return SCREEN.answer(self.page, self.solved, self.alert)

    def cancel(self) -> None:
        self.cancel_button.click()
        self.dialog.wait_for(state="hidden")
