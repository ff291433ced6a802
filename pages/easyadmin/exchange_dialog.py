"""The "상품교환" dialog: "교환전 상품", then "교환후 상품" chosen through "검색/선택"
(field "상품명", "검색", a table 상품코드 / 상품명 / 옵션 / 재고 with "선택" per row),
"수량", "C/S내용", and "교환" or "닫기".

The product search may be a part of the dialog or a dialog of its own: its field and
table are looked for in any dialog shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

from pages._korean import parse_count, squash
from pages._tables import read_rows, tables
from pages.easyadmin._screen import SOMETHING, answer, mark_read, settle, unread
from portalpilot import PortalFailure, Reply, state_change

PRODUCT_COLUMNS = ("상품코드", "상품명", "옵션", "재고")
DONE = "교환 처리되었습니다."
# The portal's refusals (an alert, nothing changed).
ALREADY_EXCHANGED = "이미 교환 처리된 상품입니다."
CANCELLED = "취소된 상품은 교환할 수 없습니다."
NO_PRODUCT = "교환할 상품을 선택해 주세요."
NONE_FOUND = re.compile(r"(?:검색|조회).{0,12}없습니다")

# The dialog's words outside the product search's table (the table whose headers name
# 재고) and outside its controls: where the product chosen shows, whatever the markup.
CHOSEN_TEXT = """
(dialog) => {
  const shown = (el) => !el.checkVisibility ||
    el.checkVisibility({checkVisibilityCSS: true, visibilityProperty: true});
  const skip = 'button,[role=button],input,select,textarea,script,style,template';
  const search = (el) => el.matches('table,[role=table],[role=grid]') &&
    [...el.querySelectorAll('th,[role=columnheader]')].some((h) => h.textContent.includes('재고'));
  const text = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent;
    if (node.nodeType !== Node.ELEMENT_NODE || !shown(node)) return '';
    if (node.matches(skip) || search(node)) return '';
    let found = '';
    for (const child of node.childNodes) found += ' ' + text(child);
    return found;
  };
  return text(dialog);
}
"""
SHOWS_CHOSEN = (
    "([dialog, product, option]) => { const t = ("
    + CHOSEN_TEXT.strip()
    + ")(dialog).split(/\\s+/).join(' ').normalize('NFC');"
    + " const after = t.includes('교환후 상품') ? t.split('교환후 상품').pop() : t;"
    + " return after.includes(product) && after.includes(option); }"
)


@dataclass(frozen=True)
class ProductChoice:
    """One row of the product search."""

    code: str  # 상품코드
    product: str  # 상품명
    option: str
    stock: int  # 재고


class ExchangeDialog:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialog = page.get_by_role("dialog", name="상품교환", exact=True)
        self.dialogs = page.get_by_role("dialog").or_(page.get_by_role("alertdialog"))
        self.search_choose = self.dialog.get_by_role("button", name="검색/선택", exact=True)
        self.product_name = self.dialogs.get_by_label("상품명", exact=True)
        self.product_search = self.dialogs.filter(
            has=page.get_by_label("상품명", exact=True)
        ).get_by_role("button", name="검색", exact=True)
        self.products = tables(self.dialogs, None, PRODUCT_COLUMNS)
        self.quantity = self.dialog.get_by_label("수량", exact=True)
        self.cs_text = self.dialog.get_by_label("C/S내용", exact=True)
        self.exchange_button = self.dialog.get_by_role("button", name="교환", exact=True)
        self.close_button = self.dialog.get_by_role("button", name="닫기", exact=True)
        self.alert = page.get_by_role("alert").filter(has_text=SOMETHING)
        self.done = page.get_by_role("status").filter(has_text=DONE)

    def wait(self) -> ExchangeDialog:
        """The dialog, or the alert the portal shows instead ("상품을 선택해 주세요.")."""
        settle(self.page, self.dialog.or_(self.alert))
        if not self.dialog.is_visible():
            said = squash(self.alert.first.inner_text())
            raise PortalFailure(f'"상품교환" did not open: {said}')
        settle(self.page, self.exchange_button)
        return self

    # --- reading ------------------------------------------------------------------------

    def before(self) -> str:
        """What "교환전 상품" shows (product, option, quantity), as one line of text."""
        return self._between("교환전 상품", "교환후 상품")

    def after(self) -> str:
        """What the dialog shows of the product chosen ("교환후 상품"), as one line of text:
        its words after "교환후 상품", without the product search's table and controls."""
        text = squash(str(self.dialog.evaluate(CHOSEN_TEXT)))
        return text.partition("교환후 상품")[2].strip() or text

    def quantity_value(self) -> int:
        return parse_count(self.quantity.input_value(), '"수량"')

    # --- the new product ----------------------------------------------------------------

    def search_products(self, name: str) -> list[ProductChoice]:
        """ "검색/선택", then "상품명" `name` and "검색": the rows found ([] for none)."""
        if not self.product_name.first.is_visible():
            self.search_choose.click()
        settle(self.page, self.product_name)
        self.product_name.fill(name)
        rows = self._product_rows()
        nothing = self.dialogs.get_by_text(NONE_FOUND)
        mark_read(rows.or_(nothing))
        self.product_search.click()
        settle(self.page, unread(rows).or_(unread(nothing)))
        return self.product_choices()

    def product_choices(self) -> list[ProductChoice]:
        if not self.products.count():
            return []
        return [
            ProductChoice(
                code=row["상품코드"].plain,
                product=row["상품명"].plain,
                option=row["옵션"].plain,
                stock=parse_count(row["재고"].plain, f"재고 of {row['상품코드'].plain}"),
            )
            for row in read_rows(self.products, PRODUCT_COLUMNS, "of the product search")
        ]

    def choose(self, choice: ProductChoice) -> None:
        """ "선택" in the row of exactly this 상품코드 and 옵션; done when the dialog shows
        the product and option chosen outside the search's table."""
        cell = self.page.get_by_role("cell").or_(self.page.get_by_role("gridcell"))
        row = self._product_rows()
        for words in (choice.code, choice.option):
            row = row.filter(has=cell.filter(has_text=re.compile(rf"^\s*{re.escape(words)}\s*$")))
        if row.count() != 1:
            raise PortalFailure(
                f"the product search shows {row.count()} rows {choice.code} {choice.option}"
            )
        row.get_by_role("button", name="선택", exact=True).click()
        self.page.wait_for_load_state()  # the dialog may come back on a new page
        settle(self.page, self.exchange_button)
        try:
            self.page.wait_for_function(
                SHOWS_CHOSEN, arg=[self.dialog.element_handle(), choice.product, choice.option]
            )
        except PlaywrightError as error:
            raise PortalFailure(
                f'"교환후 상품" does not show {choice.product} {choice.option}: {self.after()!r}'
            ) from error

    def set_quantity(self, quantity: int) -> None:
        self.quantity.fill(str(quantity))

    def write_cs(self, text: str) -> None:
        self.cs_text.fill(text)

    # --- the change ---------------------------------------------------------------------

    @state_change
    def exchange(self) -> Reply:
        """Click "교환" once and wait for the portal's answer, whatever it is.

        DONE: the status "교환 처리되었습니다.". REFUSED: an alert with one of its rules
        (nothing changed). FAILED: its error (the exchange may have happened: read the
        order's line and C/S이력).
        """
        mark_read(self.alert.or_(self.done))  # what shows before the click is not its answer
        self.exchange_button.click()
        return answer(self.page, unread(self.done), unread(self.alert))

    def close(self) -> None:
        """ "닫기": nothing is changed."""
        self.close_button.click()
        self.dialog.wait_for(state="hidden")

    # --- helpers ------------------------------------------------------------------------

    def _product_rows(self) -> Locator:
        cell = self.page.get_by_role("cell").or_(self.page.get_by_role("gridcell"))
        return self.products.get_by_role("row").filter(has=cell)

    def _between(self, start: str, end: str | None) -> str:
        text = squash(self.dialog.inner_text())
        _, found, rest = text.partition(start)
        if not found:
            raise PortalFailure(f'the dialog "상품교환" shows no {start!r}')
        if end is not None:
            rest = rest.partition(end)[0]
        return rest.strip()
