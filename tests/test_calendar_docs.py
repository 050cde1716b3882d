"""The examples in docs/calendar.md run and print what the page says."""

from __future__ import annotations

import doctest
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "calendar.md"


def test_calendar_doc_examples() -> None:
    result = doctest.testfile(
        str(DOCS),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 30
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {DOCS} failed"
