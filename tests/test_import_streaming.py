"""Issue 14, item 10: ``qse-customer import`` streams. It validates the file in a first pass,
checks it against the store in a second and saves it in one transaction in a third, reading a
line at a time: peak memory does not grow with the file's size, and it is still all or nothing,
with every problem listed by file, line and JSON path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.cli import transfer
from qse_customer.cli.documents import split_documents, stream_documents
from qse_customer.cli.main import main

STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
AT = datetime(2026, 1, 5, 9, tzinfo=UTC)
SRC = Path(__file__).resolve().parents[1] / "src"


def _complaint(number: int, summary: str = "") -> qse.Complaint:
    return qse.Complaint.receive(
        id=f"C-{number}", at=AT, by=STAFF, channel="email", category="Delay", summary=summary
    )


def _write(path: Path, records: list[qse.Complaint]) -> Path:
    path.write_text("".join(qse.to_json(record) + "\n" for record in records), encoding="utf-8")
    return path


# The child imports a file and prints its own peak resident memory (VmHWM: its ru_maxrss would
# begin at the test process's peak). The store's write batch (1,000 records) is a constant the
# files of a fast test would not fill: a batch of 25 lets a few megabytes show whether memory
# grows with the file.
PEAK_OF_IMPORT = """
import functools, sys
from qse_customer.stores.sqlite import SQLiteStore
SQLiteStore.__init__ = functools.partialmethod(SQLiteStore.__init__, batch_size=25)
from qse_customer.cli.main import main
assert main(["import", "--store", sys.argv[1], sys.argv[2]]) == 0
with open("/proc/self/status") as status:
    print(next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:")))
"""


def _peak_of_import(folder: Path, lines: int) -> tuple[int, int]:
    """The peak RSS (bytes) of a process importing ``lines`` complaints of 8 kB, and the file's
    size."""
    source = _write(folder / f"{lines}.jsonl", [_complaint(n, "x" * 8000) for n in range(lines)])
    environment = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run(
        [sys.executable, "-c", PEAK_OF_IMPORT, f"sqlite:///{folder / f'{lines}.db'}", str(source)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1]), source.stat().st_size


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's VmHWM")
def test_import_holds_the_whole_file_no_more(tmp_path: Path) -> None:
    small_peak, small_size = _peak_of_import(tmp_path, 300)
    large_peak, large_size = _peak_of_import(tmp_path, 900)
    growth = large_peak - small_peak
    # Holding the file cost 4.7 times its size; streaming costs a key a record (about 100 bytes
    # for 8 kB lines) and allocator noise.
    assert growth < 0.2 * (large_size - small_size), (small_peak, large_peak, large_size)


def test_import_streams_and_still_lists_every_problem_of_a_large_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    documents = [json.loads(qse.to_json(_complaint(n))) for n in range(1500)]
    documents[3]["channel"] = "pigeon"
    documents[1200]["events"][0]["at"] = "yesterday"
    documents[1499]["id"] = "C-7"
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps(d) + "\n" for d in documents[:700])
        + "{not json\n\n"
        + "".join(json.dumps(d) + "\n" for d in documents[700:])
    )
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    assert main(["import", "--store", url, str(source)]) == 2
    err = capsys.readouterr().err
    assert f"{source}: line 4: $.channel:" in err
    assert f"{source}: line 701: $: not JSON" in err
    assert f"{source}: line 1203: $.events[0].at:" in err
    assert f"{source}: line 1502: $.id: complaint C-7 is also on line 8" in err
    assert "nothing imported: 4 problem(s)" in err
    with qse.open_store(url) as store:
        assert store.count("complaint") == 0


def test_import_rolls_back_a_refusal_found_in_the_middle_of_the_transaction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    stored = _complaint(1500)
    with qse.open_store(url) as store:
        store.save(stored)
    rewritten = json.loads(qse.to_json(stored)) | {"category": "Attitude"}
    source = tmp_path / "in.jsonl"
    # 1,200 new records (more than one write batch) before the one that rewrites the store's.
    source.write_text(
        "".join(qse.to_json(_complaint(n)) + "\n" for n in range(1200))
        + json.dumps(rewritten)
        + "\n"
    )
    # As if another writer had saved C-1500 between the check against the store and the save.
    monkeypatch.setattr(transfer._ImportFile, "check_against", lambda self, store, legacy: True)
    assert main(["import", "--store", url, str(source)]) == 2
    err = capsys.readouterr().err
    assert f"{source}: line 1201: complaint 'C-1500': $.category:" in err
    assert "nothing imported: 1 problem(s)" in err
    with qse.open_store(url) as store:
        assert store.count("complaint") == 1
        assert store.load("complaint", "C-1500") == stored


def test_import_refuses_a_file_changed_between_its_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _write(tmp_path / "in.jsonl", [_complaint(n) for n in range(3)])
    checked = transfer._ImportFile.check_against

    def check_then_change(self: transfer._ImportFile, store: qse.Store, legacy: bool) -> bool:
        result = checked(self, store, legacy=legacy)
        with source.open("a") as stream:  # a line nobody validated
            stream.write(json.dumps({"type": "complaint", "id": "C-99"}) + "\n")
        return result

    monkeypatch.setattr(transfer._ImportFile, "check_against", check_then_change)
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    assert main(["import", "--store", url, str(source)]) == 2
    assert "changed while it was imported; nothing imported" in capsys.readouterr().err
    with qse.open_store(url) as store:
        assert store.count("complaint") == 0


def test_legacy_import_lists_every_record_the_store_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with qse.open_store(url) as store:
        store.save_many([_complaint(1), _complaint(3)])
    source = _write(tmp_path / "in.jsonl", [_complaint(n) for n in range(4)])
    assert main(["import", "--legacy", "--store", url, str(source)]) == 2
    err = capsys.readouterr().err
    assert f"{source}: line 2: $.id: the store holds complaint C-1 already" in err
    assert f"{source}: line 4: $.id: the store holds complaint C-3 already" in err
    with qse.open_store(url) as store:
        assert store.count("complaint") == 2


def test_a_json_array_file_still_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.json"
    records = [_complaint(n) for n in range(3)]
    source.write_text(json.dumps([json.loads(qse.to_json(r)) for r in records], indent=2))
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    assert main(["import", "--store", url, str(source)]) == 0
    assert "imported 3 record(s)" in capsys.readouterr().out
    with qse.open_store(url) as store:
        assert [store.load("complaint", r.id) for r in records] == records


_LINES = st.lists(
    st.one_of(
        st.just(""),
        st.just("   "),
        st.just('{"type": "complaint"}'),
        st.just('{"a": [1, 2]}\r'),
        st.just("[1, 2]"),
        st.just('"text"'),
        st.just("{not json"),
        st.just('{"note": "a\u2028b"}'),
        st.just("{"),
        st.just("}"),
    ),
    max_size=8,
)


@settings(max_examples=200)
@given(lines=_LINES, ending=st.sampled_from(["\n", "\r\n", ""]))
def test_streamed_documents_equal_the_documents_read_whole(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], ending: str
) -> None:
    path = tmp_path_factory.mktemp("lines") / "in.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8") + ending.encode("utf-8"))

    streamed, whole = list(stream_documents(path)), list(split_documents(path))
    assert [repr(document) for _, document in streamed] == [repr(d) for _, d in whole]
    # Where they are, but for a file of one document, which the stream places on its line.
    if [where for where, _ in whole] != [""]:
        assert [where for where, _ in streamed] == [where for where, _ in whole]
