"""Item page — `boards/BOARD/pulses/ITEM`: its name, "Updates" and "Activity Log".

The spec names what an update and an activity line hold, not their shape, so they are
read as the words of their tab's panel; an update is found by its text.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

from pages._screen import reading
from pages.monday._parse import squash
from pages.monday._screen import answer, goto, settle
from portalpilot import PortalFailure, Reply, state_change

UPDATES, ACTIVITY = "Updates", "Activity Log"
SOMETHING = re.compile(r"\S")


class ItemPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.updates_tab = page.get_by_role("tab", name=UPDATES, exact=True)
        self.activity_tab = page.get_by_role("tab", name=ACTIVITY, exact=True)
        self.updates_panel = page.get_by_role("tabpanel", name=UPDATES, exact=True)
        self.activity_panel = page.get_by_role("tabpanel", name=ACTIVITY, exact=True)
        self.update_text = page.get_by_label("Write an update...", exact=True)
        self.update_button = page.get_by_role("button", name="Update", exact=True)
        self.alert = page.get_by_role("alert").filter(has_text=SOMETHING)
        self.heading = page.get_by_role("heading", level=1)

    @reading
    def open(self, base_url: str, board_id: int | str, item_id: str) -> ItemPage:
        goto(self.page, base_url, f"boards/{board_id}/pulses/{item_id}")
        settle(self.page, self.updates_tab)
        return self

    def name(self) -> str:
        if self.heading.count() != 1:
            raise PortalFailure("the item page has no single heading")
        return squash(self.heading.inner_text())

    def updates_text(self) -> str:
        """The words of "Updates" (newest first: author, time, text)."""
        return self._panel_text(self.updates_tab, self.updates_panel)

    def activity(self) -> list[str]:
        """The lines of "Activity Log", newest first, whitespace squashed."""
        text = self._panel_text(self.activity_tab, self.activity_panel, keep_lines=True)
        return [squash(line) for line in text.splitlines() if line.strip()]

    def shows_update(self, text: str) -> bool:
        return squash(text) in self.updates_text()

    @state_change
    def post_update(self, text: str) -> Reply:
        """Write an update and click "Update" once; done when it shows under "Updates"."""
        self.updates_tab.click()
        posted = self.updates_panel.get_by_text(squash(text), exact=False)
        before = posted.count()  # the same words posted before do not count
        self.update_text.fill(text)
        self.update_button.click()
        return answer(self.page, posted.nth(before), self.alert)

    def _panel_text(self, tab: Locator, panel: Locator, *, keep_lines: bool = False) -> str:
        tab.click()
        settle(self.page, panel)
        text = panel.inner_text()
        return text if keep_lines else squash(text)
