"""An anonymous complaint never reveals who made it, nor what they wrote: not in a report (text,
JSON, HTML), the management review packet, a notification (logging, file outbox, SMTP), a log
line, ``explain``, an error message, and not in an export unless the free text is asked for.

First what the records refuse (issue 14 item 4 and issue 13 "Privacy"): event data is checked
against an allow-list of fields that identify no one, and no event on an anonymous complaint is
by someone outside the laboratory. Then the follow-up token, the export, and error messages.

Last, every output at once: each anonymous complaint carries unique markers in every free-text
place the model allows (summary, event notes, the people involved) and a follow-up token; each
named complaint in the same store carries its submitter's name, contact and customer id (and the
customer as the actor of two steps). The library checks the store, notifies through the logging,
file outbox and SMTP notifiers, builds every report format and the review packet, runs
``check``, ``explain``, ``export`` and a failing ``import`` from the command line, with every log
line captured at DEBUG. The markers and the token appear nowhere but in the complaint's own
record (the token not even there: only its digest); the named complaints' identities appear where
they are expected, which proves the search would catch a leak.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.cli.main import main
from qse_customer.core.anonymous_data import IDENTIFYING_STEMS, SHIPPED
from qse_customer.notifiers import FileOutboxNotifier, Notification, send
from qse_customer.notifiers.delivery import notify_due
from qse_customer.notifiers.smtp import SMTPNotifier, SMTPSettings
from qse_customer.plugins import QSEPluginManager
from qse_customer.reports import (
    build_report,
    records_of_sequence,
    render_json,
    render_text,
)
from qse_customer.reports import render_html as render_html_report
from qse_customer.stores import SQLiteStore
from qse_customer.testing.servers import smtp_server as start_smtp_server
from qse_customer.testing.strategies import complaints

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=60)
CALENDAR = qse.WorkingCalendar(timezone="Europe/London", opens="09:00", closes="17:00")
STAFF = qse.Actor("qm-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)
CLOCKS = {
    "name": "clocks",
    "version": "1",
    "rules": [
        {
            "id": "K-ACK",
            "title": "Complaints acknowledged within 2 working days",
            "kind": "response_time",
            "source": {"document": "lab procedure", "section": "4.2"},
            "applies_to": {"record_type": "complaint"},
            "params": {
                "start": ["received"],
                "stop": ["acknowledged"],
                "limit": {"working_days": 2},
            },
        }
    ],
}
RULESETS = ("qse2-responsibility", "customer-service-standards", CLOCKS)

ISSUE_14_KEYS = (
    "Name",
    "EMAIL",
    "e-mail",
    "patient_name",
    "phone_number",
    "dob",
    "nhs",
    "caller",
    "reported_by",
    "reporter",
)
"""The keys issue 14 (item 4) and issue 13 found passing the old block-list."""


def anonymous(record_id: str = "A-1", **fields: Any) -> qse.Complaint:
    return qse.Complaint.receive(
        id=record_id, at=T0, by=STAFF, channel="form", category="tat", anonymous=True, **fields
    )


@pytest.fixture
def lab_fields() -> Iterator[None]:
    """Whatever a test adds to the allow-list is taken off again afterwards."""
    before = set(qse.anonymous_data_fields())
    yield
    for key in set(qse.anonymous_data_fields()) - before:
        qse.revoke_anonymous_data(key)


# -- what the records refuse ------------------------------------------------------------------


def test_an_anonymous_complaint_refuses_every_identity() -> None:
    with pytest.raises(qse.PrivacyError):
        anonymous(submitter=qse.Submitter(name="Ann"))
    complaint = anonymous()
    customer = qse.Actor("cust-1", "Ann Example", qse.Role.CUSTOMER)
    with pytest.raises(qse.PrivacyError):
        complaint.add("note_added", at=T0, by=customer)
    for key in ("name", "contact", "email", "phone", "customer_id", "nhs_number"):
        with pytest.raises(qse.PrivacyError):
            complaint.add("note_added", at=T0, by=STAFF, **{key: "Ann"})
    document = qse.to_dict(complaint)
    with pytest.raises(qse.ValidationError):
        qse.from_dict({**document, "submitter": {"name": "Ann"}})


@pytest.mark.parametrize("key", ISSUE_14_KEYS)
def test_issue_14_item_4_keys_the_block_list_let_through_are_refused(key: str) -> None:
    with pytest.raises(qse.PrivacyError) as refused:
        anonymous().add("note_added", at=T0, by=STAFF, **{key: "Ann Onymous 07700 900123"})
    assert "Ann Onymous" not in str(refused.value) and "07700" not in str(refused.value)
    assert refused.value.path == f"$.events[1].data.{key}"


def test_issue_14_item_4_a_nested_email_is_refused() -> None:
    with pytest.raises(qse.PrivacyError, match=r"data\.details: not allowed") as refused:
        anonymous().add("note_added", at=T0, by=STAFF, details={"email": "ann@example.org"})
    assert "ann@example.org" not in str(refused.value)


def test_issue_14_item_4_the_same_keys_are_refused_on_import_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    document = qse.to_dict(anonymous())
    document["events"].append(
        {"kind": "note_added", "at": T0.isoformat(), "data": {"Name": "Ann Onymous"}}
    )
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(document) + "\n")
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    code, out, err = run_cli("import", "--store", url, str(source))
    assert code == 2, out + err
    assert "$.events[1].data.Name: not allowed on an anonymous complaint" in err
    assert "Ann Onymous" not in out + err
    with qse.open_store(url) as store:
        assert store.count("complaint") == 0


@pytest.mark.parametrize("role", [qse.Role.RECIPIENT_MANAGEMENT, qse.Role.CUSTOMER])
def test_issue_14_item_4_an_external_role_named_jane_doe_is_refused(role: qse.Role) -> None:
    jane = qse.Actor("rm-1", "Jane Doe", role)
    with pytest.raises(qse.PrivacyError, match="outside the laboratory") as refused:
        anonymous().add("note_added", at=T0 + timedelta(hours=1), by=jane)
    assert "Jane Doe" not in str(refused.value) and refused.value.path == "$.events[1].actor"
    with pytest.raises(qse.PrivacyError):
        qse.Complaint.receive(
            id="A-2", at=T0, by=jane, channel="form", category="tat", anonymous=True
        )
    document = qse.to_dict(anonymous())
    document["events"].append(
        {
            "kind": "investigation_started",
            "at": T0.isoformat(),
            "actor": {"id": "rm-1", "name": "Jane Doe", "role": role.value},
        }
    )
    with pytest.raises(qse.ValidationError) as invalid:
        qse.from_dict(document)
    assert [error.path for error in invalid.value.errors] == ["$.events[1].actor"]
    assert "Jane Doe" not in str(invalid.value)


def test_lab_staff_and_automatic_steps_are_still_recorded() -> None:
    complaint = anonymous().add("acknowledged", at=T0 + timedelta(hours=1))
    for role in qse.Role:
        if role in (qse.Role.RECIPIENT_MANAGEMENT, qse.Role.CUSTOMER):
            continue
        complaint = complaint.add(
            "note_added", at=complaint.last_event_at, by=qse.Actor("s", "Sam Staff", role)
        )
    assert len(complaint.events) == 2 + len(qse.Role) - 2


def test_the_shipped_allow_list_is_what_the_library_reads() -> None:
    assert set(SHIPPED) == {"until"} and set(qse.anonymous_data_fields()) >= {"until"}
    complaint = anonymous()
    for value in ("2026-03-01", "2026-03-01T17:00:00+00:00", None):
        complaint = complaint.add("note_added", at=T0, by=STAFF, until=value)
    for value in ("2026-03-01T17:00:00", "next Tuesday, ask Ann", 5, {"date": "2026-03-01"}):
        with pytest.raises(qse.PrivacyError, match=r"data\.until: expected a date") as refused:
            complaint.add("note_added", at=T0, by=STAFF, until=value)
        assert "Ann" not in str(refused.value)


def test_a_lab_adds_a_field_of_its_own(lab_fields: None) -> None:
    capa = qse.AnonymousDataField(
        "action_ref",
        "reference",
        "the corrective action it started, in the lab's own numbering",
        pattern=r"CAPA-\d{4}-\d{3}",
    )
    assert qse.allow_anonymous_data(capa) is capa
    assert qse.allow_anonymous_data(capa) is capa  # allowing it again changes nothing
    outcome = qse.AnonymousDataField(
        "resolution", "choice", "how the complaint was resolved", choices=("upheld", "not_upheld")
    )
    qse.allow_anonymous_data(outcome)
    complaint = anonymous().add(
        "corrective_action_initiated",
        at=T0,
        by=STAFF,
        action_ref="CAPA-2026-014",
        resolution="upheld",
    )
    assert complaint.events[-1].data["action_ref"] == "CAPA-2026-014"
    bad = ({"action_ref": "Jane Doe"}, {"action_ref": "CAPA-2026-014 Jane"})
    for data in (*bad, {"resolution": "Jane"}):
        with pytest.raises(qse.PrivacyError) as refused:
            complaint.add("note_added", at=T0, by=STAFF, **data)
        assert "Jane" not in str(refused.value)
    with pytest.raises(qse.ValidationError, match="already allowed"):
        qse.allow_anonymous_data(attrs.evolve(capa, pattern=r"CAPA-\d+"))
    qse.revoke_anonymous_data("action_ref")
    with pytest.raises(qse.PrivacyError):
        anonymous().add("note_added", at=T0, by=STAFF, action_ref="CAPA-2026-014")
    with pytest.raises(qse.ValidationError, match="shipped"):
        qse.revoke_anonymous_data("until")


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"key": "caller_ref"}, "caller"),
        ({"key": "patient"}, "patient"),
        ({"key": "email_hash"}, "mail"),
        ({"key": "Outcome"}, "snake_case"),
        ({"pattern": ".*"}, "accepts 'Jane Doe'"),
        ({"pattern": "[A-Za-z .@]+"}, "accepts"),
        ({"pattern": r"\d+"}, "accepts"),
        ({"pattern": "("}, "not a regular expression"),
        ({"shape": "text"}, "unknown shape"),
        ({"shape": "choice"}, "needs a list of codes"),
    ],
)
def test_a_lab_cannot_allow_a_field_that_could_identify(
    changes: dict[str, Any], match: str
) -> None:
    fields = {"key": "capa", "shape": "reference", "purpose": "x", "pattern": r"CAPA-\d{3}"}
    if changes.get("shape") == "choice":
        fields.pop("pattern")
    with pytest.raises(qse.ValidationError, match=match):
        qse.AnonymousDataField(**(fields | changes))


@given(
    key=st.text(min_size=1, max_size=30),
    value=st.text(alphabet="abcdefghij XYZ@.0123456789", min_size=1, max_size=20),
)
def test_any_key_off_the_allow_list_is_refused_without_quoting_its_value(
    key: str, value: str
) -> None:
    assume(key not in qse.anonymous_data_fields())
    secret = f"ZQV{value}"
    with pytest.raises(qse.PrivacyError) as refused:
        anonymous().add("note_added", at=T0, by=STAFF, **{key: secret})
    assert secret not in str(refused.value)


@st.composite
def identifying_keys(draw: st.DrawFn) -> str:
    """A key built around one of the stems that name someone, in any case and spelling."""
    stem = draw(st.sampled_from([*IDENTIFYING_STEMS, "e-mail", "reported_by", "nhs_number"]))
    stem = "".join(c.upper() if draw(st.booleans()) else c for c in stem)
    before = draw(st.sampled_from(["", "the_", "patient_", "Caller.", "x-"]))
    after = draw(st.sampled_from(["", "_1", "_name", "Ref", " (home)"]))
    return before + stem + after


@given(key=identifying_keys(), nested=st.booleans())
def test_any_identifying_key_is_refused_at_top_level_or_nested(key: str, nested: bool) -> None:
    data: dict[str, Any] = {"details": {key: "Ann"}} if nested else {key: "Ann"}
    with pytest.raises(qse.PrivacyError):
        anonymous().add("note_added", at=T0, by=STAFF, **data)
    with pytest.raises(qse.ValidationError):
        qse.AnonymousDataField(re.sub(r"[^a-z0-9_]", "_", key.lower()), "boolean", "x")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # allowing twice: a no-op
@given(number=st.integers(10**6, 10**12) | st.integers(-(10**12), -(10**6)))
def test_a_telephone_or_nhs_number_written_as_a_number_is_refused(
    lab_fields: None, number: int
) -> None:
    qse.allow_anonymous_data(qse.AnonymousDataField("days_open", "integer", "age in days"))
    anonymous().add("note_added", at=T0, by=STAFF, days_open=12)
    with pytest.raises(qse.PrivacyError, match="below 1,000,000"):
        anonymous().add("note_added", at=T0, by=STAFF, days_open=number)


# -- following a complaint with a pseudonymous token -------------------------------------------

TOKEN = "Zq3bW9xK2mP7rT5vY8nC1dF6"


def test_issue_13_an_anonymous_complainant_follows_their_complaint_with_a_token() -> None:
    complaint = anonymous("A-7", follow_up_token=TOKEN).add(
        "acknowledged", at=T0 + timedelta(hours=2), by=STAFF, note="called the ward, Ann said"
    )
    complaint = complaint.add("note_added", at=T0 + timedelta(hours=3), by=STAFF, note="more")
    store = qse.stores.MemoryStore()
    store.save_many(
        [complaint, anonymous("A-8", follow_up_token=TOKEN[::-1]), anonymous("A-9")], legacy=True
    )
    found = qse.find_by_follow_up(store.stream(qse.Complaint), TOKEN)
    assert found is not None and found.id == "A-7" and found.followed_by(TOKEN)
    view = qse.follow_up(found).to_dict()
    assert view == {
        "complaint_id": "A-7",
        "status": "acknowledged",
        "received_at": T0.isoformat(),
        "steps": [
            {"step": "received", "at": T0.isoformat()},
            {"step": "acknowledged", "at": (T0 + timedelta(hours=2)).isoformat()},
        ],
    }
    assert STAFF.name not in json.dumps(view) and "Ann" not in json.dumps(view)
    assert qse.find_by_follow_up(store.stream(qse.Complaint), "x" * 22) is None


def test_the_record_keeps_only_the_tokens_digest() -> None:
    complaint = anonymous(follow_up_token=TOKEN)
    assert complaint.follow_up_digest == qse.follow_up_digest(TOKEN)
    assert TOKEN not in qse.to_json(complaint) and TOKEN not in repr(complaint)
    assert qse.from_json(qse.to_json(complaint)) == complaint
    assert not anonymous().followed_by(TOKEN)


@pytest.mark.parametrize("token", ["short", "ann@example.org-1234567890", "Ann Onymous " * 3])
def test_a_token_that_could_identify_or_be_guessed_is_refused_without_quoting_it(
    token: str,
) -> None:
    with pytest.raises(qse.ValidationError, match="follow_up_token") as refused:
        anonymous(follow_up_token=token)
    assert token not in str(refused.value)
    with pytest.raises(qse.ValidationError):
        qse.find_by_follow_up([], token)


@given(tokens=st.lists(st.text("abcdefXYZ0123-_", min_size=22, max_size=40), unique=True))
def test_each_token_finds_its_own_complaint_and_no_other(tokens: list[str]) -> None:
    records = [anonymous(f"A-{n}", follow_up_token=token) for n, token in enumerate(tokens)]
    for n, token in enumerate(tokens):
        found = qse.find_by_follow_up(records, token)
        assert found is not None and found.id == f"A-{n}"


# -- the export --------------------------------------------------------------------------------


def test_issue_13_an_export_holds_anonymous_free_text_only_when_asked_for(tmp_path: Path) -> None:
    secret = anonymous(summary="the night porter in ward 7", follow_up_token=TOKEN).add(
        "note_added", at=T0 + timedelta(hours=1), by=STAFF, note="Ann rang back"
    )
    named = qse.Complaint.receive(
        id="N-1",
        at=T0,
        by=STAFF,
        channel="telephone",
        category="tat",
        summary="named summary",
        note="named note",
        submitter=qse.Submitter(name="Nora Named"),
    )
    assert qse.for_export(named) is named
    withheld = qse.for_export(secret)
    assert withheld.summary == "" and all(event.note == "" for event in withheld.events)
    assert withheld.follow_up_digest == secret.follow_up_digest
    assert [e.kind for e in withheld.events] == [e.kind for e in secret.events]
    assert qse.for_export(secret, include_anonymous_text=True) is secret

    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with qse.open_store(url) as store:
        store.save_many([secret, named], legacy=True)
    target = tmp_path / "out.jsonl"
    code, _, err = run_cli("export", "--store", url, "--output", str(target))
    assert code == 0 and "left out the summary and notes of 1 anonymous complaint(s)" in err
    text = target.read_text()
    assert "night porter" not in text and "Ann rang back" not in text
    assert "named summary" in text and "named note" in text and "Nora Named" in text
    assert secret.follow_up_digest in text and TOKEN not in text
    code, _, _ = run_cli(
        "export", "--store", url, "--output", str(target), "--include-anonymous-text"
    )
    assert (
        code == 0 and "night porter" in target.read_text() and "Ann rang back" in target.read_text()
    )


# -- error messages ----------------------------------------------------------------------------


def test_errors_about_personal_fields_never_quote_them() -> None:
    document = qse.to_dict(anonymous(summary="placeholder"))
    document["summary"] = ["Ann Onymous on ward 7"]
    document["people_involved"] = "Bob Involved"
    document["events"][0]["note"] = ["Ann's note"]
    document["events"][0]["data"] = "call Ann on 07700 900123"
    with pytest.raises(qse.ValidationError) as invalid:
        qse.from_dict(document)
    message = str(invalid.value)
    assert {error.path for error in invalid.value.errors} == {
        "$.summary",
        "$.people_involved",
        "$.events[0].note",
        "$.events[0].data",
    }
    for secret in ("Ann", "Bob", "07700"):
        assert secret not in message
    with pytest.raises(qse.ValidationError) as invalid:
        anonymous(summary=["Ann Onymous"])  # type: ignore[arg-type]
    assert "Ann" not in str(invalid.value)


# -- every output at once ----------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[int, Recorder]]:
    recorder = Recorder()
    controller = start_smtp_server(recorder)
    yield controller.port, recorder
    controller.stop()


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run ``qse-customer`` in this process: its exit code, standard output and error."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@attrs.frozen
class Marks:
    """The unique texts one anonymous complaint carries, and where."""

    summary: str
    note: str
    involved: str
    token: str


def marked(complaint: qse.Complaint, record_id: str, marks: Marks) -> qse.Complaint:
    """The complaint, its history moved to start at T0, with a marker in every free-text place
    the model allows and a follow-up token."""
    events = tuple(
        attrs.evolve(event, at=T0 + timedelta(hours=n)) for n, event in enumerate(complaint.events)
    )
    # A correction's replacement moves with the event it corrects.
    events = tuple(
        attrs.evolve(
            event,
            data={
                **event.data,
                "replacement": {
                    **event.data["replacement"],
                    "at": events[event.data["event"]].at.isoformat(),
                },
            },
        )
        if event.kind == "corrected"
        else event
        for event in events
    )
    complaint = complaint.evolve(
        id=record_id,
        events=events,
        summary=f"told us {marks.summary}",
        people_involved=(f"{marks.involved}-involved",),
        follow_up_digest=qse.follow_up_digest(marks.token),
    )
    if complaint.is_closed:
        complaint = complaint.add("reopened", at=complaint.last_event_at, by=STAFF)
    return complaint.add(
        "note_added", at=complaint.last_event_at, by=STAFF, note=f"note {marks.note}"
    )


def named(number: int, person: tuple[str, str, str]) -> qse.Complaint:
    """A named complaint whose customer also did staff steps (documented and acknowledged it),
    so the responsibility rules name them in their findings."""
    name, contact, customer_id = person
    customer = qse.Actor(customer_id, name, qse.Role.CUSTOMER)
    complaint = qse.Complaint.receive(
        id=f"named-{number}",
        at=T0 + timedelta(hours=number),
        by=customer,
        channel="telephone",
        category="turnaround",
        submitter=qse.Submitter(name=name, contact=contact, customer_id=customer_id),
    )
    return complaint.add("acknowledged", at=complaint.last_event_at, by=customer)


def texts_of_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        if record.exc_text:
            lines.append(record.exc_text)
        structured = getattr(record, "qse_notification", None)
        if structured is not None:
            lines.append(repr(structured))
    return lines


def cli_outputs(folder: Path, url: str, findings: list[qse.Finding]) -> dict[str, str]:
    """What the command line writes: ``check`` as text and JSON, ``explain`` of findings about
    anonymous complaints, a default ``export`` and a failing ``import``."""
    ruleset_file = folder / "clocks.json"
    ruleset_file.write_text(json.dumps(CLOCKS))
    rulesets = ["--ruleset", "qse2-responsibility", "--ruleset", "customer-service-standards"]
    rulesets += ["--ruleset", str(ruleset_file)]
    when = ["--at", LATER.isoformat(), "--opens", "09:00", "--closes", "17:00"]
    texts: dict[str, str] = {}
    for form in ("text", "json"):  # HTML renders the same document as the API's, tested there
        target = folder / f"report.{form}"
        code, out, err = run_cli(
            "check", "--store", url, *rulesets, *when, "--format", form, "--output", str(target)
        )
        assert code in (0, 1), err
        texts[f"check {form}"] = out + err + target.read_text("utf-8")
    for finding in findings:
        for extra in ((), ("--json",)):
            code, out, err = run_cli(
                "explain", finding.rule_id, finding.record_id or "", "--store", url, *rulesets,
                *when, *extra,
            )  # fmt: skip
            texts[f"explain {finding.rule_id} {finding.record_id} {extra}"] = out + err
    target = folder / "export.jsonl"
    code, out, err = run_cli("export", "--store", url, "--output", str(target))
    assert code == 0, err
    texts["export"] = out + err + target.read_text("utf-8")
    return texts


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    generated=st.lists(
        complaints(anonymous=True), min_size=1, max_size=4, unique_by=lambda c: c.id
    ),
    secret=st.integers(10**8, 10**9),
)
def test_no_identity_or_free_text_of_an_anonymous_complaint_leaks(
    tmp_path_factory: pytest.TempPathFactory,
    smtp_server: tuple[int, Recorder],
    caplog: pytest.LogCaptureFixture,
    generated: list[qse.Complaint],
    secret: int,
) -> None:
    port, recorder = smtp_server
    recorder.messages.clear()
    caplog.clear()
    folder = tmp_path_factory.mktemp("anonymity")
    marks = {
        f"anon-{n}": Marks(
            f"ZQS{secret}N{n}Q",
            f"ZQN{secret}N{n}Q",
            f"ZQP{secret}N{n}Q",
            f"ZQT{secret}N{n}token-xyz",
        )
        for n in range(len(generated))
    }
    anon = [
        marked(complaint, record_id, marks[record_id])
        for complaint, record_id in zip(generated, marks, strict=True)
    ]
    people = [(f"Nora ZQN{secret}P{n}", f"zqc{secret}p{n}@mail.example", f"ZQI{secret}P{n}")
              for n in range(2)]  # fmt: skip
    identified = [named(n, person) for n, person in enumerate(people)]

    manager = QSEPluginManager(builtins=True, entry_points=False)
    manager.register(FileOutboxNotifier(folder / "outbox.jsonl"), "outbox")
    manager.register(
        SMTPNotifier(
            SMTPSettings(
                host="127.0.0.1",
                port=port,
                sender="qse@lab.example",
                recipients=("quality@lab.example",),
                timeout=5,
            )
        ),
        "smtp",
    )
    url = f"sqlite:///{folder / 'lab.db'}"
    with caplog.at_level(logging.DEBUG), SQLiteStore(folder / "lab.db") as store:
        store.save_many([*anon, *identified], legacy=True)
        for complaint in anon:
            if not store.load(qse.Complaint, complaint.id).is_closed:
                store.append_event(
                    qse.Complaint,
                    complaint.id,
                    qse.Event("investigation_started", LATER, STAFF, {}, "looked into it"),
                )
        stored = list(store.stream(qse.Complaint))
        reports = [
            qse.check(stored, ruleset, calendar=CALENDAR, at=LATER, keep=list(qse.Status))
            for ruleset in RULESETS
        ]
        received = [Notification.complaint_received(c, at=LATER) for c in stored]
        delivered = [send(store, received, at=LATER, manager=manager)]
        delivered += [
            notify_due(store, ruleset, calendar=CALENDAR, at=LATER, manager=manager)
            for ruleset in RULESETS
        ]
        records = {record.id: qse.to_json(record) for record in store.stream(qse.Complaint)}
    assert all(report.ok for report in delivered)

    with caplog.at_level(logging.DEBUG):
        outputs = outputs_of(folder, url, stored, reports, marks, anon)
    outputs["outbox"] = (folder / "outbox.jsonl").read_text("utf-8")
    outputs |= {f"mail {n}": m.decode("ascii") for n, m in enumerate(recorder.messages)}
    outputs["logs"] = "\n".join(texts_of_logs(caplog))
    # The people involved are named by the lab, not the complainant's words: the record and an
    # export keep them (the impartiality of whoever investigates is checked against them).
    allowed = {"export": "involved", "repr": "involved"}
    for record_id, mark in marks.items():
        # Each marker is there to be found: in the complaint's own record, and no other.
        assert all(m in records[record_id] for m in (mark.summary, mark.note, mark.involved))
        assert qse.follow_up_digest(mark.token) in records[record_id]
        for name, text in outputs.items():
            for field, secret_text in attrs.asdict(mark).items():
                if allowed.get(name) != field:
                    assert secret_text not in text, (record_id, name, field)
            if name != "export":
                assert qse.follow_up_digest(mark.token) not in text, (record_id, name)
        assert all(mark.token not in text for text in records.values())
        export = qse.from_json(records[record_id])
        assert isinstance(export, qse.Complaint) and export.submitter is None
        assert all(e.actor is None or e.actor.role is not qse.Role.CUSTOMER for e in export.events)
        mails = [text for name, text in outputs.items() if name.startswith("mail")]
        assert record_id in outputs["outbox"] and any(record_id in mail for mail in mails)
    for number, (name, contact, customer_id) in enumerate(people):
        record = records[f"named-{number}"]
        assert name in record and contact in record and customer_id in record
        assert name in outputs["export"]  # a named complaint is exported whole
        assert any(name in outputs[key] for key in ("report json", "report html"))
        for record_id in marks:
            assert name not in records[record_id] and customer_id not in records[record_id]
    for finding in (f for report in reports for f in report.findings):
        if finding.record_id in marks:
            text = finding.to_json()
            assert all(secret_text not in text for p in people for secret_text in p)


def outputs_of(
    folder: Path,
    url: str,
    stored: list[qse.Complaint],
    reports: list[qse.Report],
    marks: dict[str, Marks],
    anon: list[qse.Complaint],
) -> dict[str, str]:
    """Every report format, the review packet, the command line's outputs and error messages."""
    loaded = [qse.load_ruleset(ruleset) for ruleset in RULESETS]
    full = build_report(
        records_of_sequence(stored), loaded, calendar=CALENDAR, at=LATER, small_cell_threshold=1
    )
    packet = qse.review.management_review(
        stored,
        rulesets=list(RULESETS),
        calendar=CALENDAR,
        start=T0 - timedelta(days=5),
        end=LATER + timedelta(days=1),
        at=LATER,
        small_cell_threshold=1,
    )
    about_anonymous = [
        finding
        for report in reports
        for finding in report.findings
        if finding.record_id in marks and finding.status is not qse.Status.NOT_APPLICABLE
    ][:4]
    outputs: dict[str, str] = {
        **{f"qse.check {n}": report.to_json() for n, report in enumerate(reports)},
        "report json": render_json(full),
        "report text": render_text(full),
        "report html": render_html_report(full),
        "review packet": packet.to_json(),
        **cli_outputs(folder, url, about_anonymous),
    }
    return outputs | error_outputs(folder, url, anon[0], marks["anon-0"])


