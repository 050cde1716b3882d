"""Hypothesis strategies for every record type, its events and its parts.

Every strategy yields valid values: a record built from them passes the model's checks and
round-trips through :func:`qse_customer.to_dict` / :func:`qse_customer.from_dict`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st

from ..core._checks import LAB_PATTERN
from ..core.anonymous_data import AnonymousDataField, anonymous_data_fields
from ..core.complaint import Complaint
from ..core.contract import Contract, ServiceTerm
from ..core.customer import Customer
from ..core.enquiry import Enquiry
from ..core.errors import TransitionError, ValidationError
from ..core.events import Event
from ..core.history import correction_data
from ..core.lifecycle import ADMINISTRATIVE_KINDS
from ..core.measurement import Measurement
from ..core.parties import RecordRef, Submitter
from ..core.record import Record
from ..core.referral import Referral
from ..core.roles import EXTERNAL_ROLES, Actor, Role
from ..core.survey import Survey, SurveyResponse
from ..core.test_request import TestRequest
from ..core.vocabulary import (
    Channel,
    CustomerCategory,
    CustomerKind,
    Priority,
    Severity,
)

R = TypeVar("R", bound=Record)

ZONES = ("UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe")

identifiers: st.SearchStrategy[str] = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12
).filter(lambda s: s.strip() != "")
"""Record and actor ids."""

words: st.SearchStrategy[str] = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
).filter(lambda s: s.strip() != "")
"""Short human text: names, categories, subjects."""


def aware_datetimes(
    min_value: datetime = datetime(1995, 1, 1), max_value: datetime = datetime(2095, 12, 31)
) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes in a handful of real time zones (DST and half-hour offsets)."""
    zones = (
        st.sampled_from(ZONES).map(ZoneInfo)
        | st.just(UTC)
        | st.just(timezone(timedelta(hours=5, minutes=30)))
    )
    return st.datetimes(min_value=min_value, max_value=max_value, timezones=zones)


STAFF_ROLES = tuple(role for role in Role if role not in EXTERNAL_ROLES)
"""The laboratory's own roles: everyone but its customers and the management it serves."""


def actors(roles: st.SearchStrategy[Role] | None = None) -> st.SearchStrategy[Actor]:
    """Actors with any role (or one drawn from ``roles``)."""
    return st.builds(
        Actor,
        id=identifiers,
        name=words,
        role=roles if roles is not None else st.sampled_from(Role),
    )


json_scalars = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | words


def event_data() -> st.SearchStrategy[dict[str, Any]]:
    """Small event data mappings: JSON scalars, and lists and objects of them."""
    keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10)
    values = (
        json_scalars
        | st.lists(json_scalars, max_size=3)
        | st.dictionaries(keys, json_scalars, max_size=2)
    )
    return st.dictionaries(keys, values, max_size=3)


def _anonymous_value(allowed: AnonymousDataField) -> st.SearchStrategy[Any]:
    if allowed.shape == "date":
        return st.dates(date(1995, 1, 1), date(2095, 1, 1)).map(date.isoformat) | (
            aware_datetimes().map(datetime.isoformat)
        )
    if allowed.shape == "integer":
        return st.integers(-(10**5), 10**5)
    if allowed.shape == "number":
        return st.floats(-(10**5), 10**5, allow_nan=False)
    if allowed.shape == "boolean":
        return st.booleans()
    if allowed.shape == "choice":
        return st.sampled_from(allowed.choices)
    assert allowed.pattern is not None
    return st.from_regex(allowed.pattern, fullmatch=True).filter(lambda v: len(v) <= 64)


def anonymous_event_data() -> st.SearchStrategy[dict[str, Any]]:
    """Event data an anonymous complaint accepts: fields of the allow-list (the shipped ones and
    any the lab added), each with a value of its shape, or null."""
    allowed = anonymous_data_fields()
    if not allowed:
        return st.just({})
    return st.fixed_dictionaries(
        {},
        optional={
            key: st.none() | _anonymous_value(field) for key, field in sorted(allowed.items())
        },
    )


