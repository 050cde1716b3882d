"""``Record.as_known_at`` against its definition: the judged history as of a moment (events
recorded or happening later left out, corrections then known applied), the record itself when
nothing about it changed, None when nothing of it was known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qse_customer import Actor, Complaint, Role
from qse_customer.core.errors import QSEError
from qse_customer.core.history import NO_LAG, facts_of, judged
from qse_customer.core.record import Record
from qse_customer.testing.strategies import records


@st.composite
def stamped(draw: st.DrawFn) -> Record:
    """A record whose events carry ``recorded_at`` stamps (each at or after the one before,
    some entered late, some stamped before they happened), or none."""
    record = draw(records())
    if draw(st.booleans()):
        return record
    events, stamp = [], None
    for event in record.events:
        lag = timedelta(seconds=draw(st.sampled_from([-3600, 0, 60, 3600, 86400 * 9])))
        moment = event.at + lag
        stamp = moment if stamp is None or moment > stamp else stamp
        events.append(attrs.evolve(event, recorded_at=stamp))
    try:
        return record.evolve(events=tuple(events))
    except QSEError:
        return record


@given(stamped(), st.integers(-3 * 86400, 40 * 86400), st.booleans())
def test_a_record_as_known_at_a_moment(record: Record, offset: int, as_pendulum: bool) -> None:
    at = record.events[0].at + timedelta(seconds=offset)
    known = judged(record.events, at)
    given_at = pendulum.instance(at).in_timezone("Asia/Tokyo") if as_pendulum else at
    then = record.as_known_at(given_at)
    if not known:
        assert then is None
    else:
        assert then is not None
        assert then.events == tuple(known)
        if tuple(known) == record.events:
            assert then is record or then == record


def test_a_moment_must_be_aware() -> None:
    complaint = Complaint.receive(
        id="C-1",
        at=datetime(2026, 1, 5, 9, tzinfo=UTC),
        by=Actor("s-1", "Sam", Role.TECHNOLOGIST),
        channel="form",
        category="delay",
    )
    with pytest.raises(QSEError, match=r"\$\.at.*timezone-aware"):
        complaint.as_known_at(datetime(2026, 1, 6))


def _plain_facts(record: Record) -> tuple[bool, timedelta, bool, datetime]:
    """The history facts by their definition (``core.history.Facts``), one question at a time."""
    events = record.events
    special = record.special_kinds()
    lags = [e.recorded_at - e.at for e in events if e.recorded_at is not None]
    last = events[-1]
    latest = last.at if last.recorded_at is None else max(last.at, last.recorded_at)
    return (
        any(event.kind in special for event in events),
        max(lags) if lags else NO_LAG,
        events[0].recorded_at is None,
        latest,
    )


@given(stamped())
def test_the_history_facts_are_their_definition(record: Record) -> None:
    fresh = attrs.evolve(record)  # facts found again, not carried over
    assert facts_of(fresh.events, fresh.special_kinds()) == _plain_facts(record)
    assert fresh.history_facts == _plain_facts(record)
