"""Records as they may leave the lab in an export: an anonymous complaint's own words stay home.

The summary and the event notes of an anonymous complaint are the complainant's words, and words
can identify (a turn of phrase, a shift, a detail only one person knows). An export holds them
only when asked for explicitly (``include_anonymous_text=True``, or ``qse-customer export
--include-anonymous-text`` for a backup that must restore everything); otherwise they are
emptied. Everything else, the follow-up digest included, is exported as stored.
"""

from __future__ import annotations

from typing import TypeVar, cast

from .complaint import Complaint
from .lifecycle import ADMINISTRATIVE_KINDS
from .record import Record

R = TypeVar("R", bound=Record)


def withholds_text(record: Record) -> bool:
    """True when an export without ``include_anonymous_text`` leaves out some of this record's
    text (an anonymous complaint with a summary, a note, or the reason of a correction or an
    erasure)."""
    return (
        isinstance(record, Complaint)
        and record.anonymous
        and (
            bool(record.summary)
            or any(event.note or event.kind in ADMINISTRATIVE_KINDS for event in record.events)
        )
    )


def for_export(record: R, *, include_anonymous_text: bool = False) -> R:
    """``record`` as an export carries it: an anonymous complaint without its summary and event
    notes, unless ``include_anonymous_text``; any other record as it is."""
    if include_anonymous_text or not withholds_text(record):
        return record
    assert isinstance(record, Complaint)
    return cast(R, record.without_free_text())