@st.composite
def histories(
    draw: st.DrawFn,
    record: Record,
    kinds: list[str] | None = None,
    max_events: int = 8,
    data: st.SearchStrategy[dict[str, Any]] | None = None,
    who: st.SearchStrategy[Actor | None] | None = None,
) -> Record:
    """``record`` with a drawn sequence of later events; forbidden transitions are skipped.

    ``data`` and ``who`` draw each event's data and actor (default: any data, any actor). Now
    and then one of the events is corrected (a ``corrected`` event with a replacement that keeps
    the history valid), so corrections flow through every test that draws records.
    """
    life = record.LIFECYCLE
    # Corrections and erasures need data of their own: drawn below, never at random.
    candidates = sorted(set(kinds or life.kinds - life.opening) - ADMINISTRATIVE_KINDS)
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(candidates or ["note_added"]),
                st.integers(0, 30 * 24 * 3600),
                who if who is not None else st.none() | actors(),
                data if data is not None else event_data(),
            ),
            max_size=max_events,
        )
    )
    at = record.last_event_at
    for kind, seconds, actor, values in steps if candidates else ():
        at = at + timedelta(seconds=seconds)
        try:
            record = record.with_event(Event(kind, at, actor, values))
        except (TransitionError, ValidationError):
            # Forbidden, or data the record type refuses (an "amended" event whose drawn data
            # has a key of a contract's terms, such as "withdrawn", with a value that is not one).
            continue
    if draw(st.integers(0, 3)) == 0:
        target = draw(st.integers(0, len(record.events) - 1))
        original = record.events[target]
        replacement = Event(
            original.kind,
            original.at - timedelta(seconds=draw(st.integers(0, 3600))),
            draw(who if who is not None else st.none() | actors()),
            draw(data if data is not None else event_data()),
            draw(st.sampled_from(("", "typed in again from the paper form"))),
        )
        corrector = draw(actors(st.sampled_from(STAFF_ROLES)))
        correction = correction_data(target, replacement, "wrong time typed in")
        with contextlib.suppress(TransitionError, ValidationError):
            record = record.with_event(Event("corrected", at, corrector, correction))
    return record


@st.composite
def rewrites(draw: st.DrawFn, record: R) -> R:
    """``record`` with its history rewritten rather than extended: an event dropped, an event's
    note edited, or an event moved earlier (each still a valid record of its own)."""
    events = record.events
    choices = ["edit"]
    if len(events) > 1:
        choices.append("drop")
    movable = [i for i in range(1, len(events)) if events[i - 1].at < events[i].at]
    if movable:
        choices.append("move")
    how = draw(st.sampled_from(choices))
    edit_at = draw(st.integers(0, len(events) - 1))
    edited = attrs.evolve(events[edit_at], note=events[edit_at].note + " (edited)")
    note_edit = record.evolve(events=(*events[:edit_at], edited, *events[edit_at + 1 :]))
    try:
        if how == "drop":
            return record.evolve(events=events[: draw(st.integers(1, len(events) - 1))])
        if how == "move":
            i = draw(st.sampled_from(movable))
            moved = attrs.evolve(events[i], at=events[i - 1].at)
            return record.evolve(events=(*events[:i], moved, *events[i + 1 :]))
    except (TransitionError, ValidationError):
        pass  # that rewrite is not a record of its own (an amendment no longer retrospective)
    return note_edit


def _with_history(base: st.SearchStrategy[R]) -> st.SearchStrategy[R]:
    return base.flatmap(histories)  # type: ignore[arg-type]


submitters = st.builds(
    Submitter, name=words, contact=st.none() | words, customer_id=st.none() | identifiers
)


def _opening(kind: str, staff_only: bool = False) -> st.SearchStrategy[tuple[Event, ...]]:
    who = actors(st.sampled_from(STAFF_ROLES)) if staff_only else actors()
    return st.builds(
        lambda at, actor: (Event(kind, at, actor),), aware_datetimes(), st.none() | who
    )


