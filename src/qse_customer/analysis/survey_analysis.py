"""A whole survey: one instrument's responses analysed per item, per subscale and per measure
(NPS, CSAT), and two periods of it compared.

Withdrawn responses are left out; identities and free-text comments are never read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from ..core._documents import Document, field_dump, register
from ..core.errors import FieldError, ValidationError
from ..core.survey import Answer, SurveyResponse
from ..core.translation import ENGLISH, Translator
from ._confidence import percent, small_sample
from .comparisons import Comparison, compare_means, compare_nps, compare_shares
from .instrument import Instrument
from .scoring import DETRACTOR_MAX, PROMOTER_MIN, Scores, csat_method, score_numbers, top_codes
from .survey_statistics import (
    DEFAULT_LEVEL,
    DEFAULT_MIN_N,
    NPSEstimate,
    ProportionEstimate,
    Reliability,
    Summary,
    cronbach_alpha,
    nps_estimate,
    proportion_estimate,
    summarise,
)


def _frozen_dict(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@frozen
class ItemAnalysis(Document):
    """One item across respondents."""

    id: str
    text: str
    summary: Summary
    not_applicable: int
    unanswered: int


@frozen
class SubscaleAnalysis(Document):
    """One subscale across respondents: the summary of their scores and its reliability."""

    id: str
    title: str
    summary: Summary
    reliability: Reliability
    unscored: int
    rule: str


@frozen(eq=True, hash=False)
class SurveyAnalysis(Document):
    """Per item and per subscale statistics of one instrument's responses, plus NPS and CSAT."""

    instrument: str
    version: str
    responses: int
    items: Mapping[str, ItemAnalysis] = field(converter=_frozen_dict)
    subscales: Mapping[str, SubscaleAnalysis] = field(converter=_frozen_dict)
    nps: Mapping[str, NPSEstimate] = field(converter=_frozen_dict)
    csat: Mapping[str, ProportionEstimate] = field(converter=_frozen_dict)
    method: str
    warnings: tuple[str, ...] = ()


def _collect(
    instrument: Instrument, responses: Iterable[SurveyResponse | Mapping[str, Answer]]
) -> list[tuple[Mapping[str, Answer], Scores]]:
    """Each live response's answers and scores; every bad answer of every response is reported."""
    kept: list[tuple[Mapping[str, Answer], Scores]] = []
    errors: list[FieldError] = []
    for index, response in enumerate(responses):
        if isinstance(response, SurveyResponse) and response.is_closed:
            continue  # withdrawn
        try:
            kept.append((_answers(response), score_numbers(instrument, response)))
        except ValidationError as error:
            errors.extend(FieldError(f"$[{index}]{e.path[1:]}", e.message) for e in error.errors)
    if errors:
        raise ValidationError(errors, what=f"responses to instrument {instrument.id!r}")
    return kept


def _answers(response: SurveyResponse | Mapping[str, Answer]) -> Mapping[str, Answer]:
    return response.answers if isinstance(response, SurveyResponse) else response


def _top_for(low: float, high: float, top: int) -> int:
    return max(1, min(top, int(high - low)))


