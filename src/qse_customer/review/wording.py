"""The warnings the customer focus report and the management review packet carry, written by one
function each in English (as the report carries them) or in a report's language, and recognised
again from their English at render time (:func:`review_warning`), as the surveys' fixed-form
warnings are (``docs/i18n.md``). The text of an exception a warning quotes stays as written."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from ..analysis._confidence import fixed_warning
from ..core.translation import ENGLISH, Translator


def survey_left_out(survey: str, error: str, t: Translator = ENGLISH) -> str:
    """A survey whose results are left out of the report because of ``error``."""
    return t.gettext("survey {survey}: {error}").format(survey=repr(survey), error=error)


def no_packet(error: str, t: Translator = ENGLISH) -> str:
    """The management review packet left out of the report because of ``error``."""
    return t.gettext("the management review packet could not be made: {error}").format(error=error)


def instrument_not_registered(survey: str, instrument: str, t: Translator = ENGLISH) -> str:
    """A survey left out of the packet because its instrument is not registered."""
    return t.gettext(
        "survey {survey}: instrument {instrument} is not registered, so its results are left "
        "out; register the instrument and run the review again"
    ).format(survey=repr(survey), instrument=repr(instrument))


def other_instrument(survey: str, count: int, instrument: str, t: Translator = ENGLISH) -> str:
    """``count`` responses of a survey left out because they answer another instrument."""
    return t.ngettext(
        "survey {survey}: {count} responses answer another instrument than {instrument} and "
        "are left out",
        "survey {survey}: {count} responses answer another instrument than {instrument} and "
        "are left out",
        count,
    ).format(
        survey=repr(survey),
        count=str(count) if t.is_source else t.number(count),
        instrument=repr(instrument),
    )


def unknown_invited(t: Translator = ENGLISH) -> str:
    """A survey of the packet with no response rate, for want of the number invited."""
    return t.gettext(
        "no response rate: the number invited is unknown (record it as 'invited' in the data "
        "of the survey's 'conducted' event, or pass invited=)"
    )


def no_survey_record(t: Translator = ENGLISH) -> str:
    """Responses of the packet whose survey record was not among the records."""
    return t.gettext("no survey record was among the records; title and audience unknown")


_QUOTED = r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
"""A string as ``repr`` writes it."""

_FORMS: tuple[tuple[re.Pattern[str], Callable[..., str], tuple[str, ...]], ...] = (
    (
        re.compile(
            rf"survey {_QUOTED}: instrument {_QUOTED} is not registered, so its results are "
            "left out; register the instrument and run the review again"
        ),
        instrument_not_registered,
        ("id", "id"),
    ),
    (
        re.compile(
            rf"survey {_QUOTED}: (\d+) responses answer another instrument than {_QUOTED} and "
            "are left out"
        ),
        other_instrument,
        ("id", "int", "id"),
    ),
    (re.compile(rf"survey {_QUOTED}: (.*)", re.DOTALL), survey_left_out, ("id", "text")),
    (
        re.compile("the management review packet could not be made: (.*)", re.DOTALL),
        no_packet,
        ("text",),
    ),
)


def review_warning(warning: str, t: Translator) -> str:
    """A warning of the report, of the packet or of a survey in it, in ``t``'s language: worded
    again from what it quotes when that gives back exactly the English it is (the surveys'
    fixed-form warnings too, :func:`..analysis._confidence.fixed_warning`); any other warning,
    or English, as it is."""
    if t.is_source:
        return warning
    for fixed in (unknown_invited, no_survey_record):
        if fixed() == warning:
            return fixed(t)
    for pattern, write, kinds in _FORMS:
        found = pattern.fullmatch(warning)
        if found is None:
            continue
        try:
            values = [_value(kind, text) for kind, text in zip(kinds, found.groups(), strict=True)]
        except (ValueError, SyntaxError):
            continue
        if write(*values) == warning:
            return write(*values, t=t)
    return fixed_warning(warning, t)


def _value(kind: str, text: str) -> object:
    if kind == "id":
        value = ast.literal_eval(text)
        if not isinstance(value, str):
            raise ValueError(text)
        return value
    return int(text) if kind == "int" else text