@st.composite
def complaints(draw: st.DrawFn, anonymous: bool | None = None) -> Complaint:
    """Complaints, named or anonymous (never with a submitter when anonymous), with histories."""
    is_anonymous = draw(st.booleans()) if anonymous is None else anonymous
    base = Complaint(
        id=draw(identifiers),
        events=draw(_opening("received", staff_only=is_anonymous)),
        channel=draw(st.sampled_from(Channel)),
        category=draw(words),
        anonymous=is_anonymous,
        customer_kind=draw(st.sampled_from(CustomerKind)),
        customer_group=draw(st.none() | words),
        severity=draw(st.sampled_from(Severity)),
        site=draw(st.none() | words),
        summary=draw(st.text(max_size=40)),
        submitter=None if is_anonymous else draw(st.none() | submitters),
        people_involved=tuple(draw(st.lists(identifiers, max_size=3))),
        wrong_result=draw(st.booleans()),
        follow_up_digest=draw(st.none() | st.binary(min_size=32, max_size=32).map(bytes.hex)),
    )
    if is_anonymous:
        # Mostly what an anonymous complaint accepts, so its histories grow; sometimes anything,
        # which the model refuses and the history skips.
        data = anonymous_event_data() | event_data()
        who = st.none() | actors(st.sampled_from(STAFF_ROLES)) | actors()
        record = draw(histories(base, data=data, who=who))
    else:
        record = draw(histories(base))
    assert isinstance(record, Complaint)
    return record


def enquiries() -> st.SearchStrategy[Enquiry]:
    """Enquiries and correspondence of every channel, with histories."""
    base = st.builds(
        Enquiry,
        id=identifiers,
        events=_opening("received"),
        channel=st.sampled_from(Channel),
        subject=st.text(max_size=30),
        clinical=st.booleans(),
        complex=st.booleans(),
        freedom_of_information=st.booleans(),
        customer_kind=st.sampled_from(CustomerKind),
        site=st.none() | words,
        enquirer=st.none() | submitters,
    )
    return _with_history(base)


service_terms = st.builds(
    ServiceTerm,
    test=words,
    priority=st.sampled_from(Priority),
    turnaround_minutes=st.integers(1, 60 * 24 * 14),
)


def contracts() -> st.SearchStrategy[Contract]:
    """Contracts with unique turnaround terms per test and priority, with histories, and
    sometimes amendments that change terms (from later, or retrospectively)."""
    terms = st.lists(service_terms, max_size=4, unique_by=lambda t: (t.test, t.priority))
    base = st.builds(
        Contract,
        id=identifiers,
        events=_opening("entered"),
        client=words,
        customer_id=st.none() | identifiers,
        services=terms.map(tuple),
        review_interval_days=st.integers(1, 1000),
        deviation_report_days=st.integers(1, 30),
        communication_method=st.none() | words,
        starts_on=st.none() | st.dates(date(1995, 1, 1), date(2095, 1, 1)),
        ends_on=st.none(),
    )
    return _with_history(base).flatmap(_amended)


@st.composite
def _amended(draw: st.DrawFn, contract: Contract, max_amendments: int = 2) -> Contract:
    """``contract`` with up to ``max_amendments`` amendments changing its terms."""
    for _ in range(draw(st.integers(0, max_amendments))):
        if contract.is_closed:
            break
        agreed = contract.last_event_at + timedelta(seconds=draw(st.integers(0, 90 * 86400)))
        shift = timedelta(seconds=draw(st.integers(-60 * 86400, 120 * 86400)))
        length = draw(st.none() | st.integers(1, 200 * 86400))
        terms: list[ServiceTerm] = draw(
            st.lists(service_terms, min_size=1, max_size=2, unique_by=lambda t: t.key)
        )
        contract = contract.amend(
            at=agreed,
            by=draw(st.none() | actors()),
            effective_from=agreed + shift,
            effective_until=agreed + shift + timedelta(seconds=length) if length else None,
            retrospective=shift < timedelta(0),
            services=terms,
            review_interval_days=draw(st.none() | st.integers(1, 1000)),
            deviation_report_days=draw(st.none() | st.integers(1, 30)),
        )
    return contract


