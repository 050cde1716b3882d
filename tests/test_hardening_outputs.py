"""Issue 14, items 2 and 9: what the commands write.

Item 2: a crash is never a compliance result and never destroys the last report. Chart labels
are text, never mathtext; every unexpected error exits 70 with a short message (the traceback
only with ``--debug`` or ``QSE_CUSTOMER_DEBUG=1``); every output file is written beside its
destination and renamed into place when complete.

Item 9: control characters in record fields reach no terminal raw: the text report, ``explain``
and the command line's messages show them escaped.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.cli import check as check_command
from qse_customer.cli import transfer as transfer_command
from qse_customer.cli.main import main
from qse_customer.cli.parsing import DEBUG_ENV, EXIT_INTERNAL
from qse_customer.reports._atomic_file import replacing, write_text
from qse_customer.reports._terminal import (
    _UNSAFE_IN_JSON,
    printable,
    printable_json,
    printable_lines,
)
from qse_customer.reports.charts import charts_available, pareto_chart

MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)
STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
AT = "2026-03-01T12:00:00+00:00"
ROOT = Path(__file__).resolve().parent.parent

# What must never reach a terminal raw (C0 but the line break, DEL, C1, separators, bidi).
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
MATHTEXT_CATEGORIES = ["$$", "$^$", r"$\undefined$", "$x", "a$b$c", r"\$", "$_$", "$\\frac{1}$"]


def _store(path: Path, records: list[qse.Record]) -> str:
    url = f"sqlite:///{path}"
    with qse.open_store(url) as store:
        store.save_many(records, legacy=True)
    return url


def _complaints(categories: list[str]) -> list[qse.Record]:
    return [
        qse.Complaint.receive(
            id=f"C-{index}", at=MONDAY + timedelta(days=index), by=None, channel="form",
            category=category,
        )
        for index, category in enumerate(categories * 2)
    ]  # fmt: skip


def _check(url: str, *extra: str) -> list[str]:
    return ["check", "--store", url, "--ruleset", "qse2-responsibility", "--at", AT, *extra]


# -- item 2: labels are text ----------------------------------------------------------------------


def test_a_crash_looks_like_a_compliance_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Categories holding ``$`` crashed matplotlib's mathtext parser in the Pareto chart."""
    url = _store(tmp_path / "lab.db", _complaints(MATHTEXT_CATEGORIES))
    target = tmp_path / "report.html"
    assert main(_check(url, "--format", "html", "--output", str(target))) in (0, 1)
    assert "Traceback" not in capsys.readouterr().err
    page = target.read_text("utf-8")
    if charts_available():
        assert "Pareto of complaints by category" in page
        assert r"$\undefined$" in page


@pytest.mark.skipif(not charts_available(), reason="matplotlib is not installed")
@settings(max_examples=30, deadline=None)
@given(labels=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=4, unique=True))
@example(labels=MATHTEXT_CATEGORIES[:4])
@example(labels=MATHTEXT_CATEGORIES[4:])
@example(labels=["\x1b[31mred", "bell\x07", "nul\x00"])
def test_any_category_can_be_a_chart_label(labels: list[str]) -> None:
    rows = [
        {"value": label, "count": 4 - index, "cumulative_share": (index + 1) / len(labels)}
        for index, label in enumerate(labels)
    ]
    svg = pareto_chart(rows, 0.8)
    assert svg is not None and svg.startswith("<svg")
    assert RAW_CONTROL.search(svg) is None


# -- item 2: an unexpected error is neither a verdict nor a traceback -----------------------------


@pytest.fixture
def crashing_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(report: dict[str, Any]) -> str:
        raise ZeroDivisionError("the renderer divided by zero")

    monkeypatch.setattr(check_command, "_renderer", lambda form: explode)


@pytest.mark.parametrize("output_format", ["text", "json", "html"])
def test_a_crash_destroys_the_last_report(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    crashing_renderer: None,
    output_format: str,
) -> None:
    url = _store(tmp_path / "lab.db", _complaints(["Delay"]))
    target = tmp_path / f"report.{output_format}"
    target.write_text("yesterday's report\n", "utf-8")
    code = main(_check(url, "--format", output_format, "--output", str(target)))
    err = capsys.readouterr().err
    assert code == EXIT_INTERNAL
    assert "internal error: ZeroDivisionError: the renderer divided by zero" in err
    assert "Traceback" not in err and "--debug" in err
    assert target.read_text("utf-8") == "yesterday's report\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        ["lab.db", target.name, *(p.name for p in tmp_path.glob("lab.db-*"))]
    )


