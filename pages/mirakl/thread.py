"""Thread — `messages/THREAD_ID`: the messages oldest first, and the reply form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from playwright.sync_api import Locator, Page

from pages.mirakl._parse import DATETIME, fact, parse_datetime
from pages.mirakl._screen import Confirmation, answer_after, goto, settle
from portalpilot import PortalFailure

SENT = re.compile(r"^\s*Message sent\.\s*$")
ROLE = re.compile(r"\((Customer|Operator|Shop)\)")


@dataclass(frozen=True)
class ThreadMessage:
    author: str  # as the page names them, e.g. "Emma Laurent (Customer)"
    role: str  # "Customer", "Operator" or "Shop" (the seller: us)
    at: datetime
    text: str
    attachments: tuple[str, ...]


@dataclass(frozen=True)
class ThreadDetails:
    thread_id: str
    subject: str
    order_id: str
    customer: str
    recipients: str
    status: str
    messages: tuple[ThreadMessage, ...]


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

    def open(self, base_url: str, thread_id: str) -> ThreadPage:
        goto(self.page, base_url, f"messages/{thread_id}")
        settle(self.page, self.reply_field.or_(self.not_found))
        return self

    def exists(self) -> bool:
        return not self.not_found.count()

    def read(self, thread_id: str) -> ThreadDetails:
        text = self.main.inner_text()
        return ThreadDetails(
            thread_id=thread_id,
            subject=self.heading.first.inner_text().strip(),
            order_id=fact(text, "Order") or "",
            customer=fact(text, "Customer") or "",
            recipients=fact(text, "Recipients") or "",
            status=fact(text, "Status") or "",
            messages=tuple(
                self._message(article) for article in self.main.get_by_role("article").all()
            ),
        )

    @staticmethod
    def _message(article: Locator) -> ThreadMessage:
        lines = [line.strip() for line in article.inner_text().splitlines() if line.strip()]
        if not lines or not DATETIME.search(lines[0]):
            raise PortalFailure(f"a message does not read as author and time: {lines[:1]!r}")
        header = lines[0]
        author = DATETIME.split(header)[0].strip(" ·—-")
        role = ROLE.search(author)
        files = article.get_by_role("list", name="Attachments").get_by_role("listitem")
        attachments = tuple(name.strip() for name in files.all_inner_texts())
        paragraphs = article.get_by_role("paragraph").all_inner_texts()
        return ThreadMessage(
            author=author,
            role=role.group(1) if role else "Customer",
            at=parse_datetime(header),
            text="\n".join(p.strip() for p in paragraphs).strip(),
            attachments=attachments,
        )

    def write_reply(self, text: str, files: list[Path]) -> None:
        self.reply_field.fill(text)
        if files:
            self.files.set_input_files(files)

    def send(self) -> Confirmation:
        """Click "Send" once and wait for the portal's answer."""
        self.send_button.click()
        return answer_after(self.page, self.sent, self.alert)
