"""Issue 14, items 3, 6 and 7: inputs that passed validation and then broke something.

Item 3: a lone surrogate anywhere in a record, fractional seconds beyond microseconds, and a date
outside the years the library can judge are refused when the record is validated or made, with
the JSON path. Item 6: rulesets holding ``NaN``, ``Infinity``, huge numbers, YAML's non-text keys
or a 5,000-character time zone, and SQLite URL options out of range, are refused at load with
the path and the allowed range. Item 7: ``extends`` reads only shipped rulesets and files under
the ruleset's own folder (or folders the caller names), a bounded amount, and never quotes a
foreign file.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.cli.main import main
from qse_customer.core.timestamps import FIRST_YEAR, LAST_YEAR
from qse_customer.stores import SQLiteStore
from qse_customer.testing.strategies import records

pytest_plugins = ("postgres_server",)

MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)
TECH = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
RULESETS = Path(qse.__file__).parent / "rules" / "rulesets"
SURROGATES = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff"])


def shipped(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((RULESETS / f"{name}.json").read_text("utf-8"))
    return document


def refusal(call: Any, *args: Any, **kwargs: Any) -> dict[str, str]:
    """The problems of the ValidationError the call raises, by JSON path."""
    with pytest.raises(qse.ValidationError) as raised:
        call(*args, **kwargs)
    return {error.path: error.message for error in raised.value.errors}


def json_path(steps: tuple[str | int, ...]) -> str:
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in steps)


def text_places(document: Any, steps: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Where a document holds text: ``(steps, parent, key)`` of each string value."""
    items = document.items() if isinstance(document, dict) else enumerate(document)
    for key, value in items:
        if isinstance(value, str):
            yield (*steps, key), document, key
        elif isinstance(value, dict | list):
            yield from text_places(value, (*steps, key))


# -- item 3: lone surrogates --------------------------------------------------------------------


@settings(max_examples=100)
@given(record=records(), data=st.data(), surrogate=SURROGATES, validate=st.booleans())
def test_lone_surrogates_pass_validate_and_from_dict(
    record: qse.Record, data: st.DataObject, surrogate: str, validate: bool
) -> None:
    document = qse.to_dict(record)
    places = [place for place in text_places(document) if place[0][0] != "type"]
    steps, parent, key = data.draw(st.sampled_from(places))
    where = data.draw(st.integers(0, len(parent[key])))
    parent[key] = parent[key][:where] + surrogate + parent[key][where:]
    with pytest.raises(qse.ValidationError) as raised:
        qse.from_dict(document, validate=validate)
    problems = raised.value.errors
    str(raised.value).encode("utf-8")  # the message itself can be printed
    at = json_path(steps)
    if validate:  # the schema pass names every lone surrogate (an enum may also complain)
        assert any(p.path == at and "lone surrogate" in p.message for p in problems), problems
    else:  # the model refuses the first bad field it meets, at that field or inside it
        assert any(p.path.startswith(at) for p in problems), problems


@given(surrogate=SURROGATES)
def test_a_lone_surrogate_in_a_key_of_event_data_is_refused(surrogate: str) -> None:
    complaint = qse.Complaint.receive(id="c-1", at=MONDAY, by=TECH, channel="form", category="x")
    document = qse.to_dict(complaint)
    document["events"][0]["data"] = {f"k{surrogate}": "v"}
    for validate in (True, False):
        problems = refusal(qse.from_dict, document, validate=validate)
        assert any(path.startswith("$.events[0].data") for path in problems)
        assert all(message.encode("utf-8") for message in problems.values())  # printable


