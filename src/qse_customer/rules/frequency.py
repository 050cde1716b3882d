"""``frequency``: an event happens at least so often, period after period, with no gap.

Params::

    events      the event kinds that count (``conducted``: a survey put in the field)
    period      "week", "month", "quarter" or "year", local, by each event's own time
    at_least    optional, default 1: how many such events each period needs
    per         optional {"field": name, "values": [...]}: each value of the record field needs
                its own (a survey of internal and one of external customers)
    since       optional ISO date: the first period judged is the one holding it; without it,
                the period of the first such event seen

One finding per period (and per value of ``per``) from the first period judged to the one that
holds ``at``, including periods with no record at all, which is what a ``threshold`` cannot see:
a year with no survey is a breach, not a silence. A period that has ended is ``met`` or
``breached``; the period still running is ``met`` once it has enough, ``pending`` before. Without
``since``, a lab that has recorded no such event at all gets no finding: the engine sees only the
records it is given, so set ``since`` to the day the lab started recording.

Source 003 8.1 ("regular surveys of the needs and perceptions of customers") and source 000
(satisfaction surveys for internal and external customers) are checked this way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import Enum
from typing import Any, Final
from zoneinfo import ZoneInfo

from ..analysis.periods import (
    GRANULARITIES,
    Granularity,
    PeriodIndex,
    local_midnight_us,
    next_period_start,
    period_start,
)
from ..core.errors import FieldError
from ..core.events import Event
from ..core.record import Record
from ..core.record_types import RECORD_TYPES
from ..core.schema import schema_for
from ..core.timestamps import from_us, to_us
from ._applies_to import field_getter
from ._wording import either
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
from .response_time import EVENT_KINDS
from .status import BREACHED, MET, PENDING

PARAMS_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["events", "period"],
    "properties": {
        "events": EVENT_KINDS,
        "period": {"enum": list(GRANULARITIES)},
        "at_least": {"type": "integer", "minimum": 1},
        "per": {
            "type": "object",
            "additionalProperties": False,
            "required": ["field", "values"],
            "properties": {
                "field": {"type": "string", "pattern": "^[a-z_][a-z0-9_]*$"},
                "values": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1},
                    "minItems": 1,
                    "uniqueItems": True,
                },
            },
        },
        "since": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    },
}

EXAMPLES: Final = 5
"""How many records a finding names as evidence for its period."""


class Frequency(BaseRuleKind):
    """The ``frequency`` rule kind (see the module doc)."""

    name = "frequency"
    params_schema: Mapping[str, Any] = PARAMS_SCHEMA

    def event_kinds(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The event kinds that count, with their paths."""
        return [(f".events[{k}]", kind) for k, kind in enumerate(params.get("events", ()))]

    def check_params(
        self, params: Mapping[str, Any], context: ValidationContext
    ) -> list[FieldError]:
        """A real date in ``since``, and a field the record types have in ``per``."""
        errors = []
        since = params.get("since")
        if since is not None:
            try:
                date.fromisoformat(since)
            except ValueError:
                errors.append(
                    FieldError(f"{context.path}.since", f"{since!r} is not a date (YYYY-MM-DD)")
                )
        per = params.get("per")
        if per is not None:
            name = per["field"]
            for tag in (tag for tag in context.record_types if tag in RECORD_TYPES):
                properties = schema_for(tag)["$defs"][tag]["properties"]
                if name not in properties or name in {"type", "events"}:
                    fields = ", ".join(p for p in properties if p not in {"type", "events"})
                    errors.append(
                        FieldError(
                            f"{context.path}.per.field",
                            f"a {tag} has no field {name!r}; it has {fields}",
                        )
                    )
        return errors

    def compile(self, rule: Any, context: CompileContext) -> CompiledRule:
        """A factory of per-run tallies: counts per value of ``per`` and period."""
        params = dict(rule.params)
        zone = ZoneInfo(context.calendar.timezone)
        first, last = context.calendar.years
        index = PeriodIndex(zone, params["period"], first, last)

        def start() -> _Tally:
            return _Tally(params, index, zone)

        return CompiledRule(aggregate=start)


def _text(value: Any) -> str | None:
    """A field value as the text ``per.values`` lists (an enumeration by its value)."""
    if isinstance(value, Enum):
        value = value.value
    return value if isinstance(value, str) else None


