"""``threshold``: an aggregate over the records of each period against a limit.

Params::

    period      "week", "month", "quarter" or "year" (local, by each record's first event)
    aggregate   "count" of records; "sum" or "mean" of a numeric ``field``; "share_met" of another
                ``rule`` (met / (met + breached)); "share_of_period": the sum of a duration
                ``field`` (in ``unit``: seconds, minutes or hours) over the length of the period
    field, rule, unit   as the aggregate needs
    at_most / at_least  the limit (exactly one)
    min_count   optional: periods with fewer records (or decided findings, for share_met) are
                ``not_applicable`` (too few to judge)

One finding per period that has at least one record (a period with none has no finding). A period
that has ended by ``at`` is ``met`` or ``breached``. A period still running is ``pending`` while
its value so far meets the limit; when it does not, it is ``breached`` if the value can only grow
(a count, a sum or a share of the period against ``at_most``) and ``at_risk`` otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final
from zoneinfo import ZoneInfo

from ..core.errors import FieldError
from ..core.events import Event
from ..core.record import Record
from ..core.records import RECORD_TYPES
from .applies_to import field_getter
from .kind import (
    BaseRuleKind,
    CompileContext,
    CompiledRule,
    Env,
    Explanation,
    PeriodOutcome,
    ShareLookup,
    ValidationContext,
)
from .periods import GRANULARITIES, Granularity, PeriodIndex
from .status import AT_RISK, BREACHED, MET, NOT_APPLICABLE, PENDING
from .timeline import from_us
from .value_limit import FIELD, bound_errors, number, numeric_field_errors

AGGREGATES: Final = ("count", "sum", "mean", "share_met", "share_of_period")
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
    },
}


class Threshold(BaseRuleKind):
    """The ``threshold`` rule kind (see the module doc)."""

    name = "threshold"
    params_schema: Mapping[str, Any] = PARAMS_SCHEMA

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
        return errors

    def compile(self, rule: Any, context: CompileContext) -> CompiledRule:
        """A factory of per-run accumulators, one count and sum per period."""
        params = dict(rule.params)
        zone = ZoneInfo(context.calendar.timezone)
        first, last = context.calendar.years
        index = PeriodIndex(zone, params["period"], first, last)

        def start() -> _Accumulator:
            return _Accumulator(rule.id, params, index)

        return CompiledRule(aggregate=start)


class _Accumulator:
    """One run's counts and sums per period for one threshold rule."""

    def __init__(self, rule_id: str, params: Mapping[str, Any], index: PeriodIndex) -> None:
        self.rule_id = rule_id
        self.params = params
        self.granularity: Granularity = params["period"]
        self.index = index
        self.aggregate: str = params["aggregate"]
        self.read = field_getter(params["field"]) if "field" in params else None
        self.totals: dict[str, list[float]] = {}

    def observe(self, record: Record, events: Sequence[Event], period: str, env: Env) -> None:
        """Count the record, and add its field's value (if it has a number there)."""
        totals = self.totals.get(period)
        if totals is None:
            totals = self.totals[period] = [0, 0.0, 0]
        totals[0] += 1
        if self.read is not None:
            value = number(self.read(record))
            if value is not None:
                totals[1] += value
                totals[2] += 1

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
            elif self.aggregate == "mean":
                value, basis = (total / numbers if numbers else None), int(numbers)
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
                growing = most is not None and self.aggregate in {"count", "sum", "share_of_period"}
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
        if aggregate == "share_met":
            what = f"the share of {params['rule']} met"
            shown = f"{value:.1%} ({basis} decided)" if value is not None else "no decided findings"
        elif aggregate == "count":
            what, shown = "the number of records", f"{value:g}"
        elif aggregate in {"sum", "mean"}:
            what = f"the {aggregate} of {params['field']}"
            shown = f"{value:g} over {basis} records" if value is not None else "no values"
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
