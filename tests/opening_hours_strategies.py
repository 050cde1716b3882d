"""Hypothesis strategies for a calendar's opening hours: every shape the ``hours`` setting takes.

A drawn week is the ``hours`` setting as a user writes it: one interval on some weekdays, several
a day (a lunch closure, split shifts), different hours on each weekday (a Saturday morning
clinic, closed days in between), or ``"24/7"``.
"""

from __future__ import annotations

from hypothesis import strategies as st

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SHAPES = ("one interval", "split", "per weekday", "24/7")


def clock(minute: int) -> str:
    """``HH:MM`` for minutes from midnight (1440 is ``24:00``)."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def day_hours(draw: st.DrawFn, most: int = 3) -> list[str]:
    """One day's opening intervals, 1 to ``most`` of them, in order and never touching."""
    count = draw(st.integers(1, most))
    bounds = sorted(draw(st.sets(st.integers(0, 1440), min_size=2 * count, max_size=2 * count)))
    return [f"{clock(a)}-{clock(b)}" for a, b in zip(bounds[::2], bounds[1::2], strict=True)]


@st.composite
def weeks(draw: st.DrawFn, shapes: tuple[str, ...] = SHAPES) -> dict[str, list[str]] | str:
    """An ``hours`` setting of one of ``shapes``; each weekday is written as its own key."""
    shape = draw(st.sampled_from(shapes))
    if shape == "24/7":
        return "24/7"
    if shape in ("one interval", "split"):
        hours = draw(day_hours(1 if shape == "one interval" else 3))
        days = draw(st.sets(st.integers(0, 6), min_size=1))
        return {DAY_NAMES[day]: hours for day in sorted(days)}
    each = draw(st.lists(st.one_of(st.just([]), day_hours()), min_size=7, max_size=7).filter(any))
    return {DAY_NAMES[day]: hours for day, hours in enumerate(each)}
