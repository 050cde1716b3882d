"""Sentences the analysis writes in English, worded again in the report's language (docs/i18n.md):
the complaint control chart's method and its signals' meanings, the surveys' fixed warnings and
the recurrences' messages. One function per sentence writes both the English the report carries
and the French a French report shows."""

from __future__ import annotations

import copy
import json
import re
from datetime import timedelta
from html import escape
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qse_customer.analysis._confidence import (
    SAMPLES,
    STATS_EXTRA_HINT,
    fixed_warning,
    no_variation_warning,
    normal_mean_warning,
    normal_quantile_warning,
    small_sample_warning,
    stats_extra_hint,
)
from qse_customer.analysis.complaint_trends import (
    RUN_LENGTH,
    SIGNAL_TEXT,
    SIGNALS,
    TREND_LENGTH,
    control_chart_method,
    recurrence_message,
    signal_meaning,
)
from qse_customer.core.translation import ENGLISH, translator
from qse_customer.reports.html import render_html
from qse_customer.reports.json_report import render_json
from qse_customer.reports.text import render_text

FR = translator("fr")


@pytest.fixture(scope="module")
def report(demo_run: tuple[Any, tuple[str, ...]]) -> dict[str, Any]:
    """The demo lab's report (its complaints have a c-chart)."""
    return copy.deepcopy(demo_run[0].report)


def _with_signals(report: dict[str, Any]) -> dict[str, Any]:
    """The report with every signal on its chart's first period, as the analysis writes them."""
    marked = copy.deepcopy(report)
    chart = marked["complaints"]["control_chart"]
    period = chart["points"][0]["period"]
    chart["signals"] = [
        {"period": period, "signal": signal, "meaning": SIGNAL_TEXT[signal]} for signal in SIGNALS
    ]
    return marked


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def test_the_analysis_writes_its_english_through_the_shared_functions(
    report: dict[str, Any],
) -> None:
    chart = report["complaints"]["control_chart"]
    assert chart["method"] == control_chart_method(chart["chart"], chart["per"])
    assert chart["method"].startswith("c-chart of complaint counts per period")
    assert SIGNAL_TEXT["trend_up"] == (
        f"{TREND_LENGTH} or more periods in a row each higher than the last (Nelson rule 3)"
    )


def test_a_french_html_report_words_the_chart_method_and_signals_in_french(
    report: dict[str, Any],
) -> None:
    marked = _with_signals(report)
    html = render_html(marked, locale="fr")
    assert "carte c du nombre de réclamations par période" in html
    assert "c-chart of complaint counts" not in html
    assert escape("signaux : un point au-delà d'une limite") in html
    for signal in SIGNALS:
        assert escape(signal_meaning(signal, FR)) in html
        assert SIGNAL_TEXT[signal] not in html
    assert "Western Electric rule" not in html and "Nelson rule" not in html


def test_the_english_output_and_the_json_are_unchanged(report: dict[str, Any]) -> None:
    marked = _with_signals(report)
    html = render_html(marked)
    assert report["complaints"]["control_chart"]["method"] in html
    for signal in SIGNALS:
        assert SIGNAL_TEXT[signal] in html
    french, english = json.loads(render_json(marked, locale="fr")), json.loads(render_json(marked))
    assert french["complaints"] == english["complaints"]
    assert render_html(marked, locale="en") == html


def test_the_text_report_does_not_show_the_chart_in_any_language(report: dict[str, Any]) -> None:
    marked = _with_signals(report)
    for locale in ("en", "fr"):
        text = render_text(marked, locale=locale)
        assert "c-chart" not in text and "carte c" not in text


def test_a_signal_the_renderer_does_not_know_keeps_its_meaning(report: dict[str, Any]) -> None:
    marked = copy.deepcopy(report)
    chart = marked["complaints"]["control_chart"]
    chart["signals"] = [{"period": "2026-01", "signal": "plugin_rule", "meaning": "odd thing"}]
    assert "odd thing" in render_html(marked, locale="fr")


def test_an_unknown_chart_or_signal_is_refused() -> None:
    with pytest.raises(ValueError, match="chart: expected 'c' or 'u'"):
        control_chart_method("x", None)
    with pytest.raises(KeyError):
        signal_meaning("plugin_rule")


