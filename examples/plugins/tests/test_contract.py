"""The plugin proves it behaves like qse-customer's built-in backends: it runs their contract
suites. (Run inside an environment where qse-jsondir is installed.)"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from qse_jsondir import ChatFileNotifier, JsonDirStore

from qse_customer.plugins import get_plugin_manager
from qse_customer.stores import Store, open_store
from qse_customer.testing.notifier_contract import NotifierContract
from qse_customer.testing.store_contract import StoreContract


def test_the_plugin_is_found_through_its_entry_point() -> None:
    manager = get_plugin_manager()
    assert "jsondir" in manager.plugin_names()
    assert manager.storage_providers()["jsondir"].plugin == "jsondir"


class TestJsonDirStore(StoreContract):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Callable[[], Store]:
        return lambda: open_store(f"jsondir://{tmp_path / uuid.uuid4().hex}")

    @pytest.fixture
    def store_url(self, tmp_path: Path) -> str:
        return f"jsondir://{tmp_path / 'shared'}"

    @pytest.fixture
    def reopen(self) -> Callable[[Store], Store]:
        def again(store: Store) -> Store:
            assert isinstance(store, JsonDirStore)
            return open_store(store.url)

        return again


class TestChatFileNotifier(NotifierContract):
    @pytest.fixture
    def notifier(self, tmp_path: Path) -> ChatFileNotifier:
        return ChatFileNotifier(tmp_path / "chat.txt")

    @pytest.fixture
    def output(self, notifier: ChatFileNotifier) -> Callable[[], str]:
        assert notifier.path is not None
        return lambda: notifier.path.read_text("utf-8") if notifier.path.exists() else ""
