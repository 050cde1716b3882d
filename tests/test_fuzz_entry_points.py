"""Fuzzing every public entry point that takes outside data: malformed payloads are rejected with
a QSEError (never another exception), and a store that refused something is left unchanged.

Each test feeds random JSON values, or valid documents with one random mutation (a wrong type, a
missing or extra field, a bad enum value, a naive or garbage time, a huge number, deep nesting).
A mutation may happen to leave a document valid: then the entry point may accept it, but it must
still never raise anything that is not a QSEError.

Issue 14's cases are fed too: lone surrogates, control characters, more than 6 decimals of
seconds, years outside 1990-2100, ``NaN`` and ``Infinity`` in rulesets, non-text keys, a
5,000-character time zone, store URLs holding passwords; and what is accepted must then work
(a ruleset that loads also checks; a record that is accepted can be written as UTF-8 JSON).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.stores import MemoryStore, SQLiteStore, Store
from qse_customer.testing.strategies import actors, records

pytestmark = pytest.mark.slow  # fuzzes every entry point with mutated files

T = TypeVar("T")
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
RULESETS = Path(qse.__file__).parent / "rules" / "rulesets"

FEW = settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- what is fed --------------------------------------------------------------------------------

huge_numbers = st.sampled_from(
    [
        *(10**30, -(10**30), 2**63, 2**64 + 1, 1e308, -1e308, math.inf, -math.inf, math.nan),
        *(10**400, 1e30, 1e16, -1e16),
    ]
)
hostile_text = st.sampled_from(
    ["\ud800", "a\udfff", "\x1b[2J\x07", "x\u202eevil", "line\nbreak", "$\\undefined$", "A" * 5000]
)
garbage_times = st.sampled_from(
    [
        "2026-01-05T09:00:00.1234567+00:00",  # beyond microseconds
        "2206-01-05T09:00:00+00:00",  # outside 1990-2100
        "1969-12-31T23:59:59+00:00",
        "2026-01-05T09:00:00",  # naive
        "2026-13-45T99:00:00Z",
        "yesterday",
        "",
        "2026-01-05",
        "9999-12-31T23:59:59+23:59",
        "0001-01-01T00:00:00+14:00",
        "2026-01-05T09:00:00+25:00",
        0,
        1.5e300,
    ]
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | huge_numbers
    | garbage_times
    | hostile_text
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=15,
)
finite_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def deeply_nested(depth: int, kind: str) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


nested = st.builds(
    deeply_nested, st.sampled_from([50, 500, 5000, 50_000]), st.sampled_from(["list", "dict"])
)
python_garbage = st.sampled_from(
    [object(), b"bytes", {1, 2}, (1, 2), datetime(2026, 1, 5), date(2026, 1, 5), 3j, Path("x")]
)
anything = json_values | nested | python_garbage | huge_numbers | garbage_times
# Arguments of Python calls: nested 50 deep at most (the model's error messages show the value,
# and Python cannot show a value nested thousands deep; documents are checked for depth first).
call_values = (
    json_values
    | st.builds(deeply_nested, st.just(50), st.sampled_from(["list", "dict"]))
    | python_garbage
    | huge_numbers
    | garbage_times
)

Path_ = tuple[str | int, ...]


def paths(document: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every path to a value inside a JSON document (the root is the empty path)."""
    yield prefix
    if isinstance(document, dict):
        for key, value in document.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from paths(value, (*prefix, index))


