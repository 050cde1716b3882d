"""docs/plugins.md: its examples run, in order, and every hook is documented there and in its
docstring (when it is called, what it returns, what happens when it raises)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from qse_customer.plugins import get_plugin_manager, hookspecs

DOC = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"
TEXT = DOC.read_text("utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)
HOOKS = [name for name in vars(hookspecs) if name.startswith("qse_")]


@pytest.fixture
def fresh_manager() -> Iterator[None]:
    get_plugin_manager.cache_clear()
    yield
    get_plugin_manager.cache_clear()


def test_the_examples_run_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_manager: None
) -> None:
    assert len(BLOCKS) >= 5
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for number, block in enumerate(BLOCKS):
        exec(compile(block, f"{DOC}, example {number + 1}", "exec"), namespace)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented(hook: str) -> None:
    signature = str(inspect.signature(getattr(hookspecs, hook))).replace("'", "")
    assert f"### `{hook}{signature}`" in TEXT
    docstring = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert "Called" in docstring
    assert ":return:" in docstring
    assert "raise" in docstring.lower()


def test_the_hooks_are_the_four_of_the_design() -> None:
    assert sorted(HOOKS) == [
        "qse_notify",
        "qse_rule_kinds",
        "qse_storage_backends",
        "qse_survey_backends",
    ]
