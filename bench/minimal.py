"""The baseline: a hand-written Playwright script doing a refund's clicks, no framework.

One browser, one logged-in context, one page; no checks beyond waiting for the success
message. It is what the flow is measured against: the flow may cost a little more for
its reads and checks, never a lot more.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from playwright.async_api import Page as AsyncPage
from playwright.async_api import async_playwright
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
    """The clicks of one refund, the same the flow makes (the list opened by its address)."""
    page.goto(url + "orders?" + urlencode({"days": 30, "q": reference}))
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


def run_threads(url: str, references: list[str], workers: int) -> None:
    """The same clicks on N threads, each with its own Playwright and browser."""
    chunks = [references[n::workers] for n in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda chunk: run(url, chunk), chunks))


async def _refund_async(page: AsyncPage, url: str, reference: str) -> None:
    await page.goto(url + "orders?" + urlencode({"days": 30, "q": reference}))
    await page.get_by_text(f'matching "{reference}"').wait_for()
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=reference, exact=True))
    await row.get_by_role("button", name="Order settings").click()
    await page.get_by_role("menuitem", name="Refund item").click()
    dialog = page.get_by_role("dialog", name="Refund item")
    await dialog.get_by_label("Reason").select_option(label="Faulty Item")
    await dialog.get_by_role("button", name="Confirm refund").click()
    await page.get_by_role("status").filter(has_text=f"submitted for {reference}").wait_for()


async def _run_async(url: str, references: list[str], workers: int) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            **launch_options(BrowserSettings(), playwright)  # type: ignore[arg-type]
        )
        first = await browser.new_context()
        page = await first.new_page()
        await page.goto(url + "login")
        await page.get_by_label("Email").fill(EMAIL)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Log in").click()
        await page.get_by_role("heading", name="Dashboard").wait_for()
        state = await first.storage_state()

        async def worker(chunk: list[str]) -> None:
            context = await browser.new_context(storage_state=state)
            own = await context.new_page()
            for reference in chunk:
                await _refund_async(own, url, reference)

        await asyncio.gather(*(worker(references[n::workers]) for n in range(workers)))
        await browser.close()


def run_async(url: str, references: list[str], workers: int) -> None:
    """The same clicks, N contexts of one browser driven from one asyncio event loop."""
    asyncio.run(_run_async(url, references, workers))