@given(surrogate=SURROGATES)
def test_the_models_own_constructors_refuse_lone_surrogates(surrogate: str) -> None:
    bad = f"a{surrogate}"
    receive = qse.Complaint.receive
    base = {"id": "c-1", "at": MONDAY, "by": TECH, "channel": "form", "category": "x"}
    for change, path in (
        ({"id": bad}, "$.id"),
        ({"category": bad}, "$.category"),
        ({"summary": bad}, "$.summary"),
        ({"note": bad}, "$.note"),
        ({"people_involved": ["ok", bad]}, "$.people_involved[1]"),
    ):
        assert path in refusal(receive, **{**base, **change})
    assert "$.name" in refusal(qse.Actor, "t-1", bad, qse.Role.TECHNOLOGIST)
    assert "$.note" in refusal(qse.Event, "received", MONDAY, None, {}, bad)
    assert "$.data.reason" in refusal(qse.Event, "received", MONDAY, None, {"reason": bad})
    complaint = receive(**base)
    assert "$.note" in refusal(complaint.add, "acknowledged", at=MONDAY, by=TECH, note=bad)
    survey = qse.Survey.create(
        id="s-1", at=MONDAY, by=TECH, title="Q1", audience="external", instrument="csat"
    )
    assert "$.title" in refusal(survey.evolve, title=bad)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lab.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.mark.parametrize("field", ["id", "note"])
