"""The analysis layer imports only core, and core imports nothing of the layers above it
(docs: architecture, "Dependencies point inward only")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "qse_customer"


def _layers_imported(path: Path) -> set[str]:
    """The first part below ``qse_customer`` of every module ``path`` imports from the package."""
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                parts = (*base, *(node.module.split(".") if node.module else ()))
            else:
                parts = tuple((node.module or "").split("."))
            names = [parts] if len(parts) > 1 else [(*parts, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [tuple(alias.name.split(".")) for alias in node.names]
        else:
            continue
        found.update(name[1] for name in names if name[0] == "qse_customer" and len(name) > 1)
    return found


@pytest.mark.parametrize(
    ("layer", "allowed"), [("core", {"core"}), ("analysis", {"core", "analysis"})]
)
def test_layer_imports_only_the_layers_below(layer: str, allowed: set[str]) -> None:
    wrong = {
        str(path.relative_to(PACKAGE)): sorted(_layers_imported(path) - allowed)
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        if _layers_imported(path) - allowed
    }
    assert not wrong, f"{layer} may import only {sorted(allowed)}: {wrong}"


def test_the_check_sees_a_relative_import_of_another_layer() -> None:
    assert _layers_imported(PACKAGE / "analysis" / "periods.py") == {"core"}
    assert "analysis" in _layers_imported(PACKAGE / "rules" / "engine.py")
