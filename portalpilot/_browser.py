"""Finding and launching Chromium on machines where Playwright's own download may be missing."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Playwright

from portalpilot._errors import ConfigError
from portalpilot._settings import BrowserSettings

SYSTEM_CHROMIUM = Path("/usr/bin/chromium")

# Without these Chromium spends its first seconds reaching Google's services, which a
# closed network refuses one connection at a time.
LAUNCH_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def find_chromium(settings: BrowserSettings, playwright: Playwright | None = None) -> Path:
    """The setting, else Playwright's bundled Chromium if installed, else Debian's."""
    if settings.executable_path:
        if not settings.executable_path.exists():
            raise ConfigError(
                f"PORTALPILOT_BROWSER__EXECUTABLE_PATH={settings.executable_path} does not exist"
            )
        return settings.executable_path
    if playwright is not None:
        bundled = Path(playwright.chromium.executable_path)
        if bundled.exists():
            return bundled
    if SYSTEM_CHROMIUM.exists():
        return SYSTEM_CHROMIUM
    raise ConfigError(
        "no Chromium found: set PORTALPILOT_BROWSER__EXECUTABLE_PATH, run "
        "`playwright install chromium`, or `apt-get install chromium`"
    )


def launch_options(settings: BrowserSettings, playwright: Playwright | None = None) -> dict:
    """Keyword arguments for `chromium.launch`, shared by the runner and the test fixtures."""
    return {
        "executable_path": str(find_chromium(settings, playwright)),
        "headless": settings.headless,
        "args": list(LAUNCH_ARGS),
    }


def launch(playwright: Playwright, settings: BrowserSettings) -> Browser:
    return playwright.chromium.launch(**launch_options(settings, playwright))
