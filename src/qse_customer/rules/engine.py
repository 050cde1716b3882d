"""The engine: compile a ruleset once, then check any iterable of records in one pass.

Compiling binds every rule to the calendar: each rule becomes closures with its event kinds and
role sets as frozensets, its ``applies_to`` conditions as one predicate and its limits as
functions over integer microseconds; rules are sorted into a plan per record type, so a record
meets only the rules about its type. Rules of a kind that can fuse (responsibility) run as one pass
over the record's events per record type.

Memory does not grow with the number of records: :func:`evaluate` streams findings, and
:func:`check` keeps counters per rule and period, a bounded sketch per rule and period for the
elapsed-time percentiles (:mod:`~qse_customer.rules.quantiles`), at most ``max_findings``
findings, and the signatures of fused rules (a handful of distinct values per record type).
The records are read once and never held. Nothing reads the clock: ``at`` is passed in; events
after ``at`` are ignored, as if the check ran at ``at``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Final
from zoneinfo import ZoneInfo

from attrs import frozen

from ..core.calendar import WorkingCalendar
from ..core.errors import ValidationError
from ..core.events import Event
from ..core.record import Record
from ..core.timestamps import utc
from .applies_to import compile_where, field_getter
from .findings import Finding
from .kind import Aggregate, CompileContext, CompiledRule, Env, GroupCheck, Outcome, Predicate
from .loader import RulesetSource, load_ruleset
from .periods import GRANULARITIES, Granularity, PeriodIndex, local_midnight_us
from .quantiles import ElapsedSketch
from .report import Counts, PeriodSummary, Report, RuleSummary
from .ruleset import Rule, Ruleset
from .status import BREACHED, CODES, NOT_APPLICABLE, STATUSES, Status
from .timeline import Timeline, from_us, to_us

_WORDS: Final = ("met", "breached", "at risk", "pending", "not applicable")
_DEFAULT_KEEP: Final = (Status.BREACHED, Status.AT_RISK)


@frozen
class _Slot:
    """One compiled rule and where its counters live."""

    index: int
    rule: Rule
    compiled: CompiledRule
    predicate: Predicate | None
    source: str


class _Plan:
    """The rules of one record type: fused groups, single checks, and aggregates."""

    __slots__ = ("aggregates", "groups", "record_slots", "runs", "singles")

    def __init__(
        self,
        groups: tuple[tuple[int, GroupCheck, tuple[_Slot, ...]], ...],
        singles: tuple[_Slot, ...],
        aggregates: tuple[_Slot, ...],
    ) -> None:
        self.groups = groups
        self.singles = singles
        self.aggregates = aggregates
        # The fused groups with their run functions at hand, for the hot loop.
        self.runs = tuple((number, group.run, group, slots) for number, group, slots in groups)
        # Every per-record rule of the type, grouped or not.
        self.record_slots = tuple(slot for _, _, slots in groups for slot in slots) + singles


class _PeriodTable:
    """Counters of one period: five per rule (status codes), and fused signatures per group."""

    __slots__ = ("counts", "signatures")

    def __init__(self, rules: int, groups: int) -> None:
        self.counts = [0] * (rules * 5)
        # Per fused group: signature -> [count, the rules whose finding is wanted for it].
        self.signatures: list[dict[Hashable, list[Any]]] = [{} for _ in range(groups)]


def _statuses(values: Iterable[Status | str] | None) -> frozenset[int]:
    if values is None:
        return frozenset(range(5))
    return frozenset(CODES[Status(value)] for value in values)


def _shown(value: Any) -> str | None:
    """A field value safe to print in a message (never free text or a person)."""
    if isinstance(value, bool | int | float):
        return repr(value).lower() if isinstance(value, bool) else repr(value)
    if isinstance(value, Enum):
        return repr(value.value)
    return None


class CompiledRuleset:
    """A ruleset compiled against a calendar: run it with :meth:`check` or :meth:`evaluate`."""

    def __init__(self, ruleset: Ruleset, calendar: WorkingCalendar) -> None:
        if not isinstance(calendar, WorkingCalendar):
            raise ValidationError.single(
                "calendar", f"expected a WorkingCalendar, got {type(calendar).__name__}"
            )
        self.ruleset = ruleset
        self.calendar = calendar
        self.zone = ZoneInfo(calendar.timezone)
        timelines = {"": Timeline(calendar)}
        for name, settings in ruleset.calendars.items():
            timelines[name] = Timeline(WorkingCalendar.from_dict(dict(settings)))
        self.timelines = timelines
        predicates = {rule.id: compile_where(rule.applies_to.where) for rule in ruleset.rules}
        context = CompileContext(calendar=calendar, timelines=timelines, predicates=predicates)
        self.slots: tuple[_Slot, ...] = tuple(
            _Slot(
                index,
                rule,
                ruleset.kinds[rule.kind].compile(rule, context),
                predicates[rule.id],
                str(rule.source),
            )
            for index, rule in enumerate(ruleset.rules)
        )
        self.plans: dict[str, _Plan] = {}
        self.group_count = 0
        types = sorted({tag for rule in ruleset.rules for tag in rule.applies_to.record_types})
        for tag in types:
            self.plans[tag] = self._plan(tag, context)
        self.effective_us = (
            local_midnight_us(ruleset.effective, self.zone) if ruleset.effective else None
        )
        self.effective_at = from_us(self.effective_us) if self.effective_us is not None else None

    def _plan(self, tag: str, context: CompileContext) -> _Plan:
        mine = [slot for slot in self.slots if tag in slot.rule.applies_to.record_types]
        aggregates = tuple(slot for slot in mine if slot.compiled.aggregate is not None)
        per_record = [slot for slot in mine if slot.compiled.check is not None]
        by_kind: dict[str, list[_Slot]] = {}
        for slot in per_record:
            by_kind.setdefault(slot.rule.kind, []).append(slot)
        groups = []
        singles = []
        for kind_name, slots in by_kind.items():
            fuse = getattr(self.ruleset.kinds[kind_name], "compile_group", None)
            group = (
                fuse([slot.rule for slot in slots], context) if fuse and len(slots) > 1 else None
            )
            if group is None:
                singles.extend(slots)
            else:
                groups.append((self.group_count, group, tuple(slots)))
                self.group_count += 1
        return _Plan(tuple(groups), tuple(singles), aggregates)

    # -- one record ---------------------------------------------------------------------------

    def _env(self, at: datetime) -> Env:
        moment = utc(at, "at")
        return Env(moment, to_us(moment), self.calendar, self.timelines)

    @staticmethod
    def _until(events: tuple[Event, ...], at: datetime) -> tuple[Event, ...]:
        """The events that had happened by ``at`` (a record's events are in time order)."""
        if events[-1].at <= at:
            return events
        cut = len(events)
        while cut and events[cut - 1].at > at:
            cut -= 1
        return events[:cut]

    def _finding(
        self,
        slot: _Slot,
        record: Record,
        events: Sequence[Event],
        outcome: Outcome,
        env: Env,
        period: str | None,
    ) -> Finding:
        code, due, elapsed, _ = outcome
        rule = slot.rule
        if slot.predicate is not None and code == NOT_APPLICABLE and not slot.predicate(record):
            evidence, body = self._unmatched(rule, record)
        else:
            explain = slot.compiled.explain
            evidence, body = explain(record, events, outcome, env) if explain else ({}, "")
        return Finding(
            rule.id,
            record.id,
            STATUSES[code],
            from_us(due) if due is not None else None,
            evidence,
            f"{rule.id} {_WORDS[code]} ({slot.source}): {body}",
            slot.source,
            record_type=record.TYPE,
            ruleset=self.ruleset.name,
            ruleset_version=self.ruleset.version,
            severity=rule.severity,
            period=period,
            elapsed=timedelta(seconds=elapsed) if elapsed is not None else None,
            measure=slot.compiled.measure,
        )

    @staticmethod
    def _unmatched(rule: Rule, record: Record) -> tuple[dict[str, Any], str]:
        failing = []
        for name, condition in rule.applies_to.where.items():
            single = compile_where({name: condition})
            if single is not None and not single(record):
                value = _shown(field_getter(name)(record))
                wanted = dict(condition) if isinstance(condition, Mapping) else condition
                shown = f" (it is {value})" if value is not None else ""
                failing.append(
                    (name, wanted, f"{name} must be {_condition_text(condition)}{shown}")
                )
        noun = record.TYPE.replace("_", " ")
        evidence = {"conditions_not_met": [{"field": n, "condition": c} for n, c, _ in failing]}
        return (
            evidence,
            f"the {noun} is outside the rule's scope: {'; '.join(t for *_, t in failing)}.",
        )

    def _before_effective(self, slot: _Slot, record: Record, period: str | None) -> Finding:
        opened = record.events[0].at
        effective = self.ruleset.effective
        assert effective is not None
        noun = record.TYPE.replace("_", " ")
        return Finding(
            slot.rule.id,
            record.id,
            Status.NOT_APPLICABLE,
            None,
            {"opened_at": opened.isoformat(), "effective": effective.isoformat()},
            f"{slot.rule.id} not applicable ({slot.source}): the {noun} was opened on "
            f"{opened.astimezone(self.zone):%a %d %b %Y}, before ruleset {self.ruleset.name} took "
            f"effect on {effective:%d %b %Y}.",
            slot.source,
            record_type=record.TYPE,
            ruleset=self.ruleset.name,
            ruleset_version=self.ruleset.version,
            severity=slot.rule.severity,
            period=period,
        )

    def _period_finding(
        self,
        slot: _Slot,
        accumulator: Aggregate,
        outcome: tuple[str, int, int | None, Any],
        env: Env,
    ) -> Finding:
        period, code, due, _ = outcome
        evidence, body = accumulator.explain(outcome, env)
        rule = slot.rule
        return Finding(
            rule.id,
            None,
            STATUSES[code],
            from_us(due) if due is not None else None,
            evidence,
            f"{rule.id} {_WORDS[code]} ({slot.source}): {body}",
            slot.source,
            record_type=", ".join(rule.applies_to.record_types),
            ruleset=self.ruleset.name,
            ruleset_version=self.ruleset.version,
            severity=rule.severity,
            period=period,
        )

    def _indexes(self, granularity: Granularity) -> PeriodIndex:
        if granularity not in GRANULARITIES:
            raise ValidationError.single(
                "period", f"expected one of {', '.join(GRANULARITIES)}, got {granularity!r}"
            )
        first, last = self.calendar.years
        return PeriodIndex(self.zone, granularity, first, last)

    # -- streaming ----------------------------------------------------------------------------

    def evaluate(
        self,
        records: Iterable[Record],
        *,
        at: datetime,
        statuses: Iterable[Status | str] | None = None,
        period: Granularity = "month",
    ) -> Iterator[Finding]:
        """Findings for every record and every rule about its type, streamed as they are made
        (only those with ``statuses``, when given); each threshold's findings come at the end."""
        env = self._env(at)
        want = _statuses(statuses)
        index = self._indexes(period)
        accumulators = {
            slot.index: (slot, slot.compiled.aggregate())
            for slot in self.slots
            if slot.compiled.aggregate is not None
        }
        indexes = {g: self._indexes(g) for g in {a.granularity for _, a in accumulators.values()}}
        shares: dict[tuple[str, str], dict[str, list[int]]] = {}
        wanted_shares = {
            (str(slot.rule.params.get("rule")), acc.granularity)
            for slot, acc in accumulators.values()
            if slot.rule.params.get("aggregate") == "share_met"
        }
        for record in records:
            plan = self.plans.get(record.TYPE)
            if plan is None:
                continue
            events = self._until(record.events, env.at)
            if not events:
                continue
            opened = to_us(events[0].at)
            key = index.key(opened)
            if self.effective_us is not None and opened < self.effective_us:
                if NOT_APPLICABLE in want:
                    for slot in plan.record_slots:
                        yield self._before_effective(slot, record, key)
                continue
            for slot in plan.record_slots:
                predicate = slot.predicate
                if predicate is not None and not predicate(record):
                    outcome: Outcome = (NOT_APPLICABLE, None, None, None)
                else:
                    check = slot.compiled.check
                    assert check is not None
                    outcome = check(record, events, env)
                code = outcome[0]
                for rule_id, granularity in wanted_shares:
                    if rule_id == slot.rule.id and code <= BREACHED:
                        tally = shares.setdefault((rule_id, granularity), {})
                        counts = tally.setdefault(indexes[granularity].key(opened), [0, 0])
                        counts[0] += code == 0
                        counts[1] += 1
                if code in want:
                    yield self._finding(slot, record, events, outcome, env, key)
            for slot in plan.aggregates:
                if slot.predicate is None or slot.predicate(record):
                    accumulator = accumulators[slot.index][1]
                    accumulator.observe(
                        record, events, indexes[accumulator.granularity].key(opened), env
                    )
        for slot, accumulator in accumulators.values():

            def lookup(
                rule_id: str, granularity: str = accumulator.granularity
            ) -> Mapping[str, tuple[int, int]]:
                table = shares.get((rule_id, granularity), {})
                return {key: (met, decided) for key, (met, decided) in table.items()}

            for outcome_p in accumulator.finish(env, lookup):
                if outcome_p[1] in want:
                    yield self._period_finding(slot, accumulator, outcome_p, env)

    # -- summarising --------------------------------------------------------------------------

    def check(
        self,
        records: Iterable[Record],
        *,
        at: datetime,
        period: Granularity = "month",
        keep: Iterable[Status | str] = _DEFAULT_KEEP,
        max_findings: int = 10_000,
    ) -> Report:
        """Check every record once and summarise per rule and period (see :class:`Report`)."""
        env = self._env(at)
        at_moment = env.at
        want = _statuses(keep)
        index = self._indexes(period)
        accumulators = {
            slot.index: (slot, slot.compiled.aggregate())
            for slot in self.slots
            if slot.compiled.aggregate is not None
        }
        extra_indexes: dict[str, PeriodIndex] = {
            g: self._indexes(g) for g in {a.granularity for _, a in accumulators.values()}
        }
        extra_indexes.pop(period, None)
        extra_tables: dict[str, dict[str, _PeriodTable]] = {g: {} for g in extra_indexes}
        rules = len(self.slots)
        groups = self.group_count
        tables: dict[str, _PeriodTable] = {}
        sketches: dict[int, ElapsedSketch] = {}
        period_sketches: dict[tuple[int, str], ElapsedSketch] = {}
        findings: list[Finding] = []
        omitted = 0
        seen = 0
        groups_by_number = {
            number: (group, slots)
            for plan in self.plans.values()
            for number, group, slots in plan.groups
        }

        def hits_for(number: int, signature: Hashable) -> tuple[_Slot, ...]:
            """The rules of a fused group whose finding is wanted, for one signature."""
            group, slots = groups_by_number[number]
            codes = group.decode(signature)
            return tuple(slot for slot, code in zip(slots, codes, strict=True) if code in want)

        plans_get = self.plans.get
        locate = index.locate
        effective = self.effective_at
        plan_index = {tag: number for number, tag in enumerate(self.plans)}
        before_effective: dict[str, list[int]] = {}
        # The period of the last record: records streamed in time order mostly share it.
        key = ""
        low = high = from_us(0)
        table = _PeriodTable(0, 0)

        for record in records:
            plan = plans_get(record.TYPE)
            if plan is None:
                continue
            events = record.events
            if events[-1].at > at_moment:
                events = self._until(events, at_moment)
                if not events:
                    continue
            seen += 1
            first = events[0].at
            if not low <= first < high:
                key, low, high = locate(first)
                found = tables.get(key)
                if found is None:
                    found = tables[key] = _PeriodTable(rules, groups)
                table = found
            if effective is not None and first < effective:
                counts_na = before_effective.setdefault(key, [0] * len(self.plans))
                counts_na[plan_index[record.TYPE]] += 1
                continue
            done: list[tuple[int, Hashable]] | None = [] if extra_indexes else None
            signatures = table.signatures
            for number, run, _, _ in plan.runs:
                signature = run(record, events, env)
                entry = signatures[number].get(signature)
                if entry is None:
                    entry = signatures[number][signature] = [0, hits_for(number, signature)]
                entry[0] += 1
                if done is not None:
                    done.append((number, signature))
                if entry[1]:
                    for slot in entry[1]:
                        if len(findings) >= max_findings:
                            omitted += 1
                            continue
                        outcome = self._outcome(slot, record, events, env)
                        findings.append(self._finding(slot, record, events, outcome, env, key))
            singles = plan.singles
            if singles:
                counts = table.counts
                for slot in singles:
                    predicate = slot.predicate
                    if predicate is not None and not predicate(record):
                        outcome = (NOT_APPLICABLE, None, None, None)
                    else:
                        check = slot.compiled.check
                        assert check is not None
                        outcome = check(record, events, env)
                    code = outcome[0]
                    counts[slot.index * 5 + code] += 1
                    if done is not None:
                        done.append((-1 - slot.index * 5 - code, None))
                    elapsed = outcome[2]
                    if elapsed is not None:
                        sketch = sketches.get(slot.index)
                        if sketch is None:
                            sketch = sketches[slot.index] = ElapsedSketch()
                        sketch.add(elapsed)
                        per = period_sketches.get((slot.index, key))
                        if per is None:
                            per = period_sketches[(slot.index, key)] = ElapsedSketch()
                        per.add(elapsed)
                    if code in want:
                        if len(findings) >= max_findings:
                            omitted += 1
                        else:
                            findings.append(self._finding(slot, record, events, outcome, env, key))
            if plan.aggregates or extra_indexes:
                opened = to_us(first)
                keys: dict[str, str] = {g: i.key(opened) for g, i in extra_indexes.items()}
                keys[period] = key
                for slot in plan.aggregates:
                    if slot.predicate is None or slot.predicate(record):
                        accumulator = accumulators[slot.index][1]
                        accumulator.observe(record, events, keys[accumulator.granularity], env)
                for granularity, by_key in extra_tables.items():
                    extra_table = by_key.get(keys[granularity])
                    if extra_table is None:
                        extra_table = by_key[keys[granularity]] = _PeriodTable(rules, groups)
                    for number, signature in done or ():
                        if number >= 0:
                            tally = extra_table.signatures[number]
                            found_entry = tally.get(signature)
                            if found_entry is None:
                                found_entry = tally[signature] = [0, ()]
                            found_entry[0] += 1
                        else:
                            extra_table.counts[-1 - number] += 1

        per_period = {key: self._totals(table) for key, table in tables.items()}
        for key, counts_na in before_effective.items():
            totals = per_period.setdefault(key, [0] * (rules * 5))
            for tag, number in plan_index.items():
                for slot in self.plans[tag].record_slots:
                    totals[slot.index * 5 + NOT_APPLICABLE] += counts_na[number]
        by_granularity: dict[str, dict[str, list[int]]] = {period: per_period}
        for granularity, extra_by in extra_tables.items():
            by_granularity[granularity] = {k: self._totals(t) for k, t in extra_by.items()}

        period_outcomes: dict[int, list[tuple[str, int]]] = {}
        for slot, accumulator in accumulators.values():
            table_g = by_granularity[accumulator.granularity]

            def lookup(
                rule_id: str, table_g: dict[str, list[int]] = table_g
            ) -> Mapping[str, tuple[int, int]]:
                target = self.ruleset.rule(rule_id)
                position = self.ruleset.rules.index(target) * 5
                return {
                    key: (values[position], values[position] + values[position + 1])
                    for key, values in table_g.items()
                    if values[position] + values[position + 1]
                }

            for outcome_p in accumulator.finish(env, lookup):
                period_outcomes.setdefault(slot.index, []).append((outcome_p[0], outcome_p[1]))
                if outcome_p[1] in want:
                    if len(findings) >= max_findings:
                        omitted += 1
                    else:
                        findings.append(self._period_finding(slot, accumulator, outcome_p, env))

        summaries = tuple(
            self._summary(slot, per_period, period_outcomes, sketches, period_sketches)
            for slot in self.slots
        )
        return Report(
            ruleset=self.ruleset.name,
            ruleset_version=self.ruleset.version,
            at=env.at,
            period=period,
            timezone=self.calendar.timezone,
            calendar=self.calendar.to_dict(),
            records=seen,
            rules=summaries,
            findings=tuple(findings),
            kept=tuple(STATUSES[code] for code in sorted(want)),
            findings_omitted=omitted,
        )

    def _outcome(self, slot: _Slot, record: Record, events: Sequence[Event], env: Env) -> Outcome:
        """One rule's outcome for one record, outside a fused group (to explain it)."""
        if slot.predicate is not None and not slot.predicate(record):
            return (NOT_APPLICABLE, None, None, None)
        check = slot.compiled.check
        assert check is not None
        return check(record, events, env)

    def _totals(self, table: _PeriodTable) -> list[int]:
        """Five counts per rule: the single rules' counters plus the decoded fused signatures."""
        totals = list(table.counts)
        for plan in self.plans.values():
            for number, group, slots in plan.groups:
                for signature, (count, _) in table.signatures[number].items():
                    for slot, code in zip(slots, group.decode(signature), strict=True):
                        totals[slot.index * 5 + code] += count
        return totals

    def _summary(
        self,
        slot: _Slot,
        per_period: Mapping[str, list[int]],
        period_outcomes: Mapping[int, list[tuple[str, int]]],
        sketches: Mapping[int, ElapsedSketch],
        period_sketches: Mapping[tuple[int, str], ElapsedSketch],
    ) -> RuleSummary:
        rule = slot.rule
        base = slot.index * 5
        periods: dict[str, list[int]] = {}
        if slot.compiled.aggregate is not None:
            for key, code in period_outcomes.get(slot.index, []):
                periods.setdefault(key, [0] * 5)[code] += 1
        else:
            for key, values in per_period.items():
                codes = values[base : base + 5]
                if any(codes):
                    periods[key] = codes
        total = [sum(codes[k] for codes in periods.values()) for k in range(5)]
        return RuleSummary(
            rule_id=rule.id,
            title=rule.title,
            kind=rule.kind,
            source=slot.source,
            severity=rule.severity,
            measure=slot.compiled.measure,
            counts=Counts.of(total, sketches.get(slot.index)),
            periods=tuple(
                PeriodSummary(key, Counts.of(codes, period_sketches.get((slot.index, key))))
                for key, codes in sorted(periods.items())
            ),
        )


def _condition_text(condition: Any) -> str:
    if isinstance(condition, Mapping):
        operator, operand = next(iter(condition.items()))
        if operator == "in":
            return "one of " + ", ".join(repr(v) for v in operand)
        if operator == "not_in":
            return "none of " + ", ".join(repr(v) for v in operand)
        return f"anything but {operand!r}"
    return repr(condition).lower() if isinstance(condition, bool) else repr(condition)


def compile_ruleset(
    ruleset: RulesetSource, *, calendar: WorkingCalendar, kinds: Mapping[str, Any] | None = None
) -> CompiledRuleset:
    """Compile a ruleset (or load one by name, path or mapping) against ``calendar``, once."""
    return CompiledRuleset(load_ruleset(ruleset, kinds=kinds), calendar)


def evaluate(
    records: Iterable[Record],
    ruleset: RulesetSource | CompiledRuleset,
    *,
    calendar: WorkingCalendar,
    at: datetime,
    kinds: Mapping[str, Any] | None = None,
    statuses: Iterable[Status | str] | None = None,
    period: Granularity = "month",
) -> Iterator[Finding]:
    """Stream one finding per record and rule (and per period for thresholds), as of ``at``."""
    compiled = _compiled(ruleset, calendar, kinds)
    return compiled.evaluate(records, at=at, statuses=statuses, period=period)


def check(
    records: Iterable[Record],
    ruleset: RulesetSource | CompiledRuleset,
    *,
    calendar: WorkingCalendar,
    at: datetime,
    kinds: Mapping[str, Any] | None = None,
    period: Granularity = "month",
    keep: Iterable[Status | str] = _DEFAULT_KEEP,
    max_findings: int = 10_000,
) -> Report:
    """Check ``records`` against ``ruleset`` as of ``at`` and summarise per rule and period.

    The report keeps the findings whose status is in ``keep`` (breached and at risk by default),
    at most ``max_findings`` of them; use :func:`evaluate` to stream every finding.
    """
    compiled = _compiled(ruleset, calendar, kinds)
    return compiled.check(records, at=at, period=period, keep=keep, max_findings=max_findings)


def _compiled(
    ruleset: RulesetSource | CompiledRuleset,
    calendar: WorkingCalendar,
    kinds: Mapping[str, Any] | None,
) -> CompiledRuleset:
    if isinstance(ruleset, CompiledRuleset):
        if ruleset.calendar != calendar:
            raise ValidationError.single(
                "calendar",
                "the ruleset was compiled with another calendar; compile it again with this one",
            )
        return ruleset
    return compile_ruleset(ruleset, calendar=calendar, kinds=kinds)