@pytest.mark.parametrize("how", ["--debug first", "--debug last", "environment"])
def test_debug_shows_the_traceback(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    crashing_renderer: None,
    how: str,
) -> None:
    url = _store(tmp_path / "lab.db", _complaints(["Delay"]))
    arguments = _check(url)
    if how == "--debug first":
        arguments = ["--debug", *arguments]
    elif how == "--debug last":
        arguments = [*arguments, "--debug"]
    else:
        monkeypatch.setenv(DEBUG_ENV, "1")
    assert main(arguments) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "ZeroDivisionError" in err


def test_an_export_that_fails_halfway_leaves_the_last_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _store(tmp_path / "lab.db", _complaints(["Delay", "Tone", "Cost"]))
    target = tmp_path / "export.jsonl"
    assert main(["export", "--store", url, "--output", str(target)]) == 0
    before = target.read_text("utf-8")
    assert before.count("\n") == 6
    written: list[str] = []

    def second_fails(record: qse.Record) -> str:
        if written:
            raise MemoryError("out of memory")
        written.append(record.id)
        return qse.to_json(record)

    monkeypatch.setattr(transfer_command, "to_json", second_fails)
    assert main(["export", "--store", url, "--output", str(target)]) == EXIT_INTERNAL
    assert "internal error: MemoryError" in capsys.readouterr().err
    assert target.read_text("utf-8") == before
    assert not list(tmp_path.glob(".export.jsonl.*"))


def test_internal_error_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text("utf-8")
    assert f"| {EXIT_INTERNAL} |" in text and "--debug" in text and DEBUG_ENV in text


# -- item 2: files replaced whole -----------------------------------------------------------------


def test_replacing_keeps_the_file_until_the_new_one_is_complete(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old", "utf-8")
    with pytest.raises(RuntimeError), replacing(target) as handle:
        handle.write("half of the new")
        assert target.read_text("utf-8") == "old"
        raise RuntimeError("crash")
    assert target.read_text("utf-8") == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["report.txt"]
    write_text(target, "new")
    assert target.read_text("utf-8") == "new"
    assert [path.name for path in tmp_path.iterdir()] == ["report.txt"]


def test_a_replaced_file_keeps_its_permissions_and_a_new_one_follows_the_umask(
    tmp_path: Path,
) -> None:
    kept = tmp_path / "kept.html"
    kept.write_text("old", "utf-8")
    kept.chmod(0o640)
    write_text(kept, "new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    previous = os.umask(0o022)
    try:
        write_text(tmp_path / "new.html", "new")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.html").stat().st_mode) == 0o644


def test_an_output_path_that_is_a_link_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "published" / "report.html"
    real.parent.mkdir()
    real.write_text("old", "utf-8")
    link = tmp_path / "report.html"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and real.read_text("utf-8") == "new"


def test_an_output_that_cannot_be_written_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _store(tmp_path / "lab.db", _complaints(["Delay"]))
    for target in (tmp_path, tmp_path / "missing" / "report.txt"):
        assert main(_check(url, "--output", str(target))) == 2
        assert f"--output {target}: cannot write it" in capsys.readouterr().err


# -- item 9: control characters shown escaped -----------------------------------------------------


unsafe_text = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from(list("\x1b\x07\x9b\u202e\u2028\r\n\t")),
    max_size=30,
)


@given(text=unsafe_text)
def test_printable_escapes_every_control_character(text: str) -> None:
    shown = printable(text)
    assert RAW_CONTROL.search(shown) is None and "\n" not in shown
    assert printable(shown) == shown
    assert RAW_CONTROL.search(printable_lines(text)) is None
    assert printable_lines(text).count("\n") == text.count("\n")


@given(text=unsafe_text)
def test_printable_json_is_the_same_json(text: str) -> None:
    document = {"note": text, text: [text]}
    shown = printable_json(json.dumps(document, ensure_ascii=False))
    assert RAW_CONTROL.search(shown) is None
    assert json.loads(shown) == document


@given(
    text=st.text(st.characters(max_codepoint=0x2100))
    | st.text(st.characters(max_codepoint=0xFF))
    | st.text(st.sampled_from("a\u00a7\x7f\x80\x9f\xa0\u061c\u2028\ud800"))
)
def test_printable_json_escapes_as_its_pattern_does(text: str) -> None:
    # The Latin-1 shortcut against the plain pattern, over text of every kind CPython stores
    # (Latin-1 with and without DEL or C1 controls, wider text, lone surrogates).
    plain = _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match[0]):04x}", text)
    assert printable_json(text) == plain


