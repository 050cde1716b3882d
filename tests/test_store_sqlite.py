"""The SQLite store's own promises: files it refuses untouched, migrations, WAL, records whose
stored JSON no longer validates, streaming in constant memory, and its URLs."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from qse_customer import Complaint, Enquiry, Event
from qse_customer.stores import (
    CorruptStoreError,
    ForeignStoreError,
    SQLiteStore,
    StoredRecordError,
    StoreError,
    StoreVersionError,
    open_store,
)
from qse_customer.stores import (
    _sqlite_schema as sqlite_schema,
)
from qse_customer.stores._documents import MODEL_FINGERPRINT, encode, seal
from qse_customer.stores.sqlite import WriterQueue, parse_sqlite_url
from qse_customer.testing.store_contract import MANAGER, STAFF, T0, complaint
from qse_customer.testing.strategies import complaints


def fingerprint(path: Path) -> dict[str, str]:
    """The bytes of a database file and its companions, to prove nothing was written."""
    found = {}
    for file in sorted(path.parent.glob(path.name + "*")):
        found[file.name] = hashlib.sha256(file.read_bytes()).hexdigest()
    return found


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "lab.db"


@pytest.fixture
def store(path: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(path) as opened:
        yield opened


# -- files that are not ours ----------------------------------------------------------------


def test_a_file_that_is_not_sqlite_is_refused_untouched(path: Path) -> None:
    path.write_bytes(b"complaint,category\nc-1,turnaround\n" * 20)
    before = fingerprint(path)
    with pytest.raises(CorruptStoreError, match=r"not an SQLite database.*left untouched"):
        SQLiteStore(path)
    assert fingerprint(path) == before


def test_a_damaged_sqlite_file_is_refused_untouched(path: Path, store: SQLiteStore) -> None:
    store.save_many(complaint(n) for n in range(50))
    store.close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page, after the valid header
    path.write_bytes(bytes(data))
    for companion in path.parent.glob("lab.db-*"):
        companion.unlink()
    before = fingerprint(path)
    with pytest.raises(CorruptStoreError, match="damaged"):
        SQLiteStore(path)
    assert fingerprint(path) == before


def test_another_programs_database_is_refused_untouched(path: Path) -> None:
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE patients (id INTEGER PRIMARY KEY, name TEXT)")
    other.execute("INSERT INTO patients (name) VALUES ('A. Patient')")
    other.commit()
    other.close()
    before = fingerprint(path)
    with pytest.raises(ForeignStoreError, match=r"another program.*patients"):
        open_store(f"sqlite:///{path}")
    assert fingerprint(path) == before


def test_a_store_of_a_newer_schema_is_refused_untouched(path: Path, store: SQLiteStore) -> None:
    store.save(complaint(1))
    store.close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {sqlite_schema.LATEST_VERSION + 1}")
    raw.close()
    before = fingerprint(path)
    with pytest.raises(StoreVersionError, match="upgrade qse-customer"):
        SQLiteStore(path)
    assert fingerprint(path) == before


def test_an_empty_file_becomes_a_store(path: Path) -> None:
    path.touch()
    with SQLiteStore(path) as store:
        store.save(complaint(1))
    with SQLiteStore(path) as store:
        assert store.load(Complaint, "c-0001") == complaint(1)


# -- schema and migrations ------------------------------------------------------------------


def test_a_new_store_is_at_the_latest_version_in_wal_mode(path: Path, store: SQLiteStore) -> None:
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA application_id").fetchone()[0] == sqlite_schema.APPLICATION_ID
    assert raw.execute("PRAGMA user_version").fetchone()[0] == sqlite_schema.LATEST_VERSION
    versions = [row[0] for row in raw.execute("SELECT version FROM qse_schema_migrations")]
    assert versions == [m.version for m in sqlite_schema.MIGRATIONS]
    raw.close()


def _old_document(record: Complaint) -> str:
    """A record's document as a store of schema version 1 or 2 wrote it (no recorded_at)."""
    document = json.loads(encode(record))
    for event in document["events"]:
        del event["recorded_at"]
    return json.dumps(document, separators=(",", ":"))


