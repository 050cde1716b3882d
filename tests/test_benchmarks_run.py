"""Every benchmark still runs, on a tiny workload, and prints its figures; and no script in
``benchmarks/`` or ``examples/`` takes a standard-library module's name.

The figures themselves are not checked here (timed tests on a shared machine only flake); the
benchmarks' own agreement checks against their references (numpy, scipy, hand-written loops) do
run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs every benchmark script, one against a real PostgreSQL

pytest_plugins = ("postgres_server",)

ROOT = Path(__file__).resolve().parents[1]

TINY = {
    "cli_check.py": ["--complaints", "200", "--enquiries", "50", "--repeats", "1"],
    "working_calendar.py": ["--n", "2000", "--repeats", "1", "--scalar-repeats", "1"],
    "engine.py": ["--n", "300", "--repeats", "1", "--without-numpy"],
    "storage.py": ["--n", "500", "--repeats", "1", "--sample", "200"],
    "surveys.py": ["--n", "200", "--repeats", "1"],
    "histories.py": ["--sizes", "10", "200", "--repeats", "1"],
    "imports.py": ["--sizes", "0.1", "0.3", "--repeats", "1"],
    "validation.py": ["--repeats", "1", "--sample", "20"],
}


def run_benchmark(script: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_every_benchmark_is_exercised() -> None:
    scripts = {path.name for path in (ROOT / "benchmarks").glob("*.py")}
    assert scripts == {*TINY, "demo.py", "postgres.py", "startup.py"}


def test_startup_benchmark_runs() -> None:
    output = run_benchmark("startup.py", "--rounds", "1", "--demo", "1")
    assert re.search(r"qse-customer --help +\d+ ms .* \d+\.\d\dx +\d+ MiB", output), output
    assert re.search(r"qse-customer demo +\d+\.\d\d s .*peak memory \d+ MiB", output), output


def test_demo_benchmark_runs() -> None:
    output = run_benchmark("demo.py", "--runs", "1")
    assert re.search(r"qse-customer demo +\d+\.\d\d s .* \d+\.\d\dx +\d+ MiB", output), output


@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_runs_on_a_tiny_workload(script: str) -> None:
    output = run_benchmark(script, *TINY[script])
    assert "/s" in output, output
    assert re.search(r"\d MiB|\d MB", output), output  # every benchmark reports its memory
    if script == "engine.py":  # issue 16: the cost of a kept finding's words, next to its cost
        assert re.search(
            r"a kept finding costs [\d.]+ µs .*\n.*reading a kept finding's message and "
            r"evidence: [\d.]+ µs a finding",
            output,
        ), output
        # The clock rules again in a process without numpy, compared with the run above.
        assert "(clock rules, without numpy)" in output, output
        assert re.search(r"without numpy / with numpy: default [\d.]+x", output), output


def test_postgres_benchmark_runs_against_a_real_server(postgres_url: str) -> None:
    base = postgres_url.split("?", 1)[0]
    output = run_benchmark("postgres.py", "--n", "300", "--batch", "100", "--url", base)
    assert "PG / SQLite" in output, output


@pytest.mark.parametrize("folder", ["benchmarks", "examples"])
def test_no_script_hides_a_standard_library_module(folder: str) -> None:
    # Run as a script, a file's folder comes first on sys.path: a benchmarks/calendar.py would be
    # what `import calendar` finds in holidays and pendulum, and every benchmark would fail.
    clashes = [
        path.name for path in (ROOT / folder).glob("*.py") if path.stem in sys.stdlib_module_names
    ]
    assert clashes == []
