"""Evidence of a failed or refused attempt: screenshot, page HTML and URL, trace."""

from __future__ import annotations

import re
from pathlib import Path

from loguru import logger
from playwright.sync_api import Page

from portalpilot._workers import Lane


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:60] or "item"


def screenshot(page: Page, folder: Path, name: str, *, html: bool = True) -> list[str]:
    """Save what the page showed; never raises, a broken page must not hide the real error."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / _slug(name)
    saved: list[str] = []
    try:
        page.screenshot(path=f"{base}.png", full_page=True, timeout=5_000)
        saved.append(f"{base}.png")
        if html:
            Path(f"{base}.html").write_text(f"<!-- {page.url} -->\n{page.content()}")
            saved.append(f"{base}.html")
        logger.info("evidence: {} ({})", saved[0], page.url)
    except Exception as error:
        logger.warning("could not capture the page: {}", error)
    return saved


def capture(lane: Lane, folder: Path, name: str, *, keep_trace: bool) -> list[str]:
    """Screenshot, HTML and (if tracing) the trace of this attempt."""
    saved = screenshot(lane.page, folder, name)
    base = folder / _slug(name)
    if lane.tracing:
        try:
            lane.context.tracing.stop_chunk(path=f"{base}.trace.zip" if keep_trace else None)
            if keep_trace:
                saved.append(f"{base}.trace.zip")
        except Exception as error:
            logger.warning("could not save the trace: {}", error)
    return saved