def test_an_older_store_is_migrated_keeping_its_records(path: Path) -> None:
    raw = sqlite3.connect(path, isolation_level=None)
    assert sqlite_schema.migrate(raw, target=1) == [1]
    record = complaint(1)
    document = _old_document(record)
    raw.execute(
        "INSERT INTO qse_records VALUES (?, ?, ?, ?, ?, ?, ?)",
        ("complaint", record.id, "open", 0, 0, document, seal(document)),
    )
    raw.close()
    with SQLiteStore(path) as store:
        assert store.load(Complaint, record.id) == record
        store.add_notifications([], notifiers=["log"])  # the version 2 tables exist
        # Version 3: the record has its hash chain, its events were recorded before stamping.
        assert store.verify() == []
        assert [e.recorded_at for e in store.load(Complaint, record.id).events] == [None]
        later = store.append_event(
            Complaint, record.id, Event("acknowledged", T0 + timedelta(hours=1), STAFF)
        )
        assert later.events[0].recorded_at is None and later.events[1].recorded_at is not None
        assert store.verify() == []
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == sqlite_schema.LATEST_VERSION == 4
    # Version 4: the record is of the default lab ('').
    assert raw.execute("SELECT lab FROM qse_records").fetchall() == [("",)]
    raw.close()


@pytest.mark.parametrize(
    "document", ['{"type": "complaint", "events": ["not an event"]}', "not JSON", "[]"]
)
def test_a_row_the_chain_cannot_cover_does_not_stop_the_migration(
    path: Path, document: str
) -> None:
    raw = sqlite3.connect(path, isolation_level=None)
    assert sqlite_schema.migrate(raw, target=2) == [1, 2]
    kept = _old_document(complaint(1))
    raw.executemany(
        "INSERT INTO qse_records VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            ("complaint", "c-0001", "open", 0, 0, kept, seal(kept)),
            ("complaint", "c-0002", "open", 1, 1, document, 0),  # edited by hand
        ],
    )
    raw.close()
    with SQLiteStore(path) as store:
        assert [p.record_id for p in store.verify()] == ["c-0002"]
        assert store.load(Complaint, "c-0001") == complaint(1)