def test_lone_surrogates_crash_import_and_export(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str
) -> None:
    """In an id, import crashed in both SQL stores; in a note, export crashed afterwards."""
    good = qse.Complaint.receive(id="c-1", at=MONDAY, by=TECH, channel="form", category="x")
    with qse.open_store(store_url) as store:
        store.save(good)
    document = qse.to_dict(good.evolve(id="c-2"))
    if field == "id":
        document["id"] = "c-\ud800"
    else:
        document["events"][0]["note"] = "call back \udfff"
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(document) + "\n", "utf-8")  # JSON escapes it as \ud800
    assert main(["validate", str(source)]) == 2
    assert main(["import", "--store", store_url, str(source)]) == 2
    captured = capsys.readouterr()
    expected = "$.id" if field == "id" else "$.events[0].note"
    assert f"in.jsonl: {expected}: holds a lone surrogate" in captured.out
    assert f"line 1: {expected}: holds a lone surrogate" in captured.err
    assert main(["export", "--store", store_url]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == ["c-1"]


# -- item 3: fractional seconds -----------------------------------------------------------------


@pytest.mark.parametrize("digits", [7, 9, 12])
@pytest.mark.parametrize("validate", [True, False])
def test_fractional_seconds_beyond_6_digits_are_silently_truncated(
    digits: int, validate: bool
) -> None:
    complaint = qse.Complaint.receive(id="c-1", at=MONDAY, by=TECH, channel="form", category="x")
    document = qse.to_dict(complaint)
    document["events"][0]["at"] = f"2026-01-05T09:00:00.{'1' * digits}+00:00"
    problems = refusal(qse.from_dict, document, validate=validate)
    assert "$.events[0].at" in problems
    assert ("microsecond" in problems["$.events[0].at"]) or validate


@given(micros=st.integers(0, 999_999), digits=st.integers(1, 6))
def test_up_to_6_digits_of_seconds_are_kept_exactly(micros: int, digits: int) -> None:
    fraction = f"{micros:06d}"[:digits]
    complaint = qse.Complaint.receive(id="c-1", at=MONDAY, by=TECH, channel="form", category="x")
    document = qse.to_dict(complaint)
    document["events"][0]["at"] = f"2026-01-05T09:00:00.{fraction}+00:00"
    record = qse.from_dict(document)
    assert record.events[0].at.microsecond == int(fraction.ljust(6, "0"))


# -- item 3: years the library can judge --------------------------------------------------------


def test_the_judged_years_are_the_calendars_default_years() -> None:
    calendar = qse.WorkingCalendar()
    assert (calendar.first_year, calendar.last_year) == (FIRST_YEAR, LAST_YEAR) == (1990, 2100)


@pytest.mark.parametrize(
    ("at", "accepted"),
    [
        ("1989-12-31T23:59:59.999999+00:00", False),
        ("1990-01-01T00:00:00+00:00", True),
        ("1990-01-01T00:30:00+01:00", False),  # 1989 in UTC
        ("2100-12-31T23:59:59.999999+00:00", True),
        ("2101-01-01T00:00:00+00:00", False),
        ("2206-01-05T09:00:00+00:00", False),  # 2026 mistyped
        ("0001-01-01T00:00:00+14:00", False),  # before the first UTC datetime
        ("9999-12-31T23:59:59-14:00", False),  # after the last
    ],
)
def test_dates_outside_the_calendar_years_pass_validation(at: str, accepted: bool) -> None:
    complaint = qse.Complaint.receive(id="c-1", at=MONDAY, by=TECH, channel="form", category="x")
    document = qse.to_dict(complaint)
    document["events"][0]["at"] = at
    if accepted:
        assert qse.from_dict(document).events[0].at == datetime.fromisoformat(at)
        return
    for validate in (True, False):
        problems = refusal(qse.from_dict, document, validate=validate)
        assert "1990-2100" in problems["$.events[0].at"]


def test_record_dates_outside_the_calendar_years_are_refused() -> None:
    contract = qse.Contract.enter(id="k-1", at=MONDAY, by=TECH, client="Ward 7")
    assert "$.starts_on" in refusal(contract.evolve, starts_on=date(1985, 4, 1))
    assert "$.ends_on" in refusal(contract.evolve, ends_on=date(2150, 3, 31))
    assert contract.evolve(starts_on=date(1990, 1, 1)).starts_on == date(1990, 1, 1)
    referral = qse.Referral.open(id="f-1", at=MONDAY, by=TECH, title="Fix TAT")
    assert "$.due_at" in refusal(referral.evolve, due_at=datetime(2101, 1, 1, tzinfo=UTC))
    complaint = qse.Complaint.receive(id="c-1", at=MONDAY, by=TECH, channel="form", category="x")
    assert "$.at" in refusal(complaint.add, "acknowledged", at=datetime(2101, 1, 1, tzinfo=UTC))


# -- item 6: rulesets that validate and then crash ----------------------------------------------


def _threshold_ruleset(**params: Any) -> dict[str, Any]:
    return {
        "name": "lab",
        "version": "1",
        "rules": [
            {
                "id": "K-REC",
                "title": "recurring complaints",
                "kind": "threshold",
                "source": {"document": "000_ad609cf394a71cac.txt"},
                "applies_to": {"record_type": "complaint"},
                "params": {
                    "period": "month",
                    "aggregate": "recurrence",
                    "recurrence": {"threshold": 2, "window_days": 30},
                    "at_most": 0,
                    **params,
                },
            }
        ],
    }


def _changed(document: dict[str, Any], steps: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(document)
    parent: Any = document
    for step in steps[:-1]:
        parent = parent[step]
    parent[steps[-1]] = value
    return document


STANDARDS = shipped("customer-service-standards")
T7, T8 = ([rule["id"] for rule in STANDARDS["rules"]].index(rule_id) for rule_id in ("T-7", "T-8"))
T2B = [rule["id"] for rule in STANDARDS["rules"]].index("T-2b")
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "window_days 1e30",
        _threshold_ruleset(recurrence={"threshold": 2, "window_days": 1e30}),
        "$.rules[0].params.recurrence.window_days",
        "from 1 to 3653",
    ),
    (
        "window_days 10**40",
        _threshold_ruleset(recurrence={"threshold": 2, "window_days": 10**40}),
        "$.rules[0].params.recurrence.window_days",
        "from 1 to 3653",
    ),
    (
        "working_days 1e30",
        _changed(STANDARDS, ("rules", 0, "params", "limit"), {"working_days": 1e30}),
        "$.rules[0].params.limit.working_days",
        "from 0 to 2610",
    ),
    (
        "days 5000",
        _changed(STANDARDS, ("rules", 0, "params", "limit"), {"days": 5000}),
        "$.rules[0].params.limit.days",
        "from 0 to 3653",
    ),
    (
        "warn_at NaN",
        _changed(STANDARDS, ("rules", 0, "params", "warn_at"), math.nan),
        "$.rules[0].params.warn_at",
        "finite number, got NaN",
    ),
    (
        "at_most Infinity (value limit)",
        _changed(STANDARDS, ("rules", T7, "params", "at_most"), math.inf),
        f"$.rules[{T7}].params.at_most",
        "finite number, got Infinity",
    ),
    (
        "at_most -Infinity (threshold)",
        _changed(STANDARDS, ("rules", T8, "params", "at_most"), -math.inf),
        f"$.rules[{T8}].params.at_most",
        "finite number, got -Infinity",
    ),
    (
        "at_most 1e300",
        _changed(STANDARDS, ("rules", T7, "params", "at_most"), 1e300),
        f"$.rules[{T7}].params.at_most",
        "from -10^15 to 10^15",
    ),
    (
        "working hours NaN",
        _changed(STANDARDS, ("rules", T2B, "params", "limit", "working_hours"), math.nan),
        f"$.rules[{T2B}].params.limit.working_hours",
        "finite number, got NaN",
    ),
    (
        "repeat every Infinity",
        _changed(STANDARDS, ("rules", 0, "params", "repeat", "every"), {"hours": math.inf}),
        "$.rules[0].params.repeat.every.hours",
        "finite number, got Infinity",
    ),
    (
        "a 5,000 character time zone",
        _changed(STANDARDS, ("calendars", "uk-statutory", "timezone"), "A" * 5000),
        "$.calendars['uk-statutory'].timezone",
        "expected an IANA time zone name",
    ),
    (
        "where with a number as key",
        _changed(STANDARDS, ("rules", 0, "applies_to", "where"), {1: True}),
        "$.rules[0].applies_to.where",
        "expected text keys",
    ),
    (
        "a lone surrogate in a title",
        _changed(STANDARDS, ("rules", 0, "title"), "late \ud800"),
        "$.rules[0].title",
        "lone surrogate",
    ),
]


