"""Many labs in one store: ``open_store(url, lab=...)``, plugins that take no lab, and the
migration of a single-lab store to a home lab that keeps every hash chain (docs/labs.md)."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer import ValidationError
from qse_customer.core.evidence import seal as chain
from qse_customer.core.record import Record
from qse_customer.notifiers import Notification, NotificationKind
from qse_customer.plugins import PluginResultError, hookimpl
from qse_customer.plugins.manager import QSEPluginManager
from qse_customer.stores import MemoryStore, SQLiteStore, Store, StoreError, open_store
from qse_customer.stores import _sqlite_schema as sqlite_schema
from qse_customer.stores._documents import encode, seal
from qse_customer.stores._opening import open_store_with
from qse_customer.stores.labs import migrate_to_lab
from qse_customer.testing.store_contract import T0, complaint
from qse_customer.testing.strategies import records


class StoresPlugin:
    def __init__(self, backends: Mapping[str, Any]) -> None:
        self.backends = backends

    @hookimpl
    def qse_storage_backends(self) -> Mapping[str, Any]:
        return self.backends


def test_a_plugin_factory_without_lab_still_opens_default_stores_and_is_refused_a_lab() -> None:
    manager = QSEPluginManager(entry_points=False)
    manager.register(StoresPlugin({"old": lambda url: MemoryStore()}), "vendor-old")
    assert isinstance(open_store_with(manager, "old://x"), MemoryStore)
    with pytest.raises(PluginResultError, match=r"vendor-old.*takes no lab=.*'LAB-7'"):
        open_store_with(manager, "old://x", lab="LAB-7")


def test_a_plugin_factory_with_lab_is_given_it() -> None:
    manager = QSEPluginManager(entry_points=False)
    manager.register(
        StoresPlugin({"new": lambda url, *, lab=None: MemoryStore(lab=lab)}), "vendor-new"
    )
    store = open_store_with(manager, "new://x", lab="LAB-7")
    assert isinstance(store, MemoryStore) and store.lab == "LAB-7"


@pytest.mark.parametrize("bad", ["", "LAB 7", "../x", 7])
def test_a_bad_lab_is_refused_naming_lab(bad: object) -> None:
    with pytest.raises(ValidationError, match=r"\$\.lab"):
        open_store("memory://", lab=bad)  # type: ignore[arg-type]


# -- migrating a single-lab store ---------------------------------------------------------------


def _version_3_store(path: Path, batch: list[Record]) -> dict[str, tuple[str, str]]:
    """An SQLite store of schema version 3 (before labs) holding ``batch`` as that version
    wrote them; returns each row's document and evidence by id."""
    raw = sqlite3.connect(path, isolation_level=None)
    assert sqlite_schema.migrate(raw, target=3) == [1, 2, 3]
    rows = {}
    for record in batch:
        document = encode(record)
        evidence = chain(json.loads(document), None, os.urandom).to_text()
        raw.execute(
            "INSERT INTO qse_records VALUES (?, ?, ?, 0, 0, ?, ?, ?)",
            (record.TYPE, record.id, record.status, document, seal(document), evidence),
        )
        rows[f"{record.TYPE}/{record.id}"] = (document, evidence)
    raw.close()
    return rows


