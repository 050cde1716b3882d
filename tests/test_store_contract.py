"""The built-in stores pass the store contract of qse_customer.testing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from qse_customer.stores import MemoryStore, SQLiteStore, Store, open_store
from qse_customer.testing.store_contract import StoreContract


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        return MemoryStore

    @pytest.fixture
    def open_lab(self) -> Callable[[Store, str | None], Store]:
        def for_lab(store: Store, lab: str | None) -> Store:
            assert isinstance(store, MemoryStore)
            return store.for_lab(lab)

        return for_lab


class TestSQLiteStoreInMemory(StoreContract):
    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        return lambda: open_store("sqlite:///:memory:")


class TestSQLiteStoreFile(StoreContract):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Callable[[], Store]:
        return lambda: SQLiteStore(tmp_path / f"{uuid.uuid4().hex}.db")

    @pytest.fixture
    def store_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'shared.db'}"

    @pytest.fixture
    def reopen(self) -> Callable[[Store], Store]:
        def again(store: Store) -> Store:
            assert isinstance(store, SQLiteStore)
            return SQLiteStore(store.path)

        return again

    @pytest.fixture
    def open_lab(self) -> Callable[[Store, str | None], Store]:
        def for_lab(store: Store, lab: str | None) -> Store:
            assert isinstance(store, SQLiteStore)
            return open_store(f"sqlite:///{store.path}", lab=lab)

        return for_lab