@pytest.mark.parametrize(("name", "document", "path", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rulesets_that_validate_and_then_crash(
    name: str, document: dict[str, Any], path: str, expected: str
) -> None:
    problems = refusal(qse.load_ruleset, document)
    assert path in problems, problems
    assert expected in problems[path]
    assert len(problems) == 1  # said once, not again by the schema


def _yaml_ruleset(*, where: str = "", at_most: str = "5", top: str = "") -> str:
    return f"""name: lab
version: "1"
{top}rules:
  - id: L-1
    title: Few late results
    kind: value_limit
    source: {{document: 003_1901d489df2c6a2b.txt}}
    applies_to:
      record_type: measurement
{where}    params:
      field: value
      at_most: {at_most}
"""


WHERE_ONE = "      where: {1: true}\n"
YAML_CASES = [
    ("where: {1: true}", _yaml_ruleset(where=WHERE_ONE), "$.rules[0].applies_to.where",
     "quote it: '1'"),
    ("at_most: .nan", _yaml_ruleset(at_most=".nan"), "$.rules[0].params.at_most", "got NaN"),
    ("at_most: .inf", _yaml_ruleset(at_most=".inf"), "$.rules[0].params.at_most", "got Infinity"),
    ("an unquoted date", _yaml_ruleset(top="effective: 2026-01-05\n"), "$.effective",
     "got a date; in YAML"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "text", "path", "expected"), YAML_CASES, ids=[c[0] for c in YAML_CASES]
)
def test_yaml_rulesets_that_validate_and_then_crash(
    tmp_path: Path, name: str, text: str, path: str, expected: str
) -> None:
    pytest.importorskip("yaml")
    ruleset = tmp_path / "lab.yaml"
    ruleset.write_text(text, "utf-8")
    problems = refusal(qse.load_ruleset, ruleset)
    assert path in problems, problems
    assert expected in problems[path]


@pytest.mark.parametrize("timeout", ["nan", "inf", "-inf", "-5", "1e9", "86401", "soon"])
def test_sqlite_url_options_out_of_range(tmp_path: Path, timeout: str) -> None:
    url = f"sqlite:///{tmp_path / 'lab.db'}?timeout={timeout}"
    problems = refusal(qse.open_store, url)
    assert "from 0 to 86400" in problems["$.url.timeout"]
    assert not (tmp_path / "lab.db").exists()
    with pytest.raises(qse.ValidationError, match=r"\$\.timeout"):
        SQLiteStore(tmp_path / "lab.db", timeout=math.nan)


def test_sqlite_url_options_in_range_still_work(tmp_path: Path) -> None:
    for timeout in ("0", "2.5", "86400"):
        with qse.open_store(f"sqlite:///{tmp_path / 'lab.db'}?timeout={timeout}") as store:
            assert store.list(qse.Complaint) is not None


def _numbers(document: Any, steps: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, ...]]:
    items = document.items() if isinstance(document, dict) else enumerate(document)
    for key, value in items:
        if isinstance(value, int | float) and not isinstance(value, bool):
            yield (*steps, key)
        elif isinstance(value, dict | list):
            yield from _numbers(value, (*steps, key))


@settings(max_examples=100, deadline=None)
@given(
    data=st.data(),
    name=st.sampled_from(["customer-service-standards", "improvement-referrals"]),
    value=st.sampled_from([math.nan, math.inf, -math.inf, 1e30, -1e30, 10**20, 1e16]),
)
def test_no_number_in_a_ruleset_loads_and_then_crashes(
    data: st.DataObject, name: str, value: float
) -> None:
    document = shipped(name)
    steps = data.draw(st.sampled_from(list(_numbers(document))))
    problems = refusal(qse.load_ruleset, _changed(document, steps, value))
    assert json_path(steps) in problems


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), value=st.floats(allow_nan=True, allow_infinity=True) | st.integers())
def test_a_ruleset_that_loads_also_checks(data: st.DataObject, value: float) -> None:
    """Any number anywhere: refused at load, or the ruleset checks records without crashing."""
    document = STANDARDS
    steps = data.draw(st.sampled_from(list(_numbers(document))))
    try:
        ruleset = qse.load_ruleset(_changed(document, steps, value))
    except qse.ValidationError:
        return
    calendar = qse.WorkingCalendar(timezone="Europe/London", country="GB", subdivision="ENG")
    enquiry = qse.Enquiry.receive(id="e-1", at=MONDAY, by=TECH, channel="telephone")
    late = enquiry.add("responded", at=MONDAY + timedelta(days=9), by=TECH)
    with contextlib.suppress(qse.QSEError):
        qse.check([late], ruleset, calendar=calendar, at=MONDAY + timedelta(days=30))


