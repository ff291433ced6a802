"""Finding a named part of a page, telling a new reading from an old one, choosing in a
control whatever its widget: what the Korean admin pages' objects share (they name parts
by headings or regions, and choices by their words)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from portalpilot import PortalFailure

# An attribute a page object sets on what it has read, to tell a part the portal has
# shown again (a new search's rows, another order) from the one it replaces.
STALE = "data-portalpilot-read"


def part(page: Page, name: str) -> Locator:
    """The part of the page named `name` ("주문 정보", "C/S이력"): its region when the
    page makes it one, else all around its heading up to where another heading begins.
    None shown, or two, raise."""
    region = page.get_by_role("region", name=name, exact=True)
    if region.count() == 1:
        return region
    heading = page.get_by_role("heading", name=name, exact=True)
    if heading.count() != 1:
        raise PortalFailure(f"the page shows {heading.count()} parts {name!r}, not one")
    holders = page.locator("*").filter(has=heading)
    found = None
    for index in reversed(range(holders.count())):
        holder = holders.nth(index)
        if holder.get_by_role("heading").count() > 1:
            break
        found = holder
    if found is None:
        raise PortalFailure(f"the part {name!r} could not be told from the rest of the page")
    return found


def part_or_none(page: Page, name: str) -> Locator:
    """A locator for the part named `name`, to wait for: its region or its heading."""
    return page.get_by_role("region", name=name, exact=True).or_(
        page.get_by_role("heading", name=name, exact=True)
    )


def mark_read(locator: Locator) -> None:
    """Mark what is shown now, so that what replaces it can be waited for."""
    locator.evaluate_all(f"els => els.forEach(e => e.setAttribute('{STALE}', ''))")


def unread(locator: Locator) -> Locator:
    """Those of `locator` not marked read (shown after the mark)."""
    return locator.and_(locator.page.locator(f":not([{STALE}])"))


def choose(scope: Page | Locator, label: str, value: str) -> None:
    """Pick `value` in the control labelled `label`: a radio group or a drop-down list.

    The spec names the choices, not the widget: a person picks the words either way.
    """
    group = scope.get_by_role("radiogroup", name=label, exact=True)
    if group.count():
        group.get_by_role("radio", name=value, exact=True).check()
        return
    scope.get_by_label(label, exact=True).select_option(label=value)


def chosen(scope: Page | Locator, label: str) -> str:
    """The words of what is chosen in the control labelled `label` ("" for nothing)."""
    group = scope.get_by_role("radiogroup", name=label, exact=True)
    control = group if group.count() else scope.get_by_label(label, exact=True)
    text = control.evaluate(_CHOSEN)
    return " ".join(str(text or "").split())


_CHOSEN = """
(el) => {
  if (el.selectedOptions) return el.selectedOptions[0] ? el.selectedOptions[0].text : '';
  const radio = [...el.querySelectorAll('input[type=radio],[role=radio]')].find(
    (r) => r.checked || r.getAttribute('aria-checked') === 'true');
  if (!radio) return '';
  if (radio.labels && radio.labels.length) return radio.labels[0].innerText;
  return radio.getAttribute('aria-label') || radio.innerText || '';
}
"""