def analyse_survey(
    instrument: Instrument,
    responses: Iterable[SurveyResponse | Mapping[str, Answer]],
    *,
    top: int = 2,
    level: float = DEFAULT_LEVEL,
    min_n: int = DEFAULT_MIN_N,
) -> SurveyAnalysis:
    """Analyse one instrument's responses: per item and subscale n, mean, SD, interval, top-box
    share with its Wilson interval, Cronbach's alpha per subscale, and the instrument's NPS and
    CSAT measures. Withdrawn responses are left out; identities and comments are never read.

    ``top`` is the number of top boxes (2 by default; 1 on a yes/no scale, where it is "yes").
    """
    collected = _collect(instrument, responses)
    scores = [score for _, score in collected]
    items: dict[str, ItemAnalysis] = {}
    for item in instrument.items:
        scale = instrument.scales[item.scale]
        if not scale.scored:
            continue
        values = [score.items[item.id] for score in scores]
        answers = [answers.get(item.id) for answers, _ in collected]
        items[item.id] = ItemAnalysis(
            id=item.id,
            text=item.short or item.text,
            summary=summarise(
                values,
                low=scale.low,
                high=scale.high,
                top=_top_for(scale.low, scale.high, top),
                level=level,
                min_n=min_n,
            ),
            not_applicable=sum(1 for a in answers if a == "not_applicable"),
            unanswered=sum(1 for a in answers if a is None),
        )
    subscales: dict[str, SubscaleAnalysis] = {}
    for subscale in instrument.subscales:
        scale = instrument.scale_of(subscale.items[0])
        values = [score.subscales[subscale.id] for score in scores]
        subscales[subscale.id] = SubscaleAnalysis(
            id=subscale.id,
            title=subscale.title,
            summary=summarise(
                values,
                low=scale.low,
                high=scale.high,
                top=_top_for(scale.low, scale.high, top),
                level=level,
                min_n=min_n,
            ),
            reliability=cronbach_alpha(
                [score.items[item_id] for item_id in subscale.items] for score in scores
            ),
            unscored=sum(1 for v in values if v is None),
            rule=instrument.rule_for(subscale).describe(len(subscale.items)),
        )
    nps: dict[str, NPSEstimate] = {}
    shares: dict[str, ProportionEstimate] = {}
    for measure in instrument.measures:
        scale = instrument.scale_of(measure.item)
        scored = [_whole(score.items[measure.item]) for score in scores]
        if measure.kind == "nps":
            nps[measure.item] = nps_estimate(scored, level=level, min_n=min_n)
        else:
            codes = top_codes(scale.low, scale.high, measure.top)
            satisfied = sum(1 for v in scored if v is not None and v >= codes[0])
            shares[measure.item] = proportion_estimate(
                satisfied,
                sum(1 for v in scored if v is not None),
                level=level,
                min_n=min_n,
                method=csat_method(scale.low, scale.high, measure.top),
            )
    return SurveyAnalysis(
        instrument=instrument.id,
        version=instrument.version,
        responses=len(collected),
        items=items,
        subscales=subscales,
        nps=nps,
        csat=shares,
        method=(
            f"items and subscales scored as the instrument says ({instrument.source}); "
            f"{percent(level)} intervals; top-{top}-box shares; Cronbach's alpha per subscale; "
            f"NPS from promoters ({PROMOTER_MIN}-10) and detractors (0-{DETRACTOR_MAX})"
        ),
        warnings=tuple(small_sample(len(collected), min_n, "responses")),
    )


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


@frozen(eq=True, hash=False)
class PeriodComparison(Document):
    """Two periods of one instrument compared per item, per subscale and per measure."""

    instrument: str
    items: Mapping[str, Comparison] = field(converter=_frozen_dict)
    subscales: Mapping[str, Comparison] = field(converter=_frozen_dict)
    top_box: Mapping[str, Comparison] = field(converter=_frozen_dict)
    nps: Mapping[str, Comparison] = field(converter=_frozen_dict)
    csat: Mapping[str, Comparison] = field(converter=_frozen_dict)
    method: str = (
        "item and subscale means compared with Welch's t interval; subscale top-box shares and "
        "CSAT with Newcombe's hybrid score interval; NPS with a normal interval; a change is "
        "called real when its interval does not include 0"
    )


# As a document the method comes second, after the instrument.
_comparison_head = field_dump(
    PeriodComparison, omit=("items", "subscales", "top_box", "nps", "csat")
)
_comparison_tail = field_dump(PeriodComparison, omit=("instrument", "method"))


def _period_comparison(comparison: PeriodComparison) -> dict[str, Any]:
    return {**_comparison_head(comparison), **_comparison_tail(comparison)}


