"""docs/audit.md: the stand-alone chain checker it prints (standard library and rfc8785 only)
agrees with the library on every record a store writes, and finds what the library finds."""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.core.evidence import Evidence, first_difference
from qse_customer.stores import SQLiteStore
from qse_customer.testing.strategies import records

DOC = Path(__file__).resolve().parents[1] / "docs" / "audit.md"
(PROGRAM,) = re.findall(r"```python\n(.*?)```", DOC.read_text("utf-8"), flags=re.S)
CHECKER: dict[str, Any] = {}
exec(compile(PROGRAM, f"{DOC}, the checker", "exec"), CHECKER)
QM = qse.Actor("qm-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)


def rows(path: Path) -> list[tuple[str, str, str]]:
    raw = sqlite3.connect(path)
    found = raw.execute("SELECT id, document, evidence FROM qse_records ORDER BY id").fetchall()
    raw.close()
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(records(), min_size=1, max_size=4), erase=st.booleans(), data=st.data())
def test_the_documented_checker_agrees_with_the_library(batch, erase, data):
    unique = list({(r.TYPE, r.id): r for r in batch}.values())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lab.db"
        with SQLiteStore(path) as store:
            store.save_many(unique)
            if erase:
                first = unique[0]
                store.erase(first.TYPE, first.id, by=QM, reason="request 17")
            for _, document, evidence in rows(path):
                kept = json.loads(evidence)
                assert CHECKER["chain"](json.loads(document), kept) == kept["hashes"]
                assert CHECKER["first_broken"](json.loads(document), kept) is None
            # A change behind the store's back: both find the same event.
            _, document, evidence = data.draw(st.sampled_from(rows(path)))
            changed = json.loads(document)
            index = data.draw(st.integers(0, len(changed["events"]) - 1))
            changed["events"][index]["at"] = "1999-12-31T23:59:59+00:00"
            kept = json.loads(evidence)
            mine = CHECKER["first_broken"](changed, kept)
            assert mine == first_difference(changed, Evidence.from_json(kept)) == index


def test_the_documented_checker_sees_an_unchanged_record_after_an_erasure():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lab.db"
        with SQLiteStore(path) as store:
            store.save(
                qse.Complaint.receive(
                    id="C-1",
                    at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                    by=QM,
                    channel="email",
                    category="turnaround",
                    summary="Pat waited",
                    submitter=qse.Submitter(name="Pat Patient", contact="pat@example.org"),
                )
            )
            store.erase(qse.Complaint, "C-1", by=QM, reason="request 17")
        [(_, document, evidence)] = rows(path)
        assert "Pat" not in document
        assert CHECKER["first_broken"](json.loads(document), json.loads(evidence)) is None


def test_a_data_entry_called_actor_is_a_unit_like_any_other():
    # Found by the store's state machine: data {"actor": None} made sealing fail, and a data
    # entry {"actor": {...}} kept a role beside its digest where the checker above does not.
    for value in (None, {"role": "technologist", "id": "x"}, "Pat"):
        record = qse.Enquiry.receive(
            id="E-1", at=datetime(2026, 3, 2, 9, tzinfo=UTC), by=QM, channel="email"
        ).add("note_added", at=datetime(2026, 3, 2, 10, tzinfo=UTC), by=QM, actor=value)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "lab.db"
            with SQLiteStore(path) as store:
                store.save(record)
                assert store.verify() == []
            [(_, document, evidence)] = rows(path)
            kept = json.loads(evidence)
            assert CHECKER["chain"](json.loads(document), kept) == kept["hashes"]
