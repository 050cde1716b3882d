"""A command runs with the garbage collector tuned for a short-lived process, and leaves it as
it found it (a program that calls ``main`` keeps its own settings)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from qse_customer.cli import main as cli_main_module
from qse_customer.cli.main import MIDDLE_COLLECTION, YOUNG_COLLECTION, main, short_lived_collection


def test_inside_fewer_young_collections_and_start_up_left_alone() -> None:
    before = gc.get_threshold()
    with short_lived_collection():
        assert gc.get_threshold() == (YOUNG_COLLECTION, MIDDLE_COLLECTION, before[2])
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


def test_the_program_keeps_openblas_on_one_thread_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.argv", ["qse-customer", "--version"])
    monkeypatch.delenv(cli_main_module.BLAS_THREADS, raising=False)
    try:
        cli_main_module.program()
        assert os.environ[cli_main_module.BLAS_THREADS] == "1"
        monkeypatch.setenv(cli_main_module.BLAS_THREADS, "4")
        cli_main_module.program()
        assert os.environ[cli_main_module.BLAS_THREADS] == "4"
    finally:
        gc.unfreeze()


def test_starting_the_command_line_does_not_import_numpy() -> None:
    """The program sets OpenBLAS's threads before anything imports numpy."""
    code = "import sys, qse_customer.cli.main; print('numpy' in sys.modules)"
    source = str(Path(__file__).resolve().parent.parent / "src")
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": source},
    )
    assert done.stdout.strip() == "False"
