"""The pieces a clock's message is made of, made once and joined around the parts that change
(issue 16): ``_around`` splits a message at one placeholder so that joining any value between
the two parts reads exactly as formatting the message with it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qse_customer.core.translation import translator
from qse_customer.rules._wording import duration
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