def error_outputs(folder: Path, url: str, complaint: qse.Complaint, mark: Marks) -> dict[str, str]:
    """Error messages about an anonymous complaint: a bad line on import, a bad document, a
    refused data field, a refused actor, a refused token."""
    texts: dict[str, str] = {}
    document = qse.to_dict(complaint) | {"id": "anon-bad", "channel": "pigeon"}
    document["events"][-1]["data"] = {"Name": mark.summary, "until": mark.note}
    source = folder / "bad.jsonl"
    source.write_text(json.dumps(document) + "\n")
    code, out, err = run_cli("import", "--store", url, str(source))
    assert code == 2
    texts["import error"] = out + err
    broken = qse.to_dict(complaint) | {"summary": [mark.summary], "people_involved": mark.involved}
    with pytest.raises(qse.ValidationError) as invalid:
        qse.from_dict(broken)
    texts["from_dict error"] = str(invalid.value)
    at = complaint.last_event_at
    with pytest.raises(qse.PrivacyError) as refused:
        complaint.add("note_added", at=at, by=STAFF, comment=mark.note, until=mark.summary)
    texts["data error"] = str(refused.value)
    outsider = qse.Actor(mark.involved, mark.summary, qse.Role.RECIPIENT_MANAGEMENT)
    with pytest.raises(qse.PrivacyError) as refused:
        complaint.add("note_added", at=at, by=outsider)
    texts["actor error"] = str(refused.value)
    with pytest.raises(qse.ValidationError) as invalid:
        qse.find_by_follow_up([complaint], mark.token + " " + mark.note)
    texts["token error"] = str(invalid.value)
    texts["repr"] = repr(complaint)
    return texts
