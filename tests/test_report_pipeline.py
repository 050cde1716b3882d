"""One report pipeline (issue 15): the report reads each record type once, whatever the rulesets
and the review need; each ruleset's check, fed the records in batches as they pass, gives the
report a check over a list would; a failure anywhere is raised, and no thread is left behind."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core.errors import QSEError, ValidationError
from qse_customer.core.record import Record
from qse_customer.reports import build_report, records_of_sequence
from qse_customer.rules import check
from qse_customer.rules.versions import compile_ruleset

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
AT = datetime(2026, 4, 4, 9, tzinfo=UTC)
CALENDAR = qse.WorkingCalendar(timezone="Europe/London", opens="09:00", closes="17:00")
STAFF = qse.Actor("t-1", "Tess Tech", qse.Role.TECHNOLOGIST)
RULESETS = ("qse2-responsibility", "customer-service-standards")


def records(count: int) -> list[Record]:
    made: list[Record] = []
    for n in range(count):
        at = T0 + timedelta(hours=7 * n)
        made.append(
            qse.Complaint.receive(id=f"C-{n}", at=at, by=STAFF, channel="form", category="delay")
        )
        enquiry = qse.Enquiry.receive(id=f"E-{n}", at=at, by=STAFF, channel="telephone")
        if n % 3:
            enquiry = enquiry.add("responded", at=at + timedelta(hours=n % 40), by=STAFF)
        made.append(enquiry)
    return made


class Counted:
    """A ``records_of`` that counts how often each type is read."""

    def __init__(self, held: list[Record]) -> None:
        self.of = records_of_sequence(held)
        self.reads: Counter[str] = Counter()

    def __call__(self, tag: str) -> Iterable[Record]:
        self.reads[tag] += 1
        return self.of(tag)


def test_each_record_type_is_read_once_for_the_rulesets_the_analytics_and_the_review() -> None:
    held = records(300)  # more than a reader's batch
    counted = Counted(held)
    rulesets = [qse.load_ruleset(name) for name in RULESETS]
    report = build_report(counted, rulesets, calendar=CALENDAR, at=AT)
    assert counted.reads and set(counted.reads.values()) == {1}
    assert report["review"] is not None
    # Each ruleset's counts are those of checking it alone over the list.
    for ruleset in rulesets:
        alone = check(held, ruleset, calendar=CALENDAR, at=AT).to_dict()["rules"]
        shown = [r for r in report["standards"]["rules"] if r["ruleset"] == ruleset.name]
        assert [
            {k: v for k, v in r.items() if k not in ("ruleset", "ruleset_version")} for r in shown
        ] == alone


def test_a_stream_that_fails_stops_every_reader_and_raises() -> None:
    held = records(2000)
    before = threading.active_count()

    def failing(tag: str) -> Iterator[Record]:
        for number, record in enumerate(records_of_sequence(held)(tag)):
            if number == 1500:
                raise ValidationError.single("$", "the store broke")
            yield record

    rulesets = [qse.load_ruleset(name) for name in RULESETS]
    with pytest.raises(QSEError, match="the store broke"):
        build_report(failing, rulesets, calendar=CALENDAR, at=AT)
    assert threading.active_count() == before


HELD = records(120)


@given(
    name=st.sampled_from(RULESETS),
    cuts=st.lists(st.integers(0, len(HELD)), max_size=6).map(sorted),
    engine=st.sampled_from(["fast", "plain"]),
)
def test_a_check_fed_in_batches_gives_the_report_of_one_check(
    name: str, cuts: list[int], engine: str
) -> None:
    compiled = compile_ruleset(name, calendar=CALENDAR)
    whole = compiled.check(HELD, at=AT, max_findings=50, engine=engine)  # type: ignore[arg-type]
    checking = compiled.checking(at=AT, max_findings=50, engine=engine)  # type: ignore[arg-type]
    for low, high in zip([0, *cuts], [*cuts, len(HELD)], strict=True):
        checking.feed(HELD[low:high])
    assert checking.report().to_dict() == whole.to_dict()


def test_a_check_that_has_reported_takes_no_more_records() -> None:
    checking = compile_ruleset(RULESETS[0], calendar=CALENDAR).checking(at=AT)
    checking.feed(HELD)
    checking.report()
    with pytest.raises(ValidationError, match="made its report already"):
        checking.feed(HELD)
    with pytest.raises(ValidationError, match="made its report already"):
        checking.report()


def test_a_check_fed_something_that_is_not_a_record_says_so() -> None:
    checking = compile_ruleset(RULESETS[0], calendar=CALENDAR).checking(at=AT)
    with pytest.raises(ValidationError, match="expected records"):
        checking.feed([HELD[0], "C-1"])  # type: ignore[list-item]


def test_a_review_that_cannot_be_made_is_left_out_with_a_warning() -> None:
    ruleset = qse.load_ruleset("customer-service-standards")
    report = build_report(
        records_of_sequence(records(20)),
        [ruleset],
        calendar=CALENDAR,
        at=AT,
        review_rulesets=[ruleset, ruleset],
    )
    assert report["review"] is None
    assert any("could not be made" in warning for warning in report["warnings"])
    assert report["standards"]["rules"]


def test_versions_of_a_ruleset_are_each_read_once_and_merged_as_check_rulesets_does() -> None:
    from qse_customer.reports import check_rulesets
    from qse_customer.rules.versions import RulesetVersions

    base = qse.load_ruleset("customer-service-standards").to_dict()
    base.pop("effective", None)
    older = qse.load_ruleset(base | {"version": "1", "effective_until": "2026-02-14"})
    newer = qse.load_ruleset(base | {"version": "2", "effective_from": "2026-02-15"})
    versions = RulesetVersions.of([older, newer])
    held = records(400)
    counted = Counted(held)
    rulesets = [versions, qse.load_ruleset("qse2-responsibility")]
    report = build_report(counted, rulesets, calendar=CALENDAR, at=AT)
    assert set(counted.reads.values()) == {1}
    once = Counted(held)
    separately = check_rulesets(once, rulesets, calendar=CALENDAR, at=AT)
    assert set(once.reads.values()) == {1}
    assert [r.to_dict() for r in separately] == [
        check(held, ruleset, calendar=CALENDAR, at=AT).to_dict() for ruleset in rulesets
    ]
    assert [r["records"] for r in report["standards"]["rulesets"]] == [
        r.records for r in separately
    ]
    assert report["standards"]["rulesets"][0]["versions"]
    shown = report["standards"]["rules"]
    expected = [
        {"ruleset": r.ruleset, "ruleset_version": r.ruleset_version} | s.to_dict()
        for r in separately
        for s in r.rules
    ]
    assert shown == expected
    assert report["breaches"] == sorted(
        (f.to_dict() for r in separately for f in r.findings if f.status == "breached"),
        key=lambda f: (f["due_at"] or "9999", f["rule_id"], f["record_id"] or ""),
    )
