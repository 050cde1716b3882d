"""The store contract fails a store that breaks it: a subprocess runs the contract against
memory stores with one bug each and each must fail the tests that guard against that bug."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

BROKEN_STORES = textwrap.dedent(
    """
    import pytest
    from qse_customer.stores import MemoryStore
    from qse_customer.testing.store_contract import StoreContract


    class IgnoresCursor(MemoryStore):
        def _page(self, query, on_invalid):
            return [r for r in self._sorted(query.tag) if query.matches(r) or True][: query.limit]


    class LosesEvents(MemoryStore):
        def _apply(self, items, key, change):
            import time
            from qse_customer.stores.base import Stored
            for item in items:
                tag, record_id = key(item)
                record = self._records.get(tag, {}).get(record_id)
                stored = None if record is None else Stored(
                    record, self._evidence.get((tag, record_id))
                )
                time.sleep(0.001)  # read, let another writer in, then write: a lost update
                writing = change(item, stored)
                if writing is not None:
                    self._records.setdefault(tag, {})[record_id] = writing.record
                    self._evidence[(tag, record_id)] = writing.evidence


    class ReplacesHistory(MemoryStore):
        def _apply(self, items, key, change):
            # Looks at nothing stored: every save writes its record over the stored one.
            super()._apply(items, key, lambda item, stored: change(item, None))


    class TestIgnoresCursor(StoreContract):
        @pytest.fixture
        def store_factory(self):
            return IgnoresCursor


    class TestLosesEvents(StoreContract):
        @pytest.fixture
        def store_factory(self):
            return LosesEvents


    class TestReplacesHistory(StoreContract):
        @pytest.fixture
        def store_factory(self):
            return ReplacesHistory
    """
)


# Each guard must fail; how small hypothesis can make the failing example does not matter here,
# so the run skips shrinking (most of its time) and draws the same examples every time.
CONFTEST = textwrap.dedent(
    """
    from hypothesis import HealthCheck, Phase, settings

    settings.register_profile(
        "guards",
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    settings.load_profile("guards")
    """
)

GUARDS = {
    "TestIgnoresCursor::test_pages_list_every_match_once_in_order",
    "TestIgnoresCursor::test_behaves_like_the_memory_store",
    "TestLosesEvents::test_threads_appending_at_once_lose_no_event",
    "TestReplacesHistory::test_a_stored_history_only_grows",
    "TestReplacesHistory::test_a_rewrite_names_the_first_differing_event",
}


def test_the_contract_fails_broken_stores(tmp_path: Path) -> None:
    (tmp_path / "test_broken.py").write_text(BROKEN_STORES)
    (tmp_path / "conftest.py").write_text(CONFTEST)
    source = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rf",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            *(f"test_broken.py::{test}" for test in sorted(GUARDS)),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    failed = set(re.findall(r"FAILED test_broken\.py::(\S+::\S+)", result.stdout))
    assert failed == GUARDS, result.stdout + result.stderr
