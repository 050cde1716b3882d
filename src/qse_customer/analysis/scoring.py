"""Scoring one respondent's answers, and the two standard satisfaction measures (NPS, CSAT).

Item scores are oriented so that higher is more favourable (see :mod:`.instrument`); a subscale
score is the mean of its answered items under the instrument's missing-data rule. Every result
states its method in words, so a report can print it beside the number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from ..core._documents import Document, field_dump, register
from ..core.errors import FieldError, ValidationError
from ..core.survey import Answer, SurveyResponse
from .instrument import Instrument, Scale, ScaleKind
from .instrument_registry import load_instrument

PROMOTER_MIN = 9
"""Net Promoter Score: answers of 9 or 10 are promoters."""

DETRACTOR_MAX = 6
"""Net Promoter Score: answers from 0 to 6 are detractors (7 and 8 are passives)."""

NPS_METHOD = (
    "Net Promoter Score (Reichheld 2003): percentage of promoters (9-10) minus percentage of "
    "detractors (0-6) among the answers on the 0-10 scale; passives (7-8) count in the base; "
    "range -100 to +100"
)


def reverse_code(code: float, low: float, high: float) -> float:
    """The code mirrored within [low, high]: ``low + high - code`` (its own inverse)."""
    return low + high - code


def _score(instrument: Instrument, item_id: str, scale: Scale, answer: Answer) -> float | None:
    code = scale.code(answer)
    if code is None:
        return None
    if instrument.is_reversed(item_id):
        return reverse_code(code, scale.low, scale.high)
    return float(code)


def score_item(instrument: Instrument, item_id: str, answer: Answer) -> float | None:
    """One answer scored (higher is more favourable); None if missing, n/a or free text."""
    scale = instrument.scale_of(item_id)
    problem = scale.problem(answer)
    if problem is not None:
        raise ValidationError.single(f"$.answers.{item_id}", problem)
    return _score(instrument, item_id, scale, answer)


@frozen
class SubscaleScore(Document):
    """One respondent's score on one subscale, or None with the reason."""

    id: str
    title: str
    score: float | None
    answered: int
    items: int
    needed: int
    method: str

    @property
    def reason(self) -> str:
        """Why there is no score ('' when there is one)."""
        if self.score is not None:
            return ""
        return f"only {self.answered} of {self.items} items answered; {self.needed} needed"


# As a document an unscored subscale also says why (``reason``, last).
_subscale_score_fields = field_dump(SubscaleScore)


def _subscale_score(score: SubscaleScore) -> dict[str, Any]:
    document: dict[str, Any] = _subscale_score_fields(score)
    if score.score is None:
        document["reason"] = score.reason
    return document


register(SubscaleScore, _subscale_score)


