"""Every example runs as a script, and the README's code does what it says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_as_a_script(script: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip(), "an example should show its user something"


def test_quickstart_shows_deadlines_and_refusals() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    # Christmas Eve 2026 (Thu) + 2 working days: 25 Dec and the Boxing Day substitute (Mon 28)
    # are bank holidays in England, so the response is due Wednesday 30 December at closing.
    assert "E-1: received Thu 24 Dec 10:00, due Wed 30 Dec 17:00" in result.stdout
    assert "feedback cannot be given on an anonymous complaint" in result.stdout
    assert "$.channel" in result.stdout and "$.events[0].at" in result.stdout


def test_readme_python_block_runs() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "README shows no Python example"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
