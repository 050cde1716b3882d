"""Test requests: the records a contract's turnaround terms are checked against (source 001,
"Turnaround Time" and "Service Level Agreement")."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Self

from attrs import field, frozen

from ._checks import nonempty_text, optional_text
from .events import Event
from .lifecycle import Lifecycle
from .record import Record
from .roles import Actor
from .vocabulary import Priority

TEST_REQUEST_LIFECYCLE = Lifecycle(
    opening={"ordered", "received_in_lab"},
    kinds={
        "ordered",
        "collected",
        "received_in_lab",
        "result_reported",
        "result_amended",
        "cancelled",
        "note_added",
        "closed",
        "reopened",
    },
    status_after={
        "ordered": "ordered",
        "collected": "collected",
        "received_in_lab": "in_lab",
        "result_reported": "reported",
        "cancelled": "closed",
        "closed": "closed",
        "reopened": "in_lab",
    },
    closing={"cancelled", "closed"},
)


@frozen(kw_only=True, eq=True, hash=False)
class TestRequest(Record):
    """A request for one test at one priority, from order to reported result."""

    __test__: ClassVar[bool] = False  # not a pytest test class despite its name

    TYPE: ClassVar[str] = "test_request"
    LIFECYCLE: ClassVar[Lifecycle] = TEST_REQUEST_LIFECYCLE

    test: str = field(validator=nonempty_text)
    priority: Priority = field(converter=Priority)
    contract_id: str | None = field(default=None, validator=optional_text)
    site: str | None = field(default=None, validator=optional_text)

    @classmethod
    def receive(
        cls,
        *,
        id: str,
        at: datetime,
        by: Actor | None,
        test: str,
        priority: Priority | str,
        **fields: Any,
    ) -> Self:
        """A request as received in the laboratory (the turnaround clock starts here)."""
        event = Event("received_in_lab", at, by)
        return cls(id=id, test=test, priority=priority, events=(event,), **fields)
