"""Small formatting rules shared by the text and HTML reports: times, shares, durations.

Each takes the report's :class:`~qse_customer.core.translation.Translator` (English by default,
formatting exactly as it always has)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from ..core.translation import Translator, translator
from ..review.small_cells import WITHHELD
from ..rules.contract_rules import contract_rule_title
from ..rules.findings import in_locale

ENGLISH: Final = translator()


def local_time(value: str | None, zone: str, t: Translator = ENGLISH) -> str:
    """An ISO timestamp on the lab's wall clock (``Wed 18 Mar 2026 14:30``), or a dash."""
    if not value:
        return "-"
    moment = datetime.fromisoformat(value).astimezone(ZoneInfo(zone))
    return t.datetime(moment)


def in_force(line: dict[str, Any], t: Translator = ENGLISH) -> str:
    """When a ruleset version was in force: ``from 01 Jul 2026``, ``until 30 Jun 2026``, both,
    or ``always``."""
    parts = []
    start, end = line.get("effective_from"), line.get("effective_until")
    if start:
        parts.append(t.gettext("from {day}").format(day=t.date(date.fromisoformat(start))))
    if end:
        parts.append(t.gettext("until {day}").format(day=t.date(date.fromisoformat(end))))
    return " ".join(parts) or t.gettext("always")


def percent(share: float | None, digits: int = 1, t: Translator = ENGLISH) -> str:
    """A share as a percentage (``97.5%``), or a dash when there is none."""
    return t.percent(share, digits)


def duration(seconds: float | None, t: Translator = ENGLISH) -> str:
    """Seconds in the largest sensible unit (``45 min``, ``3.2 h``, ``2.5 d``)."""
    if seconds is None:
        return "-"
    if t.is_source:  # as it always was: no grouping of thousands
        if seconds < 3600:
            return f"{seconds / 60:.0f} min"
        if seconds < 2 * 86400:
            return f"{seconds / 3600:.1f} h"
        return f"{seconds / 86400:.1f} d"
    if seconds < 3600:
        return t.gettext("{minutes} min").format(minutes=t.number(round(seconds / 60)))
    if seconds < 2 * 86400:
        return t.gettext("{hours} h").format(hours=t.number(seconds / 3600, 1))
    return t.gettext("{days} d").format(days=t.number(seconds / 86400, 1))


def interval(
    value: dict[str, float] | None, *, as_percent: bool = False, t: Translator = ENGLISH
) -> str:
    """A confidence interval as ``[low, high]`` (``[0,41 ; 0,57]`` in French, whose decimal
    comma would make ``[0,41, 0,57]`` ambiguous)."""
    if not value:
        return "-"
    if as_percent:
        low, high = percent(value["low"], t=t), percent(value["high"], t=t)
    elif t.is_source:
        low, high = f"{value['low']:.2f}", f"{value['high']:.2f}"
    else:
        low, high = t.number(value["low"], 2), t.number(value["high"], 2)
    return t.gettext("[{low}, {high}]").format(low=low, high=high)


def _unit(unit: str, t: Translator) -> str:
    """A limit's unit (``working_days``) in words: ``working days``."""
    words = {
        "working_days": t.gettext("working days"),
        "working_hours": t.gettext("working hours"),
        "minutes": t.gettext("minutes"),
        "hours": t.gettext("hours"),
        "days": t.gettext("days"),
    }
    return words.get(unit) or unit.replace("_", " ")


def evidence_line(ruleset: dict[str, Any], t: Translator = ENGLISH) -> str:
    """What the report must say about the evidence a ruleset was checked on: records with events
    recorded before stamping and back-dated entries (empty when there were none)."""
    evidence = ruleset.get("evidence") or {}
    parts = []
    unstamped = evidence.get("unstamped_records") or 0
    if unstamped:
        parts.append(
            t.ngettext(
                "{count} record with events recorded before stamping (times as entered)",
                "{count} records with events recorded before stamping (times as entered)",
                unstamped,
            ).format(count=t.number(unstamped))
        )
    backdated = evidence.get("backdated_events") or 0
    if backdated:
        limit = ", ".join(
            f"{t.number(v)} {_unit(k, t)}" for k, v in evidence["backdated_after"].items()
        )
        parts.append(
            t.ngettext(
                "{count} back-dated entry (recorded more than {limit} after they happened; "
                "named in their findings)",
                "{count} back-dated entries (recorded more than {limit} after they happened; "
                "named in their findings)",
                backdated,
            ).format(count=t.number(backdated), limit=limit)
        )
    if not parts:
        return ""
    return t.gettext("Evidence: {items}.").format(items="; ".join(parts))


def status_word(status: str, t: Translator = ENGLISH) -> str:
    """A finding's status (``at_risk``) in words: ``at risk``, ``à risque``."""
    words = {
        "met": t.gettext("met"),
        "breached": t.gettext("breached"),
        "at_risk": t.gettext("at risk"),
        "pending": t.gettext("pending"),
        "not_applicable": t.gettext("not applicable"),
    }
    return words.get(status, status)


def finding_message(finding: dict[str, Any], t: Translator = ENGLISH) -> str:
    """A finding's message in ``t``'s language.

    A message the engine made in this process is explained again, from start to end, in ``t``'s
    language (:class:`~qse_customer.rules.findings.Message`); one read back from a JSON report
    has only its opening (``T-1 breached (source):``) translated, the explanation that follows
    staying in English. The rule id and the clause it cites are data and stay as they are. In
    English the message is returned unchanged."""
    message: str = finding["message"]
    if t.is_source:
        return message
    again = in_locale(message, t)
    if again is not None:
        return again
    status = finding["status"]
    lead = f"{finding['rule_id']} {status.replace('_', ' ')} ({finding['source']}): "
    if not message.startswith(lead):
        return message
    return t.gettext("{rule_id} {status} ({source}): {explanation}").format(
        rule_id=finding["rule_id"],
        status=status_word(status, t),
        source=finding["source"],
        explanation=message[len(lead) :],
    )


def shown_text(shown: str | None, t: Translator) -> str:
    """How a hidden count is shown (``fewer than 5``, ``withheld``) in ``t``'s language."""
    if shown is None or shown == WITHHELD:
        return t.gettext("withheld")
    head, _, number = shown.rpartition(" ")
    if head == "fewer than" and number.isdigit():
        return t.gettext("fewer than {threshold}").format(threshold=number)
    return shown


def small_cells_text(cells: dict[str, int] | None, t: Translator) -> str:
    """What a table's hidden cells mean, for the reader (empty when none is hidden)."""
    if not cells or not (cells["fewer_than"] or cells["withheld"]):
        return ""
    threshold = cells["threshold"]
    fewer = t.gettext("fewer than {threshold}").format(threshold=threshold)
    note = t.gettext('counts below {threshold} are shown as "{fewer_than}"').format(
        threshold=threshold, fewer_than=fewer
    )
    if cells["withheld"]:
        note += t.gettext(
            '; "{withheld}" hides a count of {threshold} or more that would otherwise give a '
            "smaller one back from the total"
        ).format(withheld=t.gettext("withheld"), threshold=threshold)
    return note


def rule_title(rule_id: str, title: str, t: Translator) -> str:
    """A rule's title in ``t``'s language: a contract's rule (``contract:...``) has its title
    worded by the library from the contract's terms, and worded again in ``t``'s language; any
    other rule's title is the words of its ruleset, and stays as written."""
    if t.is_source or not rule_id.startswith("contract:"):
        return title
    return contract_rule_title(title, t)
