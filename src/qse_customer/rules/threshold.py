"""``threshold``: an aggregate over the records of each period against a limit.

Params::

    period      "week", "month", "quarter" or "year" (local, by each record's first event)
    aggregate   "count" of records; "sum" or "mean" of a numeric ``field``; "share_met" of another
                ``rule`` (met / (met + breached)); "share_of_period": the sum of a duration
                ``field`` (in ``unit``: seconds, minutes or hours) over the length of the period;
                "survey_mean": the mean score of an ``instrument``'s ``subscale`` (or ``item``)
                over the period's survey responses, scored by :mod:`qse_customer.analysis.scoring`;
                "recurrence": the number of complaint recurrences in the period (below)
    field, rule, unit   as the aggregate needs
    instrument, subscale, item   for survey_mean: a registered instrument's id and one of its
                subscales or scored items (exactly one of the two)
    recurrence  for "recurrence": {"threshold": n, "window_days": d, "by": [...]}: more than n
                complaints of one group (by default the same category from the same customer
                group) received within d days is a recurrence, found by
                :func:`qse_customer.analysis.complaint_trends.detect_recurrences`
    at_most / at_least  the limit (exactly one; a recurrence takes at_most, usually 0)
    min_count   optional: periods with fewer records (or decided findings, for share_met; scored
                responses, for survey_mean) are ``not_applicable`` (too few to judge)
    refer       optional {"owner": role, "due_in_working_days": n, "category": text,
                "title": text}: each breached period is referred for process improvement to
                ``owner`` (see :func:`qse_customer.review.referrals_from`)

A survey_mean leaves out withdrawn responses, responses to another instrument, and responses
whose subscale is unscored under the instrument's missing-data rule (or whose answers the
instrument refuses). A recurrence belongs to the period of the last complaint that kept it above
the threshold: the period is judged on the recurrences found among the complaints received from
``window_days`` before the period began to its end (earlier ones cannot change a window that ends
in the period), and their complaints are the evidence. This aggregate holds the period's
complaints (not every record) until the end of the run.

One finding per period that has at least one record (a period with none has no finding). A period
that has ended by ``at`` is ``met`` or ``breached``. A period still running is ``pending`` while
its value so far meets the limit; when it does not, it is ``breached`` if the value can only grow
(a count, a sum or a share of the period against ``at_most``) and ``at_risk`` otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from ..analysis.complaint_trends import DIMENSIONS, Recurrence, detect_recurrences
from ..analysis.instrument import Instrument
from ..analysis.instrument_registry import UnknownInstrumentError, default_registry
from ..analysis.periods import GRANULARITIES, Granularity, PeriodIndex
from ..analysis.scoring import score_numbers
from ..core.complaint import Complaint
from ..core.errors import FieldError, ValidationError
from ..core.events import Event
from ..core.record import Record
from ..core.record_types import RECORD_TYPES
from ..core.survey import SurveyResponse
from ..core.timestamps import from_us
from ..core.translation import Translator
from . import limits
from ._applies_to import field_getter
from ._wording import both, duration
from .kind_protocol import (
    BaseRuleKind,
    CompileContext,
    CompiledRule,
    Env,
    Explanation,
    PeriodOutcome,
    ShareLookup,
    ValidationContext,
)
from .status import AT_RISK, BREACHED, MET, NOT_APPLICABLE, PENDING
from .value_limit import FIELD, bound_errors, number, numeric_field_errors

AGGREGATES: Final = (
    "count",
    "sum",
    "mean",
    "share_met",
    "share_of_period",
    "survey_mean",
    "recurrence",
)
_GROWING: Final = frozenset({"count", "sum", "share_of_period", "recurrence"})
_NEEDS: Final = {"survey_mean": "survey_response", "recurrence": "complaint"}
_UNIT_SECONDS: Final = {"seconds": 1, "minutes": 60, "hours": 3600}

PARAMS_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["period", "aggregate"],
    "properties": {
        "period": {"enum": list(GRANULARITIES)},
        "aggregate": {"enum": list(AGGREGATES)},
        "field": FIELD,
        "rule": {"type": "string"},
        "unit": {"enum": list(_UNIT_SECONDS)},
        "at_most": {"type": "number", "minimum": 0},
        "at_least": {"type": "number", "minimum": 0},
        "min_count": {"type": "integer", "minimum": 1},
        "instrument": {"type": "string", "minLength": 1},
        "subscale": {"type": "string", "minLength": 1},
        "item": {"type": "string", "minLength": 1},
        "recurrence": {
            "type": "object",
            "additionalProperties": False,
            "required": ["threshold", "window_days"],
            "properties": {
                "threshold": {"type": "integer", "minimum": 0},
                "window_days": {"type": "integer", "minimum": 1, "maximum": limits.LONGEST_DAYS},
                "by": {
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {"enum": [d for d in DIMENSIONS if d != "period"]},
                },
            },
        },
        "refer": {
            "type": "object",
            "additionalProperties": False,
            "required": ["owner", "due_in_working_days"],
            "properties": {
                "owner": {"type": "string"},
                "due_in_working_days": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": limits.LONGEST_WORKING_DAYS,
                },
                "category": {"type": "string", "minLength": 1},
                "title": {"type": "string", "minLength": 1},
            },
        },
    },
}


class Threshold(BaseRuleKind):
    """The ``threshold`` rule kind (see the module doc)."""

    name = "threshold"
    params_schema: Mapping[str, Any] = PARAMS_SCHEMA

    def roles(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The owner of the referrals a breach raises, if the rule refers."""
        refer = params.get("refer")
        if isinstance(refer, Mapping) and "owner" in refer:
            return [(".refer.owner", refer["owner"])]
        return []

    def check_params(
        self, params: Mapping[str, Any], context: ValidationContext
    ) -> list[FieldError]:
        """One bound; the field or rule the aggregate needs, and nothing it does not."""
        path = context.path
        errors = bound_errors(params, path)
        aggregate = params["aggregate"]
        needs_field = aggregate in {"sum", "mean", "share_of_period"}
        if needs_field and "field" not in params:
            errors.append(FieldError(f"{path}.field", f"a {aggregate} needs a numeric field"))
        elif needs_field:
            types = [tag for tag in context.record_types if tag in RECORD_TYPES]
            errors += numeric_field_errors(params["field"], types, f"{path}.field")
        if aggregate == "share_of_period" and "unit" not in params:
            errors.append(FieldError(f"{path}.unit", "share_of_period needs the field's unit"))
        if aggregate == "share_met":
            rule = params.get("rule")
            if rule is None:
                errors.append(FieldError(f"{path}.rule", "share_met needs the id of a rule"))
            elif rule not in context.rule_ids:
                errors.append(FieldError(f"{path}.rule", f"no rule {rule!r} in the ruleset"))
            elif context.rule_kinds.get(rule) == self.name:
                errors.append(
                    FieldError(f"{path}.rule", f"{rule!r} is a threshold; it has no share met")
                )
            if params.get("at_most", 0) > 1 or params.get("at_least", 0) > 1:
                errors.append(FieldError(path, "a share is between 0 and 1"))
        needed_type = _NEEDS.get(aggregate)
        if needed_type is not None and tuple(context.record_types) != (needed_type,):
            errors.append(
                FieldError(
                    path.rsplit(".params", 1)[0] + ".applies_to.record_type",
                    f"a {aggregate} threshold applies to {needed_type} records only",
                )
            )
        if aggregate == "survey_mean":
            errors += _survey_mean_errors(params, path)
        if aggregate == "recurrence":
            if "recurrence" not in params:
                errors.append(
                    FieldError(
                        f"{path}.recurrence",
                        "a recurrence needs {'threshold': n, 'window_days': d}",
                    )
                )
            if "at_least" in params:
                errors.append(
                    FieldError(
                        f"{path}.at_least",
                        "a recurrence takes at_most: how many recurrences a period may have",
                    )
                )
        return errors

    def compile(self, rule: Any, context: CompileContext) -> CompiledRule:
        """A factory of per-run accumulators, one count and sum per period."""
        params = dict(rule.params)
        zone = ZoneInfo(context.calendar.timezone)
        first, last = context.calendar.years
        index = PeriodIndex(zone, params["period"], first, last)

        scorer = _survey_scorer(params) if params["aggregate"] == "survey_mean" else None

        def start() -> _Accumulator:
            return _Accumulator(rule.id, params, index, scorer, context.calendar.timezone)

        return CompiledRule(aggregate=start)


