"""Small cells: a count of fewer than a threshold (5 by default) of complaints from one customer
group or site, or of answers to one survey, is shown as "fewer than 5", in every report format and
in the review packet.

A count that small points at people: two complaints from a ward of six, three answers to a
team's survey. Hiding the cell is not enough when a table states its total (and a report must
state true totals): with one cell hidden, the total minus the others gives it back. So after the
small cells are hidden (primary suppression), the smallest of the shown cells are withheld too
(secondary suppression) until no hidden cell can be worked out from the total: not when one cell
is hidden, nor when every hidden cell must be at its least (all ones) or at its most. A withheld
cell is shown as "withheld", never as "fewer than 5", which would be untrue.

What it cannot promise: a table of a single group states that group's count as its total, and
a reader who puts several tables or periods side by side may still narrow a count. The threshold
is a floor, set per report (``small_cell_threshold``): 1 shows every count, and 2 is refused
("fewer than 2" could only mean 1).

Objects (``ComplaintCounts``, ``Recurrence``, ``SurveyAnalysis``) keep exact numbers for the
lab's own code; the suppression applies where they become a document (``to_dict``) or a page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from ..core.errors import ValidationError

SMALL_CELL_THRESHOLD: Final = 5
"""Counts below this are shown as "fewer than 5" (a report setting)."""

GROUP_DIMENSIONS: Final = frozenset({"customer_group", "site"})
"""Complaint dimensions that are groups of people (a ward is a customer group)."""

WITHHELD: Final = "withheld"


def check_small_cell_threshold(value: Any, path: str = "$.small_cell_threshold") -> int:
    """``value`` if it is 1 (every count shown) or a whole number of at least 3, else a
    ValidationError naming ``path`` (2 would show every hidden count: "fewer than 2" is 1)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value == 2:
        raise ValidationError.single(
            path,
            f"expected 1 (show every count) or a whole number of at least 3, got {value!r} "
            '("fewer than 2" could only mean 1)',
        )
    return value


def fewer_than(threshold: int) -> str:
    """How a suppressed count is shown: ``fewer than 5``."""
    return f"fewer than {threshold}"


def is_small(count: int, threshold: int) -> bool:
    """True for a count that must not be shown: at least 1 and below ``threshold``."""
    return 0 < count < threshold


def _recoverable(primary: list[int], secondary: list[int], threshold: int) -> bool:
    """Whether a hidden cell's count follows from the table's total: there is one hidden cell,
    or every hidden cell must be at the least it can be (1 below the threshold, the threshold
    above it), or, with none withheld, at the most (threshold - 1)."""
    hidden = len(primary) + len(secondary)
    if hidden == 0:
        return False
    if hidden == 1:
        return True
    total = sum(primary) + sum(secondary)
    if total == len(primary) + threshold * len(secondary):
        return True
    return not secondary and total == (threshold - 1) * len(primary)


def suppress_rows(
    rows: Sequence[Mapping[str, Any]], threshold: int, key: str = "count"
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """``rows`` with each row's ``key`` shown, or hidden (None) with ``shown`` saying why, and
    how many were hidden: ``{"threshold", "fewer_than", "withheld"}``."""
    counts = [int(row[key]) for row in rows]
    primary = {i for i, count in enumerate(counts) if is_small(count, threshold)}
    secondary: set[int] = set()
    candidates = sorted(
        (i for i in range(len(counts)) if i not in primary and counts[i] > 0),
        key=lambda i: (counts[i], i),
    )
    while candidates and _recoverable(
        [counts[i] for i in primary], [counts[i] for i in secondary], threshold
    ):
        secondary.add(candidates.pop(0))
    shown = []
    for index, row in enumerate(rows):
        entry = dict(row)
        if index in primary or index in secondary:
            entry[key] = None
            if "rate" in entry:
                entry["rate"] = None  # a rate and its volume would give the count back
            entry["shown"] = fewer_than(threshold) if index in primary else WITHHELD
        else:
            entry["shown"] = str(counts[index])
        shown.append(entry)
    summary = {"threshold": threshold, "fewer_than": len(primary), "withheld": len(secondary)}
    return shown, summary


def suppress_table(table: Mapping[str, Any], threshold: int) -> dict[str, Any]:
    """A counts table (``ComplaintCounts.to_dict()``) with its small cells hidden and a
    ``small_cells`` entry saying how many; its ``total`` stays the true total."""
    rows, summary = suppress_rows(table["rows"], threshold)
    return {**table, "rows": rows, "small_cells": summary}


def small_cells_note(cells: Mapping[str, int] | None) -> str:
    """What a table's hidden cells mean, for the reader (empty when none is hidden)."""
    if not cells or not (cells["fewer_than"] or cells["withheld"]):
        return ""
    threshold = cells["threshold"]
    note = f'counts below {threshold} are shown as "{fewer_than(threshold)}"'
    if cells["withheld"]:
        note += (
            f'; "{WITHHELD}" hides a count of {threshold} or more that would otherwise give a '
            "smaller one back from the total"
        )
    return note


def shown_count(count: int | None, shown: str | None = None) -> str:
    """A count as a renderer prints it: the number, or why it is not shown."""
    if count is not None:
        return f"{count:,}"
    return shown or WITHHELD


def survey_withheld_note(threshold: int) -> str:
    """The warning a survey result with too few responses carries instead of its statistics."""
    return (
        f"the results of {fewer_than(threshold)} responses are not shown, so that no "
        "respondent's answers can be read from them"
    )


def suppress_survey(
    document: Mapping[str, Any], threshold: int, analysis_warnings: Sequence[str] = ()
) -> dict[str, Any]:
    """A survey result (report or packet shape) as it may be shown: with fewer than
    ``threshold`` responses, its count, response rate, analysis and comparison are withheld;
    with fewer than that before, the previous count and the comparison. ``analysis_warnings``
    are dropped from its ``warnings`` when withheld (they state the exact count)."""
    shown = dict(document)
    responses = document["responses"]
    small_now = is_small(responses, threshold)
    shown["responses_shown"] = fewer_than(threshold) if small_now else str(responses)
    if small_now:
        shown.update(responses=None, response_rate=None, analysis=None, comparison=None)
        if "warnings" in shown:
            kept = [w for w in shown["warnings"] if w not in set(analysis_warnings)]
            shown["warnings"] = [*kept, survey_withheld_note(threshold)]
    previous = document.get("previous")
    if previous is not None:
        before = previous["responses"]
        if is_small(before, threshold):
            shown["previous"] = {
                **previous,
                "responses": None,
                "responses_shown": fewer_than(threshold),
            }
            shown["comparison"] = None
        else:
            shown["previous"] = {**previous, "responses_shown": str(before)}
    return shown
