"""Choosing a value in a labelled control, whatever control the portal uses for it."""

from __future__ import annotations

from playwright.sync_api import Locator


def choose(scope: Locator, label: str, value: str) -> None:
    """Pick `value` in the control labelled `label`: a radio group or a drop-down list.

    The spec names the choices, not the widget: a person picks the words either way.
    """
    group = scope.get_by_role("radiogroup", name=label, exact=True)
    if group.count():
        group.get_by_role("radio", name=value, exact=True).check()
        return
    scope.get_by_label(label, exact=True).select_option(label=value)