class _Accumulator:
    """One run's counts and sums per period for one threshold rule."""

    def __init__(
        self,
        rule_id: str,
        params: Mapping[str, Any],
        index: PeriodIndex,
        scorer: Callable[[Record, Sequence[Event]], float | None] | None,
        timezone: str,
    ) -> None:
        self.rule_id = rule_id
        self.params = params
        self.granularity: Granularity = params["period"]
        self.index = index
        self.aggregate: str = params["aggregate"]
        self.timezone = timezone
        read = field_getter(params["field"]) if "field" in params else None
        if scorer is None and read is not None:

            def scorer(record: Record, events: Sequence[Event]) -> float | None:
                return number(read(record))

        self.score = scorer
        self.totals: dict[str, list[float]] = {}
        self.complaints: list[Complaint] = []
        self.found: dict[str, tuple[Recurrence, ...]] = {}

    def observe(self, record: Record, events: Sequence[Event], period: str, env: Env) -> None:
        """Count the record, and add its value (if it has one); keep a complaint for recurrence."""
        totals = self.totals.get(period)
        if totals is None:
            totals = self.totals[period] = [0, 0.0, 0]
        totals[0] += 1
        if self.score is not None:
            value = self.score(record, events)
            if value is not None:
                totals[1] += value
                totals[2] += 1
        if self.aggregate == "recurrence" and isinstance(record, Complaint):
            self.complaints.append(record)

    def _recurrences(self, begin: int, end: int) -> tuple[Recurrence, ...]:
        """The recurrences whose last complaint falls in ``[begin, end)`` (epoch µs)."""
        settings = self.params["recurrence"]
        window = timedelta(days=settings["window_days"])
        low, high = from_us(begin), from_us(end)
        nearby = [c for c in self.complaints if low - window < c.opened_at < high]
        found = detect_recurrences(
            nearby,
            threshold=settings["threshold"],
            window=window,
            by=tuple(settings.get("by", RECURRENCE_BY)),
            timezone=self.timezone,
        )
        return tuple(recurrence for recurrence in found if recurrence.last_at >= low)

    def finish(self, env: Env, shares: ShareLookup) -> Iterable[PeriodOutcome]:
        """One outcome per period."""
        params = self.params
        most: float | None = params.get("at_most")
        least = float(params.get("at_least", 0))
        minimum = params.get("min_count", 1)
        table = shares(params["rule"]) if self.aggregate == "share_met" else {}
        periods = sorted(table) if self.aggregate == "share_met" else sorted(self.totals)
        for period in periods:
            begin, end = self.index.bounds(period)
            count, total, numbers = self.totals.get(period, [0, 0.0, 0])
            if self.aggregate == "share_met":
                met, decided = table.get(period, (0, 0))
                value: float | None = met / decided if decided else None
                basis = decided
            elif self.aggregate == "count":
                value, basis = float(count), int(count)
            elif self.aggregate == "sum":
                value, basis = total, int(numbers)
            elif self.aggregate in {"mean", "survey_mean"}:
                value, basis = (total / numbers if numbers else None), int(numbers)
            elif self.aggregate == "recurrence":
                found = self.found[period] = self._recurrences(begin, end)
                value, basis = float(len(found)), int(count)
            else:
                seconds = total * _UNIT_SECONDS[params["unit"]]
                value, basis = seconds / ((end - begin) / 1_000_000), int(numbers)
            facts = (value, basis, count, begin, end)
            if value is None or basis < minimum:
                yield (period, NOT_APPLICABLE, end, facts)
                continue
            ok = value <= most if most is not None else value >= least
            if end <= env.at_us:
                yield (period, MET if ok else BREACHED, end, facts)
            elif ok:
                yield (period, PENDING, end, facts)
            else:
                growing = most is not None and self.aggregate in _GROWING
                yield (period, BREACHED if growing else AT_RISK, end, facts)

    def explain(self, outcome: PeriodOutcome, env: Env) -> Explanation:
        """The period, the value and its basis, and the limit."""
        period, code, _, facts = outcome
        value, basis, count, begin, end = facts
        params = self.params
        most = params.get("at_most")
        bound = f"at most {most:g}" if most is not None else f"at least {params['at_least']:g}"
        aggregate = self.aggregate
        evidence: dict[str, Any] = {
            "period": period,
            "period_start": from_us(begin).isoformat(),
            "period_end": from_us(end).isoformat(),
            "aggregate": aggregate,
            "value": value,
            "basis": basis,
            "records": count,
            "limit": bound,
        }
        if aggregate == "recurrence":
            evidence["recurrences"] = [r.to_dict() for r in self.found.get(period, ())]
            evidence["source_records"] = [
                {"type": "complaint", "id": complaint_id}
                for complaint_id in dict.fromkeys(
                    i for r in self.found.get(period, ()) for i in r.complaint_ids
                )
            ]
        if not env.t.is_source:
            if aggregate == "survey_mean":
                part = (
                    f"subscale {params['subscale']!r}"
                    if "subscale" in params
                    else (f"item {params['item']!r}")
                )
                evidence.update(instrument=params["instrument"], measure=part)
            return evidence, self._message(outcome, env)
        if aggregate == "share_met":
            what = f"the share of {params['rule']} met"
            shown = f"{value:.1%} ({basis} decided)" if value is not None else "no decided findings"
        elif aggregate == "count":
            what, shown = "the number of records", f"{value:g}"
        elif aggregate in {"sum", "mean"}:
            what = f"the {aggregate} of {params['field']}"
            shown = f"{value:g} over {basis} records" if value is not None else "no values"
        elif aggregate == "survey_mean":
            part = (
                f"subscale {params['subscale']!r}"
                if "subscale" in params
                else (f"item {params['item']!r}")
            )
            evidence.update(instrument=params["instrument"], measure=part)
            what = f"the mean {part} score of instrument {params['instrument']!r}"
            shown = (
                f"{value:.3g} over {basis} scored responses"
                if value is not None
                else "no scored responses"
            )
        elif aggregate == "recurrence":
            settings = params["recurrence"]
            found = self.found.get(period, ())
            what = (
                f"the number of recurrences (more than {settings['threshold']} complaints of one "
                f"{' and '.join(settings.get('by', RECURRENCE_BY))} within "
                f"{settings['window_days']} days)"
            )
            shown = f"{value:g}" + (
                ": " + "; ".join(recurrence.message for recurrence in found) if found else ""
            )
        else:
            what = f"{params['field']} ({params['unit']}) as a share of the period"
            minutes = (end - begin) / 60_000_000
            shown = f"{value:.3%} of the period's {minutes:,.0f} minutes, over {basis} records"
        ended = "ended" if end <= env.at_us else f"still running at {env.show(env.at_us)}"
        if code == NOT_APPLICABLE:
            needed = params.get("min_count", 1)
            return evidence, (
                f"in {period} ({ended}), {what} was {shown}: too few to judge "
                f"(at least {needed} needed)."
            )
        return evidence, f"in {period} ({ended}), {what} was {shown}; the limit is {bound}."

    def _message(self, outcome: PeriodOutcome, env: Env) -> str:
        """The message in ``env.t``'s language (English is written by :meth:`explain`)."""
        t = env.t
        period, code, _, facts = outcome
        value, basis, _, begin, end = facts
        params = self.params
        most = params.get("at_most")
        if most is not None:
            bound = t.gettext("at most {limit}").format(limit=t.number(most))
        else:
            bound = t.gettext("at least {limit}").format(limit=t.number(params["at_least"]))
        aggregate = self.aggregate
        if aggregate == "share_met":
            what = t.gettext("the share of {rule} met").format(rule=params["rule"])
            shown = (
                t.gettext("{share} ({count} decided)").format(
                    share=t.percent(value), count=t.number(basis)
                )
                if value is not None
                else t.gettext("no decided findings")
            )
        elif aggregate == "count":
            what, shown = t.gettext("the number of records"), t.number(value)
        elif aggregate in {"sum", "mean"}:
            if aggregate == "sum":
                what = t.gettext("the sum of {field}").format(field=params["field"])
            else:
                what = t.gettext("the mean of {field}").format(field=params["field"])
            shown = (
                t.ngettext(
                    "{value} over {count} record", "{value} over {count} records", basis
                ).format(value=t.number(value), count=t.number(basis))
                if value is not None
                else t.gettext("no values")
            )
        elif aggregate == "survey_mean":
            if "subscale" in params:
                part = t.gettext("subscale {name}").format(name=repr(params["subscale"]))
            else:
                part = t.gettext("item {name}").format(name=repr(params["item"]))
            what = t.gettext("the mean {part} score of instrument {instrument}").format(
                part=part, instrument=repr(params["instrument"])
            )
            shown = (
                t.ngettext(
                    "{value} over {count} scored response",
                    "{value} over {count} scored responses",
                    basis,
                ).format(value=t.number(float(f"{value:.3g}")), count=t.number(basis))
                if value is not None
                else t.gettext("no scored responses")
            )
        elif aggregate == "recurrence":
            settings = params["recurrence"]
            found = self.found.get(period, ())
            what = t.gettext(
                "the number of recurrences (more than {threshold} complaints of one {group} "
                "within {days})"
            ).format(
                threshold=t.number(settings["threshold"]),
                group=both(settings.get("by", RECURRENCE_BY), t),
                days=t.ngettext("{count} day", "{count} days", settings["window_days"]).format(
                    count=t.number(settings["window_days"])
                ),
            )
            shown = t.number(value)
            if found:
                shown += " : " if t.language == "fr" else ": "
                shown += t.gettext("; ").join(_recurrence(r, t) for r in found)
        else:
            what = t.gettext("{field} ({unit}) as a share of the period").format(
                field=params["field"], unit=params["unit"]
            )
            minutes = round((end - begin) / 60_000_000)
            shown = t.ngettext(
                "{share} of the period's {minutes} minutes, over {count} record",
                "{share} of the period's {minutes} minutes, over {count} records",
                basis,
            ).format(share=t.percent(value, 3), minutes=t.number(minutes), count=t.number(basis))
        if end <= env.at_us:
            ended = t.gettext("ended")
        else:
            ended = t.gettext("still running at {when}").format(when=env.show(env.at_us))
        if code == NOT_APPLICABLE:
            needed = params.get("min_count", 1)
            return t.gettext(
                "in {period} ({ended}), {what} was {shown}: too few to judge (at least {needed} "
                "needed)."
            ).format(period=period, ended=ended, what=what, shown=shown, needed=t.number(needed))
        return t.gettext("in {period} ({ended}), {what} was {shown}; the limit is {limit}.").format(
            period=period, ended=ended, what=what, shown=shown, limit=bound
        )


