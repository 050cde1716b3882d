"""A translator's remembered texts (an instant's day part by its date, an integer by its value)
read exactly as Babel writes them afresh, on random instants and numbers, in every shipped
language, read once (learnt) and again (remembered), and with instants of the same day at other
times in between."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qse_customer.core.translation import Translator, available_locales, translator
from qse_customer.rules import _wording
from qse_customer.testing.strategies import aware_datetimes

babel_dates = pytest.importorskip("babel.dates")
babel_numbers = pytest.importorskip("babel.numbers")

OTHERS = tuple(
    locale
    for language in available_locales()
    if language != "en"
    for locale in (language, f"{language}_{language.upper()}")
)


def fresh_datetime(t: Translator, moment: datetime) -> str:
    """``moment`` as Babel writes it, nothing remembered."""
    return str(
        babel_dates.format_datetime(
            moment, "EEE dd MMM y HH:mm", tzinfo=moment.tzinfo, locale=t.locale
        )
    )


def fresh_number(t: Translator, value: int) -> str:
    return str(babel_numbers.format_decimal(value, format="#,##0", locale=t.locale))


@given(
    st.sampled_from(OTHERS),
    st.lists(
        st.tuples(
            aware_datetimes(datetime(1000, 1, 1), datetime(9998, 12, 31))
            | st.datetimes(datetime(1000, 1, 1), datetime(9998, 12, 31)),
            st.integers(-3 * 1440, 3 * 1440),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_an_instant_reads_as_babel_writes_it(locale: str, moments: list) -> None:
    t = translator(locale)
    for moment, minutes in moments:
        other = moment + timedelta(minutes=minutes)
        for instant in (moment, other, moment, other):
            text = t.datetime(instant)
            assert type(text) is str
            assert text == fresh_datetime(t, instant)


@given(st.sampled_from(OTHERS), st.lists(st.integers(-(10**12), 10**12) | st.integers(-30, 3000)))
def test_an_integer_reads_as_babel_writes_it(locale: str, values: list[int]) -> None:
    t = translator(locale)
    for value in values + values:
        text = t.number(value)
        assert type(text) is str
        assert text == fresh_number(t, value)


@given(st.sampled_from(OTHERS), st.floats(-1e15, 1e15))
def test_a_float_is_not_remembered_as_the_integer_it_equals(locale: str, value: float) -> None:
    # 1.0 and -0.0 are not the integers they equal: each is written as Babel writes a float.
    t = translator(locale)
    t.number(int(value))
    pattern = "#,##0" if value.is_integer() else "#,##0.###"
    assert t.number(value) == babel_numbers.format_decimal(value, format=pattern, locale=t.locale)


RECORD_TYPES = (
    "enquiry",
    "complaint",
    "referral",
    "contract",
    "customer",
    "survey",
    "survey_response",
    "test_request",
    "measurement",
    "record",
    "other_thing",
)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(("en", *OTHERS)),
            st.sampled_from(RECORD_TYPES) | st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
            st.integers(0, len(_wording.STATUS_WORDS) - 1),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_a_record_noun_and_a_status_read_as_the_catalogue_gives_them(words: list) -> None:
    # Remembered once a translator and record type (or status): read again, the same words.
    for locale, record_type, code in words + words:
        t = translator(locale)
        noun, status = _wording.record_noun(record_type, t), _wording.status_word(code, t)
        if t.is_source:
            assert noun == record_type.replace("_", " ")
            assert status == _wording.STATUS_WORDS[code]
        else:
            assert noun == _wording._record_noun(record_type, t)
            assert status == _wording._status_word(code, t)
