"""``--locale``: the language of a command's report, help and messages (``docs/i18n.md``)."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Sequence
from functools import cache

from ..core.translation import LocaleError, Translator, available_locales, translator
from .parsing import HELP_LOCALE


def locale_option(value: str) -> str:
    """``--locale``'s value, normalised (``fr_FR``), if a report can be written in it."""
    try:
        return translator(value, field="--locale").locale
    except LocaleError as error:
        raise argparse.ArgumentTypeError(
            str(error).removeprefix("--locale: ")
            if "Babel" in str(error)
            else f"{value!r} is not an available locale; expected one of: "
            f"{', '.join(available_locales())} (a region may follow, as in fr_FR)"
        ) from None


def add_locale(parser: argparse.ArgumentParser, t: Translator) -> None:
    """Add ``--locale``: the language of the report and of the command's messages."""
    parser.add_argument(
        "--locale",
        metavar="LANG",
        type=locale_option,
        default="en",
        help=t.gettext(
            "write the report's headings, findings, numbers and dates in this language: "
            "{locales} (default: en; rule texts quoted from the source documents stay as "
            "written)"
        ).format(locales=", ".join(available_locales())),
    )


def messages() -> Translator:
    """The language of the command being parsed or run (``--locale``, :data:`.HELP_LOCALE`):
    for help texts and for what the command prints, its errors included (cached: a per-line
    message costs a dictionary look-up)."""
    return _translator_of(HELP_LOCALE.get())


@cache
def _translator_of(locale: str) -> Translator:
    return translator(locale)


def epilog(english: str, t: Translator, paragraphs: Sequence[str], heading: str) -> str:
    """A command's epilog: ``english`` as it is in English; in another language the translated
    ``paragraphs``, each wrapped, then the translated ``heading`` and the example commands of
    ``english`` (the lines after its line starting ``example``) as they are."""
    if t.is_source:
        return english
    lines = english.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("example"))
    prose = "\n\n".join(textwrap.fill(paragraph, width=92) for paragraph in paragraphs)
    return f"{prose}\n\n{heading}\n{''.join(lines[start + 1 :])}"
