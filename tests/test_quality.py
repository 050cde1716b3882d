"""The codebase's own standards: ruff and mypy --strict clean on src/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_check_and_format_are_clean():
    check = _run(
        sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks", "examples", "scripts"
    )
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run(
        sys.executable,
        "-m",
        "ruff",
        "format",
        "--check",
        "src",
        "tests",
        "benchmarks",
        "examples",
        "scripts",
        "docs",  # the Python blocks of the Markdown pages, where ruff formats Markdown
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict_is_clean_on_src():
    result = _run(sys.executable, "-m", "mypy", "--strict", "src")
    assert result.returncode == 0, result.stdout + result.stderr
