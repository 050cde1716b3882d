"""Names a package exports but imports only when they are first used.

A package's ``__init__`` stays cheap to import (``qse-customer --help`` needs no database driver,
no SMTP and no delivery code) while ``from qse_customer.stores import SQLiteStore`` still works:
the package's module ``__getattr__`` imports the module that holds the name on first use.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping


def lazy_exports(
    package: str,
    where: Mapping[str, Iterable[str]],
    moved: Mapping[str, Iterable[str]] | None = None,
) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package`` that imports each name from its module on first
    use; ``where`` maps a module (relative to ``package``) to the names it holds. ``moved`` maps
    a package to names that used to be exported here and now live there: they still resolve,
    with a :class:`DeprecationWarning` that says where to import them from."""
    modules = {name: module for module, names in where.items() for name in names}
    homes = {name: home for home, names in (moved or {}).items() for name in names}

    def __getattr__(name: str) -> object:
        home = homes.get(name)
        if home is not None:
            warnings.warn(
                f"{package}.{name} moved: import it from {home} ({package} keeps the old name "
                f"until version 0.3)",
                DeprecationWarning,
                stacklevel=2,
            )
            return getattr(importlib.import_module(home), name)
        module = modules.get(name)
        if module is None:
            # A sub-package or module not imported yet (``qse.rules`` after ``import qse``).
            if not name.isidentifier() or name.startswith("__") or not _submodule(package, name):
                raise AttributeError(f"module {package!r} has no attribute {name!r}")
            return importlib.import_module(f"{package}.{name}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)  # the next use finds it directly
        return value

    return __getattr__


def _submodule(package: str, name: str) -> bool:
    """Whether ``package`` has a sub-package or module called ``name``."""
    try:
        return importlib.util.find_spec(f"{package}.{name}") is not None
    except (ImportError, ValueError):
        return False
