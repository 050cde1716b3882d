"""Small formatting rules shared by the text and HTML reports: times, shares, durations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo


def local_time(value: str | None, zone: str) -> str:
    """An ISO timestamp on the lab's wall clock (``Wed 18 Mar 2026 14:30``), or a dash."""
    if not value:
        return "-"
    moment = datetime.fromisoformat(value).astimezone(ZoneInfo(zone))
    return moment.strftime("%a %d %b %Y %H:%M")


def in_force(line: dict[str, Any]) -> str:
    """When a ruleset version was in force: ``from 01 Jul 2026``, ``until 30 Jun 2026``, both,
    or ``always``."""
    parts = []
    for key, word in (("effective_from", "from"), ("effective_until", "until")):
        if line.get(key):
            parts.append(f"{word} {date.fromisoformat(line[key]):%d %b %Y}")
    return " ".join(parts) or "always"


def percent(share: float | None, digits: int = 1) -> str:
    """A share as a percentage (``97.5%``), or a dash when there is none."""
    return "-" if share is None else f"{100 * share:.{digits}f}%"


def duration(seconds: float | None) -> str:
    """Seconds in the largest sensible unit (``45 min``, ``3.2 h``, ``2.5 d``)."""
    if seconds is None:
        return "-"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def interval(value: dict[str, float] | None, *, as_percent: bool = False) -> str:
    """A confidence interval as ``[low, high]``."""
    if not value:
        return "-"
    if as_percent:
        return f"[{percent(value['low'])}, {percent(value['high'])}]"
    return f"[{value['low']:.2f}, {value['high']:.2f}]"


def plural(count: int, noun: str) -> str:
    """``1 breach``, ``2 breaches``."""
    if count == 1:
        return f"1 {noun}"
    suffix = "es" if noun.endswith(("ch", "sh", "s", "x")) else "s"
    return f"{count:,} {noun}{suffix}"


def evidence_line(ruleset: dict[str, Any]) -> str:
    """What the report must say about the evidence a ruleset was checked on: records with events
    recorded before stamping and back-dated entries (empty when there were none)."""
    evidence = ruleset.get("evidence") or {}
    parts = []
    unstamped = evidence.get("unstamped_records") or 0
    if unstamped:
        parts.append(
            f"{plural(unstamped, 'record')} with events recorded before stamping (times as entered)"
        )
    backdated = evidence.get("backdated_events") or 0
    if backdated:
        limit = ", ".join(
            f"{v} {k.replace('_', ' ')}" for k, v in evidence["backdated_after"].items()
        )
        parts.append(
            f"{backdated:,} back-dated entr{'y' if backdated == 1 else 'ies'} (recorded more than "
            f"{limit} after they happened; named in their findings)"
        )
    return "Evidence: " + "; ".join(parts) + "." if parts else ""
