"""Tables read by their column headers, whatever the markup: an HTML table or an ARIA
grid, any column order, extra columns (a button's) anywhere.

What a spec promises is a table's name or place ("주문상품", "주문 목록") and
its headers' words, never column positions or a DOM shape. Each row is read in one go
from the page: its cells by table semantics (`td`/`th` or the ARIA cell roles), each
cell's visible text without the text of the controls in it (a button "입력" next to a
number), and whether a checkbox in it is checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from playwright.sync_api import Locator, Page

from pages._korean import squash
from portalpilot import PortalFailure

_READ = """
(table) => {
  const shown = (el) => !el.checkVisibility ||
    el.checkVisibility({checkVisibilityCSS: true, visibilityProperty: true});
  const CELLS = ['cell', 'gridcell', 'columnheader', 'rowheader'];
  const CONTROL = 'button,[role=button],input,select,textarea,[role=radio],[role=checkbox],' +
    '[role=combobox],[role=switch]';
  const holder = (el) => el.closest('table,[role=table],[role=grid],[role=treegrid]');
  const roleOf = (cell) => {
    const given = cell.getAttribute('role');
    if (given) return given;
    if (cell.tagName === 'TD') return 'cell';
    if (cell.tagName !== 'TH') return null;
    const scope = cell.getAttribute('scope');
    if (scope === 'row') return 'rowheader';
    if (scope === 'col' || cell.closest('thead')) return 'columnheader';
    const row = cell.parentElement;
    return [...row.children].every((c) => c.tagName === 'TH') ? 'columnheader' : 'rowheader';
  };
  const text = (node, controls) => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent;
    if (node.nodeType !== Node.ELEMENT_NODE) return '';
    if (!shown(node) || node.matches('script,style,template')) return '';
    if (!controls && node.matches(CONTROL)) return '';
    let found = '';
    for (const child of node.childNodes) found += ' ' + text(child, controls);
    return found;
  };
  const checked = (cell) => {
    const box = cell.querySelector('input[type=checkbox],[role=checkbox]');
    if (!box) return null;
    return box.tagName === 'INPUT' ? box.checked : box.getAttribute('aria-checked') === 'true';
  };
  const rows = [...table.querySelectorAll('tr,[role=row]')].filter(
    (row) => holder(row) === table && shown(row));
  return rows.map((row) => [...row.querySelectorAll(
      'td,th,[role=cell],[role=gridcell],[role=columnheader],[role=rowheader]')]
    .filter((cell) => cell.closest('tr,[role=row]') === row && CELLS.includes(roleOf(cell)))
    .filter(shown)
    .map((cell) => ({
      header: roleOf(cell) === 'columnheader',
      text: text(cell, true),
      plain: text(cell, false),
      checked: checked(cell),
    })));
}
"""


@dataclass(frozen=True)
class Cell:
    text: str  # everything shown in it, controls' words included
    plain: str  # without the words of the controls in it
    checked: bool | None  # a checkbox in it: checked or not; None when there is none


Row = dict[str, Cell]


def tables(scope: Page | Locator, name: str | None, columns: Iterable[str]) -> Locator:
    """Tables or ARIA grids in `scope` with a column headed by each of `columns`, and
    named `name` when a name is given."""
    if name is None:
        found = scope.get_by_role("table").or_(scope.get_by_role("grid"))
    else:
        found = scope.get_by_role("table", name=name, exact=True).or_(
            scope.get_by_role("grid", name=name, exact=True)
        )
    page = scope if isinstance(scope, Page) else scope.page
    for column in columns:
        found = found.filter(has=page.get_by_role("columnheader", name=column, exact=True))
    return found


def read_rows(table: Locator, columns: Sequence[str], what: str) -> list[Row]:
    """The body rows of the one `table`, each as {column: Cell} for `columns`.

    A row of one cell under several headers is a message row ("검색된 주문이 없습니다."),
    not an order: it is left out. A row with fewer cells than the columns asked for, or a
    table without one of them, is a PortalFailure, never a guess.
    """
    if table.count() != 1:
        raise PortalFailure(f"the page shows {table.count()} tables {what}, not one")
    raw = table.evaluate(_READ)
    headers: list[str] | None = None
    found: list[Row] = []
    for cells in raw:
        if cells and all(cell["header"] for cell in cells):
            if headers is None:
                headers = [squash(cell["text"]) for cell in cells]
            continue
        if headers is None:
            raise PortalFailure(f"the table {what} shows rows before its headers")
        if len(cells) <= 1 < len(headers):
            continue  # a message across the table
        index = _index(headers, columns, what)
        if any(position >= len(cells) for position in index.values()):
            raise PortalFailure(f"a row of the table {what} has {len(cells)} cells for {headers}")
        found.append(
            {
                name: Cell(
                    squash(cells[position]["text"]),
                    squash(cells[position]["plain"]),
                    cells[position]["checked"],
                )
                for name, position in index.items()
            }
        )
    if headers is None:
        raise PortalFailure(f"the table {what} shows no column headers")
    _index(headers, columns, what)
    return found


def _index(headers: list[str], columns: Sequence[str], what: str) -> dict[str, int]:
    missing = [name for name in columns if name not in headers]
    if missing:
        raise PortalFailure(f"the table {what} has no column {', '.join(missing)}: {headers}")
    if len(set(headers)) != len(headers) and any(headers.count(n) > 1 for n in columns):
        raise PortalFailure(f"the table {what} has two columns of one name: {headers}")
    return {name: headers.index(name) for name in columns}
