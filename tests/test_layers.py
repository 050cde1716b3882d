"""Dependencies point inward: each package imports at import time only the layers below it
(docs/architecture.md, "Who may import whom"). Imports inside functions and for type
annotations only are not counted: they are how a layer looks something up when first needed."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "qse_customer"
ROOT_MODULES = {"_version", "_generated", "_lazy"}  # import nothing of the package

ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "analysis": {"core"},
    "rules": {"core", "analysis"},
    "plugins": {"core", "rules"},
    "stores": {"core", "plugins", "notifiers.notification"},
    "notifiers": {"core", "rules", "plugins", "stores"},
    "survey_backends": {"core", "analysis", "plugins"},
    "review": {"core", "analysis", "rules"},
    "reports": {"core", "analysis", "rules", "review"},
    "fhir": {"core", "analysis"},
    "testing": {"core", "analysis", "rules", "plugins", "stores", "notifiers", "survey_backends"},
}


def _top_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports run when the module is imported, but not those for type checking only."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
        elif isinstance(node, ast.If | ast.Try):
            for body in (node.body, node.orelse, getattr(node, "finalbody", [])):
                pending.extend(body)
            for handler in getattr(node, "handlers", []):
                pending.extend(handler.body)


def modules_imported(path: Path, root: Path = PACKAGE) -> set[tuple[str, ...]]:
    """Every module of the package ``path`` imports at import time, as its parts below
    ``qse_customer`` (``("core", "events")``)."""
    package = path.relative_to(root.parent).with_suffix("").parts[:-1]
    found: set[tuple[str, ...]] = set()
    for node in _top_level_imports(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                parts = (*base, *(node.module.split(".") if node.module else ()))
            else:
                parts = tuple((node.module or "").split("."))
            names = [parts] if len(parts) > 1 else [(*parts, alias.name) for alias in node.names]
        else:
            names = [tuple(alias.name.split(".")) for alias in node.names]
        found.update(name[1:] for name in names if name[0] == "qse_customer" and len(name) > 1)
    return found


def _wrong(layer: str, path: Path) -> list[str]:
    allowed = ALLOWED[layer] | {layer} | ROOT_MODULES
    return sorted(
        ".".join(module)
        for module in modules_imported(path)
        if module[0] not in allowed and ".".join(module[:2]) not in allowed
    )


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_the_layers_below(layer: str) -> None:
    wrong = {
        str(path.relative_to(PACKAGE)): found
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        if (found := _wrong(layer, path))
    }
    assert not wrong, f"{layer} may import only {sorted(ALLOWED[layer])}: {wrong}"


def test_every_package_has_its_place_in_the_table() -> None:
    packages = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    assert packages - set(ALLOWED) == {"cli", "demo"}  # on top: they may import anything


def _from_the_root(path: Path, root: Path = PACKAGE) -> list[str]:
    """Names ``path`` imports from the package root itself (``from .. import __version__``)."""
    return sorted(
        module[0]
        for module in modules_imported(path, root)
        if not (root / module[0]).is_dir() and not (root / f"{module[0]}.py").exists()
    )


def test_no_module_imports_the_package_root() -> None:
    importers = {
        str(path.relative_to(PACKAGE)): names
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.parent != PACKAGE and (names := _from_the_root(path))
    }
    assert not importers


def test_the_root_check_can_fail(tmp_path: Path) -> None:
    root = tmp_path / "qse_customer"
    (root / "reports").mkdir(parents=True)
    (root / "_version.py").write_text("__version__ = '0'\n")
    module = root / "reports" / "probe.py"
    module.write_text("from .. import __version__\nfrom .._version import __version__ as v\n")
    assert _from_the_root(module, root) == ["__version__"]


def test_the_check_sees_relative_imports_and_ignores_type_checking(tmp_path: Path) -> None:
    assert {module[0] for module in modules_imported(PACKAGE / "analysis" / "periods.py")} == {
        "core"
    }
    assert ("analysis", "periods") in modules_imported(PACKAGE / "rules" / "engine.py")
    # hookspecs names the backends' types for annotations only
    assert not any(m[0] == "stores" for m in modules_imported(PACKAGE / "plugins" / "hookspecs.py"))
    assert _wrong("core", PACKAGE / "rules" / "engine.py") != []  # the check can fail