def copy(document: Any) -> Any:
    return json.loads(json.dumps(document))


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    """``document`` with one random mutation at a random place."""
    document = copy(document)
    where = draw(st.sampled_from(list(paths(document))))
    how = draw(
        st.sampled_from(
            [
                "replace",
                "delete",
                "extra",
                "enum",
                "time",
                "huge",
                "nest",
                "wrong_type",
                "hostile",
                "number_key",
            ]
        )
    )
    if not where:
        return draw(anything)
    parent: Any = document
    for step in where[:-1]:
        parent = parent[step]
    last = where[-1]
    value = parent[last]
    if how == "delete":
        if isinstance(parent, dict):
            del parent[last]
        else:
            parent.pop(last)
    elif how == "extra":
        target = value if isinstance(value, dict) else parent
        if isinstance(target, dict):
            target[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
        else:
            target.append(draw(json_values))
    elif how == "enum":
        parent[last] = draw(st.sampled_from(["pigeon", "", "BREACHED", "Open", "medium ", "🙂"]))
    elif how == "time":
        parent[last] = draw(garbage_times)
    elif how == "huge":
        parent[last] = draw(huge_numbers)
    elif how == "nest":
        parent[last] = draw(nested)
    elif how == "hostile":
        parent[last] = draw(hostile_text)
    elif how == "number_key":  # YAML reads "1: true" with a number as key
        target = value if isinstance(value, dict) else parent
        if isinstance(target, dict):
            target[draw(st.integers(0, 3))] = draw(json_values)
    elif how == "wrong_type":
        wrong = {str: 5, int: "5", float: "1.0", bool: "true", list: {}, dict: [], type(None): {}}
        parent[last] = wrong.get(type(value))
    else:
        parent[last] = draw(anything)
    return document


def accepted_or_rejected(call: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """The call's result, or None when it raised a QSEError; any other exception fails the test."""
    try:
        return call(*args, **kwargs)
    except qse.QSEError:
        return None


def to_json_text(document: Any) -> str:
    try:
        return json.dumps(document, allow_nan=True, default=repr)
    except RecursionError:  # too deep for the json module itself: write it out by hand
        return "[" * 100_000 + "]" * 100_000


# -- records from documents ---------------------------------------------------------------------


@settings(max_examples=150)
@given(document=json_values | nested)
def test_from_dict_and_from_json_on_random_values(document: Any) -> None:
    accepted_or_rejected(qse.from_dict, document)
    accepted_or_rejected(qse.from_json, to_json_text(document))


@settings(max_examples=120)
@given(data=st.data(), record=records())
def test_from_dict_and_from_json_on_mutated_records(
    data: st.DataObject, record: qse.Record
) -> None:
    document = data.draw(mutated(qse.to_dict(record)))
    result = accepted_or_rejected(qse.from_dict, document)
    if result is not None:
        assert qse.from_dict(qse.to_dict(result)) == result  # what is accepted is whole
        qse.to_json(result).encode("utf-8")  # and storable: no lone surrogate
        assert all(1990 <= event.at.year <= 2100 for event in result.events)
    accepted_or_rejected(qse.from_json, to_json_text(document))


@given(text=st.text(max_size=50) | st.binary(max_size=50))
def test_from_json_on_random_text(text: str | bytes) -> None:
    accepted_or_rejected(qse.from_json, text)


@pytest.mark.parametrize("depth", [10, 1000, 100_000])
def test_from_json_on_deep_nesting(depth: int) -> None:
    text = '{"type": "complaint", "id": "c", "x": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(qse.ValidationError):
        qse.from_json(text)


def test_definitely_invalid_documents_are_rejected() -> None:
    valid = qse.to_dict(
        qse.Complaint.receive(id="c-1", at=T0, by=None, channel="form", category="tat")
    )
    assert qse.from_dict(valid).id == "c-1"
    for change in (
        {"channel": "pigeon"},
        {"severity": 3},
        {"id": ""},
        {"unexpected": 1},
        {"events": []},
        {"events": [{**valid["events"][0], "at": "2026-01-05T09:00:00"}]},
        {"anonymous": True, "submitter": {"name": "Ann"}},
        {"type": "planet"},
    ):
        with pytest.raises(qse.ValidationError):
            qse.from_dict({**valid, **change})


# -- rulesets and instruments -------------------------------------------------------------------

shipped_ruleset_documents = st.sampled_from(
    [json.loads(path.read_text("utf-8")) for path in sorted(RULESETS.glob("*.json"))]
)


@settings(max_examples=150)
@given(data=st.data(), document=shipped_ruleset_documents)
def test_load_ruleset_on_mutated_mappings(data: st.DataObject, document: Any) -> None:
    ruleset = accepted_or_rejected(qse.load_ruleset, data.draw(mutated(document)))
    if ruleset is not None:  # a ruleset that loads also checks (issue 14, item 6)
        accepted_or_rejected(qse.check, CHECKED, ruleset, calendar=CHECK_CALENDAR, at=LATER)


@settings(max_examples=50)
@given(source=anything | st.text(max_size=30))
def test_load_ruleset_on_random_sources(source: Any) -> None:
    accepted_or_rejected(qse.load_ruleset, source)


@FEW
@given(data=st.data(), document=shipped_ruleset_documents, as_bytes=st.booleans())
def test_load_ruleset_on_mutated_files(
    tmp_path: Path, data: st.DataObject, document: Any, as_bytes: bool
) -> None:
    path = tmp_path / "rules.json"
    if as_bytes:
        path.write_bytes(data.draw(st.binary(max_size=100)))
    else:
        path.write_text(to_json_text(data.draw(mutated(document))), "utf-8")
    accepted_or_rejected(qse.load_ruleset, path)
    accepted_or_rejected(qse.load_ruleset, str(path))


shipped_instrument_documents = st.sampled_from(
    [instrument.to_dict() for _, instrument in sorted(qse.analysis.instruments().items())]
)


@settings(max_examples=150)
@given(data=st.data(), document=shipped_instrument_documents)
def test_load_instrument_on_mutated_mappings(data: st.DataObject, document: Any) -> None:
    accepted_or_rejected(qse.analysis.load_instrument, data.draw(mutated(document)))


@FEW
@given(data=st.data(), document=shipped_instrument_documents, as_bytes=st.booleans())
def test_load_instrument_on_random_sources_and_files(
    tmp_path: Path, data: st.DataObject, document: Any, as_bytes: bool
) -> None:
    accepted_or_rejected(qse.analysis.load_instrument, data.draw(anything | st.text(max_size=30)))
    path = tmp_path / "instrument.json"
    if as_bytes:
        path.write_bytes(data.draw(st.binary(max_size=100)))
    else:
        path.write_text(to_json_text(data.draw(mutated(document))), "utf-8")
    accepted_or_rejected(qse.analysis.load_instrument, path)


# -- calendars ----------------------------------------------------------------------------------

CALENDAR = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", closures=[date(2026, 1, 2)]
).to_dict()


@settings(max_examples=150)
@given(data=st.data())
def test_working_calendar_on_mutated_settings(data: st.DataObject) -> None:
    document = data.draw(mutated(CALENDAR))
    accepted_or_rejected(qse.WorkingCalendar.from_dict, document)
    if isinstance(document, dict):  # the constructor takes the settings as keywords
        known = {key: value for key, value in document.items() if key in CALENDAR}
        accepted_or_rejected(lambda: qse.WorkingCalendar(**known))


@settings(max_examples=100)
@given(
    name=st.sampled_from(sorted(CALENDAR)),
    value=anything | st.sampled_from(["A" * 5000, "../../etc/passwd", "Europe/London\x00"]),
)
def test_working_calendar_on_random_arguments(name: str, value: Any) -> None:
    accepted_or_rejected(lambda: qse.WorkingCalendar(**{name: value}))


# -- record constructors and events -------------------------------------------------------------

TECH = qse.Actor("tech-1", "Tara Tech", qse.Role.TECHNOLOGIST)

CONSTRUCTORS: dict[str, tuple[Callable[..., qse.Record], dict[str, Any]]] = {
    "complaint": (
        qse.Complaint.receive,
        {"id": "c-1", "at": T0, "by": TECH, "channel": "form", "category": "tat",
         "anonymous": False, "severity": "high", "summary": "late", "site": "main"},
    ),
    "enquiry": (qse.Enquiry.receive, {"id": "e-1", "at": T0, "by": TECH, "channel": "email"}),
    "contract": (qse.Contract.enter, {"id": "k-1", "at": T0, "by": TECH, "client": "Ward 7"}),
    "customer": (
        qse.Customer.identify,
        {"id": "cu-1", "at": T0, "by": TECH, "name": "Ward 7", "kind": "internal",
         "category": "ward"},
    ),
    "survey": (
        qse.Survey.create,
        {"id": "s-1", "at": T0, "by": TECH, "title": "Q1", "audience": "external",
         "instrument": "csat"},
    ),
    "survey_response": (
        qse.SurveyResponse.submit,
        {"id": "r-1", "at": T0, "survey_id": "s-1", "instrument": "csat",
         "answers": {"q1": 4}},
    ),
    "referral": (qse.Referral.open, {"id": "f-1", "at": T0, "by": TECH, "title": "Fix TAT"}),
    "test_request": (
        qse.TestRequest.receive,
        {"id": "t-1", "at": T0, "by": TECH, "test": "FBC", "priority": "stat"},
    ),
}  # fmt: skip


@settings(max_examples=150)
@given(
    name=st.sampled_from(sorted(CONSTRUCTORS)),
    data=st.data(),
)
def test_record_constructors_on_wrong_values(name: str, data: st.DataObject) -> None:
    constructor, arguments = CONSTRUCTORS[name]
    assert isinstance(constructor(**arguments), qse.Record)
    keys = data.draw(st.lists(st.sampled_from(sorted(arguments)), min_size=1, max_size=3))
    changed = {**arguments, **{key: data.draw(call_values, label=key) for key in keys}}
    accepted_or_rejected(constructor, **changed)


@settings(max_examples=120)
@given(
    kind=st.sampled_from(["acknowledged", "closed", "note_added", "received"]) | st.text(),
    at=call_values | st.just(T0),
    by=call_values | actors() | st.none(),
    note=call_values | st.text(max_size=10),
    extra=st.dictionaries(st.sampled_from(["reason", "x", "name", "contact"]), call_values),
    anonymous=st.booleans(),
)
def test_record_add_on_wrong_values(
    kind: Any, at: Any, by: Any, note: Any, extra: dict[str, Any], anonymous: bool
) -> None:
    complaint = qse.Complaint.receive(
        id="c-1", at=T0, by=TECH, channel="form", category="tat", anonymous=anonymous
    )
    result = accepted_or_rejected(complaint.add, kind, at=at, by=by, note=note, **extra)
    if result is not None:
        assert qse.from_json(qse.to_json(result)) == result  # accepted means storable


# -- stores ---------------------------------------------------------------------------------------


def seeded(store: Store) -> Store:
    store.save_many(
        qse.Complaint.receive(id=f"c-{n}", at=T0, by=TECH, channel="form", category="tat")
        for n in range(3)
    )
    store.save(qse.Enquiry.receive(id="e-1", at=T0, by=TECH, channel="email"))
    return store


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "lab.db")
    with opened:
        yield seeded(opened)


