"""Griffe extension: show the Sphinx roles of the docstrings (:class:`~a.B`) as inline code.

The package's docstrings cross-reference with Sphinx roles, which Markdown would print literally;
this turns each into inline code with the name as Sphinx shows it (``~`` keeps the last part).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|exc|obj):`(~?)([^`]+)`")


def plain(text: str) -> str:
    """The docstring with every Sphinx role as inline code."""
    return ROLE.sub(
        lambda m: f"`{m.group(2).rsplit('.', 1)[-1] if m.group(1) else m.group(2)}`", text
    )


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of every docstring once the object is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the object's docstring."""
        if obj.docstring is not None:
            obj.docstring.value = plain(obj.docstring.value)
