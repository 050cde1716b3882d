"""Generated Python source that a traceback can show, line by line.

The rule engine and the record codec generate functions as source text. Compiled under a made-up
filename, a traceback through them would show the filename and no line; so, as attrs and cattrs
do with theirs, :func:`run_source` puts the source in :mod:`linecache` under a name unique to this
piece of code (``<qse-customer generated check for ruleset 'x' 1 #3>``). The entry goes when the
generated functions do (a ruleset compiled again and again leaves nothing behind).

A leaf module beside the packages, importing none of them, so that every layer may use it.
"""

from __future__ import annotations

import itertools
import linecache
import weakref
from typing import Any, Final

_NUMBERS: Final = itertools.count(1)


class _Source:
    """Kept in the generated code's namespace: when the namespace goes, so does the source."""

    __slots__ = ("__weakref__",)


def run_source(source: str, what: str, namespace: dict[str, Any]) -> dict[str, Any]:
    """Compile ``source`` under a unique name that says ``what`` it is, run it in ``namespace``
    (which it fills) and return the namespace; a traceback through it shows its lines."""
    filename = f"<qse-customer generated {what} #{next(_NUMBERS)}>"
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    keeper = _Source()
    weakref.finalize(keeper, linecache.cache.pop, filename, None).atexit = False
    namespace["__qse_source__"] = keeper
    exec(compile(source, filename, "exec"), namespace)
    return namespace
