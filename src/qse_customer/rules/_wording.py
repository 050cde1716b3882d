"""Plain words for findings: durations, lists, ordinals, events and actors, in English (as the
messages have always read) or in a :class:`~qse_customer.core.translation.Translator`'s language
(``t=``). The English path is the one the engine takes by default; another language only when a
report asks for it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..core.events import Event
from ..core.translation import ENGLISH, Translator
from ._wall_clock import TWO_DIGITS

US_PER_MINUTE = 60_000_000


def duration(us: int, t: Translator = ENGLISH) -> str:
    """A duration in days, hours and minutes: ``2 days 3 h 05 min``, ``45 min``, ``20 s``."""
    us = abs(us)
    if not t.is_source:
        return _duration(us, t)
    if us < US_PER_MINUTE:
        return f"{round(us / 1_000_000)} s"
    minutes = us // US_PER_MINUTE
    if minutes < 60:
        return f"{minutes} min"
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h {TWO_DIGITS[minutes]} min"
    return f"{hours} h {TWO_DIGITS[minutes]} min"


def _duration(us: int, t: Translator) -> str:
    if us < US_PER_MINUTE:
        return t.gettext("{seconds} s").format(seconds=t.number(round(us / 1_000_000)))
    minutes = us // US_PER_MINUTE
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(t.ngettext("{count} day", "{count} days", days).format(count=t.number(days)))
    if hours or days:
        parts.append(_hours(hours, minutes, t))
    else:
        parts.append(t.gettext("{minutes} min").format(minutes=minutes))
    return " ".join(parts)


def _hours(hours: int, minutes: int, t: Translator) -> str:
    return t.gettext("{hours} h {minutes} min").format(
        hours=t.number(hours), minutes=TWO_DIGITS[minutes]
    )


def working_duration(us: int, t: Translator = ENGLISH) -> str:
    """Working time in hours and minutes: ``27 h 00 min of working time``."""
    us = abs(us)
    if not t.is_source:
        minutes = us // US_PER_MINUTE
        if minutes == 0:
            shown = t.gettext("{seconds} s").format(seconds=t.number(round(us / 1_000_000)))
        elif minutes >= 60:
            shown = _hours(*divmod(minutes, 60), t)
        else:
            shown = t.gettext("{minutes} min").format(minutes=minutes)
        return t.gettext("{duration} of working time").format(duration=shown)
    minutes = us // US_PER_MINUTE
    if minutes == 0:
        return f"{round(us / 1_000_000)} s of working time"
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {TWO_DIGITS[minutes]} min of working time"
    return f"{minutes} min of working time"


def spoken(us: int, measure: str, t: Translator = ENGLISH) -> str:
    """A duration in the rule's measure (working or calendar time)."""
    return working_duration(us, t) if measure == "working time" else duration(us, t)


def either(words: Iterable[str], t: Translator = ENGLISH) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    if not t.is_source:
        return t.gettext("{items} or {last}").format(items=", ".join(items[:-1]), last=items[-1])
    return f"{', '.join(items[:-1])} or {items[-1]}"


def both(words: Iterable[str], t: Translator = ENGLISH) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    if not t.is_source:
        return t.gettext("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])
    return f"{', '.join(items[:-1])} and {items[-1]}"


def ordinal(n: int, t: Translator = ENGLISH) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``20th``."""
    if not t.is_source:
        if n == 1:
            return t.gettext("1st")
        return t.gettext("{number}th").format(number=t.number(n))
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def actor_text(event: Event, t: Translator = ENGLISH) -> str:
    """Who did an event: ``Tara Tech (technologist)``, or that no one is recorded. The role is
    the role's code, in every language."""
    if event.actor is None:
        return t.gettext("no one (no actor is recorded)")
    return f"{event.actor.name} ({event.actor.role.value})"


def plural(count: int, word: str) -> str:
    """``1 working day``, ``2 working days``."""
    return f"{count:g} {word}" + ("" if count == 1 else "s")


_MEMO = 4096
"""How many words a language's memo below keeps before it starts again."""

_NOUNS: dict[tuple[Translator, str], str] = {}
_STATUSES: dict[tuple[Translator, int], str] = {}


def _remember(memo: dict[Any, str], key: Any, words: str) -> str:
    """``words``, kept in ``memo`` under ``key`` (emptied first when it holds :data:`_MEMO`)."""
    if len(memo) >= _MEMO:
        memo.clear()
    memo[key] = words
    return words


def record_noun(record_type: str, t: Translator = ENGLISH) -> str:
    """A record type in words: ``enquiry``, ``test request`` (in English; in another language,
    with its article, as the language's messages use it: ``la demande``; asked of the catalogue
    once a translator and record type)."""
    if t.is_source:
        return record_type.replace("_", " ")
    found = _NOUNS.get((t, record_type))
    return (
        found
        if found is not None
        else _remember(_NOUNS, (t, record_type), _record_noun(record_type, t))
    )


def _record_noun(record_type: str, t: Translator) -> str:
    """:func:`record_noun` in another language, from the catalogue."""
    nouns = {
        "enquiry": t.pgettext("record", "enquiry"),
        "complaint": t.pgettext("record", "complaint"),
        "referral": t.pgettext("record", "referral"),
        "contract": t.pgettext("record", "contract"),
        "customer": t.pgettext("record", "customer"),
        "survey": t.pgettext("record", "survey"),
        "survey_response": t.pgettext("record", "survey response"),
        "test_request": t.pgettext("record", "test request"),
        "measurement": t.pgettext("record", "measurement"),
        "record": t.pgettext("record", "record"),
    }
    return nouns.get(record_type, record_type.replace("_", " "))


def opening_hours(text: str, t: Translator = ENGLISH) -> str:
    """A calendar's opening hours or closing time in words (``08:00-17:00 Mon-Fri``) in ``t``'s
    language: its weekday names and ``and``."""
    if t.is_source:
        return text
    names = dict(zip(_WEEKDAYS, t.weekday_names(), strict=True))
    words = text.replace(" and ", " " + t.gettext("and") + " ")
    return re.sub(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b", lambda day: names[day[0]], words)


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


STATUS_WORDS = ("met", "breached", "at risk", "pending", "not applicable")
"""Each status code in English words, as messages and evidence write it."""


def status_word(code: int, t: Translator = ENGLISH) -> str:
    """A status code in words, in ``t``'s language (asked of the catalogue once a translator
    and code)."""
    if t.is_source:
        return STATUS_WORDS[code]
    found = _STATUSES.get((t, code))
    return found if found is not None else _remember(_STATUSES, (t, code), _status_word(code, t))


def _status_word(code: int, t: Translator) -> str:
    """:func:`status_word` in another language, from the catalogue."""
    words = (
        t.gettext("met"),
        t.gettext("breached"),
        t.gettext("at risk"),
        t.gettext("pending"),
        t.gettext("not applicable"),
    )
    return words[code]