def _rows(path: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(path) as raw:
        found = raw.execute("SELECT type, id, document, evidence FROM qse_records").fetchall()
    return {f"{tag}/{record_id}": (doc, evidence) for tag, record_id, doc, evidence in found}


@settings(max_examples=15, deadline=None)
@given(
    batch=st.lists(records(), min_size=1, max_size=8, unique_by=lambda r: (r.TYPE, r.id)),
    data=st.data(),
)
def test_a_migrated_store_keeps_every_document_and_chain(
    tmp_path_factory: pytest.TempPathFactory, batch: list[Record], data: st.DataObject
) -> None:
    path = tmp_path_factory.mktemp("v3") / "lab.db"
    before = _version_3_store(path, batch)
    with SQLiteStore(path) as store:  # schema version 4: the rows are the default lab's
        assert store.verify() == [] and store.home_lab is None
        assert migrate_to_lab(store, "LAB-7") == len(batch)
        assert store.home_lab == "LAB-7"
        assert migrate_to_lab(store, "LAB-7") == 0  # again: nothing to do
        assert store.verify() == []
        tags = {record.TYPE for record in batch}
        assert sum(store.count(tag) for tag in tags) == len(batch)
    assert _rows(path) == before  # not a byte of a document or a chain changed
    with sqlite3.connect(path) as raw:
        assert {lab for (lab,) in raw.execute("SELECT lab FROM qse_records")} == {"LAB-7"}
    with open_store(f"sqlite:///{path}", lab="LAB-7") as home:
        record = data.draw(st.sampled_from(batch))
        assert home.load(record.TYPE, record.id) == record
        assert home.verify() == []
    with open_store(f"sqlite:///{path}", lab="LAB-8") as other:
        assert sum(other.count(tag) for tag in tags) == 0


def test_a_store_s_home_lab_is_named_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with open_store(url) as store:
        store.save(complaint(1))
        migrate_to_lab(store, "LAB-7")
        with pytest.raises(StoreError, match="already has the home lab 'LAB-7'"):
            migrate_to_lab(store, "LAB-8")
    with open_store(url) as reopened:  # the default view is now the home lab's
        assert reopened.home_lab == "LAB-7"
        assert reopened.load("complaint", "c-0001") == complaint(1)
        reopened.save(complaint(2))  # a record without a lab: the home lab's
        reopened.save(complaint(3).evolve(lab="LAB-7"))
    with open_store(url, lab="LAB-7") as home:
        assert [r.id for r in home.stream("complaint")] == ["c-0001", "c-0002", "c-0003"]


def test_a_migration_that_would_merge_two_records_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with open_store(url) as store, open_store(url, lab="LAB-7") as lab_7:
        store.save(complaint(1))
        lab_7.save(complaint(1).evolve(lab="LAB-7"))
        with pytest.raises(StoreError, match=r"lab 'LAB-7' already holds.*complaint 'c-0001'"):
            migrate_to_lab(store, "LAB-7")
        assert store.home_lab is None
        assert store.load("complaint", "c-0001").lab is None
        with pytest.raises(StoreError, match="opened for lab 'LAB-7'"):
            migrate_to_lab(lab_7, "LAB-7")


def test_the_memory_store_migrates_too() -> None:
    store = MemoryStore()
    store.save(complaint(1))
    lab_7 = store.for_lab("LAB-7")
    assert lab_7.count("complaint") == 0
    assert migrate_to_lab(store, "LAB-7") == 1
    assert lab_7.load("complaint", "c-0001") == complaint(1)
    assert (store.verify(), lab_7.verify()) == ([], [])


def test_a_store_object_opened_before_the_migration_writes_nothing_after_it(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with open_store(url) as before, open_store(url, lab="LAB-8") as lab_8:
        before.save(complaint(1))
        with open_store(url) as migrating:
            migrate_to_lab(migrating, "LAB-7")
        # Its records would go to the default lab, which no one sees any more: refused.
        with pytest.raises(StoreError, match="home lab 'LAB-7' after this store object"):
            before.save(complaint(2))
        with pytest.raises(StoreError, match="open the store again"):
            before.delete("complaint", "c-0001")
        lab_8.save(complaint(3).evolve(lab="LAB-8"))  # a named lab is not concerned
    with open_store(url) as again:
        again.save(complaint(2))
        assert [r.id for r in again.stream("complaint")] == ["c-0001", "c-0002"]


def _pending(store: Store) -> list[tuple[str, str]]:
    return [(d.notification.key, d.notifier) for d in store.pending_deliveries()]


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_the_outbox_moves_to_the_home_lab_keeping_what_the_lab_recorded(
    tmp_path: Path, kind: str
) -> None:
    one = Notification(NotificationKind.BREACHED, "complaint", "c-1", T0, rule_id="T-1")
    two = Notification(NotificationKind.AT_RISK, "complaint", "c-2", T0, rule_id="T-1")
    if kind == "memory":
        store: Store = MemoryStore()
        lab_7: Store = store.for_lab("LAB-7")  # type: ignore[attr-defined]
    else:
        url = f"sqlite:///{tmp_path / 'lab.db'}"
        store, lab_7 = open_store(url), open_store(url, lab="LAB-7")
    with store, lab_7:
        store.add_notifications([one, two], notifiers=["log"])
        store.mark_delivered(two.key, "log", at=T0)
        lab_7.add_notifications([one], notifiers=["mail"])  # LAB-7 recorded c-1's already
        migrate_to_lab(store, "LAB-7")
        assert _pending(store) == [(one.key, "mail")]
        assert store.has_notification(two.key)  # delivered, and still never sent twice
        assert store.add_notifications([two], notifiers=["log"]) == []


def test_a_version_3_outbox_is_kept_by_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "lab.db"
    _version_3_store(path, [complaint(1)])
    one = Notification(NotificationKind.BREACHED, "complaint", "c-1", T0, rule_id="T-1")
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute(
        "INSERT INTO qse_notifications (key, document, recorded_at) VALUES (?, ?, ?)",
        (one.key, json.dumps(one.to_dict()), T0.isoformat()),
    )
    raw.execute("INSERT INTO qse_deliveries (key, notifier) VALUES (?, 'log')", (one.key,))
    raw.close()
    with SQLiteStore(path) as store:
        assert _pending(store) == [(one.key, "log")]
        migrate_to_lab(store, "LAB-7")
    with open_store(f"sqlite:///{path}", lab="LAB-7") as lab_7:
        assert _pending(lab_7) == [(one.key, "log")]
        lab_7.mark_delivered(one.key, "log", at=T0)
        assert _pending(lab_7) == []


def test_verify_finds_a_record_moved_to_another_lab_behind_the_store_s_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lab.db"
    url = f"sqlite:///{path}"
    with open_store(url) as default, open_store(url, lab="LAB-A") as lab_a:
        default.save(complaint(1))
        lab_a.save(complaint(2).evolve(lab="LAB-A"))
    with sqlite3.connect(path) as raw:  # the rows' lab changed, not their documents
        raw.execute("UPDATE qse_records SET lab = 'LAB-B'")
    with open_store(url, lab="LAB-B") as lab_b:
        found = {(e.record_id, e.errors[0].path, e.errors[0].message) for e in lab_b.verify()}
    assert found == {
        (
            "c-0001",
            "$.lab",
            "the record belongs to the default lab (lab=None) but is filed under lab 'LAB-B' "
            "(moved behind the store's back)",
        ),
        (
            "c-0002",
            "$.lab",
            "the record belongs to lab 'LAB-A' but is filed under lab 'LAB-B' "
            "(moved behind the store's back)",
        ),
    }
    with sqlite3.connect(path) as raw:  # and now its document too: the chain breaks
        document = raw.execute("SELECT document FROM qse_records WHERE id = 'c-0002'").fetchone()
        raw.execute(
            "UPDATE qse_records SET document = ? WHERE id = 'c-0002'",
            (document[0].replace('"lab":"LAB-A"', '"lab":"LAB-B"'),),
        )
    with open_store(url, lab="LAB-B") as lab_b:
        (problem,) = [e for e in lab_b.verify() if e.record_id == "c-0002"]
    assert problem.errors[0].path == "$" and "hash chain broken" in problem.errors[0].message
