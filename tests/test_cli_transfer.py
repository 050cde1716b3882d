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
    backup = ["export", "--store", first, "--output", str(exported), "--include-anonymous-text"]
    assert main(backup) == 0
    assert main(["import", "--store", second, str(exported)]) == 0
    with qse.open_store(second) as store:
        for record in batch:
            assert store.load(record.TYPE, record.id) == record


def test_export_of_a_missing_store_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--store", f"sqlite:///{tmp_path / 'none.db'}"]) == 2
    assert "no file" in capsys.readouterr().err


@settings(max_examples=25)
@given(
    st.lists(records(), min_size=1, max_size=4, unique_by=lambda r: (r.TYPE, r.id)),
    st.data(),
)
def test_import_can_extend_a_stored_history_but_never_shorten_or_rewrite_it(
    tmp_path_factory: pytest.TempPathFactory, batch: list[qse.Record], data: st.DataObject
) -> None:
    folder = tmp_path_factory.mktemp(f"grow{next(_numbers)}")
    url = f"sqlite:///{folder / 'lab.db'}"
    with qse.open_store(url) as store:
        store.save_many(batch)
    source = folder / "in.jsonl"
    # The same records again: nothing changes, and the import succeeds.
    source.write_text("".join(_line(record) + "\n" for record in batch))
    assert main(["import", "--store", url, str(source)]) == 0
    # One record with its history cut short (or its first event moved): refused, nothing stored.
    victim = data.draw(st.sampled_from(batch))
    events = list(victim.events)
    if len(events) > 1:
        cut = data.draw(st.integers(1, len(events) - 1))
        changed = json.loads(_line(victim))
        changed["events"] = changed["events"][:cut]
    else:
        changed = json.loads(_line(victim))
        changed["events"][0]["note"] = "rewritten"
    others = [record for record in batch if record is not victim]
    source.write_text("".join(_line(r) + "\n" for r in others) + json.dumps(changed) + "\n")
    assert main(["import", "--store", url, str(source)]) == 2
    with qse.open_store(url) as store:
        for record in batch:
            assert store.load(record.TYPE, record.id) == record


def test_import_adds_the_events_recorded_since_an_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    received = qse.Complaint.receive(id="C-1", at=AT, by=STAFF, channel="email", category="Delay")
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with qse.open_store(url) as store:
        store.save(received)
    later = received.add("acknowledged", at=AT.replace(hour=11), by=STAFF)
    source = tmp_path / "in.jsonl"
    source.write_text(_line(later) + "\n")
    assert main(["import", "--store", url, str(source)]) == 0
    with qse.open_store(url) as store:
        assert store.load("complaint", "C-1") == later
    changed = json.loads(_line(later)) | {"category": "Attitude"}
    source.write_text(json.dumps(changed) + "\n")
    assert main(["import", "--store", url, str(source)]) == 2
    assert "$.category: differs from the store's complaint C-1" in capsys.readouterr().err


def test_a_file_holding_one_record_twice_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    received = qse.Complaint.receive(id="C-1", at=AT, by=STAFF, channel="email", category="Delay")
    source = tmp_path / "in.jsonl"
    source.write_text(_line(received) + "\n" + _line(received) + "\n")
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    assert main(["import", "--store", url, str(source)]) == 2
    assert f"{source}: line 2: $.id: complaint C-1 is also on line 1" in capsys.readouterr().err
    with qse.open_store(url) as store:
        assert store.count("complaint") == 0
