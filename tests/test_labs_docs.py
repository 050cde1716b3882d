"""docs/labs.md: its worked example runs as written, then its commands, with the exit codes the
page says; its labs file is valid JSON."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from qse_customer.cli.main import main

DOC = Path(__file__).resolve().parents[1] / "docs" / "labs.md"
TEXT = DOC.read_text("utf-8")
PYTHON = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)
SHELL = re.findall(r"```shell\n(.*?)```", TEXT, flags=re.S)
JSON = re.findall(r"```json\n(.*?)```", TEXT, flags=re.S)


def test_the_worked_example_and_its_commands_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert len(PYTHON) == 1
    exec(compile(PYTHON[0], f"{DOC}, the worked example", "exec"), {})
    commands = [
        shlex.split(line)
        for block in SHELL
        for line in block.splitlines()
        if line.startswith("qse-customer ")
    ]
    codes = {
        f"{command[1]} {command[command.index('--lab') + 1]}": main(command[1:])
        for command in commands
    }
    out = capsys.readouterr().out
    assert codes == {
        "migrate-lab LAB-7": 0,  # already LAB-7's: nothing to do
        "verify LAB-7": 0,
        "check LAB-7": 0,
        "check LAB-8": 1,
    }
    assert "no record needed to move" in out and "ENQ-1" in out


def test_the_labs_file_shown_is_json() -> None:
    assert [set(json.loads(block)["labs"]) for block in JSON] == [{"LAB-7", "LAB-8"}]