def snapshot(store: Store) -> dict[str, list[dict[str, Any]]]:
    return {tag: [qse.to_dict(record) for record in store.stream(tag)] for tag in qse.RECORD_TYPES}


def bad_records() -> st.SearchStrategy[Any]:
    """Things that are not records: garbage of every kind, and record documents (dicts)."""
    return call_values | records().map(qse.to_dict)


@FEW
@given(data=st.data())
def test_store_save_refuses_garbage_and_stays_unchanged(store: Store, data: st.DataObject) -> None:
    before = snapshot(store)
    thing = data.draw(bad_records())
    assert accepted_or_rejected(store.save, thing) is None
    assert snapshot(store) == before
    good = qse.Complaint.receive(id="c-new", at=T0, by=None, channel="form", category="tat")
    batch = [good, data.draw(bad_records()), good]
    before = snapshot(store)
    try:
        store.save_many(batch)
    except qse.QSEError:
        assert snapshot(store) == before  # all or nothing
    store.delete(qse.Complaint, "c-new")


@FEW
@given(
    data=st.data(),
    record_type=st.sampled_from(["complaint", qse.Complaint, "enquiry"]) | call_values,
    record_id=st.sampled_from(["c-0", "e-1", "missing"]) | call_values,
)
def test_store_append_event_refuses_garbage_and_stays_unchanged(
    store: Store, data: st.DataObject, record_type: Any, record_id: Any
) -> None:
    event = data.draw(
        call_values
        | st.builds(
            qse.Event,
            kind=st.sampled_from(["acknowledged", "received", "feedback_given"]),
            at=st.just(T0),
            actor=st.none() | actors(),
            data=st.dictionaries(st.text(max_size=5), finite_json, max_size=2),
        )
    )
    before = snapshot(store)
    if accepted_or_rejected(store.append_event, record_type, record_id, event) is None:
        assert snapshot(store) == before


