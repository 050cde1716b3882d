"""A command runs with the garbage collector tuned for a short-lived process, and leaves it as
it found it (a program that calls ``main`` keeps its own settings)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from qse_customer.cli import main as cli_main_module
from qse_customer.cli.main import YOUNG_COLLECTION, main, short_lived_collection


def test_inside_fewer_young_collections_and_start_up_left_alone() -> None:
    before = gc.get_threshold()
    with short_lived_collection():
        assert gc.get_threshold() == (YOUNG_COLLECTION, before[1], before[2])
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_the_collector_is_restored_after_an_error() -> None:
    before = gc.get_threshold()
    with pytest.raises(ValueError, match="boom"), short_lived_collection():
        raise ValueError("boom")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_command_runs_inside_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    entered: list[bool] = []
    real = cli_main_module.short_lived_collection

    @contextmanager
    def recording() -> Iterator[None]:
        with real():
            entered.append(True)
            yield

    monkeypatch.setattr(cli_main_module, "short_lived_collection", recording)
    missing = tmp_path / "none.db"
    assert main(["check", "--store", f"sqlite:///{missing}", "--ruleset", "qse2-responsibility"])
    assert entered == [True]
    assert gc.get_freeze_count() == 0


def test_the_demo_runs_with_the_cyclic_collector_paused_and_leaves_it_as_it_was() -> None:
    from qse_customer.cli.demo import _no_cyclic_collection

    assert gc.isenabled()
    with _no_cyclic_collection():
        assert not gc.isenabled()
        made = [[index] for index in range(5_000)]  # young, tracked objects
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert all(gc.is_tracked(each) for each in made)
    assert gc.get_count()[0] < 5_000  # moved on unwalked, not left to the next young pass
    gc.disable()
    try:
        with pytest.raises(ValueError, match="boom"), _no_cyclic_collection():
            raise ValueError("boom")
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_the_program_runs_main_on_its_arguments_then_freezes_what_is_left_for_the_exit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["qse-customer", "--version"])
    try:
        assert cli_main_module.program() == 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert "qse-customer" in capsys.readouterr().out