# -- item 7: extends reads only what the caller chose ---------------------------------------------

FOREIGN = {"password": "hunter2-SECRET", "api_key": "sk_live_SECRET", "rules": "sk_live_SECRET"}


def _lab_ruleset(folder: Path, extends: str, name: str = "lab.json") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"name": "lab", "version": "1", "extends": extends}), "utf-8")
    return path


def _extends_problem(source: Any, **options: Any) -> str:
    with pytest.raises(qse.ValidationError) as raised:
        qse.load_ruleset(source, **options)
    text = str(raised.value)
    assert "SECRET" not in text and "hunter2" not in text
    return {error.path: error.message for error in raised.value.errors}["$.extends"]


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """The lab's rulesets folder, and a folder beside it holding another program's secrets."""
    lab, elsewhere = tmp_path / "rulesets", tmp_path / "app"
    lab.mkdir()
    elsewhere.mkdir()
    (elsewhere / "secrets.json").write_text(json.dumps(FOREIGN), "utf-8")
    standards = shipped("customer-service-standards")
    (elsewhere / "base.json").write_text(json.dumps({**standards, "name": "base"}), "utf-8")
    return lab, elsewhere


def test_extends_reads_any_file(folders: tuple[Path, Path]) -> None:
    lab, elsewhere = folders
    for reference in (str(elsewhere / "secrets.json"), "../app/secrets.json", "/dev/zero"):
        problem = _extends_problem(_lab_ruleset(lab, reference))
        assert "outside the folders a ruleset may extend from" in problem
        assert str(lab) in problem and "--extends-from" in problem


