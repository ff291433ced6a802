"""The baseline: a hand-written Playwright script doing a refund's clicks, no framework.

One browser, one logged-in context, one page; no checks beyond waiting for the success
message. It is what the flow is measured against: the flow may cost a little more for
its reads and checks, never a lot more.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, sync_playwright

from bench._common import EMAIL, PASSWORD
from portalpilot import BrowserSettings
from portalpilot._browser import launch_options


def log_in(page: Page, url: str) -> None:
    page.goto(url + "login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()


def refund(page: Page, url: str, reference: str) -> None:
    page.goto(url + "orders")
    page.get_by_text(re.compile(r"items · last 7 days$")).wait_for()
    page.get_by_label("Show orders from").select_option(label="Last 30 days")
    page.get_by_text(re.compile(r"items · last 30 days$")).wait_for()
    page.get_by_label("Search orders").fill(reference)
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_text(f'matching "{reference}"').wait_for()
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=reference, exact=True))
    row.get_by_role("button", name="Order settings").click()
    page.get_by_role("menuitem", name="Refund item").click()
    dialog = page.get_by_role("dialog", name="Refund item")
    dialog.get_by_label("Reason").select_option(label="Faulty Item")
    dialog.get_by_role("button", name="Confirm refund").click()
    page.get_by_role("status").filter(has_text=f"submitted for {reference}").wait_for()


def run(url: str, references: list[str]) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options(BrowserSettings(), playwright))
        page = browser.new_page()
        log_in(page, url)
        for reference in references:
            refund(page, url, reference)
        browser.close()


def run_naive(url: str, references: list[str]) -> None:
    """What a first script usually does: a new browser and a login for every refund."""
    with sync_playwright() as playwright:
        for reference in references:
            browser = playwright.chromium.launch(**launch_options(BrowserSettings(), playwright))
            page = browser.new_page()
            log_in(page, url)
            refund(page, url, reference)
            browser.close()