def _frozen_dict(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@frozen(eq=True, hash=False)
class ResponseScore(Document):
    """One respondent's scored items and subscale scores."""

    instrument: str
    version: str
    items: Mapping[str, float | None] = field(converter=_frozen_dict)
    subscales: Mapping[str, SubscaleScore] = field(converter=_frozen_dict)
    method: str


def scoring_method(instrument: Instrument) -> str:
    """How ``instrument`` is scored, in words."""
    reversed_items = instrument.reversed_items
    recoding = (
        f"items {', '.join(reversed_items)} are reverse-scored (code -> min + max - code)"
        if reversed_items
        else "no item is reverse-scored"
    )
    return (
        f"{instrument.title} (version {instrument.version}; {instrument.source}): items scored so "
        f"that higher is more favourable, yes = 1 and no = 0; {recoding}; each subscale is the "
        "mean of its answered items under the instrument's missing-data rule"
    )


def _answers_of(
    instrument: Instrument, answers: Mapping[str, Answer] | SurveyResponse
) -> Mapping[str, Answer]:
    if isinstance(answers, SurveyResponse):
        if answers.instrument != instrument.id:
            raise ValidationError.single(
                "$.instrument",
                f"response {answers.id!r} answers instrument {answers.instrument!r}, "
                f"not {instrument.id!r}",
            )
        return answers.answers
    return answers


@frozen
class Scores:
    """One respondent's item and subscale scores as plain numbers (None where unscored)."""

    items: Mapping[str, float | None] = field(converter=_frozen_dict)
    subscales: Mapping[str, float | None] = field(converter=_frozen_dict)
    answered: Mapping[str, int] = field(converter=_frozen_dict)


def score_numbers(instrument: Instrument, answers: Mapping[str, Answer] | SurveyResponse) -> Scores:
    """Score one respondent as plain numbers, for analysing many responses quickly.

    Invalid answers raise a ValidationError listing each one by ``$.answers.<item>``.
    """
    given = _answers_of(instrument, answers)
    instrument.check_answers(given)
    items: dict[str, float | None] = {}
    for item in instrument.items:
        scale = instrument.scales[item.scale]
        if scale.scored:
            items[item.id] = _score(instrument, item.id, scale, given.get(item.id))
    subscales: dict[str, float | None] = {}
    answered: dict[str, int] = {}
    for subscale in instrument.subscales:
        values = [v for v in (items[i] for i in subscale.items) if v is not None]
        needed = instrument.rule_for(subscale).needed(len(subscale.items))
        answered[subscale.id] = len(values)
        subscales[subscale.id] = (
            math.fsum(values) / len(values) if values and len(values) >= needed else None
        )
    return Scores(items, subscales, answered)


def score_response(
    instrument: Instrument, answers: Mapping[str, Answer] | SurveyResponse
) -> ResponseScore:
    """Score one respondent: every item, and every subscale under the missing-data rule, each
    with its method. Invalid answers raise a ValidationError listing each one by
    ``$.answers.<item>``.
    """
    numbers = score_numbers(instrument, answers)
    subscales: dict[str, SubscaleScore] = {}
    for subscale in instrument.subscales:
        rule = instrument.rule_for(subscale)
        subscales[subscale.id] = SubscaleScore(
            id=subscale.id,
            title=subscale.title,
            score=numbers.subscales[subscale.id],
            answered=numbers.answered[subscale.id],
            items=len(subscale.items),
            needed=rule.needed(len(subscale.items)),
            method=rule.describe(len(subscale.items)),
        )
    return ResponseScore(
        instrument=instrument.id,
        version=instrument.version,
        items=numbers.items,
        subscales=subscales,
        method=scoring_method(instrument),
    )


def score_psq18(answers: Mapping[str, Answer] | SurveyResponse) -> ResponseScore:
    """Score the RAND PSQ-18 exactly as RAND publishes (Marshall & Hays 1994, pp. 23-25).

    Answers are the printed codes (1 = strongly agree ... 5 = strongly disagree) keyed
    ``q1`` to ``q18``; items 1, 2, 3, 5, 6, 8, 11, 15 and 18 are recoded 1->5 ... 5->1; each of
    the seven subscales is the mean of its answered items (blanks ignored).
    """
    return score_response(load_instrument("psq-18"), answers)


# -- Net Promoter Score and CSAT --------------------------------------------------------------


def nps_group(answer: int) -> str:
    """``promoter`` (9-10), ``passive`` (7-8) or ``detractor`` (0-6) for a 0-10 answer."""
    if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer <= 10:
        raise ValidationError.single("$", f"expected a whole number from 0 to 10, got {answer!r}")
    if answer >= PROMOTER_MIN:
        return "promoter"
    return "detractor" if answer <= DETRACTOR_MAX else "passive"


def _whole_numbers(values: Iterable[Answer], low: int, high: int) -> list[int]:
    """The answered values as ints; None and 'not_applicable' skipped; anything else refused."""
    kept: list[int] = []
    errors: list[FieldError] = []
    scale = Scale(kind=ScaleKind.ORDINAL, min=low, max=high, not_applicable=True)
    for index, value in enumerate(values):
        problem = scale.problem(value)
        if problem is not None:
            errors.append(FieldError(f"$[{index}]", problem))
            continue
        code = scale.code(value)
        if code is not None:
            kept.append(code)
    if errors:
        raise ValidationError(errors, what="answers")
    return kept


@frozen
class NPSScore(Document):
    """Net Promoter Score of a set of 0-10 answers, with the counts behind it."""

    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None
    method: str = NPS_METHOD


# As a document the score first names its measure.
_nps_fields = field_dump(NPSScore)
register(NPSScore, lambda score: {"measure": "nps", **_nps_fields(score)})


def net_promoter_score(answers: Iterable[Answer]) -> NPSScore:
    """The NPS of 0-10 answers (None and 'not_applicable' are skipped; n = answers counted)."""
    values = _whole_numbers(answers, 0, 10)
    promoters = sum(1 for v in values if v >= PROMOTER_MIN)
    detractors = sum(1 for v in values if v <= DETRACTOR_MAX)
    n = len(values)
    return NPSScore(
        n=n,
        promoters=promoters,
        passives=n - promoters - detractors,
        detractors=detractors,
        score=100 * (promoters - detractors) / n if n else None,
    )


@frozen
class CSATScore(Document):
    """CSAT: the share of answers in the top boxes of the scale."""

    n: int
    satisfied: int
    share: float | None
    top_codes: tuple[int, ...]
    method: str


_csat_fields = field_dump(CSATScore)
register(CSATScore, lambda score: {"measure": "csat", **_csat_fields(score)})


def top_codes(scale_min: int, scale_max: int, top: int = 2) -> tuple[int, ...]:
    """The codes that count as top-box: the ``top`` highest of ``scale_min..scale_max``."""
    if top < 1 or top > scale_max - scale_min:
        raise ValidationError.single(
            "$.top",
            f"expected from 1 to {scale_max - scale_min} top boxes on a {scale_min}-{scale_max} "
            f"scale, got {top}",
        )
    return tuple(range(scale_max - top + 1, scale_max + 1))


def csat_method(scale_min: int, scale_max: int, top: int) -> str:
    """The CSAT method in words."""
    codes = top_codes(scale_min, scale_max, top)
    return (
        f"CSAT: share of answered items in the top {top} boxes "
        f"({', '.join(map(str, codes))}) of the {scale_min}-{scale_max} scale; unanswered and "
        "'not applicable' answers are left out of the base"
    )


def csat(
    answers: Iterable[Answer], *, scale_min: int = 1, scale_max: int = 5, top: int = 2
) -> CSATScore:
    """CSAT of answers on a ``scale_min..scale_max`` scale: the share in the top ``top`` boxes."""
    codes = top_codes(scale_min, scale_max, top)
    values = _whole_numbers(answers, scale_min, scale_max)
    satisfied = sum(1 for v in values if v >= codes[0])
    return CSATScore(
        n=len(values),
        satisfied=satisfied,
        share=satisfied / len(values) if values else None,
        top_codes=codes,
        method=csat_method(scale_min, scale_max, top),
    )
