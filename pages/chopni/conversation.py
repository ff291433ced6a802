"""The conversation dialog — "Започни разговор с клиент": text, attachments, "Изпрати"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import Page

from pages.chopni._screen import answer
from portalpilot import Reply, state_change

ATTACH = "Прикачи файл"
CANCEL = re.compile(r"^\s*(Отказ|Затвори|Откажи)\s*$")
SOMETHING = re.compile(r"\S")


class ConversationDialog:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.send_button = page.get_by_role("button", name="Изпрати", exact=True)
        # The one dialog with "Изпрати" (the cookie banner is a dialog too).
        self.dialog = page.get_by_role("dialog").filter(has=self.send_button)
        self.text = self.dialog.get_by_label("Съобщение", exact=True)
        self.file_input = self.dialog.get_by_label(ATTACH, exact=True)
        self.attach_button = self.dialog.get_by_role("button", name=ATTACH, exact=True)
        self.cancel_button = self.dialog.get_by_role("button", name=CANCEL)
        self.alert = page.get_by_role("alert").filter(has_text=SOMETHING)

    def write(self, text: str) -> None:
        self.text.fill(text)

    def attach(self, files: Sequence[Path]) -> None:
        """Choose the files: the labelled file input, or the button's file chooser."""
        if not files:
            return
        if self.file_input.count():
            self.file_input.set_input_files(list(files))
            return
        with self.page.expect_file_chooser() as chooser:
            self.attach_button.click()
        chooser.value.set_files(list(files))

    @state_change
    def send(self) -> Reply:
        """Click "Изпрати" once and wait for the portal's answer.

        Success is its status message; the spec promises none for messages, so without one
        the answer is unseen and the guard's reading under "Съобщения" decides. (The text
        itself is no sign: it may show on the page already, in a comment or a field.)
        """
        said = self.page.get_by_role("status").filter(has_text=SOMETHING)
        self.send_button.click()
        return answer(self.page, said, self.alert)

    def close(self) -> None:
        self.cancel_button.first.click()
        self.dialog.wait_for(state="hidden")
