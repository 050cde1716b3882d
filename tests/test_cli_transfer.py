"""``qse-customer import`` and ``export``: all or nothing, and a faithful round trip."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.cli.main import main
from qse_customer.testing.strategies import records

STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
AT = datetime(2026, 1, 5, 9, tzinfo=UTC)
_numbers = itertools.count()


def _line(record: qse.Record) -> str:
    return qse.to_json(record)


def test_import_stores_nothing_when_one_line_is_bad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = qse.Complaint.receive(id="C-1", at=AT, by=STAFF, channel="email", category="Delay")
    bad = json.loads(_line(good)) | {"id": "C-2", "channel": "pigeon"}
    source = tmp_path / "in.jsonl"
    source.write_text(f"{_line(good)}\n{json.dumps(bad)}\n")
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    assert main(["import", "--store", url, str(source)]) == 2
    err = capsys.readouterr().err
    assert f"{source}: line 2: $.channel:" in err and "nothing imported" in err
    with qse.open_store(url) as store:
        assert store.count("complaint") == 0


def test_import_then_export_anonymous_complaint_has_no_submitter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anonymous = qse.Complaint.receive(
        id="C-9", at=AT, by=STAFF, channel="form", category="Attitude", anonymous=True
    )
    source = tmp_path / "in.jsonl"
    source.write_text(_line(anonymous) + "\n")
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    assert main(["import", "--store", url, str(source)]) == 0
    assert "imported 1 record(s)" in capsys.readouterr().out
    target = tmp_path / "out.jsonl"
    assert main(["export", "--store", url, "--type", "complaint", "--output", str(target)]) == 0
    exported = json.loads(target.read_text())
    assert exported["anonymous"] is True and exported["submitter"] is None


@settings(max_examples=25)
@given(st.lists(records(), min_size=1, max_size=6, unique_by=lambda r: (r.TYPE, r.id)))
def test_export_then_import_gives_equal_records(
    tmp_path_factory: pytest.TempPathFactory, batch: list[qse.Record]
) -> None:
    folder = tmp_path_factory.mktemp(f"round{next(_numbers)}")
    first, second = f"sqlite:///{folder / 'a.db'}", f"sqlite:///{folder / 'b.db'}"
    with qse.open_store(first) as store:
        store.save_many(batch)
    exported = folder / "all.jsonl"
    assert main(["export", "--store", first, "--output", str(exported)]) == 0
    assert main(["import", "--store", second, str(exported)]) == 0
    with qse.open_store(second) as store:
        for record in batch:
            assert store.load(record.TYPE, record.id) == record


def test_export_of_a_missing_store_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--store", f"sqlite:///{tmp_path / 'none.db'}"]) == 2
    assert "no file" in capsys.readouterr().err
