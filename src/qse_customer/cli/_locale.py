"""``--locale``: the language of a command's report, help and messages (``docs/i18n.md``)."""

from __future__ import annotations

import argparse

from ..core.translation import LocaleError, Translator, available_locales, translator


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
