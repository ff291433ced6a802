"""mirakl.overdue — threads awaiting the shop's reply for longer than allowed (read-only).

The marketplace's terms: questions about orders are answered within 48 hours; "a daily
monitoring is highly recommended". The Messages list shows each thread's status and the
time of its last message; a thread that is Unread or Awaiting reply has waited since then.
Threads are not opened: opening an unread thread would mark it read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, Field

from flows import mirakl_common as common
from pages.mirakl import MIRAKL, MessageList
from portalpilot import Flow, FlowContext, FlowInput, FlowOutput

WAITING = ("Unread", "Awaiting reply")


class MiraklOverdue(FlowInput):
    """List the threads awaiting the shop's reply for more than N hours."""

    hours: Annotated[
        int,
        Field(ge=1, le=24 * 365, description="Longer than this many hours (the rule: 48)."),
    ] = 48

    @property
    def subject(self) -> str:
        return f"messages awaiting reply > {self.hours} h"

    @property
    def key(self) -> str:
        """The same question: the same number of hours."""
        return f"overdue/{self.hours}"


class OverdueThread(BaseModel):
    thread_id: str
    order_id: str
    customer: str
    subject: str
    status: str
    last_message: str  # dd/mm/yyyy HH:MM, as the portal shows it
    age_hours: int


class MiraklOverdueResult(FlowOutput):
    hours: int
    as_of: str = Field(description="The portal's time the ages are counted to.")
    count: int
    threads: list[OverdueThread]


def overdue(ctx: FlowContext, item: MiraklOverdue) -> MiraklOverdueResult:
    """List threads awaiting the shop's reply for more than N hours (48 by default)."""
    threads = MessageList(ctx.page).open(ctx.base_url)
    now = common.portal_time(ctx.page)
    limit = timedelta(hours=item.hours)
    late = sorted(
        (row for row in threads.rows() if row.status in WAITING and now - row.last_message > limit),
        key=lambda row: row.last_message,
    )
    found = [
        OverdueThread(
            thread_id=row.thread_id,
            order_id=row.order_id,
            customer=row.customer,
            subject=row.subject,
            status=row.status,
            last_message=f"{row.last_message:%d/%m/%Y %H:%M}",
            age_hours=int((now - row.last_message).total_seconds() // 3600),
        )
        for row in late
    ]
    noun = "thread" if len(found) == 1 else "threads"
    return MiraklOverdueResult(
        status="overdue" if found else "none_overdue",
        message=f"{len(found)} {noun} awaiting reply for more than {item.hours} h",
        hours=item.hours,
        as_of=f"{now:%d/%m/%Y %H:%M}",
        count=len(found),
        threads=found,
    )


FLOW = Flow(
    name="mirakl.overdue",
    portal=MIRAKL,
    input_model=MiraklOverdue,
    run=overdue,
    changes_state=False,
)
