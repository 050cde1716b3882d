"""Finding messages in the lab's language (docs/i18n.md): a finding the engine made is explained
again, from start to end, in the report's language; the rule titles and clauses quoted from the
source documents, record ids, event kinds and other data stay as they are; the English message
and the evidence do not change."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core.translation import translator
from qse_customer.reports import build_report, records_of_sequence, render_json, render_text
from qse_customer.rules.engine import compile_ruleset
from qse_customer.rules.findings import Finding, Message, in_locale
from qse_customer.testing.strategies import (
    complaints,
    enquiries,
    measurements,
    referrals,
    surveys,
)

FR = translator("fr")
EN = translator("en")
LONDON = qse.WorkingCalendar(timezone="Europe/London", opens="09:00", closes="17:00")
MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)

# English words of the message templates that a French message must not hold once the data in
# it (ids, event kinds, names, roles, field names, clauses) is taken out.
ENGLISH = re.compile(
    r"\b(the|was|were|within|after|before|by|on|of|and|or|no|not|is|has|still|working|day|days|"
    r"hours?|deadline|clock|limit|stopped|started|received|paused|running|left|ago|must|one|"
    r"every|which|who|from|until|only|between|at least|at most)\b"
)

KINDS_DONE = frozenset(
    {
        "response_time",
        "responsibility",
        "required_step",
        "recorded_details",
        "impartiality",
        "value_limit",
        "frequency",
        "threshold",
    }
)
"""The rule kinds whose messages are translated from start to end."""


def leftovers(message: str, data: Iterable[str]) -> list[str]:
    """The English template words left in a French ``message`` once ``data`` is taken out."""
    text = re.sub(r"(?<!\w)'[^'\s]*'(?!\w)", " ", message)  # a quoted value or key is data
    for item in sorted({d for d in data if d}, key=len, reverse=True):
        text = re.sub(rf"(?<![\w]){re.escape(item)}(?![\w])", " ", text)
    return ENGLISH.findall(text)


def data_of(finding: Finding, record: qse.Record | None) -> set[str]:
    """What a message may quote as it is: the clause, ids, event kinds, people, roles, fields."""
    data = {finding.rule_id, finding.source, finding.record_id or "", finding.ruleset}
    if record is not None:
        data |= {record.id, record.TYPE}
        for event in record.events:
            data.add(event.kind)
            if event.actor is not None:
                data |= {event.actor.name, event.actor.id, event.actor.role.value}
            data |= {str(key) for key in event.data}
    return data


def kinds_of(ruleset: str) -> dict[str, str]:
    loaded = qse.load_ruleset(ruleset)
    return {rule.id: rule.kind for rule in loaded.rules}


def test_a_finding_message_in_english_is_a_message_that_reads_as_before() -> None:
    call = qse.Enquiry.receive(id="ENQ-2", at=MONDAY, by=STAFF, channel="telephone").add(
        "responded", at=MONDAY + timedelta(days=6), by=STAFF
    )
    compiled = compile_ruleset("customer-service-standards", calendar=LONDON)
    (finding,) = [
        f for f in compiled.evaluate([call], at=MONDAY + timedelta(days=15)) if f.rule_id == "T-1"
    ]
    message = finding.message
    assert isinstance(message, Message)
    assert message.in_locale(EN) == message == str(message)
    assert json.dumps(message) == json.dumps(str(message))
    french = in_locale(message, FR)
    assert french is not None
    assert french.startswith("T-1 non respecté (003_1901d489df2c6a2b.txt §3.1.3) : le délai a ")
    assert "3 jours 16 h 00 min (16 h 00 min de temps ouvré) après l'échéance" in french
    assert "lun. 05 janv. 2026 09:00 GMT" in french
    assert leftovers(french, data_of(finding, call)) == []
    assert in_locale("a plain string", FR) is None


def test_the_evidence_and_the_english_report_do_not_change_with_the_locale() -> None:
    calls = [
        qse.Enquiry.receive(id=f"ENQ-{n}", at=MONDAY, by=STAFF, channel="telephone").add(
            "responded", at=MONDAY + after, by=STAFF
        )
        for n, after in ((1, timedelta(hours=3)), (2, timedelta(days=6)))
    ]
    report = build_report(
        records_of_sequence(calls),
        [qse.load_ruleset("customer-service-standards")],
        calendar=LONDON,
        at=datetime(2026, 1, 20, 12, tzinfo=UTC),
    )
    english = json.loads(render_json(report))
    french = json.loads(render_json(report, locale="fr"))
    for en, fr in zip(english["breaches"], french["breaches"], strict=True):
        assert {**en, "message": None} == {**fr, "message": None}
        assert en["message"] != fr["message"]
    assert "le délai a commencé" in render_text(report, locale="fr")
    # A report read back from JSON has no engine behind it: only the verdict is translated.
    again = json.loads(render_json(report))
    assert json.loads(render_json(again, locale="fr"))["breaches"][0]["message"].startswith(
        "T-1 non respecté (003_1901d489df2c6a2b.txt §3.1.3) : the clock started"
    )


def test_a_pickled_message_is_the_english_string() -> None:
    import pickle

    message = Message("T-1 met (x): fine.", lambda t: "traduit")
    assert message.in_locale(FR) == "traduit"
    copy = pickle.loads(pickle.dumps(message))
    assert copy == message
    assert type(copy) is str


def _checked(records: list[qse.Record], ruleset: str, at: datetime) -> None:
    kinds = kinds_of(ruleset)
    compiled = compile_ruleset(ruleset, calendar=LONDON)
    by_id = {record.id: record for record in records}
    for finding in compiled.evaluate(records, at=at):
        kind = kinds.get(finding.rule_id)
        english = finding.message
        french = in_locale(english, FR)
        assert french is not None, finding
        assert french != english
        assert english.in_locale(EN) == english
        if kind in KINDS_DONE:
            record = by_id.get(finding.record_id) if finding.record_id else None
            data = data_of(finding, record)
            assert leftovers(english, data), english  # the check sees English words
            assert leftovers(french, data) == [], (kind, french)
            event(f"{kind} explained in French")


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(enquiries(), complaints(), referrals(), measurements(), surveys()),
        max_size=6,
        unique_by=lambda r: r.id,
    ),
    st.integers(0, 60 * 24 * 3600),
)
def test_every_french_finding_message_of_a_translated_kind_has_no_english_left(
    records: list[qse.Record], seconds: int
) -> None:
    if not records:
        return
    at = max(record.last_event_at for record in records) + timedelta(seconds=seconds)
    for ruleset in (
        "customer-service-standards",
        "complaints-handling",
        "improvement-referrals",
        "qse2-responsibility",
    ):
        _checked(records, ruleset, at)


def _measurement(number: int, at: datetime, value: float) -> qse.Record:
    return qse.Measurement.record(
        id=f"M-{number}", at=at, by=None, measure="telephone_rings", value=value, unit="rings"
    )


def _explained(records: list[qse.Record], rules: list[dict[str, object]], at: datetime) -> dict:
    loaded = qse.load_ruleset({"name": "lab", "version": "1", "rules": rules})
    compiled = compile_ruleset(loaded, calendar=LONDON)
    by_id = {record.id: record for record in records}
    found: dict[str, list[str]] = {}
    for finding in compiled.evaluate(records, at=at):
        french = in_locale(finding.message, FR)
        assert french is not None
        record = by_id.get(finding.record_id) if finding.record_id else None
        data = data_of(finding, record) | {"telephone_rings", "rings", "value", "category"}
        assert leftovers(finding.message, data), finding.message
        assert leftovers(french, data) == [], french
        found.setdefault(finding.rule_id, []).append(french)
    return found


def test_value_limits_and_every_threshold_aggregate_read_in_french() -> None:
    source = {"document": "test.txt", "section": "§1"}
    base = {"title": "a rule", "source": source, "applies_to": {"record_type": "measurement"}}
    month = {"period": "month", "field": "value"}

    def rule(rule_id: str, kind: str, **params: object) -> dict[str, object]:
        return {**base, "id": rule_id, "kind": kind, "params": params}

    rules = [
        rule("V", "value_limit", field="value", at_most=3),
        rule("W", "value_limit", field="value", at_least=1),
        rule("N", "threshold", period="month", aggregate="count", at_most=2),
        rule("S", "threshold", **month, aggregate="sum", at_most=4),
        rule("M", "threshold", **month, aggregate="mean", at_most=3, min_count=5),
        rule("P", "threshold", period="quarter", aggregate="share_met", rule="V", at_least=0.9),
        rule(
            "D",
            "threshold",
            period="year",
            aggregate="share_of_period",
            field="value",
            unit="minutes",
            at_most=0.01,
        ),
    ]
    records = [
        _measurement(k, datetime(2026, 1, 5 + k, 10, tzinfo=UTC), value)
        for k, value in enumerate((1, 5, 2.5, 0))
    ]
    found = _explained(records, rules, datetime(2026, 6, 1, tzinfo=UTC))
    assert set(found) == {"V", "W", "N", "S", "M", "P", "D"}
    assert any("5 rings le " in m and "la norme est au plus 3 rings" in m for m in found["V"])
    assert any("2,5 rings" in m for m in found["V"])
    assert any("trop peu pour juger (au moins 5 nécessaires)" in m for m in found["M"])
    assert any("4 enregistrements" in m for m in found["S"])


def test_a_recurrence_threshold_reads_in_french() -> None:
    rule = {
        "id": "K-REC",
        "title": "a threshold",
        "source": {"document": "test.txt", "section": "§2"},
        "kind": "threshold",
        "applies_to": {"record_type": "complaint"},
        "params": {
            "period": "month",
            "aggregate": "recurrence",
            "recurrence": {"threshold": 2, "window_days": 30},
            "at_most": 0,
        },
    }
    complaints_ = [
        qse.Complaint.receive(
            id=f"C-{n}",
            at=datetime(2026, 3, 2 + n, 10, tzinfo=UTC),
            by=STAFF,
            channel="telephone",
            category="delay",
            customer_group="GP",
        )
        for n in range(4)
    ]
    found = _explained(complaints_, [rule], datetime(2026, 6, 1, tzinfo=UTC))
    (breach,) = [m for m in found["K-REC"] if "non respecté" in m]
    assert "réclamations (category 'delay', customer_group 'GP') en 30 jours," in breach


def test_frequency_and_impartiality_read_in_french() -> None:
    manager = qse.Actor("q-1", "Quinn Quality", qse.Role.QUALITY_MANAGER)
    survey = (
        qse.Survey.create(
            id="S-1",
            at=datetime(2025, 1, 6, 10, tzinfo=UTC),
            by=manager,
            title="Users' survey",
            audience="external",
            instrument="generic-satisfaction",
        )
        .add("approved", at=datetime(2025, 1, 7, 10, tzinfo=UTC), by=manager)
        .add("conducted", at=datetime(2025, 2, 3, 10, tzinfo=UTC), by=manager)
    )
    complaint = (
        qse.Complaint.receive(
            id="C-1",
            at=MONDAY,
            by=STAFF,
            channel="telephone",
            category="delay",
            people_involved=("t-1",),
        )
        .add("acknowledged", at=MONDAY + timedelta(hours=1), by=manager)
        .add("investigation_started", at=MONDAY + timedelta(hours=2), by=STAFF)
    )
    at = datetime(2026, 6, 1, tzinfo=UTC)
    standards = kinds_of("customer-service-standards")
    compiled = compile_ruleset("customer-service-standards", calendar=LONDON)
    frequency = [
        f for f in compiled.evaluate([survey], at=at) if standards[f.rule_id] == "frequency"
    ]
    french = [in_locale(f.message, FR) for f in frequency]
    assert any(m and "au moins 1 par an est exigé" in m and "S-1 le " in m for m in french)
    assert any(m and "aucun événement conducted sur un enregistrement avec" in m for m in french)
    for finding, message in zip(frequency, french, strict=True):
        assert message is not None
        assert leftovers(message, data_of(finding, survey) | {"audience"}) == []
    handling = kinds_of("complaints-handling")
    compiled = compile_ruleset("complaints-handling", calendar=LONDON)
    (impartial,) = [
        f for f in compiled.evaluate([complaint], at=at) if handling[f.rule_id] == "impartiality"
    ]
    message = in_locale(impartial.message, FR)
    assert message is not None
    assert "qui fait partie des personnes impliquées dans la réclamation" in message
    assert "personnes impliquées (people_involved) : 1 personne" in message
    assert leftovers(message, data_of(impartial, complaint) | {"people_involved"}) == []


def test_the_engines_own_words_read_in_french() -> None:
    """Out of force, a reopened record's cycle, and a back-dated event."""
    document = qse.load_ruleset("customer-service-standards").to_dict()
    document.pop("effective_from", None)
    ruleset = qse.load_ruleset({**document, "effective_from": "2026-03-01"})
    early = qse.Enquiry.receive(id="L-1", at=MONDAY, by=STAFF, channel="letter").add(
        "responded", at=MONDAY + timedelta(days=1), by=STAFF
    )
    compiled = compile_ruleset(ruleset, calendar=LONDON)
    at = datetime(2026, 6, 1, tzinfo=UTC)
    (out,) = [f for f in compiled.evaluate([early], at=at) if f.rule_id == "T-4"]
    french = in_locale(out.message, FR)
    assert french is not None
    assert french.startswith("T-4 sans objet (")
    assert "la demande : ouverture (received) le lun. 05 janv. 2026" in french
    assert (
        "avant l'entrée en vigueur du référentiel customer-service-standards le 01 mars 2026"
        in (french)
    )
    assert leftovers(french, data_of(out, early)) == []
    march = datetime(2026, 3, 2, 9, tzinfo=UTC)

    def days(n: int) -> timedelta:
        return timedelta(days=n)

    email = (
        qse.Enquiry.receive(id="E-2", at=march, by=STAFF, channel="email")
        .add("responded", at=march + timedelta(hours=4), by=STAFF)
        .add("closed", at=march + timedelta(hours=5), by=STAFF)
        .add("reopened", at=march + timedelta(days=3), by=STAFF)
    )
    late = qse.Enquiry(
        id="E-3",
        channel="email",
        events=(
            qse.Event("received", march, STAFF, recorded_at=march),
            qse.Event("responded", march + timedelta(hours=2), STAFF, recorded_at=march + days(9)),
        ),
    )
    compiled = compile_ruleset("customer-service-standards", calendar=LONDON)
    found = {f.record_id: f for f in compiled.evaluate([email, late], at=at) if f.rule_id == "T-5"}
    cycle = in_locale(found["E-2"].message, FR)
    assert cycle is not None
    assert "cycle 2 sur 2 (réouverture le jeu. 05 mars 2026 09:00 GMT) : " in cycle
    assert leftovers(cycle, data_of(found["E-2"], email)) == []
    backdated = in_locale(found["E-3"].message, FR)
    assert backdated is not None
    assert " Antidaté : responded du lun. 02 mars 2026 11:00 GMT saisi 7 jours ouvrés après" in (
        backdated
    )
    assert leftovers(backdated, data_of(found["E-3"], late)) == []