RECURRENCE_BY: Final = ("category", "customer_group")
"""A recurrence is, by default, the same category from the same customer group."""


def _window(window: timedelta, t: Translator) -> str:
    """A recurrence's window: ``30 jours`` (whole days, as in English), else its duration."""
    if window % timedelta(days=1) == timedelta(0):
        days = window // timedelta(days=1)
        return t.ngettext("{count} day", "{count} days", days).format(count=t.number(days))
    return duration(int(window.total_seconds() * 1_000_000), t)


def _recurrence(recurrence: Recurrence, t: Translator) -> str:
    """A recurrence in ``t``'s words (:attr:`Recurrence.message` in English)."""
    group = ", ".join(f"{name} {value!r}" for name, value in recurrence.group)
    return t.ngettext(
        "{count} complaint ({group}) within {window}, above the threshold of {threshold}, "
        "between {first} and {last}",
        "{count} complaints ({group}) within {window}, above the threshold of {threshold}, "
        "between {first} and {last}",
        recurrence.peak,
    ).format(
        count=t.number(recurrence.peak),
        group=group,
        window=_window(recurrence.window, t),
        threshold=t.number(recurrence.threshold),
        first=recurrence.first_at.isoformat(),
        last=recurrence.last_at.isoformat(),
    )


def _instrument(params: Mapping[str, Any]) -> Instrument:
    return default_registry().get(params["instrument"])


