"""The "Start a conversation" dialog of an order: recipient, topic, message, files."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

from pages.mirakl._screen import Confirmation, answer_after

SENT = re.compile(r"^\s*Message sent\.\s*$")


class ConversationDialog:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialog = page.get_by_role("dialog", name="Start a conversation", exact=True)
        self.recipient = self.dialog.get_by_label("Recipient", exact=True)
        self.topic = self.dialog.get_by_label("Topic", exact=True)
        self.message = self.dialog.get_by_label("Message", exact=True)
        self.files = self.dialog.get_by_label("Attach a file", exact=True)
        self.send_button = self.dialog.get_by_role("button", name="Send", exact=True)
        self.cancel_button = self.dialog.get_by_role("button", name="Cancel", exact=True)
        self.alert = self.dialog.get_by_role("alert").filter(has_text=re.compile(r"\S"))
        self.sent = page.get_by_role("status").filter(has_text=SENT)

    def fill(self, recipient: str, topic: str, text: str, files: list[Path]) -> None:
        self.recipient.select_option(label=recipient)
        self.topic.select_option(label=topic)
        self.message.fill(text)
        if files:
            self.files.set_input_files(files)

    def send(self) -> Confirmation:
        self.send_button.click()
        return answer_after(self.page, self.sent, self.alert)

    def cancel(self) -> None:
        self.cancel_button.click()
        self.dialog.wait_for(state="hidden")
