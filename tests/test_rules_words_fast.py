"""The pieces a clock's message is made of, made once and joined around the parts that change
(issue 16): ``_around`` splits a message at one placeholder so that joining any value between
the two parts reads exactly as formatting the message with it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qse_customer.core.translation import translator
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
