"""The pieces a clock's message is made of, made once and joined around the parts that change
(issue 16): ``_around`` splits a message at one placeholder so that joining any value between
the two parts reads exactly as formatting the message with it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qse_customer.core.translation import translator
from qse_customer.rules._wording import duration, working_duration
from qse_customer.rules.response_time import _around

# Any text, NUL and braces included (a brace is written doubled in a message).
texts = st.text(st.characters(codec="utf-8"), max_size=12)
literal = texts.map(lambda text: text.replace("{", "{{").replace("}", "}}"))


@given(literal, literal, literal, texts, texts, st.booleans())
def test_the_parts_around_a_placeholder_read_as_the_formatted_message(
    head: str, middle: str, tail: str, known: str, value: str, known_first: bool
) -> None:
    if known_first:
        message = f"{head}{{known}}{middle}{{name}}{tail}"
    else:
        message = f"{head}{{name}}{middle}{{known}}{tail}"
    before, after = _around(message, "name", known=known)
    assert before + value + after == message.format(known=known, name=value)


@given(texts, texts, texts)
def test_the_catalogues_messages_split_at_their_placeholder(
    first: str, second: str, value: str
) -> None:
    # The two messages a clock splits, in every language shipped.
    for locale in ("en", "fr"):
        t = translator(locale)
        started = t.gettext("the clock started {how} on {when}")
        before, after = _around(started, "when", how=first)
        assert before + value + after == started.format(how=first, when=value)
        limit = t.gettext("limit {limit}: {rule}, {deadline}")
        before, after = _around(limit, "deadline", limit=first, rule=second)
        assert before + value + after == limit.format(limit=first, rule=second, deadline=value)


def _duration_as_defined(us: int) -> str:
    """``duration`` in English as it was first written (parts joined), the reference."""
    us = abs(us)
    if us < 60_000_000:
        return f"{round(us / 1_000_000)} s"
    minutes = us // 60_000_000
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


@given(
    st.one_of(
        st.integers(-(10**15), 10**15),
        st.integers(0, 3 * 86_400).map(lambda seconds: seconds * 1_000_000),
        st.sampled_from([0, 59_999_999, 60_000_000, 3_599_999_999, 3_600_000_000, 86_400_000_000]),
    )
)
def test_a_duration_in_english_reads_as_defined(us: int) -> None:
    assert duration(us) == _duration_as_defined(us)


def _working_duration_as_defined(us: int) -> str:
    """``working_duration`` in English with every number formatted in place, the reference."""
    minutes = abs(us) // 60_000_000
    if minutes == 0:
        return f"{round(abs(us) / 1_000_000)} s of working time"
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min of working time"
    return f"{minutes} min of working time"


@given(
    st.one_of(
        st.integers(-(10**15), 10**15),
        st.integers(0, 3 * 86_400).map(lambda seconds: seconds * 1_000_000),
        st.sampled_from([0, 59_999_999, 60_000_000, 3_599_999_999, 3_600_000_000, 86_400_000_000]),
    )
)
def test_a_working_duration_in_english_reads_as_defined(us: int) -> None:
    assert working_duration(us) == _working_duration_as_defined(us)


@given(st.integers(3_600_000_000, 10**15))
def test_hours_and_minutes_in_french_read_as_formatted(us: int) -> None:
    # The two-digit minutes come from a table made once; the catalogue's message formatted with
    # the minutes written in place is the definition.
    t = translator("fr")
    hours, minutes = divmod(us // 60_000_000, 60)
    expected = t.gettext("{hours} h {minutes} min").format(
        hours=t.number(hours), minutes=f"{minutes:02d}"
    )
    assert working_duration(us, t) == t.gettext("{duration} of working time").format(
        duration=expected
    )
