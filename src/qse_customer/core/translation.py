"""Reports in the lab's language: gettext catalogues, plural forms, and dates and numbers as the
locale writes them (``docs/i18n.md``).

English is the source language: its strings are the ones in the code, and an English
:class:`Translator` formats numbers and dates exactly as the reports always have (``126,667``,
``97.5%``, ``Wed 18 Mar 2026 14:30``), with nothing but the standard library. Any other locale
reads its messages from the catalogue ``locale/<language>/LC_MESSAGES/qse_customer.mo`` shipped
in the package (the standard library's :mod:`gettext`, plural forms from the catalogue's header)
and formats numbers and dates with Babel (the ``i18n`` extra): asking for one without Babel is
an error naming the extra, never a report half in one language's numbers and half in another's.

The locale is passed explicitly (``render_text(report, locale="fr")``, ``--locale fr``); there
is no global state. Rule texts quoted from the source documents (titles, clauses) are data and
stay in their own language.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final

from .errors import QSEError

DOMAIN: Final = "qse_customer"
"""The gettext domain: the catalogues are ``<language>/LC_MESSAGES/qse_customer.po``."""

SOURCE_LOCALE: Final = "en"
"""The language of the messages in the code; it needs no catalogue."""

LOCALE_DIR: Final = Path(__file__).resolve().parents[1] / "locale"
"""Where the catalogues are, inside the package (so the wheel ships them)."""

_MEMO: Final = 1 << 14
"""How many texts a translator remembers of each kind before it starts again."""

_TAG = re.compile(r"^([a-z]{2,3})(?:[_-]([a-z]{2}|\d{3}))?$", re.IGNORECASE)


class LocaleError(QSEError, ValueError):
    """A locale that has no catalogue, or that needs Babel when it is not installed."""


@cache
def available_locales() -> tuple[str, ...]:
    """The languages a report can be written in: English and every shipped catalogue (looked
    for once a process)."""
    found = {SOURCE_LOCALE}
    if LOCALE_DIR.is_dir():
        found.update(
            path.parent.parent.name
            for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")
            if path.is_file()
        )
    return tuple(sorted(found))


class Translator:
    """Messages, plural forms, numbers and dates in one locale (made by :func:`translator`)."""

    __slots__ = ("_babel", "_catalogue", "_days", "_integers", "language", "locale")

    def __init__(self, locale: str, catalogue: gettext.NullTranslations) -> None:
        self.locale = locale
        self.language = locale.split("_")[0]
        self._catalogue = catalogue
        self._babel: Any = None if self.language == SOURCE_LOCALE else _babel(locale)
        # Babel's texts remembered (bounded): a day's part of an instant by its date, an
        # integer by its value. A report in another language writes thousands of instants on
        # a few hundred days, and the same small counts again and again.
        self._days: dict[tuple[int, int, int], str] = {}
        self._integers: dict[int, str] = {}

    def __repr__(self) -> str:
        return f"Translator({self.locale!r})"

    @property
    def is_source(self) -> bool:
        """Whether this is the source language (English): messages as written in the code."""
        return self._babel is None

    def gettext(self, message: str) -> str:
        """``message`` in this locale (in English, ``message``: the findings' messages call this
        often, so the source language skips the catalogue)."""
        if self._babel is None:
            return message
        return self._catalogue.gettext(message)

    def pgettext(self, context: str, message: str) -> str:
        """``message`` in this locale, as it is translated in ``context`` (``column``: a
        table's heading, where it must be short)."""
        return self._catalogue.pgettext(context, message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The form of ``singular``/``plural`` this locale uses for ``count`` things."""
        if self._babel is None:
            return singular if count == 1 else plural
        return self._catalogue.ngettext(singular, plural, count)

    def number(self, value: float, digits: int | None = None) -> str:
        """A number with the locale's grouping and decimal sign: ``126,667``, ``126 667``;
        ``digits`` fixes the decimals (``3.50``, ``3,50``)."""
        if self._babel is None:
            return f"{value:,}" if digits is None else f"{value:,.{digits}f}"
        if digits is None and type(value) is int:
            text = self._integers.get(value)
            if text is None:
                if len(self._integers) >= _MEMO:
                    self._integers.clear()
                text = self._integers[value] = self._decimal(value, "#,##0")
            return text
        if digits is None:
            pattern = "#,##0" if float(value).is_integer() else "#,##0.###"
        else:
            pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return self._decimal(value, pattern)

    def _decimal(self, value: float, pattern: str) -> str:
        return str(self._babel.numbers.format_decimal(value, format=pattern, locale=self.locale))

    def percent(self, share: float | None, digits: int = 1) -> str:
        """A share as a percentage (``97.5%``, ``97,5 %``), or a dash when there is none."""
        if share is None:
            return "-"
        if self._babel is None:
            return f"{100 * share:.{digits}f}%"
        pattern = "#,##0." + "0" * digits + " %" if digits else "#,##0 %"
        text = self._babel.numbers.format_percent(share, format=pattern, locale=self.locale)
        return str(text).replace(" %", "\u00a0%")

    def datetime(self, moment: datetime) -> str:
        """An instant on the wall clock it carries: ``Wed 18 Mar 2026 14:30``,
        ``mer. 18 mars 2026 14:30``."""
        if self._babel is None:
            return moment.strftime("%a %d %b %Y %H:%M")
        # Babel writes HH and mm as two plain digits: the day's part (everything before
        # " HH:mm", when the text ends so) is asked of Babel once a date.
        key = (moment.year, moment.month, moment.day)
        day = self._days.get(key)
        if day is None:
            text = str(
                self._babel.dates.format_datetime(
                    moment, "EEE dd MMM y HH:mm", tzinfo=moment.tzinfo, locale=self.locale
                )
            )
            clock = f" {moment.hour:02d}:{moment.minute:02d}"
            if text.endswith(clock):
                if len(self._days) >= _MEMO:
                    self._days.clear()
                self._days[key] = text[: -len(clock)]
            return text
        return f"{day} {moment.hour:02d}:{moment.minute:02d}"

    def weekday_date(self, day: date) -> str:
        """A day with its weekday: ``Mon 11 May 2026``, ``lun. 11 mai 2026``."""
        if self._babel is None:
            return day.strftime("%a %d %b %Y")
        return str(self._babel.dates.format_date(day, "EEE dd MMM y", locale=self.locale))

    def day_name(self, day: date) -> str:
        """The weekday's full name: ``Saturday``, ``samedi``."""
        if self._babel is None:
            return day.strftime("%A")
        return str(self._babel.dates.format_date(day, "EEEE", locale=self.locale))

    def weekday_names(self) -> tuple[str, ...]:
        """The weekdays' short names, Monday first: ``Mon``, ``lun.``."""
        if self._babel is None:
            return ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        names = self._babel.dates.get_day_names("abbreviated", locale=self.locale)
        return tuple(str(names[day]) for day in range(7))

    def date(self, day: date) -> str:
        """A day: ``01 Jul 2026``, ``01 juil. 2026``."""
        if self._babel is None:
            return f"{day:%d %b %Y}"
        return str(self._babel.dates.format_date(day, "dd MMM y", locale=self.locale))


def _babel(locale: str) -> Any:
    """Babel's ``numbers`` and ``dates`` modules, or an error naming the extra to install."""
    try:
        import babel.dates
        import babel.numbers
    except ImportError:
        raise LocaleError(
            f"locale {locale!r} needs Babel for its dates and numbers: "
            "pip install 'qse-customer[i18n]'"
        ) from None
    return babel


def normalise(locale: str, *, field: str = "locale") -> str:
    """``fr``, ``FR``, ``fr_FR`` and ``fr-fr`` as ``fr``, ``fr``, ``fr_FR``, ``fr_FR``; an
    error naming ``field`` and the available locales for anything else."""
    match = _TAG.match(locale.strip()) if isinstance(locale, str) else None
    available = available_locales()
    language = match[1].lower() if match else ""
    if match is None or language not in available:
        raise LocaleError(
            f"{field}: {locale!r} is not an available locale; expected one of: "
            f"{', '.join(available)} (a region may follow, as in fr_FR)"
        )
    return language if match[2] is None else f"{language}_{match[2].upper()}"


@cache
def _translator(locale: str) -> Translator:
    language = locale.split("_")[0]
    if language == SOURCE_LOCALE:
        return Translator(locale, gettext.NullTranslations())
    catalogue = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language])
    return Translator(locale, catalogue)