class _Tally:
    """One run's counts for one frequency rule."""

    def __init__(self, params: Mapping[str, Any], index: PeriodIndex, zone: ZoneInfo) -> None:
        self.params = params
        self.granularity: Granularity = params["period"]
        self.index = index
        self.zone = zone
        self.kinds = frozenset(params["events"])
        self.at_least: int = params.get("at_least", 1)
        per = params.get("per")
        self.read = field_getter(per["field"]) if per else None
        self.groups: tuple[str, ...] = tuple(per["values"]) if per else ("",)
        self.counts: dict[tuple[str, str], int] = {}
        self.examples: dict[tuple[str, str], list[tuple[str, int]]] = {}
        self.earliest: int | None = None

    def observe(self, record: Record, events: Sequence[Event], period: str, env: Env) -> None:
        """Count the record's events of the kinds, in the periods they happened."""
        group = ""
        if self.read is not None:
            found = _text(self.read(record))
            if found is None or found not in self.groups:
                return
            group = found
        for event in events:
            if event.kind not in self.kinds:
                continue
            instant = to_us(event.at)
            cell = (group, self.index.key(instant))
            self.counts[cell] = self.counts.get(cell, 0) + 1
            shown = self.examples.setdefault(cell, [])
            if len(shown) < EXAMPLES:
                shown.append((record.id, instant))
            if self.earliest is None or instant < self.earliest:
                self.earliest = instant

    def _first_day(self) -> date | None:
        since = self.params.get("since")
        if since is not None:
            return date.fromisoformat(since)
        if self.earliest is None:
            return None
        return from_us(self.earliest).astimezone(self.zone).date()

    def finish(self, env: Env, shares: ShareLookup) -> Iterable[PeriodOutcome]:
        """One outcome per period and group, from the first period judged to ``at``'s."""
        first = self._first_day()
        if first is None:
            return
        last = env.at.astimezone(self.zone).date()
        day = period_start(first, self.granularity)
        while day <= last:
            key = self.index.key(local_midnight_us(day, self.zone))
            begin, end = self.index.bounds(key)
            for group in self.groups:
                count = self.counts.get((group, key), 0)
                if count >= self.at_least:
                    code = MET
                elif end <= env.at_us:
                    code = BREACHED
                else:
                    code = PENDING
                yield (key, code, end, (group, count, begin, end))
            day = next_period_start(day, self.granularity)

    def explain(self, outcome: PeriodOutcome, env: Env) -> Explanation:
        """The period, the group, how many there were (and which records), and the minimum."""
        period, _, _, facts = outcome
        group, count, begin, end = facts
        kinds = either(sorted(self.kinds))
        per = self.params.get("per")
        scope = f" with {per['field']} {group}" if per else ""
        examples = self.examples.get((group, period), [])
        evidence: dict[str, Any] = {
            "period": period,
            "from": from_us(begin).isoformat(),
            "until": from_us(end).isoformat(),
            "count": count,
            "at_least": self.at_least,
            "records": [
                {"record_id": record_id, "at": from_us(instant).isoformat()}
                for record_id, instant in examples
            ],
        }
        if per:
            evidence["group"] = {"field": per["field"], "value": group}
        t = env.t
        if not t.is_source:
            return evidence, self._message(period, facts, examples, env)
        ended = "ended" if end <= env.at_us else f"still running at {env.show(env.at_us)}"
        needed = f"at least {self.at_least} each {self.granularity} is required"
        if count == 0:
            seen = f"no {kinds} event on a record{scope}"
        else:
            named = ", ".join(f"{rid} on {env.show_day(instant)}" for rid, instant in examples)
            more = f" and {count - len(examples)} more" if count > len(examples) else ""
            seen = f"{count} {kinds} event{'s' if count != 1 else ''}{scope} ({named}{more})"
        return evidence, f"in {period} ({ended}), {seen}; {needed}."

    def _message(self, period: str, facts: Any, examples: list[tuple[str, int]], env: Env) -> str:
        """The message in ``env.t``'s language (English is written by :meth:`explain`)."""
        t = env.t
        group, count, _, end = facts
        kinds = either(sorted(self.kinds), t)
        per = self.params.get("per")
        scope = (
            t.gettext(" with {field} {value}").format(field=per["field"], value=group)
            if per
            else ""
        )
        if end <= env.at_us:
            ended = t.gettext("ended")
        else:
            ended = t.gettext("still running at {when}").format(when=env.show(env.at_us))
        every = {
            "week": t.gettext("at least {count} each week is required"),
            "month": t.gettext("at least {count} each month is required"),
            "quarter": t.gettext("at least {count} each quarter is required"),
            "year": t.gettext("at least {count} each year is required"),
        }[self.granularity]
        needed = every.format(count=t.number(self.at_least))
        if count == 0:
            seen = t.gettext("no {events} event on a record{scope}").format(
                events=kinds, scope=scope
            )
        else:
            named = ", ".join(
                t.gettext("{record} on {day}").format(record=rid, day=env.show_day(instant))
                for rid, instant in examples
            )
            if count > len(examples):
                named += t.gettext(" and {count} more").format(
                    count=t.number(count - len(examples))
                )
            seen = t.ngettext(
                "{count} {events} event{scope} ({records})",
                "{count} {events} events{scope} ({records})",
                count,
            ).format(count=t.number(count), events=kinds, scope=scope, records=named)
        return t.gettext("in {period} ({ended}), {seen}; {needed}.").format(
            period=period, ended=ended, seen=seen, needed=needed
        )
