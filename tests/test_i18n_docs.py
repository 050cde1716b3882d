"""The examples in docs/i18n.md run and print what the page says."""

from __future__ import annotations

import doctest
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "i18n.md"


def test_i18n_doc_examples() -> None:
    result = doctest.testfile(
        str(DOCS),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 15
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {DOCS} failed"