@given(chart=st.sampled_from(["c", "u"]), per=st.integers(1, 10**6))
def test_french_and_english_methods_carry_the_same_numbers(chart: str, per: int) -> None:
    english = control_chart_method(chart, per if chart == "u" else None)
    french = control_chart_method(chart, per if chart == "u" else None, FR)
    assert english != french
    assert sorted(_numbers(english)) == sorted(_numbers(french))
    assert str(RUN_LENGTH) in _numbers(french) and str(TREND_LENGTH) in _numbers(french)
    if chart == "u":
        assert f"per {per} requests" in english and f"pour {per} demandes" in french


@given(signal=st.sampled_from(SIGNALS))
def test_french_and_english_meanings_carry_the_same_numbers(signal: str) -> None:
    english, french = signal_meaning(signal, ENGLISH), signal_meaning(signal, FR)
    assert english == SIGNAL_TEXT[signal] != french
    assert _numbers(english) == _numbers(french)


# The surveys' fixed-form warnings -----------------------------------------------------------


def test_a_french_html_report_words_the_small_sample_warning_in_french(
    report: dict[str, Any],
) -> None:
    english, french = render_html(report), render_html(report, locale="fr")
    assert "small sample: 15 responses (fewer than 30)" in english
    assert "petit échantillon : 15 questionnaires reçus (moins de 30)" in french
    assert "small sample" not in french and "treat the result as indicative" not in french


@given(
    n=st.integers(0, 10**6),
    min_n=st.integers(1, 10**6),
    what=st.sampled_from(SAMPLES),
)
def test_the_small_sample_warning_is_worded_again_from_its_numbers(
    n: int, min_n: int, what: str
) -> None:
    english = small_sample_warning(n, min_n, what)
    assert english == (
        f"small sample: {n} {what} (fewer than {min_n}); treat the result as indicative, "
        "not as evidence"
    )
    french = fixed_warning(english, FR)
    assert french == small_sample_warning(n, min_n, what, FR) != english
    assert _numbers(french) == _numbers(english)
    assert fixed_warning(english, ENGLISH) == english


def test_the_other_fixed_warnings_are_translated_and_the_rest_kept() -> None:
    for fixed in (no_variation_warning, normal_quantile_warning, normal_mean_warning):
        assert fixed_warning(fixed(), FR) == fixed(FR) != fixed()
    assert stats_extra_hint() == STATS_EXTRA_HINT
    assert normal_quantile_warning() == (
        f"the interval uses the normal quantile; {STATS_EXTRA_HINT}"
    )
    odd = "small sample: 3 widgets (fewer than 30); treat the result as indicative, not as evidence"
    assert fixed_warning(odd, FR) == odd
    assert fixed_warning("a review is overdue", FR) == "a review is overdue"
    with pytest.raises(ValueError, match="what: expected one of"):
        small_sample_warning(1, 30, "widgets")


# The recurrences' messages ------------------------------------------------------------------


def test_a_french_html_report_words_the_recurrences_in_french(report: dict[str, Any]) -> None:
    items = report["review"]["complaints"]["recurrences"]["items"]
    assert items
    english, french = render_html(report), render_html(report, locale="fr")
    for item in items:
        assert escape(item["message"]) in english
        assert escape(item["message"]) not in french
        said = recurrence_message(
            item["group"].items(),
            "moins de 5",
            timedelta(seconds=item["window_seconds"]),
            item["threshold"],
            item["first_at"],
            item["last_at"],
            FR,
        )
        assert said.startswith("moins de 5 réclamations (category ")
        assert escape(said) in french
    assert "complaints (category" not in french and "above the threshold" not in french


@given(
    peak=st.integers(0, 10**6),
    days=st.integers(1, 400),
    threshold=st.integers(0, 10**6),
    value=st.text(max_size=10) | st.none(),
)
def test_french_and_english_recurrences_carry_the_same_numbers_and_data(
    peak: int, days: int, threshold: int, value: str | None
) -> None:
    group = (("category", value), ("customer_group", "Outpatients"))
    times = ("2026-01-05T15:24:31+00:00", "2026-02-26T09:23:41+00:00")
    english = recurrence_message(group, str(peak), timedelta(days=days), threshold, *times)
    french = recurrence_message(group, str(peak), timedelta(days=days), threshold, *times, FR)
    assert english == (
        f"{peak} complaints (category {value!r}, customer_group 'Outpatients') within {days} "
        f"day{'s' if days != 1 else ''}, above the threshold of {threshold}, between "
        f"{times[0]} and {times[1]}"
    )
    assert french != english
    assert sorted(_numbers(french)) == sorted(_numbers(english))
    assert f"category {value!r}" in french and times[0] in french and times[1] in french