def customers() -> st.SearchStrategy[Customer]:
    """Internal and external customers of every category, with histories."""
    base = st.builds(
        Customer,
        id=identifiers,
        events=_opening("identified"),
        name=words,
        kind=st.sampled_from(CustomerKind),
        category=st.sampled_from(CustomerCategory),
        contact=st.none() | words,
        site=st.none() | words,
    )
    return _with_history(base)


def surveys() -> st.SearchStrategy[Survey]:
    """Surveys of either audience, with histories."""
    base = st.builds(
        Survey,
        id=identifiers,
        events=_opening("created"),
        title=words,
        audience=st.sampled_from(CustomerKind),
        instrument=identifiers,
        period_start=st.none(),
        period_end=st.none(),
    )
    return _with_history(base)


def survey_responses() -> st.SearchStrategy[SurveyResponse]:
    """Survey responses, anonymous or not, with answers of every JSON scalar kind."""
    answers = st.dictionaries(
        identifiers, st.none() | st.booleans() | st.integers(0, 10) | words, max_size=6
    )
    base = st.builds(
        SurveyResponse,
        id=identifiers,
        events=_opening("submitted"),
        survey_id=identifiers,
        instrument=identifiers,
        answers=answers,
        respondent_id=st.none() | identifiers,
        customer_kind=st.none() | st.sampled_from(CustomerKind),
        comment=st.text(max_size=30),
    )
    return _with_history(base)


def referrals() -> st.SearchStrategy[Referral]:
    """Referrals for process improvement, with evidence and source records."""
    refs = st.builds(
        RecordRef, type=st.sampled_from(["complaint", "survey", "enquiry"]), id=identifiers
    )
    base = st.builds(
        Referral,
        id=identifiers,
        events=_opening("opened"),
        title=words,
        reason=st.text(max_size=30),
        owner_role=st.sampled_from(Role),
        due_at=st.none() | aware_datetimes(),
        source_rule=st.none() | identifiers,
        source_records=st.lists(refs, max_size=3).map(tuple),
        evidence=event_data(),
    )
    return _with_history(base)


def lab_requests() -> st.SearchStrategy[TestRequest]:
    """Test requests at every priority, with histories."""
    base = st.builds(
        TestRequest,
        id=identifiers,
        events=_opening("received_in_lab"),
        test=words,
        priority=st.sampled_from(Priority),
        contract_id=st.none() | identifiers,
        site=st.none() | words,
    )
    return _with_history(base)


def measurements() -> st.SearchStrategy[Measurement]:
    """Measurements (telephone rings, website downtime, any other measure), with histories."""
    attributes = st.dictionaries(
        st.sampled_from(["staff_available", "line", "monitor"]),
        st.none() | st.booleans() | st.integers(0, 10) | words,
        max_size=3,
    )
    base = st.builds(
        Measurement,
        id=identifiers,
        events=_opening("measured"),
        measure=st.sampled_from(["telephone_rings", "website_downtime"]) | identifiers,
        value=st.integers(0, 10**6) | st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
        unit=st.sampled_from(["rings", "minutes"]) | identifiers,
        subject=st.none() | words,
        site=st.none() | words,
        attributes=attributes,
    )
    return _with_history(base)


STRATEGIES: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "complaint": complaints,
    "enquiry": enquiries,
    "contract": contracts,
    "customer": customers,
    "survey": surveys,
    "survey_response": survey_responses,
    "referral": referrals,
    "test_request": lab_requests,
    "measurement": measurements,
}


def records() -> st.SearchStrategy[Record]:
    """Any record of any type (of the default lab)."""
    return st.one_of(*(factory() for factory in STRATEGIES.values()))


def lab_names() -> st.SearchStrategy[str]:
    """A lab's name: a few common ones (so that records share labs), or any valid one."""
    return st.sampled_from(["LAB-A", "LAB-B", "LAB-7"]) | st.from_regex(LAB_PATTERN, fullmatch=True)


def records_in_labs(labs: st.SearchStrategy[str | None] | None = None) -> st.SearchStrategy[Record]:
    """Any record of any type, of the default lab (``lab=None``) or of a lab from ``labs``."""
    chosen = labs if labs is not None else st.none() | lab_names()
    return st.tuples(records(), chosen).map(lambda pair: pair[0].evolve(lab=pair[1]))