@FEW
@given(
    status=st.none() | call_values,
    since=st.none() | call_values,
    limit=st.just(10) | call_values,
    after=st.none() | call_values,
)
def test_store_list_refuses_garbage_arguments(
    store: Store, status: Any, since: Any, limit: Any, after: Any
) -> None:
    accepted_or_rejected(
        store.list, qse.Complaint, status=status, since=since, limit=limit, after=after
    )


# -- the rule engine ----------------------------------------------------------------------------

CHECK_CALENDAR = qse.WorkingCalendar(timezone="Europe/London")
COMPLAINTS = [
    qse.Complaint.receive(id=f"c-{n}", at=T0, by=TECH, channel="form", category="tat")
    for n in range(3)
]
LATER = T0 + timedelta(days=40)
CHECKED: list[qse.Record] = [
    *COMPLAINTS,
    qse.Enquiry.receive(id="e-1", at=T0, by=TECH, channel="telephone").add(
        "responded", at=T0 + timedelta(days=9), by=TECH
    ),
    qse.Measurement.record(
        id="m-1", at=T0, by=None, measure="telephone_rings", value=5, unit="rings",
        attributes={"staff_available": True},
    ),
]  # fmt: skip


@settings(max_examples=100)
@given(
    data=st.data(),
    ruleset=st.sampled_from(["qse2-responsibility", "customer-service-standards"]),
)
def test_check_on_garbage(data: st.DataObject, ruleset: str) -> None:
    mixed = [*COMPLAINTS]
    mixed.insert(data.draw(st.integers(0, 3)), data.draw(call_values))
    accepted_or_rejected(qse.check, mixed, ruleset, calendar=CHECK_CALENDAR, at=T0)
    accepted_or_rejected(qse.check, data.draw(call_values), ruleset, calendar=CHECK_CALENDAR, at=T0)
    accepted_or_rejected(qse.check, COMPLAINTS, ruleset, calendar=data.draw(call_values), at=T0)
    accepted_or_rejected(
        qse.check, COMPLAINTS, ruleset, calendar=CHECK_CALENDAR, at=data.draw(call_values)
    )
    accepted_or_rejected(
        qse.check,
        COMPLAINTS,
        ruleset,
        calendar=CHECK_CALENDAR,
        at=T0,
        period=data.draw(call_values),
    )
    shipped = json.loads((RULESETS / f"{ruleset}.json").read_text("utf-8"))
    accepted_or_rejected(
        qse.check, COMPLAINTS, data.draw(mutated(shipped)), calendar=CHECK_CALENDAR, at=T0
    )


