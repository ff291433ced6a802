"""Thread — `messages/THREAD_ID`: the messages oldest first, and the reply form.

The spec promises that each message shows its author, time, text and attachments, not
how they are laid out. So a thread is read for what a step needs: whether a message with
a given text is shown. A thread that shows no message at all (every thread starts with
one) is not understood, and says so: it is never taken for "not there".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

from pages._screen import reading
from pages.mirakl._parse import DATETIME, fact, squash
from pages.mirakl._screen import SCREEN, goto, settle
from portalpilot import PortalFailure, Reply, state_change

SENT = re.compile(r"Message sent\.")
ORDER_ID = re.compile(r"^\s*\d{6,14}-[A-Z]{1,3}\s*$")


@dataclass(frozen=True)
class ThreadSummary:
    """What the thread page tells about the thread; "" for what it does not show."""

    subject: str
    order_id: str
    customer: str
    recipients: str


def text_pattern(text: str) -> re.Pattern[str]:
    """A message's whole text, however the page breaks or spaces it (`<br>`, `<p>`s)."""
    words = [re.escape(word) for word in text.split()]
    return re.compile(r"^\s*" + r"\s*".join(words) + r"\s*$")


def _as_whole_lines(wanted: str, page_text: str) -> bool:
    """Whether some run of consecutive lines of `page_text` reads exactly `wanted`."""
    lines = [squash(line) for line in page_text.splitlines() if line.strip()]
    for start in range(len(lines)):
        joined = ""
        for line in lines[start:]:
            joined = f"{joined} {line}".strip()
            if joined == wanted:
                return True
            if len(joined) >= len(wanted):
                break
    return False


class ThreadPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.main = page.get_by_role("main")
        self.heading = self.main.get_by_role("heading", level=1)
        self.not_found = page.get_by_role("heading", name="Thread not found")
        self.reply_field = page.get_by_label("Reply", exact=True)
        self.files = page.get_by_label("Attach a file", exact=True)
        self.send_button = self.main.get_by_role("button", name="Send", exact=True)
        self.alert = self.main.get_by_role("alert").filter(has_text=re.compile(r"\S"))
        self.sent = page.get_by_role("status").filter(has_text=SENT)
        # Each message shows its time: the times are how the messages are found.
        self.times = self.main.get_by_text(DATETIME)

    @reading
    def open(self, base_url: str, thread_id: str) -> ThreadPage:
        """Open the thread, loaded again (with backoff) if the portal failed to show it."""
        return self.load(base_url, thread_id)

    def load(self, base_url: str, thread_id: str) -> ThreadPage:
        """Open the thread once: for the guard's readings, which it repeats itself."""
        goto(self.page, base_url, f"messages/{thread_id}")
        settle(self.page, self.reply_field.or_(self.not_found))
        if self.exists():
            settle(self.page, self.times)  # the messages may be filled in after load
        return self

    def exists(self) -> bool:
        return not self.not_found.count()

    def message_count(self) -> int:
        """How many messages show (by their times); raises when none does."""
        count = self.times.count()
        if not count:
            raise PortalFailure(f"the thread shows no messages ({self.page.url})")
        return count

    def shows_message(self, text: str) -> bool:
        """Whether a message with this text (spacing aside) is in the thread: an element
        with exactly that text, or whole lines of the page that read exactly that (a
        message that shares its element with its author or time)."""
        self.message_count()
        shown = self.main.get_by_text(text_pattern(text))
        # A text being typed in the form is not a message: fields are left out.
        typed = shown.and_(self.page.get_by_role("textbox"))
        if shown.count() > typed.count():
            return True
        return _as_whole_lines(squash(text), self.main.inner_text())

    def summary(self) -> ThreadSummary:
        text = self.main.inner_text()
        order = self.main.get_by_text(ORDER_ID)
        heading = self.heading.first.inner_text() if self.heading.count() else ""
        return ThreadSummary(
            subject=squash(heading),
            order_id=squash(order.first.inner_text()) if order.count() else "",
            customer=fact(text, "Customer") or "",
            recipients=fact(text, "Recipients") or "",
        )

    def write_reply(self, text: str, files: list[Path]) -> None:
        self.reply_field.fill(text)
        if files:
            self.files.set_input_files(files)

    @state_change
    def send(self) -> Reply:
        """Click "Send" once and wait for the portal's answer, whatever it is."""
        self.send_button.click()
        return SCREEN.answer(self.page, self.sent, self.alert)
