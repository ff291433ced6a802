"""Ticket — `agent/tickets/ID`: the ticket read whole, and the composer.

Read by what the spec promises: the subject as the level-1 heading, the text "#ID", the
status word, "Requester" (its email a `mailto:` link), "Assignee", the list "Tags", one
article per comment (author, time, "Internal note", text, attachment links). An article
is read as a person reads it: the author first, the time, the label, then the text. What
cannot be read raises `PortalFailure` naming it; it is never taken for "not there".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from pages._screen import reading
from pages.kogan_inbox._read import DATETIME, STATUSES, fact, parse_datetime, squash
from pages.kogan_inbox._screen import answer, goto, settle
from pages.kogan_inbox.ticket import Comment, Person, Ticket
from portalpilot import Answer, PortalFailure, Reply, state_change

STATUS_WORD = re.compile(rf"^\s*({'|'.join(STATUSES)})\s*$")
INTERNAL = "Internal note"
CLOSED = "This ticket is closed and can't be updated."
NOT_FOUND = re.compile(r"Ticket not found", re.IGNORECASE)
SOMETHING = re.compile(r"\S")
EMAIL_IN_TEXT = re.compile(r"<?\s*[\w.+-]+@[\w.-]+\s*>?")


class NoSuchTicket(LookupError):
    """The inbox has no ticket with this ID."""


class TicketPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.body = page.locator("body")
        self.heading = page.get_by_role("heading", level=1)
        self.not_found = page.get_by_role("heading", name=NOT_FOUND)
        self.status_words = page.get_by_text(STATUS_WORD)
        self.mailto = page.locator("a[href^='mailto:']")  # the spec's `mailto:` link
        self.tags = page.get_by_role("list", name="Tags", exact=True)
        self.articles = page.get_by_role("article")
        self.closed_notice = page.get_by_text(CLOSED, exact=True)
        self.public_tab = page.get_by_role("tab", name="Public reply", exact=True)
        self.internal_tab = page.get_by_role("tab", name=INTERNAL, exact=True)
        self.comment = page.get_by_label("Comment", exact=True)
        self.files = page.get_by_label("Attach files", exact=True)
        self.select_status = page.get_by_role("button", name="Select status", exact=True)
        self.alert = page.get_by_role("alert").filter(has_text=SOMETHING)
        self.ticket_id: int | None = None

    # --- opening ---------------------------------------------------------------------------

    @reading
    def open(self, base_url: str, ticket_id: int) -> TicketPage:
        """Open the ticket afresh, again (with backoff) if the portal failed to show it;
        NoSuchTicket if the inbox has none with this ID."""
        return self.load(base_url, ticket_id)

    def load(self, base_url: str, ticket_id: int) -> TicketPage:
        """Open the ticket once: for the guard's readings, which it repeats itself."""
        response = goto(self.page, base_url, f"agent/tickets/{ticket_id}")
        if response is not None and response.status == 404:
            raise NoSuchTicket(ticket_id)
        number = self.page.get_by_text(re.compile(rf"#{ticket_id}(?!\d)"))
        settle(self.page, number.or_(self.not_found))
        if self.not_found.count():
            raise NoSuchTicket(ticket_id)
        self.ticket_id = ticket_id
        return self

    # --- reading ---------------------------------------------------------------------------

    def read(self) -> Ticket:
        """The whole ticket as the page shows it."""
        ticket_id = self._id()
        return Ticket(
            id=ticket_id,
            subject=self.subject(),
            status=self.status(),
            requester=self.requester(),
            assignee=self.assignee(),
            tags=self.tag_names(),
            comments=tuple(self.conversation()),
        )

    def subject(self) -> str:
        if self.heading.count() != 1:
            raise PortalFailure(f"the ticket page shows {self.heading.count()} main headings")
        return squash(self.heading.inner_text())

    def status(self) -> str:
        """The status word (the one element reading exactly a status)."""
        words = {squash(text) for text in self.status_words.all_inner_texts()}
        if len(words) != 1:
            raise PortalFailure(f"the ticket page shows no single status word: {sorted(words)}")
        return words.pop()

    def requester(self) -> Person:
        """ "Requester": the name, and the email of its `mailto:` link."""
        if self.mailto.count() != 1:
            raise PortalFailure(f"the ticket page shows {self.mailto.count()} mailto: links")
        href = self.mailto.get_attribute("href") or ""
        email = squash(href.removeprefix("mailto:").split("?")[0])
        shown = fact(self.body.inner_text(), "Requester")
        name = squash(EMAIL_IN_TEXT.sub(" ", shown or ""))
        if not email or not name:
            raise PortalFailure(f"the requester could not be read (name {name!r}, {email!r})")
        return Person(name, email)

    def assignee(self) -> str | None:
        shown = fact(self.body.inner_text(), "Assignee")
        if shown is None:
            raise PortalFailure("the ticket page shows no Assignee")
        return None if shown.strip() in ("-", "–", "—") else squash(shown)

    def tag_names(self) -> tuple[str, ...]:
        if self.tags.count() != 1:
            raise PortalFailure("the ticket page shows no single list „Tags“")
        return tuple(squash(t) for t in self.tags.get_by_role("listitem").all_inner_texts())

    def conversation(self) -> list[Comment]:
        """Every comment, oldest first, as its article shows it."""
        comments = [self._comment(article) for article in self.articles.all()]
        if not comments:
            raise PortalFailure("the ticket page shows no conversation")
        return comments

    def is_closed(self) -> bool:
        """Closed: "This ticket is closed and can't be updated." and no composer."""
        return self.closed_notice.count() > 0

    # --- the composer ------------------------------------------------------------------------

    def write_reply(self, text: str, files: Sequence[Path] = ()) -> None:
        """ "Public reply" (chosen again: never trust what the tab shows), text, files."""
        self._choose(self.public_tab)
        self.comment.fill(text)
        if files:
            self.files.set_input_files(list(files))

    def write_note(self, text: str, files: Sequence[Path] = ()) -> None:
        self._choose(self.internal_tab)
        self.comment.fill(text)
        if files:
            self.files.set_input_files(list(files))

    @state_change
    def reply_and_submit(self, text: str, status: str = "Solved") -> Reply:
        """A public reply, then "Select status" → "Submit as STATUS", once.

        DONE on "Ticket #ID updated."; REFUSED on the composer's alert (nothing saved).
        """
        self.write_reply(text)
        return self._submit_from_menu(status)

    @state_change
    def note_and_submit(self, text: str, status: str) -> Reply:
        """An internal note, then "Select status" → "Submit as STATUS", once."""
        self.write_note(text)
        return self._submit_from_menu(status)

    # --- helpers -------------------------------------------------------------------------------

    def _id(self) -> int:
        if self.ticket_id is None:
            raise PortalFailure("the ticket page was not opened by its ID")
        return self.ticket_id

    def _choose(self, tab: Locator) -> None:
        tab.click()
        try:
            expect(tab).to_have_attribute("aria-selected", "true")
        except AssertionError as error:
            raise PortalFailure(f"the tab {tab.inner_text()!r} could not be chosen") from error

    def _submit_from_menu(self, status: str) -> Reply:
        updated = self.page.get_by_role("status").filter(has_text=f"Ticket #{self._id()} updated.")
        self.select_status.click()
        item = self.page.get_by_role("menuitem", name=f"Submit as {status}", exact=True)
        try:
            with self.page.expect_navigation():
                item.click()
        except PlaywrightError as error:
            return Reply(Answer.UNSEEN, f"no answer to Submit as {status}: {error.message}")
        return answer(self.page, updated, self.alert)

    def _comment(self, article: Locator) -> Comment:
        """An article: the author first; the time and "Internal note" around it; the text;
        the attachment links last."""
        internal = article.get_by_text(INTERNAL, exact=True).count() > 0
        files = [squash(t) for t in article.get_by_role("link").all_inner_texts()]
        lines = [line.strip() for line in article.inner_text().splitlines()]
        when = None
        author = None
        body: list[str] = []
        for line in lines:
            if author is None or not body:
                found = DATETIME.search(line)
                if found and when is None:
                    when = parse_datetime(found.group(0), "a comment's time")
                    line = squash(DATETIME.sub(" ", line).strip(" ·-|,"))
                if internal:
                    line = squash(line.replace(INTERNAL, " ")).strip(" ·-|,")
                if not line:
                    continue
                if author is None:
                    author = line.strip(" ·-|,")
                    continue
            body.append(line)
        while body and (not body[-1] or squash(body[-1]) in files):
            body.pop()
        if author is None or when is None:
            raise PortalFailure(f"a comment could not be read: {squash(' '.join(lines))[:80]!r}")
        return Comment(author, not internal, "\n".join(body).strip(), when, tuple(files))
