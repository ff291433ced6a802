"""Browser workers: one thread each, owning its own Playwright, browser and contexts.

Playwright's sync API is bound to the thread that started it, so every worker is a
thread with its own browser; jobs reach it through a queue. The calling thread never
touches Playwright, which also keeps the runner usable from pytest-playwright tests and
from an asyncio server.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar

from loguru import logger
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from portalpilot._browser import launch
from portalpilot._settings import BrowserSettings

T = TypeVar("T")


@dataclass
class Lane:
    """A logged-in context and its page, reused item after item until something fails."""

    context: BrowserContext
    page: Page
    session_version: int
    tracing: bool


@dataclass
class BrowserSlot:
    """One worker's browser. Created on the first job, so bad input never starts one."""

    settings: BrowserSettings
    playwright: Playwright | None = None
    browser: Browser | None = None
    lanes: dict[str, Lane] = field(default_factory=dict)

    def ensure(self) -> Browser:
        if self.browser is None:
            self.playwright = sync_playwright().start()
            self.browser = launch(self.playwright, self.settings)
            logger.debug("browser {} started", self.browser.version)
        return self.browser

    def new_context(self, storage_state: dict | None = None) -> BrowserContext:
        context = self.ensure().new_context(storage_state=storage_state)  # type: ignore[arg-type]
        context.set_default_timeout(self.settings.timeout_ms)
        return context

    def lane(
        self, key: str, storage_state: dict, version: int, prepare: Callable[[Page], None]
    ) -> Lane:
        lane = self.lanes.get(key)
        if lane is not None and lane.session_version != version:
            self.drop(key)
            lane = None
        if lane is None:
            context = self.new_context(storage_state)
            if self.settings.trace:
                # Started after the sign-in, which happened in another context: a trace
                # records typed text, and the password must never be in one.
                context.tracing.start(screenshots=True, snapshots=True)
            page = context.new_page()
            prepare(page)
            lane = Lane(context, page, version, self.settings.trace)
            self.lanes[key] = lane
        return lane

    def drop(self, key: str) -> None:
        lane = self.lanes.pop(key, None)
        if lane is not None:
            try:
                lane.context.close()
            except Exception as error:  # a crashed browser cannot close its contexts
                logger.debug("closing a context failed: {}", error)

    def close(self) -> None:
        for key in list(self.lanes):
            self.drop(key)
        try:
            if self.browser is not None:
                self.browser.close()
        finally:
            if self.playwright is not None:
                self.playwright.stop()
            self.browser = self.playwright = None


Job = tuple[Future[Any], Callable[[BrowserSlot], Any]]


class WorkerPool:
    def __init__(self, settings: BrowserSettings, size: int = 1) -> None:
        self._settings = settings
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._work, name=f"browser-{n + 1}", daemon=True)
            for n in range(size)
        ]
        self._started = False
        # The first submit starts the browser threads; callers may submit from several
        # threads at once (DBOS's, an agent server's), and a thread starts only once.
        self._starting = threading.Lock()

    @property
    def size(self) -> int:
        return len(self._threads)

    def submit(self, job: Callable[[BrowserSlot], T]) -> Future[T]:
        with self._starting:
            if not self._started:
                for thread in self._threads:
                    thread.start()
                self._started = True
        future: Future[T] = Future()
        self._jobs.put((future, job))
        return future

    def close(self) -> None:
        if not self._started:
            return
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        self._started = False

    def _work(self) -> None:
        slot = BrowserSlot(self._settings)
        try:
            while (item := self._jobs.get()) is not None:
                future, job = item
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    future.set_result(job(slot))
                except BaseException as error:
                    future.set_exception(error)
        finally:
            slot.close()