def translator(locale: str | Translator = SOURCE_LOCALE, *, field: str = "locale") -> Translator:
    """The :class:`Translator` for ``locale`` (``"en"``, ``"fr"``, ``"fr_FR"``; one made
    already is returned as it is). An unknown locale is a :class:`LocaleError` naming ``field``
    and the available locales."""
    if isinstance(locale, Translator):
        return locale
    return _translator(normalise(locale, field=field))


ENGLISH: Final = _translator(SOURCE_LOCALE)
"""The source language's translator (messages as written in the code)."""


def placeholders(message: str) -> frozenset[str]:
    """The ``{name}`` placeholders of a message (what a translation must keep)."""
    import string

    return frozenset(
        name for _, name, _, _ in string.Formatter().parse(message) if name is not None
    )


class Said(str):
    """A line written in English (the ``str`` itself, what a program or a log reads) that can
    be written again in another language: ``Said(write)`` keeps ``write``, a function writing
    the line with a :class:`Translator`, and :meth:`in_locale` calls it. A progress line is one:
    the library says it in English, the command line prints it in ``--locale``'s language."""

    _write: Callable[[Translator], str]

    def __new__(cls, write: Callable[[Translator], str]) -> Said:
        said = super().__new__(cls, write(ENGLISH))
        said._write = write
        return said

    def in_locale(self, t: Translator) -> str:
        """The line in ``t``'s language (in English, the line itself)."""
        return str(self) if t.is_source else self._write(t)


def in_locale(line: str, t: Translator) -> str:
    """``line`` in ``t``'s language when it is :class:`Said`, else as it is."""
    return line.in_locale(t) if isinstance(line, Said) else line
