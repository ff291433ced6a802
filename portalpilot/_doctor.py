"""`portalpilot doctor`: is this machine ready to run flows, and against what?"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from playwright.sync_api import sync_playwright
from rich.console import Console
from rich.table import Table

from portalpilot import _registry as registry
from portalpilot._browser import launch_options
from portalpilot._errors import ConfigError, FlowError
from portalpilot._flow import Login
from portalpilot._logging import add_secret
from portalpilot._sessions import Account, SessionStore, StorageState
from portalpilot._settings import Settings


def _browser(settings: Settings) -> dict[str, Any]:
    try:
        with sync_playwright() as playwright:
            options = launch_options(settings.browser, playwright)
            browser = playwright.chromium.launch(**options)
            version = browser.version
            browser.close()
        return {"ok": True, "path": options["executable_path"], "version": version}
    except Exception as error:
        return {"ok": False, "error": str(error).splitlines()[0]}


def _portals(settings: Settings) -> dict[str, Any]:
    found: dict[str, dict[str, Any]] = {}
    for name, declared in registry.portals().items():
        try:
            portal = settings.portal(name)
        except ConfigError as error:
            found[name] = {"ok": False, "detail": str(error)}
            continue
        if not portal.base_url:
            found[name] = {"ok": None, "detail": f"PORTALPILOT_{name.upper()}__BASE_URL not set"}
            continue
        url = urljoin(portal.base_url, declared.login_path)
        try:
            answer = httpx.get(url, timeout=10, follow_redirects=True)
            ok = answer.status_code == 200
            found[name] = {"ok": ok, "url": url, "detail": f"HTTP {answer.status_code}"}
        except httpx.HTTPError as error:
            found[name] = {"ok": False, "url": url, "detail": str(error) or type(error).__name__}
        if not (portal.email and portal.password):
            found[name]["detail"] += "; login not set"
    return found


def _log_in(settings: Settings, portals: dict[str, dict[str, Any]]) -> None:
    """Sign in to every configured portal that answers (read-only: a sign-in changes
    nothing), so a wrong or rotated password shows here, not in the night's batch."""
    store = SessionStore(settings.state_dir / "sessions")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options(settings.browser, playwright))
        try:
            for name, found in portals.items():
                portal = settings.portal(name)
                if not (found["ok"] and portal.base_url and portal.email and portal.password):
                    continue
                add_secret(portal.password.get_secret_value())
                declared = registry.portal(name)
                account = Account(name, portal.base_url, portal.email, portal.password)
                login = Login(portal.base_url, portal.email, portal.password, portal)

                def sign_in(declared: Any = declared, login: Login = login) -> StorageState:
                    context = browser.new_context()
                    try:
                        page = context.new_page()
                        declared.prepare(page)
                        declared.sign_in(page, login)
                        return context.storage_state()  # type: ignore[return-value]
                    finally:
                        context.close()

                try:
                    store.sign_in_now(account, sign_in)
                    found["login"] = {"ok": True, "detail": f"signed in as {portal.email}"}
                except FlowError as error:
                    found["login"] = {"ok": False, "detail": error.message}
                    found["ok"] = False
                except Exception as error:  # the browser or the page broke: say so, go on
                    text = str(error).splitlines()[0] if str(error) else type(error).__name__
                    found["login"] = {"ok": False, "detail": text}
                    found["ok"] = False
        finally:
            browser.close()


def diagnose(settings: Settings, *, login: bool = False) -> dict[str, Any]:
    """The browser, each portal's sign-in page, and with `login` a real sign-in to each.

    In a thread of its own: Playwright's sync API refuses a thread running an asyncio loop.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="doctor") as thread:
        return thread.submit(_diagnose, settings, login).result()


def _diagnose(settings: Settings, login: bool) -> dict[str, Any]:
    browser = _browser(settings)
    portals = _portals(settings)
    if login and browser["ok"]:
        _log_in(settings, portals)
    policy = settings.policy_file
    return {
        "ok": browser["ok"] and all(p["ok"] is not False for p in portals.values()),
        "browser": browser,
        "policy": str(policy) if policy else "no policy file: no limits",
        "state_dir": str(settings.state_dir),
        # SecretStr dumps as "**********".
        "settings": {
            **settings.model_dump(mode="json"),
            "database_url": _without_password(settings.database_url),
            **{name: s.model_dump(mode="json") for name, s in settings.portals().items()},
        },
        "portals": portals,
    }


def _without_password(url: str | None) -> str | None:
    """A database URL as doctor shows it: the password replaced by stars."""
    if not url:
        return url
    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def print_report(report: dict[str, Any], console: Console) -> None:
    browser = report["browser"]
    if browser["ok"]:
        console.print(f"[green]✔[/] browser Chromium {browser['version']} at {browser['path']}")
    else:
        console.print(f"[red]✘[/] browser: {browser['error']}")
    table = Table("portal", "answers", "detail", box=None, padding=(0, 2))
    for name, portal in report["portals"].items():
        mark = {True: "[green]✔[/]", False: "[red]✘[/]", None: "–"}[portal["ok"]]
        table.add_row(name, mark, portal.get("url", "") + " " + portal["detail"])
        if "login" in portal:
            login = portal["login"]
            table.add_row("", "[green]✔[/]" if login["ok"] else "[red]✘[/]", login["detail"])
    console.print(table)
    console.print(f"state dir: {report['state_dir']}", highlight=False)
    console.print(f"operator policy: {report['policy']}", highlight=False)
    console.print("settings in force:", style="bold")
    _print_settings(report["settings"], console, "  ")


def _print_settings(values: dict[str, Any], console: Console, indent: str) -> None:
    for key, value in values.items():
        if isinstance(value, dict):
            console.print(f"{indent}{key}:", highlight=False)
            _print_settings(value, console, indent + "  ")
        else:
            console.print(f"{indent}{key} = {value}", highlight=False)