register(PeriodComparison, _period_comparison)


def item_mean_measure(item: str, t: Translator = ENGLISH) -> str:
    """The measure an item's comparison speaks of (``mean of item 'q1'``), in ``t``'s language."""
    return t.gettext("mean of item {item}").format(item=repr(item))


def subscale_mean_measure(subscale: str, t: Translator = ENGLISH) -> str:
    """The measure a subscale's comparison of means speaks of, from its ``title``."""
    return t.gettext("mean {subscale} score").format(subscale=subscale)


def top_box_measure(subscale: str, t: Translator = ENGLISH) -> str:
    """The measure a subscale's comparison of top-box shares speaks of, from its ``title``."""
    return t.gettext("top-box share of {subscale}").format(subscale=subscale)


def csat_measure(t: Translator = ENGLISH) -> str:
    """The measure a CSAT comparison speaks of."""
    return t.gettext("CSAT")


def compare_periods(
    instrument: Instrument,
    before: Iterable[SurveyResponse | Mapping[str, Answer]],
    after: Iterable[SurveyResponse | Mapping[str, Answer]],
    *,
    top: int = 2,
    level: float = DEFAULT_LEVEL,
    min_n: int = DEFAULT_MIN_N,
) -> PeriodComparison:
    """Compare two periods' responses to one instrument: item and subscale means (Welch),
    subscale top-box shares and CSAT (Newcombe), and NPS (normal interval)."""
    first = [score for _, score in _collect(instrument, before)]
    second = [score for _, score in _collect(instrument, after)]

    def item_values(scores: list[Scores], item_id: str) -> list[float | None]:
        return [score.items[item_id] for score in scores]

    def subscale_values(scores: list[Scores], subscale_id: str) -> list[float | None]:
        return [score.subscales[subscale_id] for score in scores]

    items = {
        item.id: compare_means(
            item_values(first, item.id),
            item_values(second, item.id),
            measure=item_mean_measure(item.id),
            level=level,
            min_n=min_n,
        )
        for item in instrument.items
        if instrument.scales[item.scale].scored
    }
    subscales: dict[str, Comparison] = {}
    top_box: dict[str, Comparison] = {}
    for subscale in instrument.subscales:
        scale = instrument.scale_of(subscale.items[0])
        a = [v for v in subscale_values(first, subscale.id) if v is not None]
        b = [v for v in subscale_values(second, subscale.id) if v is not None]
        subscales[subscale.id] = compare_means(
            a, b, measure=subscale_mean_measure(subscale.title), level=level, min_n=min_n
        )
        threshold = scale.high - _top_for(scale.low, scale.high, top) + 1
        top_box[subscale.id] = compare_shares(
            sum(1 for v in a if v >= threshold),
            len(a),
            sum(1 for v in b if v >= threshold),
            len(b),
            measure=top_box_measure(subscale.title),
            level=level,
            min_n=min_n,
        )
    nps: dict[str, Comparison] = {}
    csat_changes: dict[str, Comparison] = {}
    for measure in instrument.measures:
        a_codes = [_whole(v) for v in item_values(first, measure.item)]
        b_codes = [_whole(v) for v in item_values(second, measure.item)]
        if measure.kind == "nps":
            nps[measure.item] = compare_nps(a_codes, b_codes, level=level, min_n=min_n)
            continue
        scale = instrument.scale_of(measure.item)
        cut = top_codes(scale.low, scale.high, measure.top)[0]
        a_kept = [v for v in a_codes if v is not None]
        b_kept = [v for v in b_codes if v is not None]
        csat_changes[measure.item] = compare_shares(
            sum(1 for v in a_kept if v >= cut),
            len(a_kept),
            sum(1 for v in b_kept if v >= cut),
            len(b_kept),
            measure=csat_measure(),
            level=level,
            min_n=min_n,
        )
    return PeriodComparison(instrument.id, items, subscales, top_box, nps, csat_changes)