def _survey_mean_errors(params: Mapping[str, Any], path: str) -> list[FieldError]:
    """A registered instrument and exactly one of its subscales or scored items."""
    if "instrument" not in params:
        return [FieldError(f"{path}.instrument", "a survey_mean needs the instrument's id")]
    parts = [key for key in ("subscale", "item") if key in params]
    if len(parts) != 1:
        return [FieldError(path, f"expected exactly one of subscale, item; got {len(parts)}")]
    try:
        instrument = _instrument(params)
    except UnknownInstrumentError as error:
        return [FieldError(f"{path}.instrument", f"{error}; register it before loading")]
    if "subscale" in params:
        known = [subscale.id for subscale in instrument.subscales]
        wanted = params["subscale"]
    else:
        known = [item.id for item in instrument.items if instrument.scales[item.scale].scored]
        wanted = params["item"]
    if wanted not in known:
        kind = parts[0]
        return [
            FieldError(
                f"{path}.{kind}",
                f"instrument {instrument.id!r} has no scored {kind} {wanted!r}; it has "
                f"{', '.join(known) or 'none'}",
            )
        ]
    return []


def _survey_scorer(params: Mapping[str, Any]) -> Callable[[Record, Sequence[Event]], float | None]:
    """A function scoring one survey response on the rule's subscale or item (None: unscored)."""
    instrument = _instrument(params)
    subscale: str | None = params.get("subscale")
    item: str = params.get("item", "")
    lifecycle_status = SurveyResponse.LIFECYCLE.status

    def score(record: Record, events: Sequence[Event]) -> float | None:
        if not isinstance(record, SurveyResponse) or record.instrument != instrument.id:
            return None
        if lifecycle_status([event.kind for event in events]) == "closed":
            return None  # withdrawn
        try:
            scores = score_numbers(instrument, record)
        except ValidationError:
            return None
        return scores.subscales[subscale] if subscale is not None else scores.items[item]

    return score
