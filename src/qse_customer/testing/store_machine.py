"""A hypothesis state machine that runs the same operations on a store and on the memory store,
its model, and checks that they always agree (in the manner of zarr's stateful store tests).

Use it through :class:`~qse_customer.testing.store_contract.StoreContract`, or directly::

    from hypothesis.stateful import run_state_machine_as_test
    run_state_machine_as_test(store_machine(lambda: MyStore(...)))
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from ..core.errors import QSEError
from ..core.events import Event
from ..core.record import Record
from ..core.record_types import RECORD_TYPES
from ..stores.base import statuses_of
from ..stores.memory import MemoryStore
from ..stores.protocol import Store
from .strategies import STRATEGIES, actors, complaints, event_data

_TAGS = sorted(RECORD_TYPES)
_DELETED_AT = datetime(2026, 1, 5, 9, tzinfo=UTC)
_LAB = "LAB-M"
_ANY_RECORD = st.deferred(lambda: st.one_of(*(make() for make in STRATEGIES.values())))


def _outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    """What a call did: ("ok", result) or ("error", the QSEError subclass it raised)."""
    try:
        return "ok", call()
    except QSEError as error:
        return "error", type(error)


class StoreMachine(RuleBasedStateMachine):
    """Each rule applies one operation to the store under test and to a :class:`MemoryStore`.

    Subclasses set ``make_store`` (a function returning a new, empty store).
    """

    make_store: ClassVar[Callable[[], Store]]
    open_lab: ClassVar[Callable[[Store, str | None], Store] | None] = None

    keys = Bundle("keys")

    def __init__(self) -> None:
        super().__init__()
        self.store = type(self).make_store()
        self.model = MemoryStore()
        # With open_lab: a second lab in the same store, which the default lab never sees.
        opener = type(self).open_lab
        self.lab_store = opener(self.store, _LAB) if opener is not None else None
        self.lab_model = self.model.for_lab(_LAB)

    def teardown(self) -> None:
        if self.lab_store is not None:
            self.lab_store.close()
        self.store.close()

    def _both(self, operation: Callable[[Store], Any]) -> Any:
        actual = _outcome(lambda: operation(self.store))
        expected = _outcome(lambda: operation(self.model))
        assert actual == expected, f"store gave {actual}, the memory store {expected}"
        return actual[1]

    # Every run starts with several records of one type, so that paging with a small limit
    # crosses pages in every run rather than only in the runs that happen to save enough.
    @initialize(
        target=keys,
        records=st.lists(complaints(), min_size=3, max_size=6, unique_by=lambda r: r.id),
    )
    def save_several(self, records: list[Record]) -> MultipleResults[tuple[str, str]]:
        self._both(lambda store: store.save_many(records))
        return multiple(*((record.TYPE, record.id) for record in records))

    @rule(target=keys, record=_ANY_RECORD)
    def save(self, record: Record) -> tuple[str, str]:
        self._both(lambda store: store.save(record))
        return record.TYPE, record.id

    @rule(target=keys, records=st.lists(_ANY_RECORD, max_size=4))
    def save_many(self, records: list[Record]) -> MultipleResults[tuple[str, str]]:
        self._both(lambda store: store.save_many(records))
        return multiple(*((record.TYPE, record.id) for record in records))

    @rule(
        key=keys,
        index=st.integers(0, 30),
        seconds=st.integers(0, 5 * 24 * 3600),
        actor=st.none() | actors(),
        data=event_data(),
    )
    def append_event(
        self, key: tuple[str, str], index: int, seconds: int, actor: Any, data: dict[str, Any]
    ) -> None:
        tag, record_id = key
        cls = RECORD_TYPES[tag]
        kinds = sorted(cls.LIFECYCLE.kinds)
        kind = kinds[index % len(kinds)]
        try:
            at = self.model.load(tag, record_id).last_event_at + timedelta(seconds=seconds)
        except QSEError:
            at = _DELETED_AT  # the record was deleted: both stores must say it is not there
        event = Event(kind, at, actor, data)
        self._both(lambda store: store.append_event(tag, record_id, event))

    @rule(key=keys)
    def delete(self, key: tuple[str, str]) -> None:
        self._both(lambda store: store.delete(*key))

    @rule(key=keys)
    def load(self, key: tuple[str, str]) -> None:
        self._both(lambda store: store.load(*key))

    # The type comes from a saved key (so there is something to page through) or from all types;
    # half the listings filter by a status, so unfiltered paging is exercised often.
    @rule(
        tag=st.one_of(keys.map(lambda key: key[0]), st.sampled_from(_TAGS)),
        limit=st.integers(1, 4),
        status_index=st.one_of(st.none(), st.integers(0, 20)),
    )
    def list_every_page(self, tag: str, limit: int, status_index: int | None) -> None:
        statuses = sorted(statuses_of(tag))
        status = None if status_index is None else statuses[status_index % len(statuses)]

        def pages(store: Store) -> list[list[Record]]:
            found: list[list[Record]] = []
            cursor: str | None = None
            most = store.count(tag) // limit + 2
            while True:
                page = store.list(tag, status=status, limit=limit, after=cursor)
                found.append(list(page.items))
                cursor = page.next_cursor
                if cursor is None:
                    return found
                assert len(found) < most, f"{store!r} keeps returning pages"

        actual = [[(r.TYPE, r.id) for r in page] for page in pages(self.store)]
        expected = [[(r.TYPE, r.id) for r in page] for page in pages(self.model)]
        assert actual == expected
        assert [r for page in pages(self.store) for r in page] == [
            r for page in pages(self.model) for r in page
        ]

    @rule(tag=st.sampled_from(_TAGS))
    def stream(self, tag: str) -> None:
        assert list(self.store.stream(tag)) == list(self.model.stream(tag))

    @rule(records=st.lists(_ANY_RECORD, max_size=3))
    def save_in_another_lab(self, records: list[Record]) -> None:
        lab_store = self.lab_store
        if lab_store is None:
            return
        in_lab = [record.evolve(lab=_LAB) for record in records]
        actual = _outcome(lambda: lab_store.save_many(in_lab))
        assert actual == _outcome(lambda: self.lab_model.save_many(in_lab))
        # The same records through the default lab: refused, naming the lab, nothing written.
        if in_lab:
            assert _outcome(lambda: self.store.save_many(in_lab))[0] == "error"

    @rule(key=keys)
    def load_in_another_lab(self, key: tuple[str, str]) -> None:
        if self.lab_store is not None:
            lab_store = self.lab_store
            assert _outcome(lambda: lab_store.load(*key)) == _outcome(
                lambda: self.lab_model.load(*key)
            )

    @invariant()
    def counts_agree(self) -> None:
        for tag in _TAGS:
            assert self.store.count(tag) == self.model.count(tag), tag
            if self.lab_store is not None:
                assert self.lab_store.count(tag) == self.lab_model.count(tag), (_LAB, tag)


def store_machine(
    factory: Callable[[], Store], open_lab: Callable[[Store, str | None], Store] | None = None
) -> type[StoreMachine]:
    """A :class:`StoreMachine` for the stores ``factory`` makes (each run gets a new one);
    with ``open_lab`` (as the contract's fixture), records of a second lab are written and read
    beside the default lab's, and each must see its own only."""
    members: dict[str, Any] = {"make_store": staticmethod(factory)}
    if open_lab is not None:
        members["open_lab"] = staticmethod(open_lab)
    return type("StoreMachineFor", (StoreMachine,), members)
