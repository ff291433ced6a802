"""The "Start a conversation" dialog of an order: recipient, topic, message, files."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

from pages.mirakl._fields import choose
from pages.mirakl._screen import SCREEN
from portalpilot import Reply, state_change

SENT = re.compile(r"Message sent\.")


class ConversationDialog:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialog = page.get_by_role("dialog", name="Start a conversation", exact=True)
        self.message = self.dialog.get_by_label("Message", exact=True)
        self.files = self.dialog.get_by_label("Attach a file", exact=True)
        self.send_button = self.dialog.get_by_role("button", name="Send", exact=True)
        self.cancel_button = self.dialog.get_by_role("button", name="Cancel", exact=True)
        self.alert = self.dialog.get_by_role("alert").filter(has_text=re.compile(r"\S"))
        self.sent = page.get_by_role("status").filter(has_text=SENT)

    def fill(self, recipient: str, topic: str, text: str, files: list[Path]) -> None:
        choose(self.dialog, "Recipient", recipient)
        choose(self.dialog, "Topic", topic)
        self.message.fill(text)
        if files:
            self.files.set_input_files(files)

    @state_change
    def send(self) -> Reply:
        """Click "Send" once and wait for the portal's answer, whatever it is."""
        self.send_button.click()
        return SCREEN.answer(self.page, self.sent, self.alert)

    def cancel(self) -> None:
        self.cancel_button.click()
        self.dialog.wait_for(state="hidden")