# -- the command line ---------------------------------------------------------------------------


def lines_of(data: st.DataObject) -> str:
    """A JSON lines file: mutated record documents, valid ones and raw garbage lines."""
    lines = []
    for _ in range(data.draw(st.integers(1, 3))):
        document = qse.to_dict(data.draw(records()))
        kind = data.draw(st.sampled_from(["mutated", "valid", "text"]))
        if kind == "mutated":
            lines.append(to_json_text(data.draw(mutated(document))))
        elif kind == "valid":
            lines.append(json.dumps(document))
        else:
            lines.append(data.draw(st.text(max_size=40)))
    return "\n".join(lines) + "\n"


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_cli_validate_and_import_on_malformed_files(
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from qse_customer.cli.main import main

    folder = tmp_path_factory.mktemp("cli")
    url = f"sqlite:///{folder / 'lab.db'}"
    with SQLiteStore(folder / "lab.db") as opened:
        seeded(opened)
        before = snapshot(opened)
    source = folder / "in.jsonl"
    source.write_text(lines_of(data), "utf-8")
    assert main(["validate", str(source)]) in (0, 2)  # never a traceback
    code = main(["import", "--store", url, str(source)])
    assert code in (0, 2)
    if code == 2:
        with SQLiteStore(folder / "lab.db") as reopened:
            assert snapshot(reopened) == before
    at = data.draw(st.text(max_size=30) | garbage_times.map(str))
    checked = main(["check", "--store", url, "--ruleset", "customer-service-standards", "--at", at])
    assert checked in (0, 1, 2)
    # What was imported exports and checks: no crash later (issue 14, item 3).
    assert main(["export", "--store", url]) == 0
    rulesets = ["--ruleset", "customer-service-standards", "--ruleset", "qse2-responsibility"]
    assert main(["check", "--store", url, *rulesets, "--at", "2026-03-01T12:00"]) in (0, 1)
    capsys.readouterr()


@FEW
@given(data=st.data(), document=shipped_ruleset_documents)
def test_load_ruleset_on_mutated_yaml_files(
    tmp_path: Path, data: st.DataObject, document: Any
) -> None:
    yaml = pytest.importorskip("yaml")
    path = tmp_path / "rules.yaml"
    try:
        path.write_text(yaml.safe_dump(data.draw(mutated(document)), allow_unicode=True), "utf-8")
    except (yaml.YAMLError, UnicodeEncodeError, RecursionError):  # not writable as YAML
        return
    ruleset = accepted_or_rejected(qse.load_ruleset, path)
    if ruleset is not None:
        accepted_or_rejected(qse.check, CHECKED, ruleset, calendar=CHECK_CALENDAR, at=LATER)


# -- store URLs (issue 14, items 1 and 6) --------------------------------------------------------

url_texts = st.builds(
    "{}://{}".format,
    st.sampled_from(["postgresql", "postgres", "memory", "mysql", "", "vault"]),
    st.text(max_size=40),
) | st.text(max_size=40)


@settings(max_examples=150)
@given(
    url=url_texts,
    secret=st.builds("Pw{}9q".format, st.text(st.characters(codec="ascii"), min_size=6)),
)
def test_open_store_on_garbage_urls(url: str, secret: str) -> None:
    """Any URL: a store, or a QSEError that never shows the URL's password. (No SQLite URL: a
    random one would create a database file wherever it points; the SQLite URL's own tests use
    temporary folders.)"""
    url = url.replace("sqlite", "sqlitx")
    accepted_or_rejected(lambda: qse.open_store(url).close())
    secret = secret.replace("*", "")
    if "://" not in url or secret in url or len(secret) < 10:
        return
    try:
        qse.open_store(url.replace("://", f"://qse:{secret}@", 1)).close()
    except qse.QSEError as error:
        assert secret not in str(error)
