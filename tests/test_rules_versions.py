"""Versions of one ruleset: each record judged by the version in force when its clock started."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.cli.main import main
from qse_customer.reports.json_report import report_errors
from qse_customer.rules import (
    CompiledVersions,
    RulesetVersions,
    Status,
    check,
    compile_ruleset,
    evaluate,
    load_ruleset,
    load_ruleset_versions,
    merge_rulesets,
)
from qse_customer.testing.strategies import aware_datetimes, records

LONDON = ZoneInfo("Europe/London")
LAB = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)
DESK = qse.Actor("r-1", "Rita Reception", qse.Role.TECHNOLOGIST)
AT = datetime(2026, 9, 1, tzinfo=LONDON)
EVERY = tuple(Status)

T4_FROM_JULY = {
    "name": "customer-service-standards",
    "version": "2026.2",
    "effective_from": "2026-07-01",
    "extends": "customer-service-standards",
    "rules": [
        {
            **load_ruleset("customer-service-standards").rule("T-4").to_dict(),
            "title": "Non-clinical correspondence answered, or acknowledged, within 3 working days",
            "params": {
                "start": ["received"],
                "stop": ["responded", "posted", "acknowledged"],
                "limit": {"working_days": 3},
                "warn_at": 0.75,
            },
        }
    ],
}

SHIPPED_VERSION = load_ruleset("customer-service-standards").version


def letter(number: int, received: datetime, answered: datetime) -> qse.Enquiry:
    return qse.Enquiry.receive(
        id=f"L-{number}", at=received, by=DESK, channel="letter", clinical=False
    ).add("responded", at=answered, by=DESK)


def version(base: str, number: str, **dates: str) -> dict:
    """A copy of a shipped ruleset as another version of it, with its dates."""
    document = load_ruleset(base).to_dict()
    document.pop("effective_from", None)
    return {**document, "version": number, **dates}


# -- the named case: T-4 from 5 to 3 working days from 1 July -----------------------------------


def test_t4_from_five_to_three_working_days_from_1_july():
    june = letter(
        1, datetime(2026, 6, 8, 10, tzinfo=LONDON), datetime(2026, 6, 12, 10, tzinfo=LONDON)
    )
    july = letter(
        2, datetime(2026, 7, 6, 10, tzinfo=LONDON), datetime(2026, 7, 10, 10, tzinfo=LONDON)
    )
    versions = ["customer-service-standards", T4_FROM_JULY]

    report = qse.check([june, july], versions, calendar=LAB, at=AT)

    t4 = report.rule("T-4")
    assert (t4.counts.met, t4.counts.breached) == (1, 1)
    assert "within 3 working days" in t4.title  # the row reads as the latest version
    lines = {line.version: line for line in t4.versions}
    assert set(lines) == {SHIPPED_VERSION, "2026.2"}
    assert (lines[SHIPPED_VERSION].counts.met, lines[SHIPPED_VERSION].counts.breached) == (1, 0)
    assert (lines["2026.2"].counts.met, lines["2026.2"].counts.breached) == (0, 1)
    assert lines[SHIPPED_VERSION].effective_until == date(2026, 6, 30)
    assert lines["2026.2"].effective_from == date(2026, 7, 1)
    assert "within 5 working days" in lines[SHIPPED_VERSION].title
    (breach,) = [f for f in report.findings if f.rule_id == "T-4"]
    assert (breach.record_id, breach.ruleset_version) == ("L-2", "2026.2")
    assert report.ruleset_version == f"{SHIPPED_VERSION}, 2026.2"
    assert [v.version for v in report.versions] == [SHIPPED_VERSION, "2026.2"]
    # Each version alone would judge both letters: the old one too leniently, the new one
    # retroactively.
    old = check([june, july], "customer-service-standards", calendar=LAB, at=AT).rule("T-4")
    assert (old.counts.met, old.counts.breached) == (2, 0)


def test_the_report_as_json_has_a_line_per_version_that_judged_something():
    june = letter(
        1, datetime(2026, 6, 8, 10, tzinfo=LONDON), datetime(2026, 6, 9, 10, tzinfo=LONDON)
    )
    report = check([june], ["customer-service-standards", T4_FROM_JULY], calendar=LAB, at=AT)
    row = next(r for r in report.to_dict()["rules"] if r["rule_id"] == "T-4")
    assert [line["version"] for line in row["versions"]] == [SHIPPED_VERSION]
    assert row["versions"][0]["effective_until"] == "2026-06-30"
    assert report.to_dict()["versions"][1] == {
        "version": "2026.2",
        "effective_from": "2026-07-01",
        "effective_until": None,
    }


def test_merge_rulesets_points_at_the_versioned_api():
    with pytest.raises(qse.ValidationError, match="give the versions as a list") as caught:
        merge_rulesets(
            "lab", "1", [load_ruleset("customer-service-standards"), load_ruleset(T4_FROM_JULY)]
        )
    assert caught.value.errors[0].path == "$[1]"


# -- what is placed where, per rule kind ----------------------------------------------------------

REQUESTS = {
    "name": "requests",
    "version": "1",
    "rules": [
        {
            "id": "TAT",
            "title": "Reported within 60 minutes of receipt",
            "kind": "response_time",
            "source": {"document": "SLA"},
            "applies_to": {"record_type": "test_request"},
            "params": {
                "start": ["received_in_lab"],
                "stop": ["result_reported"],
                "limit": {"minutes": 60},
            },
        },
        {
            "id": "WHO",
            "title": "Results reported by a technologist",
            "kind": "responsibility",
            "source": {"document": "SLA"},
            "applies_to": {"record_type": "test_request"},
            "params": {
                "events": ["result_reported"],
                "roles": ["technologist"],
                "actor_required": False,
            },
        },
    ],
}


def test_a_clock_is_judged_by_the_version_in_force_when_it_started_other_rules_by_the_first_event():
    ordered = datetime(2026, 6, 30, 23, 50, tzinfo=LONDON)
    request = (
        qse.TestRequest(
            id="R-1",
            test="CRP",
            priority="stat",
            events=(qse.Event("ordered", ordered, None),),
        )
        .add("received_in_lab", at=ordered + timedelta(minutes=20), by=DESK)
        .add("result_reported", at=ordered + timedelta(minutes=70), by=DESK)
    )
    july = {**REQUESTS, "version": "2", "effective_from": "2026-07-01"}
    found = {
        f.rule_id: f.ruleset_version
        for f in evaluate([request], [REQUESTS, july], calendar=LAB, at=AT)
    }
    assert found == {"TAT": "2", "WHO": "1"}


def test_records_outside_every_version_are_not_applicable_and_say_why():
    early = letter(
        1, datetime(2026, 1, 5, 10, tzinfo=LONDON), datetime(2026, 1, 6, 10, tzinfo=LONDON)
    )
    late = letter(
        2, datetime(2027, 2, 1, 10, tzinfo=LONDON), datetime(2027, 2, 2, 10, tzinfo=LONDON)
    )
    first = version("customer-service-standards", "a", effective_from="2026-03-01")
    second = version(
        "customer-service-standards", "b", effective_from="2026-07-01", effective_until="2026-12-31"
    )
    found = {
        f.record_id: f
        for f in evaluate(
            [early, late], [second, first], calendar=LAB, at=datetime(2027, 3, 1, tzinfo=UTC)
        )
        if f.rule_id == "T-4"
    }
    assert found["L-1"].status is Status.NOT_APPLICABLE
    assert found["L-1"].ruleset_version == "a"
    assert (
        "before ruleset customer-service-standards took effect on 01 Mar 2026"
        in found["L-1"].message
    )
    assert found["L-2"].ruleset_version == "b"
    assert (
        "after ruleset customer-service-standards ceased to apply on 31 Dec 2026"
        in found["L-2"].message
    )
    assert found["L-2"].evidence["effective_until"] == "2026-12-31"


def test_a_lone_ruleset_with_an_end_date_stops_judging_after_it():
    ended = version("customer-service-standards", "x", effective_until="2026-06-30")
    july = letter(
        1, datetime(2026, 7, 6, 10, tzinfo=LONDON), datetime(2026, 7, 30, 10, tzinfo=LONDON)
    )
    report = check([july], ended, calendar=LAB, at=AT, keep=EVERY)
    assert report.rule("T-4").counts.not_applicable == 1
    assert report.rule("T-4").versions == ()  # one ruleset, not versions: no lines


def test_a_threshold_period_is_judged_by_the_version_in_force_when_it_began():
    rings = [
        qse.Measurement(
            id=f"M-{day}",
            measure="website_downtime",
            value=10,
            unit="minutes",
            events=(qse.Event("measured", datetime(2026, 6, day, 12, tzinfo=LONDON), None),),
        )
        for day in (10, 20)
    ]
    mid_june = version("customer-service-standards", "2", effective_from="2026-06-15")
    found = [
        f
        for f in evaluate(rings, ["customer-service-standards", mid_june], calendar=LAB, at=AT)
        if f.rule_id == "T-8"
    ]
    assert [(f.period, f.ruleset_version) for f in found] == [("2026", SHIPPED_VERSION)]


# -- load errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "path", "words"),
    [
        (
            [
                {"effective_from": "2026-01-01", "effective_until": "2026-07-31"},
                {"effective_from": "2026-07-01"},
            ],
            "$[1].effective_from",
            "may not overlap; end 'v0' on 30 Jun 2026",
        ),
        (
            [{"effective_from": "2026-07-01"}, {"effective_from": "2026-07-01"}],
            "$[1].effective_from",
            "both take effect on 01 Jul 2026",
        ),
        (
            [{"effective_until": "2026-05-31"}, {"effective_from": "2026-07-01"}],
            "$[1].effective_from",
            "no version is in force from 01 Jun 2026 to 30 Jun 2026",
        ),
        ([{}, {}], "$[1].effective_from", "only the first version may leave it out"),
        (
            [{"effective_from": "2026-07-01"}, {"effective_until": "2026-06-30"}],
            None,
            None,
        ),
    ],
)
def test_overlaps_and_gaps_between_versions_are_load_errors(dates, path, words):
    documents = [
        {"name": "mine", "version": f"v{n}", "rules": [], **written}
        for n, written in enumerate(dates)
    ]
    if path is None:
        versions = load_ruleset_versions(documents)
        assert [v.version for v in versions.versions] == ["v1", "v0"]
        return
    with pytest.raises(qse.ValidationError) as caught:
        load_ruleset_versions(documents)
    (problem,) = caught.value.errors
    assert problem.path == path
    assert words in problem.message


def test_a_list_of_different_rulesets_or_one_version_twice_is_refused():
    with pytest.raises(
        qse.ValidationError, match="not a version of 'qse2-responsibility'"
    ) as caught:
        compile_ruleset(["qse2-responsibility", "customer-service-standards"], calendar=LAB)
    assert caught.value.errors[0].path == "$[1].name"
    with pytest.raises(qse.ValidationError, match="given twice"):
        load_ruleset_versions(["qse2-responsibility", "qse2-responsibility"])


def test_effective_is_the_older_name_of_effective_from():
    old = load_ruleset({"name": "mine", "version": "1", "effective": "2026-07-01", "rules": []})
    assert old.effective_from == old.effective == date(2026, 7, 1)
    assert old.to_dict()["effective_from"] == "2026-07-01"
    with pytest.raises(qse.ValidationError) as caught:
        load_ruleset(
            {
                "name": "mine",
                "version": "1",
                "effective": "2026-07-01",
                "effective_from": "2026-07-01",
            }
        )
    assert caught.value.errors[0].path == "$.effective"
    with pytest.raises(qse.ValidationError) as caught:
        load_ruleset(
            {
                "name": "mine",
                "version": "1",
                "effective_from": "2026-07-01",
                "effective_until": "2026-06-01",
            }
        )
    assert caught.value.errors[0].path == "$.effective_until"


# -- properties ----------------------------------------------------------------------------------

SPLIT_DAYS = st.dates(date(2000, 1, 2), date(2094, 12, 31))
MOMENTS = st.one_of(
    st.just(datetime(2100, 1, 1, tzinfo=UTC)),
    aware_datetimes(datetime(2000, 1, 1), datetime(2095, 1, 1)),
)


def split(day: date) -> list[dict]:
    """customer-service-standards as two versions with the same rules, the second from ``day``."""
    return [
        "customer-service-standards",
        version("customer-service-standards", "later", effective_from=day.isoformat()),
    ]


@settings(max_examples=40)
@given(st.lists(records(), max_size=8), SPLIT_DAYS, MOMENTS)
def test_versions_with_the_same_rules_count_every_record_once(batch, day, at):
    if day <= date(2014, 12, 29):
        day = date(2014, 12, 30)
    whole = check(batch, "customer-service-standards", calendar=LAB, at=at, keep=EVERY)
    parts = check(batch, split(day), calendar=LAB, at=at, keep=EVERY, max_findings=10**6)
    assert parts.records == whole.records
    for row in whole.rules:
        merged = parts.rule(row.rule_id)
        assert {s: merged.counts.count(s) for s in Status} == {
            s: row.counts.count(s) for s in Status
        }
        assert sum(line.counts.total for line in merged.versions) == merged.counts.total
        assert {p.period: p.counts.total for p in merged.periods} == {
            p.period: p.counts.total for p in row.periods
        }
    assert Counter((f.rule_id, f.record_id, f.status) for f in parts.findings) == Counter(
        (f.rule_id, f.record_id, f.status) for f in whole.findings
    )


@settings(max_examples=40)
@given(st.lists(records(), max_size=8, unique_by=lambda r: r.id), SPLIT_DAYS, MOMENTS)
def test_each_finding_comes_from_the_version_in_force_when_the_clock_started(batch, day, at):
    if day <= date(2014, 12, 29):
        day = date(2014, 12, 30)
    compiled = compile_ruleset(split(day), calendar=LAB)
    assert isinstance(compiled, CompiledVersions)
    boundary = datetime(day.year, day.month, day.day, tzinfo=LONDON)
    streamed = list(compiled.evaluate(batch, at=at))
    pairs = Counter((f.rule_id, f.record_id) for f in streamed if f.record_id is not None)
    assert all(count == 1 for count in pairs.values())
    by_id = {record.id: record for record in batch}
    for finding in streamed:
        if finding.record_id is None:
            continue
        record = by_id[finding.record_id]
        rule = load_ruleset("customer-service-standards").rule(finding.rule_id)
        starts = set(rule.params.get("start", ()))
        events = [e for e in record.events if e.at <= at]
        anchor = next((e for e in events if e.kind in starts), events[0])
        expected = "later" if anchor.at >= boundary else SHIPPED_VERSION
        assert finding.ruleset_version == expected
    # The fast path and the plain path agree, version by version.
    report = compiled.check(batch, at=at, keep=EVERY, max_findings=10**6)
    assert [f.to_dict() for f in report.findings] == [f.to_dict() for f in streamed]


def test_versions_accept_a_one_shot_iterator_and_a_compiled_set():
    june = letter(
        1, datetime(2026, 6, 8, 10, tzinfo=LONDON), datetime(2026, 6, 12, 10, tzinfo=LONDON)
    )
    compiled = compile_ruleset(["customer-service-standards", T4_FROM_JULY], calendar=LAB)
    report = check(iter([june]), compiled, calendar=LAB, at=AT)
    assert report.rule("T-4").counts.met == 1
    versions = load_ruleset_versions(["customer-service-standards", T4_FROM_JULY])
    assert isinstance(versions, RulesetVersions)
    shipped = load_ruleset("customer-service-standards")
    assert [rule.id for rule in versions.rules] == [rule.id for rule in shipped.rules]
    with pytest.raises(qse.ValidationError, match="another calendar"):
        check([june], compiled, calendar=qse.WorkingCalendar(timezone="UTC"), at=AT)


# -- the command line: versions of one ruleset given with --ruleset ------------------------------


def _write(path, document) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


@pytest.fixture
def letters_store(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with qse.open_store(url) as store:
        store.save_many(
            [
                letter(
                    1,
                    datetime(2026, 6, 8, 10, tzinfo=LONDON),
                    datetime(2026, 6, 12, 10, tzinfo=LONDON),
                ),
                letter(
                    2,
                    datetime(2026, 7, 6, 10, tzinfo=LONDON),
                    datetime(2026, 7, 10, 10, tzinfo=LONDON),
                ),
            ],
            legacy=True,
        )
    return url


@pytest.mark.parametrize("form", ["text", "json", "html"])
def test_check_with_both_versions_exits_with_the_verdict(letters_store, tmp_path, form, capsys):
    later = _write(tmp_path / "css-2026-07.json", T4_FROM_JULY)
    target = tmp_path / f"report.{form}"
    code = main(
        [
            "check",
            "--store",
            letters_store,
            "--ruleset",
            "customer-service-standards",
            "--ruleset",
            later,
            "--at",
            "2026-09-01T12:00",
            "--format",
            form,
            "--output",
            str(target),
        ]
    )
    assert code == 1  # the July letter breached the 3-day standard; nothing is bad input
    written = target.read_text(encoding="utf-8")
    if form == "json":
        report = json.loads(written)
        assert report_errors(report) == []
        (row,) = [r for r in report["standards"]["rules"] if r["rule_id"] == "T-4"]
        assert [(v["version"], v["met"], v["breached"]) for v in row["versions"]] == [
            (SHIPPED_VERSION, 1, 0),
            ("2026.2", 0, 1),
        ]
        (breach,) = [f for f in report["breaches"] if f["rule_id"] == "T-4"]
        assert breach["ruleset_version"] == "2026.2"
        assert report["review"] is not None
    elif form == "text":
        assert (
            f"versions {SHIPPED_VERSION} from 29 Dec 2014 until 30 Jun 2026; "
            "2026.2 from 01 Jul 2026" in written
        )
        flat = " ".join(written.split())  # a version's line wraps its wording
        assert (
            "version 2026.2 0.0% 0/1 from 01 Jul 2026: Non-clinical correspondence answered, or "
            "acknowledged, within 3 working days [1 breached]"
        ) in flat
    else:
        assert "version 2026.2, from 01 Jul 2026" in written


def test_check_with_overlapping_versions_is_bad_input(letters_store, tmp_path, capsys):
    overlapping = _write(
        tmp_path / "overlap.json", {**T4_FROM_JULY, "effective_from": "2014-12-29"}
    )
    code = main(
        [
            "check",
            "--store",
            letters_store,
            "--ruleset",
            "customer-service-standards",
            "--ruleset",
            overlapping,
        ]
    )
    assert code == 2
    assert "both take effect on 29 Dec 2014" in capsys.readouterr().err


class _Pager:
    def __init__(self) -> None:
        self.received: list[qse.notifiers.Notification] = []

    @qse.hookimpl
    def qse_notify(self, notification: qse.notifiers.Notification) -> None:
        self.received.append(notification)


def test_notify_due_notifies_each_breach_under_the_version_that_found_it():
    store = qse.stores.MemoryStore()
    store.save_many(
        [
            letter(
                1, datetime(2026, 6, 8, 10, tzinfo=LONDON), datetime(2026, 6, 12, 10, tzinfo=LONDON)
            ),
            letter(
                2, datetime(2026, 7, 6, 10, tzinfo=LONDON), datetime(2026, 7, 10, 10, tzinfo=LONDON)
            ),
        ],
        legacy=True,
    )
    pager = _Pager()
    manager = qse.plugins.QSEPluginManager(builtins=False, entry_points=False)
    manager.register(pager, "pager")
    sent = qse.notifiers.notify_due(
        store, ["customer-service-standards", T4_FROM_JULY], calendar=LAB, at=AT, manager=manager
    )
    assert [(n.rule_id, n.record_id) for n in sent.new] == [("T-4", "L-2")]
    assert len(pager.received) == 1


def test_explain_shows_the_rule_as_the_version_that_judged_the_record_wrote_it(
    letters_store, tmp_path, capsys
):
    later = _write(tmp_path / "css-2026-07.json", T4_FROM_JULY)
    versions = ["--ruleset", "customer-service-standards", "--ruleset", later]
    for record, version, words in (
        ("L-1", SHIPPED_VERSION, "5 working days"),
        ("L-2", "2026.2", "3 working"),
    ):
        code = main(
            [
                "explain",
                "T-4",
                record,
                "--store",
                letters_store,
                *versions,
                "--at",
                "2026-09-01T12:00",
            ]
        )
        assert code == 0
        out = capsys.readouterr().out
        assert f"Ruleset:  customer-service-standards {version}" in out
        assert words in out.split("Rule:", 1)[1].splitlines()[0]
