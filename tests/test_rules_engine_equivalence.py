"""The engine's fast path (``check``: generated loop, event programs, counted signatures) gives
the same report as the plain one (``check(engine="plain")``: each rule's own check on each record)
and the same counts and findings as the stream (``evaluate``), for both shipped rulesets and for
random mixes of the rule kinds it fuses."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core.complaint import COMPLAINT_LIFECYCLE
from qse_customer.core.timestamps import to_us
from qse_customer.rules import Status, compile_ruleset, load_ruleset, merge_rulesets
from qse_customer.rules._codegen import EventProgram
from qse_customer.rules._timeline import Timeline
from qse_customer.rules.kind_protocol import Env
from qse_customer.testing.strategies import aware_datetimes, complaints, histories, records

LAB = qse.WorkingCalendar(timezone="Europe/London", opens="08:00", closes="17:00")
SHIPPED = ("qse2-responsibility", "customer-service-standards")
COMPILED = {name: compile_ruleset(name, calendar=LAB) for name in SHIPPED} | {
    "both": compile_ruleset(
        merge_rulesets("both", "1", [load_ruleset(name) for name in SHIPPED]), calendar=LAB
    )
}
STEPS = sorted(COMPLAINT_LIFECYCLE.kinds)
EVERY = tuple(Status)
moments = st.one_of(
    st.just(datetime(2100, 1, 1, tzinfo=UTC)),
    aware_datetimes(datetime(2000, 1, 1), datetime(2095, 1, 1)),
)


def counts_from_findings(findings: list[Any]) -> dict[str, Counter[Status]]:
    """Per rule, how many findings of each status."""
    tally: dict[str, Counter[Status]] = {}
    for finding in findings:
        tally.setdefault(finding.rule_id, Counter())[finding.status] += 1
    return tally


def assert_same(compiled: Any, batch: list[Any], at: datetime, period: str) -> None:
    """check (every status kept), check on the plain path and evaluate agree on every count and
    every finding."""
    streamed = list(compiled.evaluate(batch, at=at, period=period))
    report = compiled.check(batch, at=at, period=period, keep=EVERY, max_findings=10**6)
    plain = compiled.check(
        batch, at=at, period=period, keep=EVERY, max_findings=10**6, engine="plain"
    )
    assert report.to_dict() == plain.to_dict()
    assert [f.to_dict() for f in report.findings] == [f.to_dict() for f in streamed]
    expected = counts_from_findings(streamed)
    for summary in report.rules:
        want = expected.get(summary.rule_id, Counter())
        assert {s: summary.counts.count(s) for s in Status} == {s: want[s] for s in Status}
        by_period: dict[str, Counter[Status]] = {}
        for finding in streamed:
            if finding.rule_id == summary.rule_id:
                by_period.setdefault(finding.period, Counter())[finding.status] += 1
        for row in summary.periods:
            assert {s: row.counts.count(s) for s in Status} == {
                s: by_period[row.period][s] for s in Status
            }
    # The default report keeps breached and at risk, in the same order as the stream.
    default = compiled.check(batch, at=at, period=period)
    kept = [f for f in streamed if f.status in (Status.BREACHED, Status.AT_RISK)]
    assert [f.to_dict() for f in default.findings] == [f.to_dict() for f in kept[:10_000]]
    # The default report (not applicable not kept: the applicable rules are looked up once
    # per combination of the fields their conditions read) counts as the plain path does.
    assert (
        default.to_dict() == compiled.check(batch, at=at, period=period, engine="plain").to_dict()
    )
    # A report that keeps few findings counts the rest alike on both paths.
    few = {"keep": EVERY, "max_findings": 2}
    fast = compiled.check(batch, at=at, period=period, **few)
    assert (
        fast.to_dict()
        == compiled.check(batch, at=at, period=period, engine="plain", **few).to_dict()
    )


@settings(max_examples=60)
@given(
    st.lists(records(), max_size=6),
    moments,
    st.sampled_from(sorted(COMPILED)),
    st.sampled_from(["week", "month", "quarter", "year"]),
)
def test_check_and_evaluate_agree_on_the_shipped_rulesets(batch, at, name, period):
    assert_same(COMPILED[name], batch, at, period)


@settings(max_examples=40)
@given(st.lists(complaints(), min_size=1, max_size=6), moments)
def test_check_and_evaluate_agree_on_complaints(batch, at):
    assert_same(COMPILED["both"], batch, at, "month")


role_names = st.lists(st.sampled_from([r.value for r in qse.Role]), min_size=1, unique=True)
conditions = st.sampled_from([{}, {"anonymous": False}, {"anonymous": True}, {"channel": "email"}])


@st.composite
def mixed_cases(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[Any]]:
    """Responsibility and required_step rules (with and without a limit) on complaints, and
    complaints whose later events are of a few kinds the rules name (so they meet often)."""
    pool = draw(st.lists(st.sampled_from(STEPS), min_size=2, max_size=4, unique=True))
    kinds = st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True)
    rules = []
    for number in range(draw(st.integers(1, 6))):
        where = draw(conditions)
        if draw(st.booleans()):
            params: dict[str, Any] = {
                "events": draw(kinds),
                "roles": draw(role_names),
                "actor_required": draw(st.booleans()),
            }
            kind = "responsibility"
        else:
            requires = draw(st.lists(kinds.map(lambda k: k if len(k) > 1 else k[0]), min_size=1))
            params = {"when": draw(kinds), "requires": requires}
            if draw(st.integers(0, 3)) == 0:
                params["within"] = {"working_days": draw(st.integers(0, 5))}
            kind = "required_step"
        applies: dict[str, Any] = {"record_type": "complaint"}
        if where:
            applies["where"] = where
        rules.append(
            {
                "id": f"X-{number}",
                "title": "a rule",
                "kind": kind,
                "source": {"document": "test.txt"},
                "applies_to": applies,
                "params": params,
            }
        )
    later = [kind for kind in pool if kind not in COMPLAINT_LIFECYCLE.opening]
    batch = draw(
        st.lists(
            complaints().flatmap(lambda c: histories(c, kinds=later)) if later else complaints(),
            min_size=1,
            max_size=5,
        )
    )
    return rules, batch


@settings(max_examples=80)
@given(mixed_cases(), moments)
def test_a_fused_program_agrees_with_each_rules_own_check(case, at):
    rules, batch = case
    compiled = compile_ruleset({"name": "mix", "version": "1", "rules": rules}, calendar=LAB)
    assert_same(compiled, batch, at, "month")
    program = compiled.plans["complaint"].program
    if program is None:  # only required_step rules with a limit: nothing to fuse
        assert all("within" in rule["params"] for rule in rules)
    else:
        assert isinstance(program, EventProgram)


@given(aware_datetimes(datetime(1000, 1, 1), datetime(9999, 12, 30)))
def test_messages_show_times_as_strftime_does(moment):
    at = datetime(2100, 1, 1, tzinfo=UTC)
    env = Env(at, to_us(at), LAB, {"": Timeline(LAB)})
    # Through UTC: a time inside a clock-change gap is shown as the instant it denotes.
    local = moment.astimezone(UTC).astimezone(env.zone)
    assert env.show(to_us(moment)) == local.strftime("%a %d %b %Y %H:%M %Z")
    assert env.show_day(to_us(moment)) == local.strftime("%a %d %b %Y")


@settings(max_examples=20)
@given(st.lists(records(), max_size=6), moments)
def test_the_plain_path_through_the_package_and_ruleset_versions(batch, at):
    versions = [
        {**document, "version": version, "effective_from": start, "effective_until": until}
        for document in [load_ruleset("qse2-responsibility").to_dict()]
        for version, start, until in [("1", None, "2025-12-31"), ("2", "2026-01-01", None)]
    ]
    for ruleset in ("customer-service-standards", versions):
        fast = qse.check(batch, ruleset, calendar=LAB, at=at, keep=EVERY)
        plain = qse.check(batch, ruleset, calendar=LAB, at=at, keep=EVERY, engine="plain")
        assert fast.to_dict() == plain.to_dict()


def test_an_unknown_engine_is_refused():
    with pytest.raises(qse.ValidationError, match=r"engine.*fast, plain"):
        qse.check(
            [],
            "qse2-responsibility",
            calendar=LAB,
            at=datetime(2026, 1, 1, tzinfo=UTC),
            engine="quick",
        )


SCALARS = st.sampled_from([True, False, 1, 0, 1.0, "1", "true", "telephone", None])
CHANNELS = st.sampled_from(["telephone", "voicemail", "email", "letter", "web", "form"])


def where_conditions(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A ``where`` condition: a value, or in / not / not_in."""
    return st.one_of(
        values,
        st.fixed_dictionaries({"in": st.lists(values, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"not": values}),
        st.fixed_dictionaries({"not_in": st.lists(values, min_size=1, max_size=3)}),
    )


@st.composite
def conditional_cases(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[Any]]:
    """Response-time and value-limit rules with random conditions (booleans beside numbers and
    strings that equal them), and enquiries and measurements whose fields meet some of them."""
    base = {r["id"]: r for r in load_ruleset("customer-service-standards").to_dict()["rules"]}
    rules = []
    for number in range(draw(st.integers(1, 5))):
        where = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "channel": where_conditions(CHANNELS),
                    "clinical": where_conditions(st.booleans()),
                    "complex": where_conditions(st.booleans()),
                    "site": where_conditions(st.sampled_from(["1", "true", "Main"])),
                },
            )
        )
        rule = base["T-1"] | {"id": f"E-{number}"}
        rules.append(rule | {"applies_to": {"record_type": "enquiry", "where": where}})
    for number in range(draw(st.integers(0, 3))):
        where = draw(
            st.fixed_dictionaries({}, optional={"attributes.flag": where_conditions(SCALARS)})
        )
        rule = base["T-7"] | {"id": f"M-{number}"}
        rules.append(rule | {"applies_to": {"record_type": "measurement", "where": where}})
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    staff = qse.Actor("s-1", "Sam Staff", qse.Role.TECHNOLOGIST)
    batch: list[Any] = []
    for number in range(draw(st.integers(0, 12))):
        fields = {
            "channel": draw(CHANNELS),
            "clinical": draw(st.booleans()),
            "complex": draw(st.booleans()),
            "site": draw(st.sampled_from([None, "1", "true", "Main"])),
        }
        batch.append(qse.Enquiry.receive(id=f"Q-{number}", at=at, by=staff, **fields))
        flag = draw(st.sampled_from([{}, *({"flag": v} for v in (True, False, 1, 0, 1.0, "1"))]))
        batch.append(
            qse.Measurement.record(
                id=f"M-{number}", at=at, by=staff, measure="telephone_rings",
                value=draw(st.integers(0, 6)), unit="rings", attributes=flag,
            )
        )  # fmt: skip
    return rules, batch


@settings(max_examples=60)
@given(conditional_cases())
def test_rules_chosen_by_their_conditions_agree_with_each_rules_own_check(case):
    rules, batch = case
    compiled = compile_ruleset({"name": "where", "version": "1", "rules": rules}, calendar=LAB)
    assert_same(compiled, batch, datetime(2026, 4, 1, tzinfo=UTC), "month")
