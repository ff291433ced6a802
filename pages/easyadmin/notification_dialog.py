"""The "스마트알림" dialog: select "템플릿" ("교환 안내", "배송 안내"), field "수신번호"
(filled with the recipient's mobile), a read-only preview, "전송" or "취소"."""

from __future__ import annotations

from playwright.sync_api import Page

from pages._korean import squash
from pages.easyadmin._screen import SOMETHING, answer, choose, chosen, mark_read, settle, unread
from portalpilot import PortalFailure, Reply, state_change

TEMPLATES = ("교환 안내", "배송 안내")
SENT = "전송되었습니다."
BAD_NUMBER = "수신번호를 확인해 주세요."
NOT_YET = "미등록"  # the preview's words for a tracking number not registered yet


class NotificationDialog:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialog = page.get_by_role("dialog", name="스마트알림", exact=True)
        self.to = self.dialog.get_by_label("수신번호", exact=True)
        self.send_button = self.dialog.get_by_role("button", name="전송", exact=True)
        self.cancel_button = self.dialog.get_by_role("button", name="취소", exact=True)
        self.alert = page.get_by_role("alert").filter(has_text=SOMETHING)
        self.sent = page.get_by_role("status").filter(has_text=SENT)

    def wait(self) -> NotificationDialog:
        """The dialog, or the alert the portal shows instead."""
        settle(self.page, self.dialog.or_(self.alert))
        if not self.dialog.is_visible():
            said = squash(self.alert.first.inner_text())
            raise PortalFailure(f'"스마트알림" did not open: {said}')
        settle(self.page, self.send_button)
        return self

    def choose_template(self, template: str) -> None:
        """Pick the template; done when the select says it is chosen."""
        if template not in TEMPLATES:
            raise ValueError(f"{template!r} is not a template of 스마트알림: {TEMPLATES}")
        if self.template() != template:
            choose(self.dialog, "템플릿", template)
        if self.template() != template:
            raise PortalFailure(f'"템플릿" reads {self.template()!r}, not {template!r}')

    def template(self) -> str:
        return chosen(self.dialog, "템플릿")

    def number(self) -> str:
        """What "수신번호" holds (the recipient's mobile, unless typed over)."""
        return squash(self.to.input_value())

    def set_number(self, number: str) -> None:
        self.to.fill(number)

    def preview(self) -> str:
        """The preview, as one line of text: the dialog's words but its controls'.

        The spec promises its contents (recipient, new product, the exchange order's 택배사
        and 송장번호 or "미등록"), not where it is, so it is read in the dialog's text.
        """
        readonly = self.dialog.locator("textarea[readonly], [aria-readonly=true]")
        if readonly.count() == 1:
            value = readonly.evaluate("e => e.value !== undefined ? e.value : e.innerText")
            return squash(str(value))
        return squash(self.dialog.inner_text())

    @state_change
    def send(self) -> Reply:
        """Click "전송" once and wait for the portal's answer, whatever it is.

        DONE: the status "전송되었습니다.". REFUSED: an alert ("수신번호를 확인해 주세요."),
        nothing sent. FAILED: its error (it may have been sent: read C/S이력).
        """
        mark_read(self.alert.or_(self.sent))  # what shows before the click is not its answer
        self.send_button.click()
        return answer(self.page, unread(self.sent), unread(self.alert))

    def cancel(self) -> None:
        """ "취소": nothing is sent."""
        self.cancel_button.click()
        self.dialog.wait_for(state="hidden")
