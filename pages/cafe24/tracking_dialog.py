"""The "송장번호 입력" dialog of one line: its 품목별 주문번호 and 상품명, select "배송업체"
("-선택-", "CJ대한통운", "롯데택배", "한진택배", "우체국택배", "로젠택배"), field "송장번호",
"저장" or "취소".

On "저장" the admin answers "저장되었습니다.", "이미 등록된 송장번호입니다." (the same
number: nothing changes), an alert with one of its rules, or — when another number is
there — a confirmation "이미 송장번호가 입력되어 있습니다. 변경하시겠습니까?". The robot
never replaces a number: that confirmation is always answered "취소".
"""

from __future__ import annotations

import re

from playwright.sync_api import Dialog, Page

from pages._korean import squash
from pages.cafe24._screen import SCREEN, SOMETHING, choose, chosen, mark_read, settle, unread
from portalpilot import Answer, PortalFailure, Reply, state_change

CARRIERS = ("CJ대한통운", "롯데택배", "한진택배", "우체국택배", "로젠택배")
SAVED = "저장되었습니다."
ALREADY_SAVED = "이미 등록된 송장번호입니다."
REPLACE = re.compile(r"이미 송장번호가 입력되어 있습니다")
# The admin's refusals (an alert in the dialog, nothing saved).
NO_CARRIER = "배송업체를 선택해 주세요."
EMPTY = "송장번호를 입력해 주세요."
DIGITS_ONLY = "송장번호는 숫자만 입력해 주세요."
WRONG_LENGTH = "송장번호 자릿수가 올바르지 않습니다."
NOT_IN_THIS_STATE = "송장번호를 입력할 수 없는 주문상태입니다."


class TrackingDialog:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialog = page.get_by_role("dialog", name="송장번호 입력", exact=True)
        self.number_field = self.dialog.get_by_label("송장번호", exact=True)
        self.save_button = self.dialog.get_by_role("button", name="저장", exact=True)
        self.cancel_button = self.dialog.get_by_role("button", name="취소", exact=True)
        self.alert = self.dialog.get_by_role("alert").filter(has_text=SOMETHING)
        self.saved = page.get_by_role("status").filter(
            has_text=re.compile(f"{re.escape(SAVED)}|{re.escape(ALREADY_SAVED)}")
        )
        # The replace confirmation: a dialog of the page (or the browser's own, below).
        self.replace = (
            page.get_by_role("alertdialog").or_(page.get_by_role("dialog")).filter(has_text=REPLACE)
        )

    def wait(self) -> TrackingDialog:
        settle(self.page, self.save_button)
        return self

    # --- reading ------------------------------------------------------------------------

    def text(self) -> str:
        """What the dialog shows (the line's 품목별 주문번호 and 상품명 among it)."""
        return squash(self.dialog.inner_text())

    def shows(self, *words: str) -> bool:
        text = self.text()
        return all(squash(word) in text for word in words)

    def carrier(self) -> str:
        """The carrier chosen ("-선택-" when none)."""
        return chosen(self.dialog, "배송업체")

    def number(self) -> str:
        return self.number_field.input_value()

    # --- filling ------------------------------------------------------------------------

    def choose_carrier(self, carrier: str) -> None:
        if carrier not in CARRIERS:
            raise ValueError(f"{carrier!r} is not a carrier of the dialog: {CARRIERS}")
        choose(self.dialog, "배송업체", carrier)

    def type_number(self, number: str) -> None:
        self.number_field.fill(number)

    # --- the change ---------------------------------------------------------------------

    @state_change
    def save(self) -> Reply:
        """Click "저장" once and wait for the admin's answer, whatever it is.

        DONE: "저장되었습니다." or "이미 등록된 송장번호입니다." (the same number was there).
        REFUSED: an alert with one of its rules, or the confirmation that another number
        is there — answered "취소", so nothing is replaced. FAILED: its error (the number
        may have been saved: read the line).
        """
        asked: list[str] = []

        def never_replace(dialog: Dialog) -> None:
            # A browser confirm() instead of a page dialog: the answer is the same, "취소".
            asked.append(squash(dialog.message))
            dialog.dismiss()

        self.page.on("dialog", never_replace)
        mark_read(self.alert.or_(self.saved))  # what shows before the click is not its answer
        try:
            self.save_button.click()
            said_no = unread(self.alert).or_(self.replace)
            reply = SCREEN.answer(self.page, unread(self.saved), said_no)
        finally:
            self.page.remove_listener("dialog", never_replace)
        if reply.answer is Answer.REFUSED and REPLACE.search(reply.message):
            self.decline_replacement()
        elif asked and reply.answer is Answer.UNSEEN:
            return Reply(Answer.REFUSED, asked[0])
        return reply

    def decline_replacement(self) -> None:
        """ "취소" in the replace confirmation: the number there stays."""
        confirmation = self.replace.last
        confirmation.get_by_role("button", name="취소", exact=True).click()
        confirmation.wait_for(state="hidden")

    def cancel(self) -> None:
        """ "취소": nothing is saved."""
        if self.replace.count():
            self.decline_replacement()
        self.cancel_button.click()
        self.dialog.wait_for(state="hidden")

    def alert_text(self) -> str | None:
        return squash(self.alert.first.inner_text()) if self.alert.count() else None

    def require_open(self) -> None:
        if not self.dialog.is_visible():
            raise PortalFailure('the dialog "송장번호 입력" is not open')
