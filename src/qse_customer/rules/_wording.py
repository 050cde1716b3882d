"""Plain words for findings: durations, lists, ordinals, events and actors."""

from __future__ import annotations

from collections.abc import Iterable

from ..core.events import Event

US_PER_MINUTE = 60_000_000


def duration(us: int) -> str:
    """A duration in days, hours and minutes: ``2 days 3 h 05 min``, ``45 min``, ``20 s``."""
    us = abs(us)
    if us < US_PER_MINUTE:
        return f"{round(us / 1_000_000)} s"
    minutes = us // US_PER_MINUTE
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours or days:
        parts.append(f"{hours} h {minutes:02d} min")
    else:
        parts.append(f"{minutes} min")
    return " ".join(parts)


def working_duration(us: int) -> str:
    """Working time in hours and minutes: ``27 h 00 min of working time``."""
    us = abs(us)
    minutes = us // US_PER_MINUTE
    if minutes == 0:
        return f"{round(us / 1_000_000)} s of working time"
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min of working time"
    return f"{minutes} min of working time"


def spoken(us: int, measure: str) -> str:
    """A duration in the rule's measure (working or calendar time)."""
    return working_duration(us) if measure == "working time" else duration(us)


def either(words: Iterable[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} or {items[-1]}"


def both(words: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``20th``."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def actor_text(event: Event) -> str:
    """Who did an event: ``Tara Tech (technologist)``, or that no one is recorded."""
    if event.actor is None:
        return "no one (no actor is recorded)"
    return f"{event.actor.name} ({event.actor.role.value})"


def plural(count: int, word: str) -> str:
    """``1 working day``, ``2 working days``."""
    return f"{count:g} {word}" + ("" if count == 1 else "s")