def test_a_failing_migration_leaves_the_previous_version(
    path: Path, store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(complaint(1))
    store.close()
    latest = sqlite_schema.LATEST_VERSION
    broken = sqlite_schema.Migration(
        latest + 1, "broken", ("CREATE TABLE qse_half_done (x INTEGER)", "THIS IS NOT SQL")
    )
    monkeypatch.setattr(sqlite_schema, "MIGRATIONS", (*sqlite_schema.MIGRATIONS, broken))
    raw = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        sqlite_schema.migrate(raw, target=latest + 1)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == latest
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
    assert "qse_half_done" not in tables
    raw.close()
    with SQLiteStore(path) as reopened:
        assert reopened.load(Complaint, "c-0001") == complaint(1)


# -- stored records that no longer validate -------------------------------------------------


def _edit(path: Path, record_id: str, change: dict[str, object]) -> None:
    raw = sqlite3.connect(path)
    (document,) = raw.execute(
        "SELECT document FROM qse_records WHERE id = ?", (record_id,)
    ).fetchone()
    edited = {**json.loads(document), **change}
    raw.execute("UPDATE qse_records SET document = ? WHERE id = ?", (json.dumps(edited), record_id))
    raw.commit()
    raw.close()


def test_an_invalid_stored_record_is_named_and_the_others_still_load(
    path: Path, store: SQLiteStore
) -> None:
    store.save_many(complaint(n, hours=n) for n in range(5))
    _edit(path, "c-0002", {"channel": "carrier pigeon"})
    with pytest.raises(StoredRecordError, match=r"(?s)complaint 'c-0002'.*\$\.channel") as raised:
        store.load(Complaint, "c-0002")
    assert (raised.value.record_type, raised.value.record_id) == ("complaint", "c-0002")
    assert store.load(Complaint, "c-0003") == complaint(3, hours=3)
    assert store.count(Complaint) == 5


def test_a_stream_raises_on_an_invalid_record_or_skips_and_reports_it(
    path: Path, store: SQLiteStore
) -> None:
    store.save_many(complaint(n, hours=n) for n in range(5))
    _edit(path, "c-0001", {"events": []})
    with pytest.raises(StoredRecordError, match="c-0001"):
        list(store.stream(Complaint))
    skipped: list[StoredRecordError] = []
    streamed = [r.id for r in store.stream(Complaint, on_invalid=skipped.append)]
    assert streamed == ["c-0000", "c-0002", "c-0003", "c-0004"]
    assert [(e.record_id, e.errors[0].path) for e in skipped] == [("c-0001", "$.events")]
    page = store.list(Complaint, on_invalid=skipped.append)
    assert [r.id for r in page] == streamed


def test_an_edit_that_breaks_the_models_rules_is_caught(path: Path, store: SQLiteStore) -> None:
    store.save(complaint(1, anonymous=True))
    _edit(path, "c-0001", {"submitter": {"name": "A. Patient"}})  # valid JSON, forbidden
    with pytest.raises(StoredRecordError, match="anonymous"):
        store.load(Complaint, "c-0001")


def test_verify_finds_a_raw_update_behind_the_stores_back(path: Path, store: SQLiteStore) -> None:
    late = complaint(1).add("acknowledged", at=T0 + timedelta(days=9), by=STAFF)
    store.save_many([late, complaint(2, hours=1)])
    assert store.verify() == []
    raw = sqlite3.connect(path)
    (document,) = raw.execute("SELECT document FROM qse_records WHERE id = 'c-0001'").fetchone()
    moved = document.replace("2026-01-14T09:00:00+00:00", "2026-01-05T10:00:00+00:00")
    assert moved != document
    # A forger who knows the seal's formula: the row even loads through the fast path.
    raw.execute(
        "UPDATE qse_records SET document = ?, seal = ? WHERE id = 'c-0001'", (moved, seal(moved))
    )
    raw.commit()
    raw.close()
    [problem] = store.verify()
    assert (problem.record_id, problem.errors[0].path) == ("c-0001", "$.events[1]")
    assert "hash chain" in str(problem)
    # A later write extends the chain from the stored head: it never launders the edit.
    store.append_event(Complaint, "c-0001", Event("closed", T0 + timedelta(days=10), STAFF))
    assert [(p.record_id, p.errors[0].path) for p in store.verify()] == [("c-0001", "$.events[1]")]


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_verify_finds_any_single_byte_change_to_a_stored_event(data: st.DataObject) -> None:
    record = data.draw(complaints())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lab.db"
        with SQLiteStore(path) as store:
            store.save(record)
            raw = sqlite3.connect(path)
            (document,) = raw.execute("SELECT document FROM qse_records").fetchone()
            events = json.loads(document)["events"]
            index = data.draw(st.integers(0, len(events) - 1))
            text = json.dumps(events[index], separators=(",", ":"))  # as the store writes it
            start = document.index(text)
            position = start + data.draw(st.integers(0, len(text) - 1))
            changed = (
                document[:position]
                + data.draw(st.characters(codec="utf-8", exclude_characters=document[position]))
                + document[position + 1 :]
            )
            # The same JSON value written another way ("\u00e9" as "\u00E9") is no change;
            # text that is not JSON any more is one.
            with contextlib.suppress(ValueError):
                assume(json.loads(changed) != json.loads(document))
            raw.execute("UPDATE qse_records SET document = ?", (changed,))
            raw.commit()
            raw.close()
            problems = store.verify()
            assert [p.record_id for p in problems] == [record.id]


def test_verify_reseals_valid_rows_and_reports_invalid_ones(path: Path, store: SQLiteStore) -> None:
    store.save_many(complaint(n, hours=n) for n in range(4))
    raw = sqlite3.connect(path)
    raw.execute("UPDATE qse_records SET seal = 0")  # as if written under another model
    raw.commit()
    raw.close()
    _edit(path, "c-0003", {"category": ""})
    problems = store.verify()
    assert [p.record_id for p in problems] == ["c-0003"]
    raw = sqlite3.connect(path)
    rows = raw.execute("SELECT id, document, seal FROM qse_records ORDER BY id").fetchall()
    raw.close()
    assert [row[2] == seal(row[1]) for row in rows] == [True, True, True, False]
    assert [r.id for r in store.stream(Complaint, on_invalid=lambda e: None)] == [
        "c-0000",
        "c-0001",
        "c-0002",
    ]


@pytest.mark.parametrize("resealed", [False, True])
def test_a_document_that_is_not_utf8_fails_as_reading_it_as_text_does(
    path: Path, store: SQLiteStore, resealed: bool
) -> None:
    """Streams and pages read documents as bytes: one that is not UTF-8 (sealed or not) still
    fails with the error reading it as text gives, naming the store."""
    store.save_many(complaint(n, hours=n) for n in range(3))
    raw = sqlite3.connect(path)
    (document,) = raw.execute("SELECT document FROM qse_records WHERE id = 'c-0001'").fetchone()
    broken = document.encode().replace(b'"category":"', b'"category":"\xff', 1)
    assert broken != document.encode()
    signed = zlib.crc32(broken, zlib.crc32(MODEL_FINGERPRINT))
    new_seal = signed - (1 << 32) if signed >= 1 << 31 else signed
    raw.execute(
        "UPDATE qse_records SET document = CAST(? AS TEXT), seal = ? WHERE id = 'c-0001'",
        (broken, new_seal if resealed else 0),
    )
    raw.commit()
    with pytest.raises(sqlite3.OperationalError) as as_text:
        raw.execute("SELECT document FROM qse_records").fetchall()
    raw.close()
    expected = f"{store.where}: {as_text.value}"
    assert "Could not decode to UTF-8 column 'document'" in expected
    for read in (
        lambda: list(store.stream(Complaint)),
        lambda: list(store.stream(Complaint, on_invalid=lambda error: None)),
        lambda: store.list(Complaint),
    ):
        with pytest.raises(StoreError) as raised:
            read()
        assert str(raised.value) == expected


def test_a_file_that_keeps_its_text_in_utf16_reads_documents_as_text(tmp_path: Path) -> None:
    path = tmp_path / "utf16.db"
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA encoding = 'UTF-16le'")
    raw.execute("CREATE TABLE t (x)")  # the encoding is fixed once the file has a table
    raw.execute("DROP TABLE t")
    raw.close()
    with SQLiteStore(path) as store:
        assert store.document_bytes is None
        store.save_many(complaint(n, hours=n) for n in range(3))
        expected = [complaint(n, hours=n) for n in range(3)]
        assert list(store.stream(Complaint)) == expected
        assert list(store.list(Complaint)) == expected
    with SQLiteStore(tmp_path / "utf8.db") as store:
        assert store.document_bytes is not None


# -- transactions, concurrency and streaming ------------------------------------------------


def test_an_error_while_saving_many_writes_nothing(store: SQLiteStore) -> None:
    def records() -> Iterator[Complaint]:
        yield from (complaint(n) for n in range(2500))  # more than one batch
        raise RuntimeError("the LIS connection dropped")

    with pytest.raises(RuntimeError, match="dropped"):
        store.save_many(records())
    assert store.count(Complaint) == 0


def test_records_survive_closing_and_reopening(path: Path) -> None:
    with SQLiteStore(path) as store:
        store.save_many(complaint(n) for n in range(3))
        store.append_event(Complaint, "c-0001", Event("acknowledged", T0 + timedelta(hours=1)))
    with open_store(f"sqlite:///{path}") as store:
        assert store.count(Complaint, status="acknowledged") == 1
        assert store.count(Complaint) == 3


def queue_files(path: Path) -> list[str]:
    return sorted(file.name for file in path.parent.glob(path.name + "-queue*"))


def test_closing_the_last_writer_removes_the_writer_queues_files(path: Path) -> None:
    first, second = SQLiteStore(path), SQLiteStore(path)
    first.save(complaint(1))
    second.save(complaint(2))
    assert queue_files(path) == ["lab.db-queue", "lab.db-queue-1"]
    first.close()  # no writer in the queue: its files go, and the next writer starts it again
    assert queue_files(path) == []
    second.append_event(Complaint, "c-0001", Event("acknowledged", T0, MANAGER))
    assert queue_files(path) == ["lab.db-queue", "lab.db-queue-0"]
    second.close()
    assert queue_files(path) == []
    with SQLiteStore(path) as store:
        assert store.count(Complaint, status="acknowledged") == 1


def test_the_writer_queue_stays_while_a_writer_holds_its_turn(path: Path) -> None:
    with SQLiteStore(path) as store:
        store.save(complaint(1))
    writer, closing = WriterQueue(str(path)), WriterQueue(str(path))
    with writer.turn(timeout=1):
        closing.clean_up()
        assert queue_files(path) == ["lab.db-queue", "lab.db-queue-0"]
    closing.clean_up()
    assert queue_files(path) == []


def test_a_writer_held_up_too_long_gets_a_clear_error(path: Path) -> None:
    with SQLiteStore(path) as store:
        store.save(complaint(1))
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with SQLiteStore(path, timeout=0.05) as store:
            with pytest.raises(StoreError, match="locked by another writer"):
                store.append_event(Complaint, "c-0001", Event("acknowledged", T0, MANAGER))
            assert store.load(Complaint, "c-0001") == complaint(1)  # readers are not blocked
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_a_stream_survives_writes_and_failed_writes_on_the_same_store(store: SQLiteStore) -> None:
    store.chunk_size = 3
    store.save_many(complaint(n, hours=n) for n in range(10))
    seen = []
    for record in store.stream(Complaint):
        seen.append(record.id)
        store.append_event(Complaint, record.id, Event("acknowledged", T0 + timedelta(days=1)))
        with pytest.raises(Exception, match=r"feedback|anonymous|earlier"):
            store.append_event(Complaint, record.id, Event("acknowledged", T0 - timedelta(days=1)))
    assert seen == [f"c-{n:04d}" for n in range(10)]
    assert store.count(Complaint, status="acknowledged") == 10


def _peak_while_streaming(store: SQLiteStore) -> int:
    tracemalloc.start()
    try:
        count = sum(1 for _ in store.stream(Complaint))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == store.count(Complaint)
    return peak


def test_streaming_memory_does_not_grow_with_the_number_of_records(tmp_path: Path) -> None:
    peaks = []
    for n in (2_000, 12_000):
        with SQLiteStore(tmp_path / f"{n}.db", synchronous="off") as store:
            store.save_many(complaint(i, hours=i / 10) for i in range(n))
            peaks.append(_peak_while_streaming(store))
    assert peaks[1] < 1.5 * peaks[0], peaks


def test_an_enquiry_and_a_complaint_stream_separately(store: SQLiteStore) -> None:
    store.save(complaint(1))
    store.save(Enquiry.receive(id="e-1", at=T0, by=MANAGER, channel="email"))
    assert [r.id for r in store.stream(Enquiry)] == ["e-1"]
    assert [r.id for r in store.stream("complaint")] == ["c-0001"]


# -- URLs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "path", "options"),
    [
        ("sqlite:///lab.db", "lab.db", {}),
        ("sqlite:////var/lib/qse/lab.db", "/var/lib/qse/lab.db", {}),
        ("sqlite:///:memory:", ":memory:", {}),
        ("sqlite:///my%20lab.db?timeout=5", "my lab.db", {"timeout": "5"}),
    ],
)
def test_sqlite_urls_follow_sqlalchemy(url: str, path: str, options: dict[str, str]) -> None:
    assert parse_sqlite_url(url) == (path, options)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite://lab.db", "expected sqlite:///"),
        ("sqlite:///", "names no database"),
        ("sqlite:///lab.db?cache=big", "unknown option"),
        ("sqlite:///lab.db?timeout=soon", "number of seconds"),
        ("sqlite:///lab.db?synchronous=maybe", "expected one of"),
    ],
)
def test_bad_sqlite_urls_are_refused_clearly(url: str, message: str, tmp_path: Path) -> None:
    os.chdir(tmp_path)
    with pytest.raises(Exception, match=message):
        open_store(url)
    assert not (tmp_path / "lab.db").exists()


def test_relative_paths_are_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///relative.db?synchronous=normal") as store:
        store.save(complaint(1))
    assert (tmp_path / "relative.db").exists()


def test_times_are_indexed_exactly(store: SQLiteStore) -> None:
    # One microsecond before midnight: the last moment before ``until`` (records' times start in
    # 1990, so no time before 1970 is stored).
    early = complaint(1).evolve(
        events=(Event("received", datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),)
    )
    store.save(early)
    page = store.list(Complaint, until=datetime(2000, 1, 1, tzinfo=UTC))
    assert [r.id for r in page] == ["c-0001"]
