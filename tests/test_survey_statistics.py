"""Survey statistics agree with scipy/numpy to 1e-9, and say what they did in words."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats

from qse_customer.analysis.comparisons import compare_means, compare_nps, compare_shares
from qse_customer.analysis.instrument_registry import load_instrument
from qse_customer.analysis.survey_analysis import analyse_survey, compare_periods
from qse_customer.analysis.survey_statistics import (
    cronbach_alpha,
    csat_estimate,
    mean_interval,
    nps_estimate,
    proportion_estimate,
    summarise,
    wilson_interval,
)
from qse_customer.core.errors import ValidationError
from qse_customer.core.survey import SurveyResponse

TOL = 1e-9
likert = st.integers(1, 5)
scores = st.integers(-100_000, 100_000).map(lambda i: i / 100)
levels = st.sampled_from([0.8, 0.9, 0.95, 0.99])


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOL, abs_tol=TOL)


# -- agreement with scipy and numpy -------------------------------------------------------------


@given(st.lists(scores, min_size=2, max_size=60), levels)
def test_mean_sd_and_t_interval_match_numpy_and_scipy(values: list[float], level: float) -> None:
    summary = summarise(values, low=-1000, high=1000, level=level)
    assert summary.n == len(values)
    assert summary.mean is not None and summary.sd is not None
    assert close(summary.mean, float(np.mean(values)))
    assert close(summary.sd, float(np.std(values, ddof=1)))
    interval = summary.mean_interval
    assert interval is not None and interval.method.startswith("Student's t")
    sem = float(stats.sem(values))
    assume(sem > 0)
    low, high = stats.t.interval(level, len(values) - 1, loc=np.mean(values), scale=sem)
    assert close(interval.low, float(low)) and close(interval.high, float(high))


@given(st.integers(1, 500), st.data(), levels)
def test_wilson_interval_matches_scipy(n: int, data: st.DataObject, level: float) -> None:
    count = data.draw(st.integers(0, n))
    ours = wilson_interval(count, n, level=level)
    theirs = stats.binomtest(count, n).proportion_ci(confidence_level=level, method="wilson")
    assert close(ours.low, float(theirs.low)) and close(ours.high, float(theirs.high))
    assert 0 <= ours.low <= count / n <= ours.high <= 1


@given(st.lists(scores, min_size=2, max_size=40), st.lists(scores, min_size=2, max_size=40), levels)
def test_welch_interval_matches_scipy(
    before: list[float], after: list[float], level: float
) -> None:
    assume(len(set(before)) > 1 or len(set(after)) > 1)
    ours = compare_means(before, after, level=level)
    with warnings.catch_warnings():
        # scipy warns about its own moment precision when one sample is constant.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.ttest_ind(after, before, equal_var=False)
        theirs = result.confidence_interval(confidence_level=level)
    assert ours.interval is not None and ours.difference is not None
    assert close(ours.difference, float(np.mean(after) - np.mean(before)))
    assert close(ours.interval.low, float(theirs.low))
    assert close(ours.interval.high, float(theirs.high))
    assert ours.real_change == (not ours.interval.low <= 0 <= ours.interval.high)


def numpy_alpha(matrix: np.ndarray) -> float:
    k = matrix.shape[1]
    return k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / matrix.sum(axis=1).var(ddof=1))


@given(
    st.integers(2, 8).flatmap(
        lambda k: st.lists(st.lists(likert, min_size=k, max_size=k), min_size=2, max_size=40)
    )
)
def test_cronbach_alpha_matches_a_direct_numpy_computation(rows: list[list[int]]) -> None:
    matrix = np.array(rows, dtype=float)
    reliability = cronbach_alpha(rows)
    if matrix.sum(axis=1).var() == 0:
        assert reliability.alpha is None and "does not vary" in reliability.reason
        return
    assert reliability.alpha is not None
    assert close(reliability.alpha, numpy_alpha(matrix))
    assert (reliability.items, reliability.n, reliability.excluded) == (len(rows[0]), len(rows), 0)


@given(st.lists(st.integers(0, 10), min_size=1, max_size=200), levels)
def test_nps_margin_matches_numpy_and_scipy(values: list[int], level: float) -> None:
    estimate = nps_estimate(values, level=level)
    per_person = np.array([1 if v >= 9 else -1 if v <= 6 else 0 for v in values], dtype=float)
    assert estimate.score is not None and estimate.margin is not None
    assert close(estimate.score, 100 * float(per_person.mean()))
    se = float(per_person.std(ddof=0)) / math.sqrt(len(values)) * 100
    assert close(estimate.margin, float(stats.norm.ppf(0.5 + level / 2)) * se)
    assert estimate.interval is not None
    assert -100 <= estimate.interval.low <= estimate.score <= estimate.interval.high <= 100


@given(
    st.lists(st.integers(0, 10), min_size=1, max_size=80),
    st.lists(st.integers(0, 10), min_size=1, max_size=80),
)
def test_nps_comparison_matches_numpy(before: list[int], after: list[int]) -> None:
    def person(values: list[int]) -> np.ndarray:
        return np.array([1 if v >= 9 else -1 if v <= 6 else 0 for v in values], dtype=float)

    a, b = person(before), person(after)
    comparison = compare_nps(before, after)
    se = math.sqrt(a.var() / len(a) + b.var() / len(b)) * 100
    z = float(stats.norm.ppf(0.975))
    difference = 100 * (b.mean() - a.mean())
    assert comparison.interval is not None and comparison.difference is not None
    assert close(comparison.difference, difference)
    assert close(comparison.interval.low, difference - z * se)
    assert close(comparison.interval.high, difference + z * se)


@given(st.integers(1, 300), st.integers(1, 300), st.data())
def test_newcombe_interval_is_built_from_scipys_wilson_bounds(
    n1: int, n2: int, data: st.DataObject
) -> None:
    k1, k2 = data.draw(st.integers(0, n1)), data.draw(st.integers(0, n2))
    b1 = stats.binomtest(k1, n1).proportion_ci(method="wilson")
    b2 = stats.binomtest(k2, n2).proportion_ci(method="wilson")
    p1, p2 = k1 / n1, k2 / n2
    d = p2 - p1
    low = d - math.sqrt((p2 - b2.low) ** 2 + (b1.high - p1) ** 2)
    high = d + math.sqrt((b2.high - p2) ** 2 + (p1 - b1.low) ** 2)
    comparison = compare_shares(k1, n1, k2, n2)
    assert comparison.interval is not None
    assert close(comparison.interval.low, low) and close(comparison.interval.high, high)
    assert -1 <= comparison.interval.low <= d <= comparison.interval.high <= 1


# Newcombe RG (1998), Statistics in Medicine 17:873-890, Table II, method 10 (score, no CC).
NEWCOMBE_1998 = [
    ((56, 70), (48, 80), (0.0524, 0.3339)),
    ((9, 10), (3, 10), (0.1705, 0.8090)),
    ((5, 56), (0, 29), (-0.0381, 0.1926)),
    ((0, 10), (0, 20), (-0.1611, 0.2775)),
    ((0, 10), (0, 10), (-0.2775, 0.2775)),
    ((10, 10), (0, 20), (0.6791, 1.0000)),
    ((10, 10), (0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("first", "second", "published"), NEWCOMBE_1998)
def test_newcombe_published_examples(
    first: tuple[int, int], second: tuple[int, int], published: tuple[float, float]
) -> None:
    # Newcombe's difference is first - second; ours is after - before.
    comparison = compare_shares(second[0], second[1], first[0], first[1])
    assert comparison.interval is not None
    assert round(comparison.interval.low, 4) == published[0]
    assert round(comparison.interval.high, 4) == published[1]


# -- hand-computed cases and properties ---------------------------------------------------------


def test_wilson_hand_computed() -> None:
    # 8 of 10, z = 1.959964: centre (16 + z^2) / (2 (10 + z^2)), half-width
    # z / (2 (10 + z^2)) sqrt(4 * 10 * 0.8 * 0.2 + z^2).
    z = 1.959963984540054
    centre = (16 + z * z) / (2 * (10 + z * z))
    half = z / (2 * (10 + z * z)) * math.sqrt(6.4 + z * z)
    interval = wilson_interval(8, 10)
    assert close(interval.low, centre - half) and close(interval.high, centre + half)
    assert round(interval.low, 4) == 0.4902 and round(interval.high, 4) == 0.9433


@given(st.lists(likert, min_size=2, max_size=30), st.integers(2, 6))
def test_alpha_of_identical_items_is_one(column: list[int], k: int) -> None:
    assume(len(set(column)) > 1)
    reliability = cronbach_alpha([[v] * k for v in column])
    assert reliability.alpha == pytest.approx(1.0, abs=1e-12)


def test_alpha_needs_items_respondents_and_variation() -> None:
    assert "2 items" in cronbach_alpha([[1], [2]]).reason
    assert "at least 2 respondents" in cronbach_alpha([[1, 2], [3, None]]).reason
    assert "does not vary" in cronbach_alpha([[1, 2], [2, 1]]).reason
    listwise = cronbach_alpha([[1, 2], [3, 3], [None, 5], [5, 4]])
    assert (listwise.n, listwise.excluded) == (3, 1)
    with pytest.raises(ValidationError, match="same number of items"):
        cronbach_alpha([[1, 2], [1]])


def test_summary_top_box_and_small_sample_warning() -> None:
    summary = summarise([5, 4, 4.5, 3.5, None, 1], low=1, high=5)
    assert summary.n == 5
    assert (summary.top_box.count, summary.top_box.n) == (3, 5)  # 5, 4, 4.5 count; 3.5 does not
    assert summary.top_box.interval == wilson_interval(3, 5)
    assert any("small sample: 5 answers (fewer than 30)" in w for w in summary.warnings)
    assert summarise([3] * 30, low=1, high=5).warnings == ()
    assert summarise([3] * 5, low=1, high=5, min_n=5).warnings == ()


def test_summary_of_too_few_values_and_bad_values() -> None:
    empty = summarise([], low=1, high=5)
    assert (empty.n, empty.mean, empty.sd, empty.mean_interval) == (0, None, None, None)
    assert empty.top_box.share is None
    one = summarise([4], low=1, high=5)
    assert (one.mean, one.sd, one.mean_interval) == (4.0, None, None)
    with pytest.raises(ValidationError, match="from 1 to 5"):
        summarise([6], low=1, high=5)


def test_without_scipy_the_normal_quantile_is_used_and_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "scipy.special", None)  # as if scipy were not installed
    values = [1.0, 2.0, 4.0, 5.0, 5.0]
    interval = mean_interval(values)
    assert interval is not None
    z = float(stats.norm.ppf(0.975))
    sem = float(stats.sem(values))
    assert close(interval.low, float(np.mean(values)) - z * sem)
    assert "normal" in interval.method and "qse-customer[stats]" in interval.method
    summary = summarise(values, low=1, high=5)
    assert any("normal quantile" in w for w in summary.warnings)
    comparison = compare_means(values, [v + 1 for v in values])
    assert "normal interval" in comparison.method


def test_comparison_verdicts_in_plain_words() -> None:
    rising = compare_means([1, 2, 3, 4, 5] * 8, [3, 4, 5, 4, 5] * 8, measure="mean courtesy score")
    assert rising.real_change is True
    assert rising.verdict.startswith("Mean courtesy score rose from 3.00 to 4.20 (change +1.20;")
    assert "a real change (n = 40 before and 40 after)" in rising.verdict
    same = compare_means([3, 4, 5], [4, 3, 5])
    assert same.real_change is False
    assert "could be chance" in same.verdict
    assert any("small sample" in w for w in same.warnings)
    shares = compare_shares(35, 50, 20, 50, measure="CSAT")
    assert shares.verdict.startswith(
        "CSAT fell from 70.0% to 40.0% (change -30.0 percentage points"
    )
    too_few = compare_means([4], [5, 5])
    assert too_few.real_change is None and too_few.interval is None
    assert "at least 2 answers" in too_few.verdict


def test_no_variation_in_either_period() -> None:
    comparison = compare_means([4, 4, 4], [5, 5])
    assert comparison.interval is not None
    assert comparison.interval.low == comparison.interval.high == 1.0
    assert comparison.real_change is True
    assert any("zero width" in w for w in comparison.warnings)


def test_estimates_state_their_method_and_serialise() -> None:
    results: list[Any] = [
        nps_estimate([10, 9, 3]),
        csat_estimate([5, 4, 1]),
        proportion_estimate(3, 4),
        compare_nps([10, 0], [10, 10]),
        summarise([1, 2], low=1, high=5),
        cronbach_alpha([[1, 2], [2, 3], [4, 4]]),
    ]
    for result in results:
        document = result.to_dict()
        assert document["method"]
        json.dumps(document)
    assert "Wilson" in csat_estimate([5, 4, 1]).method and "CSAT" in csat_estimate([5]).method
    assert nps_estimate([]).score is None


# -- whole surveys ------------------------------------------------------------------------------


def responses(instrument: str, answers: list[dict[str, Any]], **extra: Any) -> list[SurveyResponse]:
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    return [
        SurveyResponse.submit(
            id=f"r{index}", at=at, survey_id="s1", instrument=instrument, answers=a, **extra
        )
        for index, a in enumerate(answers)
    ]


def test_analyse_psq18_responses() -> None:
    ideal = {f"q{n}": 1 for n in (1, 2, 3, 5, 6, 8, 11, 15, 18)} | {
        f"q{n}": 5 for n in (4, 7, 9, 10, 12, 13, 14, 16, 17)
    }
    neutral = {f"q{n}": 3 for n in range(1, 19)}
    analysis = analyse_survey(load_instrument("psq-18"), [ideal, neutral, {"q3": 2}])
    general = analysis.subscales["general_satisfaction"].summary
    assert general.n == 3 and general.mean == pytest.approx(4.0)  # (5 + 3 + 4) / 3
    assert general.top_box.count == 2
    communication = analysis.subscales["communication"]
    assert communication.unscored == 1 and communication.summary.n == 2
    assert communication.reliability.n == 2
    assert analysis.items["q3"].summary.n == 3
    assert analysis.responses == 3
    assert any("3 responses" in w for w in analysis.warnings)


def test_analysis_reports_every_bad_answer_and_skips_withdrawn() -> None:
    csat = load_instrument("csat")
    with pytest.raises(ValidationError) as caught:
        analyse_survey(
            csat, [{"satisfaction": 5}, {"satisfaction": 9}, {"nope": 1, "satisfaction": 1}]
        )
    assert {e.path for e in caught.value.errors} == {
        "$[1].answers.satisfaction",
        "$[2].answers.nope",
    }
    kept, withdrawn = responses("csat", [{"satisfaction": 5}, {"satisfaction": 1}])
    withdrawn = withdrawn.add("withdrawn", at=datetime(2026, 3, 3, tzinfo=UTC))
    analysis = analyse_survey(csat, [kept, withdrawn])
    assert analysis.responses == 1
    assert analysis.csat["satisfaction"].share == 1.0


def test_analysis_of_lab_services_with_nps_and_csat_hides_identities() -> None:
    answers = [
        {"overall": 5, "recommend": 10, "tat_routine": 4, "tat_urgent": 5, "comments": "Dr Who"},
        {"overall": 4, "recommend": 9, "tat_routine": "not_applicable", "tat_urgent": 3},
        {"overall": 2, "recommend": 3, "tat_routine": 2, "tat_urgent": 1, "comments": "slow"},
        {"overall": 3, "recommend": 7},
    ]
    named = responses("lab-services-clinician", answers, respondent_id="clinician-007")
    analysis = analyse_survey(load_instrument("lab-services-clinician"), named)
    assert analysis.csat["overall"].count == 2 and analysis.csat["overall"].n == 4
    nps = analysis.nps["recommend"]
    assert (nps.nps.promoters, nps.nps.passives, nps.nps.detractors) == (2, 1, 1)
    assert nps.score == 25.0
    assert analysis.items["tat_routine"].not_applicable == 1
    assert analysis.items["tat_routine"].unanswered == 1
    assert "comments" not in analysis.items
    text = json.dumps(analysis.to_dict())
    assert "clinician-007" not in text and "Dr Who" not in text and "slow" not in text


def test_yes_no_items_use_the_yes_share_as_top_box() -> None:
    analysis = analyse_survey(
        load_instrument("understanding"),
        [
            {"diagnosis": True, "treatment": True, "next_steps": False},
            {"diagnosis": "yes", "treatment": "no", "next_steps": "no"},
        ],
    )
    diagnosis = analysis.items["diagnosis"].summary
    assert (diagnosis.top_box.count, diagnosis.top_box.n, diagnosis.mean) == (2, 2, 1.0)
    assert analysis.subscales["understanding"].summary.mean == pytest.approx(0.5)


def test_compare_periods_of_one_instrument() -> None:
    lab = load_instrument("lab-services-clinician")
    before = [{"overall": 2, "recommend": 3, "courtesy_staff": 2, "courtesy_professional": 3}] * 20
    before += [{"overall": 3, "recommend": 6, "courtesy_staff": 3, "courtesy_professional": 2}] * 20
    after = [{"overall": 5, "recommend": 10, "courtesy_staff": 5, "courtesy_professional": 4}] * 20
    after += [{"overall": 4, "recommend": 9, "courtesy_staff": 4, "courtesy_professional": 5}] * 20
    comparison = compare_periods(lab, before, after)
    courtesy = comparison.subscales["courtesy"]
    assert courtesy.real_change is True and courtesy.difference == pytest.approx(2.0)
    assert comparison.top_box["courtesy"].difference == pytest.approx(1.0)
    assert comparison.nps["recommend"].difference == pytest.approx(200.0)
    assert comparison.csat["overall"].difference == pytest.approx(1.0)
    assert comparison.subscales["phlebotomy"].real_change is None  # nobody answered
    json.dumps(comparison.to_dict())


def test_scipy_special_is_imported_when_a_t_quantile_is_first_needed() -> None:
    code = (
        "import sys, qse_customer as qse\n"
        "assert 'scipy' not in sys.modules, 'scipy imported with the library'\n"
        "qse.analysis.summarise([1.0, 2.0, 4.0], low=1, high=5)\n"
        "assert 'scipy.special' in sys.modules\n"
        "assert 'scipy.stats' not in sys.modules, 'scipy.stats imported for a t quantile'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