def test_printable_leaves_ordinary_text_alone() -> None:
    for text in ("Delay at the Royal Marsden", "naïve café 東京 🙂", r"C:\temp\x1b", "tab-free"):
        assert printable(text) == text


@pytest.fixture
def hostile_store(tmp_path: Path) -> Iterator[str]:
    """Records whose fields carry ESC, BEL, C1 and bidi controls and line breaks."""
    enquiry = qse.Enquiry.receive(
        id="ENQ-\x1b[2J", at=MONDAY, by=STAFF, channel="telephone", note="ring\x07\x07"
    ).add("responded", at=MONDAY + timedelta(days=6), by=STAFF, note="late\x1b]0;owned\x07")
    complaints = _complaints(["\x1b[31mDelay\x1b[0m", "Tone\u202e", "Cost\nT-1 100.0% met"])
    yield _store(tmp_path / "lab.db", [enquiry, *complaints])


def test_terminal_escapes_reach_the_text_report_and_explain(
    hostile_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rulesets = ["--ruleset", "customer-service-standards", "--ruleset", "qse2-responsibility"]
    assert main(["check", "--store", hostile_store, *rulesets, "--at", AT]) == 1
    report = capsys.readouterr().out
    assert RAW_CONTROL.search(report) is None
    assert "\\x1b[31mDelay\\x1b[0m" in report and "ENQ-\\x1b[2J" in report
    assert "Cost\\nT-1 100.0% met" in report
    explain = ["explain", "T-1", "ENQ-\x1b[2J", "--store", hostile_store, *rulesets, "--at", AT]
    assert main(explain) == 0
    out = capsys.readouterr().out
    assert RAW_CONTROL.search(out) is None and "ENQ-\\x1b[2J: BREACHED" in out
    assert main([*explain, "--json"]) == 0
    out = capsys.readouterr().out
    assert RAW_CONTROL.search(out) is None
    assert json.loads(out)["record_id"] == "ENQ-\x1b[2J"
    for output_format in ("json", "html"):
        command = ["check", "--store", hostile_store, *rulesets, "--at", AT]
        assert main([*command, "--format", output_format]) == 1
        out = capsys.readouterr().out
        assert RAW_CONTROL.search(out) is None, output_format
    assert "ENQ-\\x1b[2J" in out  # the page shows the escape, as the text report does


def test_terminal_escapes_in_command_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = qse.to_dict(_complaints(["Delay"])[0])
    document["channel"] = "pigeon\x1b[2J"
    bad = tmp_path / "bad\x1b[31m.jsonl"
    bad.write_text(json.dumps(document) + "\n", "utf-8")
    assert main(["validate", str(bad)]) == 2
    assert main(["import", "--store", f"sqlite:///{tmp_path / 'lab.db'}", str(bad)]) == 2
    assert main(["check", "--store", "sqlite:///\x1b[2J.db", "--ruleset", "x"]) == 2
    captured = capsys.readouterr()
    for text in (captured.out, captured.err):
        assert RAW_CONTROL.search(text) is None
    assert "bad\\x1b[31m.jsonl: INVALID" in captured.out


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(category=unsafe_text.filter(str.strip), note=unsafe_text)
def test_no_record_field_reaches_the_text_report_raw(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    category: str,
    note: str,
) -> None:
    folder = tmp_path_factory.mktemp("terminal")
    complaint = qse.Complaint.receive(
        id=f"C{category}", at=MONDAY, by=STAFF, channel="form", category=category, note=note
    ).add("acknowledged", at=MONDAY + timedelta(days=9), by=STAFF, note=note)
    url = _store(folder / "lab.db", [complaint])
    assert main(_check(url)) in (0, 1)
    out = capsys.readouterr().out
    assert RAW_CONTROL.search(out) is None