def test_extends_follows_no_link_out_of_the_folder(folders: tuple[Path, Path]) -> None:
    lab, elsewhere = folders
    (lab / "base.json").symlink_to(elsewhere / "secrets.json")
    assert "outside the folders" in _extends_problem(_lab_ruleset(lab, "base.json"))


def test_extends_never_quotes_a_foreign_file(folders: tuple[Path, Path]) -> None:
    lab, _ = folders
    (lab / "config.json").write_text(json.dumps(FOREIGN), "utf-8")
    assert "is not a ruleset" in _extends_problem(_lab_ruleset(lab, "config.json"))
    pytest.importorskip("yaml")
    (lab / "config.yaml").write_text("name: lab\npassword: [sk_live_SECRET\n", "utf-8")
    problem = _extends_problem(_lab_ruleset(lab, "config.yaml"))
    assert "not valid YAML" in problem and "line 3" in problem


def test_extends_reads_a_bounded_size(folders: tuple[Path, Path], tmp_path: Path) -> None:
    lab, _ = folders
    big = lab / "big.json"
    big.write_text('{"name": "big", "version": "1", "description": "' + "x" * (5 << 20) + '"}')
    assert "larger than 4 MiB" in _extends_problem(_lab_ruleset(lab, "big.json"))
    problem = _extends_problem(_lab_ruleset(lab, "/dev/zero"), extends_from=["/dev"])
    assert "not a regular file" in problem
    with pytest.raises(qse.ValidationError, match="larger than 4 MiB"):
        qse.load_ruleset(big)


def test_extends_within_the_folder_and_the_folders_named(
    folders: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    lab, elsewhere = folders
    (lab / "common.json").write_text(
        json.dumps({"name": "common", "version": "1", "extends": "qse2-responsibility"}), "utf-8"
    )
    site = lab / "site"
    site.mkdir()
    (site / "base.json").write_text(  # up again, but still within the lab's folder
        json.dumps({"name": "site", "version": "1", "extends": "../common.json"}), "utf-8"
    )
    root = _lab_ruleset(lab, "site/base.json")
    assert qse.load_ruleset(root).rules == qse.load_ruleset("qse2-responsibility").rules
    assert "outside the folders" in _extends_problem(site / "base.json")  # its folder: site/
    sibling = _lab_ruleset(lab, "../app/base.json", name="sibling.json")
    assert "outside the folders" in _extends_problem(sibling)
    assert qse.load_ruleset(sibling, extends_from=[elsewhere]).rule("T-1").id == "T-1"
    document = {"name": "lab", "version": "1", "extends": str(elsewhere / "base.json")}
    assert "given as a mapping" in _extends_problem(document)
    assert qse.load_ruleset(document, extends_from=[elsewhere]).rule("T-1").id == "T-1"
    store = f"sqlite:///{lab / 'lab.db'}"
    command = ["check", "--store", store, "--ruleset", str(sibling), "--at", "2026-03-01T12:00"]
    SQLiteStore(lab / "lab.db").close()
    assert main(command) == 2
    assert "outside the folders" in capsys.readouterr().err
    assert main([*command, "--extends-from", str(elsewhere)]) == 0
