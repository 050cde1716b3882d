"""The engine: compile a ruleset once, then check any iterable of records in one pass.

Compiling binds every rule to the calendar: each rule becomes closures with its event kinds and
role sets as frozensets, its ``applies_to`` conditions as one predicate and its limits as
functions over integer microseconds; rules are sorted into a plan per record type, so a record
meets only the rules about its type. The built-in rules whose outcome depends only on the events'
kinds, order and roles (``responsibility``, and ``required_step`` without a limit) become one
:class:`~qse_customer.rules._codegen.EventProgram` per record type: one walk over the events gives
a small integer signature, and the report counts signatures. :meth:`CompiledRuleset.check` runs a
loop generated once per compiled ruleset (:func:`~qse_customer.rules._codegen.scan_function`) with
those programs inline; it builds a finding (each rule's own check, then its ``explain``) only for
a record with a status the report keeps. Other kinds (clocks, plugin kinds, a kind's own
``compile_group``) run through their closures; with numpy, a record type's clock rules are
judged in batches (:meth:`_CheckRun._rest_of`): a script found once per combination of rule
conditions and sequence of event kinds says which rules have a fixed outcome, and the plain
clocks' instants wait in columns per rule and period until numpy settles and counts them.

Memory does not grow with the number of records: :func:`evaluate` streams findings, and
:func:`check` keeps counters per rule and period, a bounded sketch per rule and period for the
elapsed-time percentiles (:mod:`~qse_customer.rules._quantiles`), at most ``max_findings``
findings, and the signatures of fused rules (a handful of distinct values per record type).
The records are read once and never held. Nothing reads the clock: ``at`` is passed in; events
after ``at`` are ignored, as if the check ran at ``at``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from enum import Enum
from functools import partial
from itertools import chain
from operator import attrgetter
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from attrs import frozen

from ..analysis.periods import GRANULARITIES, Granularity, PeriodIndex
from ..core import history
from ..core.calendar import WorkingCalendar
from ..core.errors import ValidationError
from ..core.events import Event
from ..core.record import Record
from ..core.timestamps import EPOCH, from_us, to_us, utc
from ..core.translation import ENGLISH, Translator
from ._applies_to import compile_where, field_getter
from ._clock_batch import ClockBatch, SettledLists, numpy_module
from ._codegen import EventProgram, PlanCode, fusable, scan_function
from ._quantiles import ElapsedSketch, bucket_counts
from ._timeline import Timeline
from ._windows import ELSEWHERE, IN_FORCE, NOT_YET, Anchor, OutOfForce, Window, anchor_of
from ._wording import record_noun, status_word
from .findings import Finding, Message
from .kind_protocol import (
    Aggregate,
    BatchCheck,
    Check,
    CompileContext,
    CompiledRule,
    Env,
    GroupCheck,
    Outcome,
    Predicate,
)
from .kind_registry import BUILTIN_KINDS
from .limits import Limit
from .loader import RulesetSource, load_ruleset
from .recorded_details import IndexedCheck, indexed_check
from .report import Counts, PeriodSummary, Report, RuleSummary
from .ruleset import Rule, Ruleset
from .status import AT_RISK, BREACHED, CODES, MET, NOT_APPLICABLE, PENDING, STATUSES, Status

_WORDS: Final = ("met", "breached", "at risk", "pending", "not applicable")
# The worst first: which cycle's outcome stands for a reopened record.
_SEVERITY: Final = {BREACHED: 0, AT_RISK: 1, PENDING: 2, MET: 3, NOT_APPLICABLE: 4}

DEFAULT_BACKDATED_AFTER: Final = {"working_days": 2}
"""An event recorded later than this after it happened is a back-dated entry (a ruleset's
``backdated_after`` says otherwise)."""

_BATCH: Final = 32768
"""Clocks waiting before they are settled together (see :meth:`_CheckRun._rest_of`)."""

_HELD: Final = 8192
"""Clocks a feed may leave waiting for the next (see :meth:`_CheckRun.fed`): three ints each,
well under a MiB."""

_IN_LISTS: Final = 131_072
"""Clocks a check settles in lists, numpy installed but not loaded, before it loads numpy to
settle the rest in arrays (see :meth:`_CheckRun._in_arrays`). Loading numpy costs about 0.1 s of
processor time, about what settling this many clocks in lists costs more than in arrays (0.5-1 µs
a clock, depending on the batch): a check of fewer clocks never pays it, a longer one pays at most
about twice what it had to."""


def _numpy_loaded() -> bool:
    """Whether numpy has been imported already (by anything in this process)."""
    return "numpy" in sys.modules


def _lower_bound(limit: Limit) -> timedelta:
    """A time no back-dated entry can be recorded within (a cheap first test in the hot loop):
    a working-days limit ends no sooner than the days less one, a working-hours limit no sooner
    than its hours, a calendar limit exactly then."""
    amount = limit.amount
    unit = limit.unit
    if unit == "working_days":
        return timedelta(days=max(amount - 1, 0))
    if unit in {"working_hours", "hours"}:
        return timedelta(hours=amount)
    if unit == "minutes":
        return timedelta(minutes=amount)
    if unit == "days":
        return timedelta(days=amount)
    return timedelta(0)


_DEFAULT_KEEP: Final = (Status.BREACHED, Status.AT_RISK)

_RECORDED_DETAILS: Final = "recorded_details"

Engine = Literal["fast", "plain"]
"""How :meth:`CompiledRuleset.check` runs: ``"fast"`` (the default), the generated loop with
the event programs inline; ``"plain"``, each rule's own check on each record."""

ENGINES: Final = ("fast", "plain")

_OUTSIDE: Final = Outcome(NOT_APPLICABLE, None, None, None)
"""The outcome of a rule for a record outside its ``applies_to``."""


@frozen
class _Slot:
    """One compiled rule and where its counters live."""

    index: int
    rule: Rule
    compiled: CompiledRule
    predicate: Predicate | None
    source: str
    anchor: Anchor


class _Choice:
    """Which of a plan's single rules apply to a record, found once per combination of the
    values of the fields their ``where`` conditions read (a record's conditions depend on
    nothing else), instead of testing every rule's conditions on every record.

    ``choose(record)`` gives ``(applying, outside, runs)``: the rules whose conditions hold, in
    order, the counter positions of the others (each counted not applicable, as its own check
    would say), and for each applying rule what the batched path calls (:data:`_Run`). Each
    value is keyed with its type, so ``True`` and ``1`` stay apart.
    """

    __slots__ = ("_cache", "_plain", "_read", "_read_each", "_slots", "_together", "_width")

    _LIMIT: Final = 4096
    """Combinations remembered; beyond them (free text in a condition) rules are tested."""

    def __init__(self, slots: Sequence[_Slot]) -> None:
        self._slots = tuple(slots)
        names = sorted({name for slot in slots for name in slot.rule.applies_to.where})
        readers = [field_getter(name) for name in names]

        def read_each(record: Record) -> tuple[Any, ...]:
            values = tuple([read(record) for read in readers])
            return values, tuple(map(type, values))

        self._read: Callable[[Record], tuple[Any, ...]] = read_each
        self._read_each = read_each
        # The attrgetter of read_all (None: the fields are read one by one), which the batched
        # path calls itself (one call fewer a record).
        self._together: Callable[[Record], tuple[Any, ...]] | None = None
        if names and not any("." in name for name in names):
            # Plain attributes: the values and their types (``name.__class__``) read in one
            # call, a flat key (a missing attribute is read as the slow way does).
            together = attrgetter(*names, *(f"{name}.__class__" for name in names))

            def read_all(record: Record) -> tuple[Any, ...]:
                try:
                    key: tuple[Any, ...] = together(record)
                except AttributeError:
                    return read_each(record)
                return key

            self._read = read_all
            self._together = together
        # For two to four plain attributes, the attrgetter of the values alone: the batched
        # path adds their types itself (the same key, cheaper than reading ``name.__class__``).
        self._plain: Callable[[Record], tuple[Any, ...]] | None = None
        self._width = 0  # how many (0: no such attrgetter)
        if self._together is not None and 2 <= len(names) <= 4:
            self._plain = attrgetter(*names)
            self._width = len(names)
        self._cache: dict[tuple[Any, ...], _Chosen] = {}

    def choose(self, record: Record) -> _Chosen:
        """The rules that apply to ``record`` and the counter positions of those that do not."""
        key = self._read(record)
        try:
            found = self._cache.get(key)
        except TypeError:  # a value that cannot be a key (a list inside a mapping field)
            return self._test(record)
        if found is None:
            found = self._test(record)
            if len(self._cache) < self._LIMIT:
                found = self._cache[key] = (*found[:3], {})
        return found

    def _test(self, record: Record) -> _Chosen:
        applying = tuple(
            slot for slot in self._slots if slot.predicate is None or slot.predicate(record)
        )
        outside = tuple(
            slot.index * 5 + NOT_APPLICABLE for slot in self._slots if slot not in applying
        )
        runs = tuple(
            (slot, slot.index * 5, slot.compiled.batch, slot.compiled.check) for slot in applying
        )
        return applying, outside, runs, None


_Run = tuple[_Slot, int, BatchCheck | None, Check | None]
"""A rule as the batched path runs it: the slot, its first counter, its batch and its check."""
_Chosen = tuple[
    tuple[_Slot, ...], tuple[int, ...], tuple[_Run, ...], "dict[tuple[str, ...], _Script] | None"
]
"""The rules that apply, the counters of those that do not, the runs of those that do, and the
batched path's scripts for this combination by the kinds of a record's events (None: the
combination is not remembered)."""

_CLOCK: Final = 1
_CHECK: Final = 0
_DETAILS: Final = -1


class _Script:
    """What the batched path does for a record of one combination of rule conditions whose
    events have one sequence of kinds (see :meth:`_CheckRun._rest_of`).

    ``positions``: the counters each such record adds one to, whatever else its events hold
    (the rules that do not apply; a clock that never starts; a ``recorded_details`` rule with
    no event of its kinds). ``steps``, in the order of the rules, each ``(what, index, base,
    check, i, j, person, r, r_person, slot)``: the rule's slot, its index and first counter and
    its check; ``what`` is :data:`_CLOCK` for a plain clock to settle in a batch (its start
    condition tested there), from event ``i`` to event ``j`` (-1: none) with its one update at
    event ``r`` (-1: none), :data:`_DETAILS` for a ``recorded_details`` rule's check told the
    events of its kinds (``i``), or :data:`_CHECK` for the rule's own check. For a clock,
    ``person``: the stop event whose missing actor leaves the record to the check (-1: none);
    ``r_person``: whether the update counts only if a person made it. ``clocks``: how many
    clocks a record adds to the batch at most. ``key``: what the record is counted under (the
    script itself, or its positions when it is not remembered).

    ``instants``: where several clocks start or stop at one event (their rules share a start
    or a stop), the events whose instants a record's clocks read, each converted once (None:
    every clock converts its own); each clock step then ends with the positions of its start
    and stop among them (``si``, ``sj``; -1: none).
    """

    __slots__ = ("clocks", "instants", "key", "positions", "steps")

    def __init__(
        self,
        positions: tuple[int, ...],
        steps: tuple[tuple[Any, ...], ...],
        remembered: bool,
    ) -> None:
        self.positions = positions
        self.clocks = sum(1 for step in steps if step[0] == _CLOCK)
        self.key: _Script | tuple[int, ...] = self if remembered else positions
        read = [k for step in steps if step[0] == _CLOCK for k in step[4:6] if k >= 0]
        self.instants: tuple[int, ...] | None = None
        if len(set(read)) < len(read):
            instants = self.instants = tuple(sorted(set(read)))
            steps = tuple(
                (*step, instants.index(step[4]), instants.index(step[5]) if step[5] >= 0 else -1)
                if step[0] == _CLOCK
                else (*step, -1, -1)
                for step in steps
            )
        else:
            steps = tuple((*step, -1, -1) for step in steps)
        self.steps = steps


_SCRIPTS: Final = 256
"""Sequences of event kinds remembered per combination of rule conditions."""


class _Plan:
    """The rules of one record type: fused groups, single checks, and aggregates."""

    __slots__ = ("aggregates", "choice", "groups", "program", "record_slots", "singles")

    def __init__(
        self,
        groups: tuple[tuple[int, GroupCheck, tuple[_Slot, ...]], ...],
        singles: tuple[_Slot, ...],
        aggregates: tuple[_Slot, ...],
        program: EventProgram | None,
    ) -> None:
        # The first group is the event program's, when there is one; the generated loop runs it
        # inline and calls the other groups' ``run``.
        self.groups = groups
        self.singles = singles
        self.aggregates = aggregates
        self.program = program
        # Every per-record rule of the type, grouped or not.
        self.record_slots = tuple(slot for _, _, slots in groups for slot in slots) + singles
        self.choice = _Choice(singles)


class _PeriodTable:
    """Counters of one period: five per rule (status codes), and fused signatures per group."""

    __slots__ = ("columns", "counts", "outside", "signatures")

    def __init__(self, rules: int, groups: int) -> None:
        self.counts = [0] * (rules * 5)
        # Records per set of counters each of them adds one to (the rules that did not apply
        # to them; the batched path's constant outcomes, keyed by their _Script), added to
        # ``counts`` by :meth:`CompiledRuleset._totals`.
        self.outside: dict[tuple[int, ...] | _Script, int] = {}
        # Per fused group: signature -> [count, the rules whose finding is wanted for it].
        self.signatures: list[dict[Hashable, list[Any]]] = [{} for _ in range(groups)]
        # Per rule: the clocks of this period waiting to be settled (see _CheckRun.flush).
        self.columns: list[_Column | None] = [None] * rules


class _Column:
    """The plain clocks of one rule and one period waiting to be settled: their start, stop and
    update instants, three ints per clock in ``times`` (-1: none; -2 for an update that is
    ignored, made by no one where only a person's counts); while findings are kept, each
    clock's record, events, start index and stop index, four items a clock in ``refs`` (no
    tuple a clock: fewer objects for the garbage collector to walk); once settled, its
    ``(codes, deadlines, seconds, shares)`` as lists in ``settled``."""

    __slots__ = ("key", "refs", "settled", "slot", "table", "times")

    def __init__(self, slot: _Slot, table: _PeriodTable, key: str) -> None:
        self.slot = slot
        self.table = table
        self.key = key
        self.times: list[int] = []
        self.refs: list[Any] = []
        self.settled: SettledLists | None = None


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
    """A ruleset compiled against a calendar: run it with :meth:`check` or :meth:`evaluate`.

    ``in_force`` is when the ruleset judges records (:mod:`~qse_customer.rules._windows`);
    by default its own ``effective_from`` and ``effective_until``.
    """

    def __init__(
        self, ruleset: Ruleset, calendar: WorkingCalendar, *, in_force: Window | None = None
    ) -> None:
        if not isinstance(calendar, WorkingCalendar):
            raise ValidationError.single(
                "calendar", f"expected a WorkingCalendar, got {type(calendar).__name__}"
            )
        self.ruleset = ruleset
        self.calendar = calendar
        self.zone = ZoneInfo(calendar.timezone)
        window = in_force if in_force is not None else Window.of(ruleset, self.zone)
        # Rules of a ruleset in force for a while are placed one by one (each by its own clock),
        # so none of them is fused into an event program.
        self.window: Window | None = window if window.bounded else None
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
                anchor_of(rule, ruleset.kinds),
            )
            for index, rule in enumerate(ruleset.rules)
        )
        self.plans: dict[str, _Plan] = {}
        self.group_count = 0
        types = sorted({tag for rule in ruleset.rules for tag in rule.applies_to.record_types})
        for tag in types:
            self.plans[tag] = self._plan(tag, context)
        plan_codes = [
            PlanCode(
                plan.program,
                plan.groups[0][0] if plan.program is not None else -1,
                bool(plan.singles) or len(plan.groups) > (plan.program is not None),
                bool(plan.aggregates),
            )
            for plan in self.plans.values()
        ]
        self.backdated_after = Limit.parse(ruleset.backdated_after or DEFAULT_BACKDATED_AFTER)
        self._late = self.backdated_after.deadline_function(timelines[""])
        self._late_bound = _lower_bound(self.backdated_after)
        self._scan = scan_function(
            plan_codes, self.group_count, self._late_bound, f"ruleset {ruleset.label}"
        )
        self._classes: dict[type, int] = {}
        # The built-in recorded_details rules: a record with no event of their kinds is not
        # applicable to them, whatever else it holds (their check's first test).
        self._details: dict[int, tuple[frozenset[str], IndexedCheck]] = {
            slot.index: (frozenset(slot.rule.params["events"]), indexed_check(slot.rule.params))
            for slot in self.slots
            if slot.rule.kind == _RECORDED_DETAILS and self._builtin(slot.rule)
        }

    def _script(self, chosen: _Chosen, kinds: tuple[str, ...]) -> _Script:
        """The batched path's script for a record of the combination ``chosen`` whose events
        have these ``kinds`` (see :class:`_Script`), remembered with the combination."""
        _, outside, runs, scripts = chosen
        positions = list(outside)
        steps: list[tuple[Any, ...]] = []
        details = self._details
        for slot, base, batch, check in runs:
            if isinstance(batch, ClockBatch):
                shape = batch.shape(kinds)
                if shape is not None:
                    i, j, person, r, r_person = shape
                    if i < 0:  # the clock never starts
                        positions.append(base + NOT_APPLICABLE)
                        continue
                    person_j = j if person else -1
                    steps.append(
                        (_CLOCK, slot.index, base, check, i, j, person_j, r, r_person, slot)
                    )
                    continue
            elif slot.index in details:
                wanted, indexed = details[slot.index]
                indices = tuple(k for k, kind in enumerate(kinds) if kind in wanted)
                if not indices:
                    positions.append(base + NOT_APPLICABLE)
                    continue
                steps.append(
                    (_DETAILS, slot.index, base, indexed, indices, -1, -1, -1, False, slot)
                )
                continue
            steps.append((_CHECK, slot.index, base, check, -1, -1, -1, -1, False, slot))
        remembered = scripts is not None and len(scripts) < _SCRIPTS
        script = _Script(tuple(positions), tuple(steps), remembered)
        if remembered:
            assert scripts is not None
            scripts[kinds] = script
        return script

    def _plan(self, tag: str, context: CompileContext) -> _Plan:
        mine = [slot for slot in self.slots if tag in slot.rule.applies_to.record_types]
        aggregates = tuple(slot for slot in mine if slot.compiled.aggregate is not None)
        per_record = [slot for slot in mine if slot.compiled.check is not None]
        fused = [
            slot
            for slot in per_record
            if self.window is None and self._builtin(slot.rule) and fusable(slot.rule)
        ]
        groups = []
        program = None
        if fused:
            label = f"{tag} records in ruleset {self.ruleset.label}"
            program = EventProgram([slot.rule for slot in fused], label)
            group = GroupCheck(
                rule_ids=tuple(slot.rule.id for slot in fused),
                run=lambda record, events, env: program.walk(record, events),
                decode=program.decode,
            )
            groups.append((self.group_count, group, tuple(fused)))
            self.group_count += 1
        by_kind: dict[str, list[_Slot]] = {}
        for slot in per_record:
            if slot not in fused:
                by_kind.setdefault(slot.rule.kind, []).append(slot)
        singles = []
        for kind_name, slots in by_kind.items():
            fuse = self.window is None and getattr(
                self.ruleset.kinds[kind_name], "compile_group", None
            )
            other = (
                fuse([slot.rule for slot in slots], context) if fuse and len(slots) > 1 else None
            )
            if other is None:
                singles.extend(slots)
            else:
                groups.append((self.group_count, other, tuple(slots)))
                self.group_count += 1
        return _Plan(tuple(groups), tuple(singles), aggregates, program)

    def _builtin(self, rule: Rule) -> bool:
        """Whether ``rule``'s kind is the built-in one of its name (a program knows its params)."""
        return self.ruleset.kinds[rule.kind] is BUILTIN_KINDS.get(rule.kind)

    # -- one record ---------------------------------------------------------------------------

    def _env(self, at: datetime) -> Env:
        moment = utc(at, "at")
        return Env(moment, to_us(moment), self.calendar, self.timelines)

    def _view(self, record: Record, at: datetime) -> history.Cycles | None:
        """A record's judged history as known at ``at`` (see :mod:`~qse_customer.core.history`),
        cycle by cycle; None when nothing of it was known by then."""
        judged = history.judged(record.events, at)
        if not judged:
            return None
        cycles = history.cycles(judged, record.LIFECYCLE.reopening)
        if history.has_administrative(record.events):
            cycles.whole = history.judged(record.events, at, administrative=True)
        return cycles

    def _backdated(self, record: Record, at: datetime) -> list[tuple[int, Event, int]]:
        """``(index, event, working days late)`` of the events known at ``at`` that were recorded
        after the ruleset's ``backdated_after`` limit from when they happened."""
        if record.history_facts[1] <= self._late_bound:
            return []
        found = []
        for index, event in history.backdated(record.events):
            recorded = event.recorded_at
            assert recorded is not None
            if recorded <= at and to_us(recorded) > self._late(to_us(event.at)):
                found.append((index, event, self._working_days(event.at, recorded)))
        return found

    def _working_days(self, start: datetime, end: datetime) -> int:
        """Working days from the day of ``start`` to the day of ``end`` (0: the same day)."""
        calendar = self.calendar
        return calendar.working_days_after(calendar.local(start).date(), calendar.local(end).date())

    def _judge(
        self,
        slot: _Slot,
        record: Record,
        cycles: history.Cycles,
        env: Env,
        settled: bool = False,
    ) -> tuple[Outcome, Sequence[Event], tuple[int, int] | None, list[int]] | None:
        """One rule's outcome over every cycle of a record: the worst cycle's (for a kind that
        judges cycle by cycle), with the events it was judged on, which cycle it was, and every
        cycle's status; a kind that is not per cycle judges the whole history once. None when
        other versions of the ruleset judge the record (each cycle is placed by its own start)."""
        if not getattr(self.ruleset.kinds[slot.rule.kind], "per_cycle", True):
            whole = cycles.whole
            outcome = self._outcome(slot, record, whole, env, settled)
            return None if outcome is None else (outcome, whole, None, [outcome[0]])
        if len(cycles) == 1:
            outcome = self._outcome(slot, record, cycles[0], env, settled)
            return None if outcome is None else (outcome, cycles[0], None, [outcome[0]])
        judged = [
            (number, cycle, outcome)
            for number, cycle in enumerate(cycles)
            if (outcome := self._outcome(slot, record, cycle, env, settled)) is not None
        ]
        if not judged:
            return None
        codes = [outcome[0] for _, _, outcome in judged]
        worst = min(judged, key=lambda item: (_SEVERITY[item[2][0]], -item[0]))
        number, cycle, outcome = worst
        return outcome, cycle, (number + 1, len(cycles)), codes

    def _finding(
        self,
        slot: _Slot,
        record: Record,
        events: Sequence[Event],
        outcome: Outcome,
        env: Env,
        period: str | None,
        cycle: tuple[int, int] | None = None,
        statuses: Sequence[int] = (),
    ) -> Finding:
        code, due, elapsed, facts = outcome
        if isinstance(facts, OutOfForce):
            return self._out_of_force(slot, record, facts, period)
        return self._explained_later(
            partial(
                CompiledRuleset._explanation,
                self,
                slot,
                record,
                events,
                outcome,
                env,
                cycle,
                statuses,
            ),
            slot,
            record,
            (code, due, elapsed),
            period,
        )

    def _explained_later(
        self,
        explain: Callable[[], tuple[dict[str, Any], str]],
        slot: _Slot,
        record: Record,
        settled: tuple[int, int | None, float | None],
        period: str | None,
    ) -> Finding:
        """A finding of ``slot``'s rule about ``record`` with the ``(code, due, elapsed)`` it was
        judged, explained by ``explain`` when its words are first read."""
        code, due, elapsed = settled
        rule = slot.rule
        return Finding.explained_later(
            explain,
            rule_id=rule.id,
            record_id=record.id,
            status=STATUSES[code],
            due_at=from_us(due) if due is not None else None,
            source=slot.source,
            record_type=record.TYPE,
            ruleset=self.ruleset.name,
            ruleset_version=self.ruleset.version,
            severity=rule.severity,
            period=period,
            elapsed=timedelta(seconds=elapsed) if elapsed is not None else None,
            measure=slot.compiled.measure,
        )

    def _clock_finding(
        self,
        slot: _Slot,
        record: Record,
        events: Sequence[Event],
        clock: tuple[Any, ...],
        env: Env,
        period: str,
    ) -> Finding:
        """The finding of a clock settled in a batch: ``clock`` is its settled ``(code, due,
        elapsed, share)``, its start and stop events' indices and instants, and whether it had
        an update (then its facts are the check's). Its outcome, facts included, is found only
        when its words are read (:meth:`_clock_explanation`)."""
        return self._explained_later(
            partial(CompiledRuleset._clock_explanation, self, slot, record, events, clock, env),
            slot,
            record,
            (clock[0], clock[1], clock[2]),
            period,
        )

    def _clock_explanation(
        self,
        slot: _Slot,
        record: Record,
        events: Sequence[Event],
        clock: tuple[Any, ...],
        env: Env,
    ) -> tuple[dict[str, Any], str]:
        """:meth:`_explanation` of a clock settled in a batch, its outcome found now: the
        rule's own check for a clock with an update (its facts name the update), else the
        batch's outcome of the settled clock."""
        if clock[8]:
            check = slot.compiled.check
            assert check is not None
            outcome = check(record, events, env)
        else:
            batch = slot.compiled.batch
            assert isinstance(batch, ClockBatch)
            outcome = batch.outcome((clock[4], clock[5], clock[6], clock[7]), clock[:4])
        return self._explanation(slot, record, events, outcome, env, None, ())

    def _explanation(
        self,
        slot: _Slot,
        record: Record,
        events: Sequence[Event],
        outcome: Outcome,
        env: Env,
        cycle: tuple[int, int] | None,
        statuses: Sequence[int],
    ) -> tuple[dict[str, Any], str]:
        """A finding's evidence and message (made when first read); in English, a
        :class:`~qse_customer.rules.findings.Message` that can be written again in another
        language."""
        code = outcome[0]
        rule = slot.rule
        t = env.t
        if slot.predicate is not None and code == NOT_APPLICABLE and not slot.predicate(record):
            evidence, body = self._unmatched(rule, record, t)
        else:
            explain = slot.compiled.explain
            evidence, body = explain(record, events, outcome, env) if explain else ({}, "")
        if cycle is not None:
            number, of = cycle
            evidence = {
                **evidence,
                "cycle": {
                    "number": number,
                    "of": of,
                    "started_at": events[0].at.isoformat(),
                    "statuses": [STATUSES[c].value for c in statuses],
                },
            }
            if number == 1:
                text = t.gettext("cycle {number} of {of} (opened {when}): {explanation}")
            else:
                text = t.gettext("cycle {number} of {of} (reopened {when}): {explanation}")
            body = text.format(
                number=t.number(number),
                of=t.number(of),
                when=env.show_at(events[0]),
                explanation=body,
            )
        late = self._backdated(record, env.at)
        if late:
            evidence = {
                **evidence,
                "backdated": [
                    {
                        "event": index,
                        "kind": event.kind,
                        "at": event.at.isoformat(),
                        "recorded_at": event.recorded_at.isoformat() if event.recorded_at else None,
                        "working_days_late": days,
                    }
                    for index, event, days in late
                ],
            }
            body += t.gettext(" Back-dated: {events}.").format(
                events=t.gettext("; ").join(
                    t.ngettext(
                        "{kind} of {when} recorded {count} working day after it happened",
                        "{kind} of {when} recorded {count} working days after it happened",
                        days,
                    ).format(kind=event.kind, when=env.show_at(event), count=t.number(days))
                    for _, event, days in late
                )
            )
        message = _verdict(rule.id, code, slot.source, body, t)
        if not t.is_source:
            return evidence, message
        return evidence, Message(
            message, _Again(self, slot, record, events, outcome, env, cycle, statuses)
        )

    def _message_in(
        self,
        slot: _Slot,
        record: Record,
        events: Sequence[Event],
        outcome: Outcome,
        env: Env,
        cycle: tuple[int, int] | None,
        statuses: Sequence[int],
        t: Translator,
    ) -> str:
        """A finding's message explained again in ``t``'s language."""
        return self._explanation(slot, record, events, outcome, env.in_locale(t), cycle, statuses)[
            1
        ]

    @staticmethod
    def _unmatched(
        rule: Rule, record: Record, t: Translator = ENGLISH
    ) -> tuple[dict[str, Any], str]:
        failing = []
        for name, condition in rule.applies_to.where.items():
            single = compile_where({name: condition})
            if single is not None and not single(record):
                value = _shown(field_getter(name)(record))
                wanted = dict(condition) if isinstance(condition, Mapping) else condition
                if value is not None:
                    text = t.gettext("{field} must be {condition} (it is {value})")
                else:
                    text = t.gettext("{field} must be {condition}")
                failing.append(
                    (
                        name,
                        wanted,
                        text.format(
                            field=name, condition=_condition_text(condition, t), value=value
                        ),
                    )
                )
        evidence = {"conditions_not_met": [{"field": n, "condition": c} for n, c, _ in failing]}
        return (
            evidence,
            t.gettext("the {noun} is outside the rule's scope: {conditions}.").format(
                noun=record_noun(record.TYPE, t),
                conditions=t.gettext("; ").join(text for *_, text in failing),
            ),
        )

    def _out_of_force(
        self, slot: _Slot, record: Record, facts: OutOfForce, period: str | None
    ) -> Finding:
        window = self.window
        assert window is not None
        event = facts.event
        return Finding(
            slot.rule.id,
            record.id,
            Status.NOT_APPLICABLE,
            None,
            {"placed_by": event.kind, "placed_at": event.at.isoformat(), **window.to_dict()},
            Message(
                self._out_of_force_message(slot, record, facts, ENGLISH),
                partial(self._out_of_force_message, slot, record, facts),
            ),
            slot.source,
            record_type=record.TYPE,
            ruleset=self.ruleset.name,
            ruleset_version=self.ruleset.version,
            severity=slot.rule.severity,
            period=period,
        )

    def _out_of_force_message(
        self, slot: _Slot, record: Record, facts: OutOfForce, t: Translator
    ) -> str:
        """Why a record placed outside the ruleset's time in force is not judged, in ``t``."""
        window = self.window
        assert window is not None
        event = facts.event
        noun = record_noun(record.TYPE, t)
        if event is record.events[0]:
            happened = t.gettext("the {noun} was opened ({kind}) on").format(
                noun=noun, kind=event.kind
            )
        else:
            happened = t.gettext("its clock started ({kind}) on").format(kind=event.kind)
        name = self.ruleset.name
        if facts.where == NOT_YET:
            when = t.gettext("before ruleset {name} took effect on {day}").format(
                name=name, day=window.first_day if t.is_source else t.date(window.first_date)
            )
        else:
            when = t.gettext("after ruleset {name} ceased to apply on {day}").format(
                name=name, day=window.last_day if t.is_source else t.date(window.last_date)
            )
        local = event.at.astimezone(self.zone)
        shown = f"{local:%a %d %b %Y}" if t.is_source else t.weekday_date(local.date())
        return _verdict(
            slot.rule.id, NOT_APPLICABLE, slot.source, f"{happened} {shown}, {when}.", t
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

        def again(t: Translator) -> str:
            return _verdict(
                rule.id, code, slot.source, accumulator.explain(outcome, env.in_locale(t))[1], t
            )

        return Finding(
            rule.id,
            None,
            STATUSES[code],
            from_us(due) if due is not None else None,
            evidence,
            Message(f"{rule.id} {_WORDS[code]} ({slot.source}): {body}", again),
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
        for record in _checked_iterable(records):
            plan = self.plans.get(getattr(record, "TYPE", ""))
            if plan is None:
                _check_record(record)
                continue
            cycles = self._view(record, env.at)
            if cycles is None:
                continue
            events = cycles.whole
            opened = to_us(events[0].at)
            key = index.key(opened)
            settled = self.window is None or self.window.settles(events[0].at)
            for slot in plan.record_slots:
                judged_outcome = self._judge(slot, record, cycles, env, settled)
                if judged_outcome is None:
                    continue
                outcome, judged, cycle, codes = judged_outcome
                code = outcome[0]
                for rule_id, granularity in wanted_shares:
                    if rule_id == slot.rule.id and code <= BREACHED:
                        tally = shares.setdefault((rule_id, granularity), {})
                        counts = tally.setdefault(indexes[granularity].key(opened), [0, 0])
                        counts[0] += code == 0
                        counts[1] += 1
                if code in want:
                    yield self._finding(slot, record, judged, outcome, env, key, cycle, codes)
            for slot in plan.aggregates:
                if slot.predicate is None or slot.predicate(record):
                    accumulator = accumulators[slot.index][1]
                    at_key, begin, _ = indexes[accumulator.granularity].locate(events[0].at)
                    if self.window is None or self.window.place(begin) == IN_FORCE:
                        accumulator.observe(record, events, at_key, env)
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
        engine: Engine = "fast",
    ) -> Report:
        """Check every record once and summarise per rule and period (see :class:`Report`);
        ``engine="plain"`` runs each rule's own check on each record instead of the generated
        loop: the same report, slower (the fast path is tested against it)."""
        checking = self.checking(
            at=at, period=period, keep=keep, max_findings=max_findings, engine=engine
        )
        checking.feed(records)
        return checking.report()

    def checking(
        self,
        *,
        at: datetime,
        period: Granularity = "month",
        keep: Iterable[Status | str] = _DEFAULT_KEEP,
        max_findings: int = 10_000,
        engine: Engine = "fast",
    ) -> Checking:
        """:meth:`check` fed its records in steps: :meth:`Checking.feed` them in batches, in
        order, then :meth:`Checking.report` gives the report :meth:`check` gives over them all
        (one pass over a store can feed several rulesets this way)."""
        if engine not in ENGINES:
            raise ValidationError.single(
                "engine", f"expected one of {', '.join(ENGINES)}, got {engine!r}"
            )
        return Checking(self, _CheckRun(self, at, period, keep, max_findings), engine)

    def _outcome(
        self,
        slot: _Slot,
        record: Record,
        events: Sequence[Event],
        env: Env,
        settled: bool = False,
        matched: bool = False,
    ) -> Outcome | None:
        """One rule's outcome for one record, outside a fused group (to explain it); None when
        another version of the ruleset judges the record. ``settled``: the caller knows that
        the ruleset is in force for the whole record; ``matched``: that the rule's conditions
        hold for it."""
        window = self.window
        if window is not None and not settled:
            event = slot.anchor(events)
            where = window.place(event.at)
            if where != IN_FORCE:
                if where == ELSEWHERE:
                    return None
                return Outcome(NOT_APPLICABLE, None, None, OutOfForce(where, event))
        if not matched and slot.predicate is not None and not slot.predicate(record):
            return _OUTSIDE
        check = slot.compiled.check
        assert check is not None
        return check(record, events, env)

    def _totals(self, table: _PeriodTable) -> list[int]:
        """Five counts per rule: the single rules' counters plus the decoded fused signatures."""
        totals = list(table.counts)
        for key, records in table.outside.items():
            positions = key.positions if isinstance(key, _Script) else key
            for position in positions:
                totals[position] += records
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


class Checking:
    """One check of a compiled ruleset fed its records in steps (see
    :meth:`CompiledRuleset.checking`)."""

    def __init__(self, compiled: CompiledRuleset, run: _CheckRun, engine: Engine) -> None:
        self._run = run
        self._plain = engine == "plain"
        self._scan = compiled._scan
        self._seen = 0
        self._reported = False

    def feed(self, records: Iterable[Record]) -> None:
        """Check the next ``records`` (those fed before them come first)."""
        if self._reported:
            raise ValidationError.single("$.records", "this check has made its report already")
        records = _checked_iterable(records)
        run = self._run
        self._seen += run.plain(records) if self._plain else self._scan(records, run)
        run.fed()

    def report(self) -> Report:
        """The report over every record fed; the check takes no more records after it."""
        if self._reported:
            raise ValidationError.single("report", "this check has made its report already")
        self._reported = True
        return self._run.report(self._seen)


class _CheckRun:
    """One run of :meth:`CompiledRuleset.check`: the counters, sketches and findings it fills.

    The generated loop (:func:`~qse_customer.rules._codegen.scan_function`) reads its attributes
    and calls its methods back: :meth:`view`, :meth:`switch`, :meth:`entry`, :meth:`emit`,
    :meth:`resolve`, :meth:`rest`, :meth:`observe`, :meth:`multi`; :meth:`plain` walks the
    records with each rule's own check instead. :meth:`report` sums it all up.
    """

    def __init__(
        self,
        compiled: CompiledRuleset,
        at: datetime,
        period: Granularity,
        keep: Iterable[Status | str],
        max_findings: int,
    ) -> None:
        self.compiled = compiled
        self.env = compiled._env(at)
        self.at = self.env.at
        self.want = _statuses(keep)
        self.period = period
        self.max_findings = max_findings
        self.accumulators = {
            slot.index: (slot, slot.compiled.aggregate())
            for slot in compiled.slots
            if slot.compiled.aggregate is not None
        }
        index = compiled._indexes(period)
        extra: dict[str, PeriodIndex] = {
            g: compiled._indexes(g) for g in {a.granularity for _, a in self.accumulators.values()}
        }
        extra.pop(period, None)
        # One table per combination of period keys (the report's granularity first, then the
        # aggregates' own): a record's counts go to one table, summed per granularity at the end.
        self.granularities: tuple[str, ...] = (period, *extra)
        self.indexes: dict[str, PeriodIndex] = {period: index, **extra}
        self.locators = tuple(index.locate for index in self.indexes.values())
        self.combos: dict[tuple[str, ...], _PeriodTable] = {}
        self.sketches: dict[int, ElapsedSketch] = {}
        self.period_sketches: dict[tuple[int, str], ElapsedSketch] = {}
        self.findings: list[Finding] = []
        self.omitted = 0
        self.groups = {
            number: (group, slots)
            for plan in compiled.plans.values()
            for number, group, slots in plan.groups
        }
        self.hits: dict[tuple[int, Hashable], tuple[_Slot, ...]] = {}
        self.plans = list(compiled.plans.values())
        self.plan_numbers = {tag: number for number, tag in enumerate(compiled.plans)}
        # Per plan: its other fused groups, its single rules, its aggregates.
        self.parts = [self._parts(plan) for plan in self.plans]
        self.classes = compiled._classes
        self.zero = from_us(0)
        # Records whose events were recorded before stamping; back-dated events.
        self.tally = [0, 0]
        # Plans whose clock rules are judged in batches (see :meth:`_rest_of`), the clocks
        # probed and not yet settled, and the findings to keep, in the order of the records.
        self.batching = [self._batches(plan) for plan in self.plans]
        window = compiled.window
        # A record is judged in a batch when the ruleset is in force from its first event on:
        # from ``batch_from`` (None: always), never when the ruleset ceases to apply.
        self.batch_from = window.start if window is not None else None
        self.batch_never = window is not None and window.end is not None
        self.choices = [plan.choice.choose for plan in self.plans]
        # The columns of the clocks waiting to be settled, in order; the findings to keep, in
        # the order of the records (a waiting clock's column, then its position).
        self.active: list[_Column] = []
        self.ordered: list[Any] = []
        # Whether a finding may still be kept (once the report is full, none is).
        self.keeping = bool(self.want) and max_findings > 0
        self.rests = [self._rest_of(number) for number in range(len(self.plans))]
        # Clocks settled in lists while numpy was not loaded (see :meth:`_in_arrays`).
        self.listed = 0

    # -- what the generated loop calls --------------------------------------------------------

    def view(self, record: Record, at: datetime) -> history.Cycles | None:
        """A record's judged history, counting its back-dated events."""
        cycles = self.compiled._view(record, at)
        if cycles is not None and record.events[-1].recorded_at is not None:
            self.tally[1] += len(self.compiled._backdated(record, at))
        return cycles

    def switch(self, first: datetime) -> tuple[str, datetime, datetime, _PeriodTable]:
        """The period (of every granularity in use) of a record opened at ``first``: its key in
        the report's granularity, when the periods begin and end, and their counters."""
        found = [locate(first) for locate in self.locators]
        combo = tuple(key for key, _, _ in found)
        table = self.combos.get(combo)
        if table is None:
            compiled = self.compiled
            table = self.combos[combo] = _PeriodTable(len(compiled.slots), compiled.group_count)
        low = max(begin for _, begin, _ in found)
        high = min(end for _, _, end in found)
        return combo[0], low, high, table

    def entry(self, number: int, signature: Hashable) -> list[Any]:
        """A new counter for a group's signature, with the rules whose finding is kept."""
        wanted = self.hits.get((number, signature))
        if wanted is None:
            group, slots = self.groups[number]
            codes = group.decode(signature)
            wanted = self.hits[(number, signature)] = tuple(
                slot for slot, code in zip(slots, codes, strict=True) if code in self.want
            )
        return [0, wanted]

    def emit(
        self, record: Record, events: Sequence[Event], slots: Sequence[_Slot], key: str
    ) -> None:
        """Findings of a group's rules for one record (each explained by its own check)."""
        if self.active or self.ordered:
            self.flush()
        compiled = self.compiled
        env = self.env
        findings = self.findings
        for slot in slots:
            if len(findings) >= self.max_findings:  # full() inline: this is the hot path
                self.omitted += 1
                continue
            outcome = compiled._outcome(slot, record, events, env)
            assert outcome is not None  # grouped rules are never placed in a window
            findings.append(compiled._finding(slot, record, events, outcome, env, key))

    def _parts(
        self, plan: _Plan
    ) -> tuple[
        tuple[tuple[int, Callable[[Record, Sequence[Event], Env], Hashable]], ...],
        tuple[_Slot, ...],
        tuple[tuple[Predicate | None, Aggregate], ...],
    ]:
        others = plan.groups[1:] if plan.program is not None else plan.groups
        return (
            tuple((number, group.run) for number, group, _ in others),
            plan.singles,
            tuple((slot.predicate, self.accumulators[slot.index][1]) for slot in plan.aggregates),
        )

    def _batches(self, plan: _Plan) -> bool:
        """Whether ``plan``'s clock rules are judged in batches (settled with numpy when it is
        installed, in lists otherwise; see :meth:`flush`): for a plan of single rules (no fused
        group), when a finding "not applicable" is not kept (so each record's rules are chosen
        by their conditions); a record the ruleset is not in force for all through is judged
        by :meth:`rest_each`."""
        return (
            not plan.groups
            and NOT_APPLICABLE not in self.want
            and any(slot.compiled.batch is not None for slot in plan.singles)
        )

    def rest(
        self, number: int, record: Record, events: Sequence[Event], table: _PeriodTable, key: str
    ) -> None:
        """Plan ``number``'s rules outside its event program: other groups, then singles (what
        the generated loop calls: ``rests[number]``, the batched path where it applies)."""
        self.rests[number](record, events, table, key)

    def rest_each(
        self, number: int, record: Record, events: Sequence[Event], table: _PeriodTable, key: str
    ) -> None:
        """:meth:`rest`, each rule on its own."""
        if self.active or self.ordered:
            self.flush()
        runs, singles, _ = self.parts[number]
        env = self.env
        for group, check in runs:
            signature = check(record, events, env)
            tally = table.signatures[group]
            found = tally.get(signature)
            if found is None:
                found = tally[signature] = self.entry(group, signature)
            found[0] += 1
            if found[1]:
                self.emit(record, events, found[1], key)
        counts = table.counts
        compiled = self.compiled
        window = compiled.window
        want = self.want
        settled = window is None or window.settles(events[0].at)
        matched = settled and NOT_APPLICABLE not in want
        if matched:
            singles, outside, _, _ = self.plans[number].choice.choose(record)
            pending = table.outside  # the rules that do not apply: counted at the end
            pending[outside] = pending.get(outside, 0) + 1
        for slot in singles:
            outcome = compiled._outcome(slot, record, events, env, settled, matched)
            if outcome is None:
                continue
            code = outcome[0]
            counts[slot.index * 5 + code] += 1
            elapsed = outcome[2]
            if elapsed is not None:
                self.elapsed(slot, key, elapsed)
            if code in want and not self.full():
                self.findings.append(compiled._finding(slot, record, events, outcome, env, key))

    def _rest_of(self, number: int) -> Callable[[Record, Sequence[Event], _PeriodTable, str], None]:
        """Plan ``number``'s :meth:`rest`: :meth:`rest_each`, or for a plan judged in batches
        a function of one record (the batched path) that leaves a record the ruleset is not in
        force for all through to :meth:`rest_each`.

        The batched path: the record's script (:class:`_Script`), found once per combination of
        rule conditions and sequence of event kinds, says which rules have a fixed outcome for
        it (counted at the end), which clocks are plain (their start and stop instants wait in
        a column for :meth:`flush` to settle them many at a time) and which rules run their own
        check; the findings to keep wait in order, so the report lists them as
        :meth:`rest_each` would."""
        each = partial(self.rest_each, number)
        if not self.batching[number] or self.batch_never:
            return each
        run = self
        choice = self.plans[number].choice
        read, cache_get, choose = choice._read, choice._cache.get, choice.choose
        together, read_each = choice._together, choice._read_each
        plain = choice._plain
        width = choice._width
        script_of = self.compiled._script
        start_from = self.batch_from
        env = self.env
        want = self.want
        active = self.active
        ordered = self.ordered
        ordered_extend = ordered.extend
        epoch = EPOCH
        batch_size = _BATCH
        waiting = 0  # clocks this path added since it last had them settled (at most)

        def batched(record: Record, events: Sequence[Event], table: _PeriodTable, key: str) -> None:
            if start_from is not None and events[0].at < start_from:  # Window.settles
                each(record, events, table, key)
                return
            # read_all inline: the values, then their types (unpacked for two to four fields)
            if width == 4:
                try:
                    a, b, c, d = plain(record)  # type: ignore[misc]
                except AttributeError:
                    values = read_each(record)
                else:
                    values = (a, b, c, d, a.__class__, b.__class__, c.__class__, d.__class__)
            elif width == 3:
                try:
                    a, b, c = plain(record)  # type: ignore[misc]
                except AttributeError:
                    values = read_each(record)
                else:
                    values = (a, b, c, a.__class__, b.__class__, c.__class__)
            elif width == 2:
                try:
                    a, b = plain(record)  # type: ignore[misc]
                except AttributeError:
                    values = read_each(record)
                else:
                    values = (a, b, a.__class__, b.__class__)
            elif together is not None:
                try:
                    values = together(record)
                except AttributeError:
                    values = read_each(record)
            else:
                values = read(record)
            try:
                chosen = cache_get(values)
            except TypeError:
                chosen = None
            if chosen is None:
                chosen = choose(record)
            scripts = chosen[3]
            # The kinds of the events, as tuple([event.kind for event in events]) gives them,
            # built without a list for the usual lengths.
            n = len(events)
            if n == 2:
                kinds: tuple[str, ...] = (events[0].kind, events[1].kind)
            elif n == 3:
                kinds = (events[0].kind, events[1].kind, events[2].kind)
            elif n == 4:
                kinds = (events[0].kind, events[1].kind, events[2].kind, events[3].kind)
            elif n == 1:
                kinds = (events[0].kind,)
            else:
                kinds = tuple([event.kind for event in events])
            script = scripts.get(kinds) if scripts is not None else None
            if script is None:
                script = script_of(chosen, kinds)
            pending = table.outside
            tally = script.key
            pending[tally] = pending.get(tally, 0) + 1
            steps = script.steps
            if not steps:
                return
            shared = script.instants
            if shared is not None:  # instants several clocks read, each converted once
                stamps = [
                    (d := events[k].at - epoch).days * 86_400_000_000
                    + d.seconds * 1_000_000
                    + d.microseconds
                    for k in shared
                ]
            columns = table.columns
            keeping = run.keeping
            for what, index, base, check, i, stop, person, update, by_person, slot, si, sj in steps:
                # A plain clock waits in its column (one whose stop has no actor is left to
                # its check); recorded_details is told where its events are.
                if what > 0 and (person < 0 or events[person].actor is not None):
                    column = columns[index]
                    if column is None:
                        column = columns[index] = _Column(slot, table, key)
                        active.append(column)
                    if update < 0:
                        repeat = -1
                    elif by_person and events[update].actor is None:
                        repeat = -2  # made by no one where only a person's counts: ignored
                    else:
                        # (at - EPOCH) // MICROSECOND, from the difference's parts (cheaper)
                        d = events[update].at - epoch
                        repeat = d.days * 86_400_000_000 + d.seconds * 1_000_000 + d.microseconds
                    if si >= 0:
                        column.times += (stamps[si], stamps[sj] if sj >= 0 else -1, repeat)
                    else:
                        d = events[i].at - epoch
                        begun = d.days * 86_400_000_000 + d.seconds * 1_000_000 + d.microseconds
                        if stop >= 0:
                            d = events[stop].at - epoch
                            ended = d.days * 86_400_000_000 + d.seconds * 1_000_000 + d.microseconds
                        else:
                            ended = -1
                        column.times += (begun, ended, repeat)
                    if keeping:  # flat, no tuple kept (fewer objects for the collector)
                        refs = column.refs
                        ordered_extend((column, len(refs) >> 2))
                        refs.extend((record, events, i, stop))
                    continue
                outcome = check(record, events, i) if what < 0 else check(record, events, env)
                code = outcome[0]
                table.counts[base + code] += 1
                elapsed = outcome[2]
                if elapsed is not None:
                    run.elapsed(slot, key, elapsed)
                if code in want:
                    if keeping:
                        ordered.append((slot, record, events, outcome, key))
                    else:  # the report is full: only counted
                        run.omitted += 1
            nonlocal waiting
            waiting += script.clocks
            if waiting >= batch_size:
                waiting = 0
                run.flush()

        return batched

    def flush(self) -> None:
        """Settle the clocks waiting in columns, count them, and keep the findings waiting, in
        order."""
        if not self.active and not self.ordered:
            return
        # Emptied in place: the batched path holds these lists.
        active, ordered = self.active[:], self.ordered[:]
        self.active.clear()
        self.ordered.clear()
        want = self.want
        by_slot: dict[int, list[_Column]] = {}
        clocks = 0
        for column in active:
            column.table.columns[column.slot.index] = None
            by_slot.setdefault(column.slot.index, []).append(column)
            clocks += len(column.times)
        if self._in_arrays(clocks // 3):
            self._settle_arrays(by_slot)
        else:
            self._settle_lists(by_slot)
        compiled = self.compiled
        env = self.env
        findings = self.findings
        limit = self.max_findings
        place = 0
        while place < len(ordered):
            entry = ordered[place]
            place += 1
            if entry.__class__ is _Column:  # a waiting clock: its column, then its position
                column = entry
                position = ordered[place]
                place += 1
                assert column.settled is not None
                codes_of, dues, spent_of, shares_of = column.settled
                code = codes_of[position]
                if code not in want:
                    continue
                if len(findings) >= limit:  # full() inline
                    self.omitted += 1
                    continue
                record, events, i, j = column.refs[4 * position : 4 * position + 4]
                times = column.times
                spent_s = spent_of[position]
                share = shares_of[position]
                # The finding's status, deadline and elapsed time are the settled ones (the
                # check's, tests/test_rules_batch_scripts.py); its facts are found when its
                # words are read.
                clock = (
                    code,
                    dues[position],
                    None if spent_s != spent_s else spent_s,
                    None if share != share else share,
                    i,
                    j,
                    times[3 * position],
                    times[3 * position + 1],
                    times[3 * position + 2] != -1,
                )
                findings.append(
                    compiled._clock_finding(column.slot, record, events, clock, env, column.key)
                )
            else:
                slot, record, events, outcome, key = entry
                if len(findings) >= limit:  # full() inline
                    self.omitted += 1
                else:
                    findings.append(compiled._finding(slot, record, events, outcome, env, key))
        self.keeping = self.keeping and len(findings) < self.max_findings

    def _in_arrays(self, clocks: int) -> bool:
        """Whether ``clocks`` waiting clocks are settled with numpy: when it is installed, and
        either loaded already or past the first :data:`_IN_LISTS` clocks of the check, which
        are settled in lists (the same answers: see :meth:`_settle_lists`)."""
        if self.listed < _IN_LISTS and not _numpy_loaded():
            self.listed += clocks
            return False
        return numpy_module() is not None

    def fed(self) -> None:
        """What a feed leaves waiting: findings to keep are kept now (the records they need are
        not held past their feed); clocks waiting alone, with no finding to keep, wait for the
        next feed's, up to :data:`_HELD` of them, and are settled with them (fewer and larger
        batches: a store is fed 512 records at a time, which is few clocks to settle at once).
        :meth:`report` settles whatever is left."""
        if self.ordered or sum(len(column.times) for column in self.active) >= 3 * _HELD:
            self.flush()

    def _settle_arrays(self, by_slot: Mapping[int, list[_Column]]) -> None:
        """Settle and count the waiting clocks of each rule with numpy (:meth:`flush`)."""
        np = numpy_module()
        want = self.want
        at = self.env.at_us
        for index, columns in by_slot.items():
            batch = columns[0].slot.compiled.batch
            assert isinstance(batch, ClockBatch)
            total = sum(len(column.times) for column in columns)
            triples = np.fromiter(
                chain.from_iterable(column.times for column in columns), np.int64, total
            ).reshape(-1, 3)
            starts = np.ascontiguousarray(triples[:, 0])
            stops = np.ascontiguousarray(triples[:, 1])
            repeats = np.ascontiguousarray(triples[:, 2])
            codes, due, seconds, shares = batch.settle_arrays(starts, stops, at, repeats)
            base = index * 5
            self.sketch(index).add_array(seconds[~np.isnan(seconds)])
            offset = 0
            for column in columns:
                end = offset + len(column.times) // 3
                part = codes[offset:end]
                counts = column.table.counts
                numbers = np.bincount(part, minlength=5).tolist()
                for code, number in enumerate(numbers):
                    if number:
                        counts[base + code] += number
                spent = seconds[offset:end]
                values = spent[~np.isnan(spent)]
                if len(values):
                    self.sketch(index, column.key).add_array(values)
                if want:
                    kept = len(column.refs) >> 2
                    kept_codes: list[int] = part[:kept].tolist() if kept else []
                    if kept:
                        column.settled = (
                            kept_codes,
                            due[offset : offset + kept].tolist(),
                            spent[:kept].tolist(),
                            shares[offset : offset + kept].tolist(),
                        )
                    if kept < end - offset:  # clocks waiting once the report was full: the
                        # wanted ones of the column less those of the clocks kept
                        self.omitted += sum(numbers[code] for code in want) - sum(
                            1 for code in kept_codes if code in want
                        )
                offset = end

    def _settle_lists(self, by_slot: Mapping[int, list[_Column]]) -> None:
        """Settle and count the waiting clocks of each rule without numpy (:meth:`flush`):
        what :meth:`_settle_arrays` does, in lists."""
        want = self.want
        at = self.env.at_us
        for index, columns in by_slot.items():
            batch = columns[0].slot.compiled.batch
            assert isinstance(batch, ClockBatch)
            base = index * 5
            whole = self.sketch(index)
            for column in columns:
                codes, due, seconds, shares = batch.settle_flat(column.times, at)
                counts = column.table.counts
                for code in range(5):
                    number = codes.count(code)
                    if number:
                        counts[base + code] += number
                spent = [value for value in seconds if value is not None]
                if spent:
                    period = self.sketch(index, column.key)
                    # The buckets' logarithms taken once for both sketches, when both need them.
                    counted = bucket_counts(spent) if not (whole.exact or period.exact) else None
                    whole.add_many(spent, counted)
                    period.add_many(spent, counted)
                if want:
                    kept = len(column.refs) >> 2
                    if kept:
                        column.settled = (codes[:kept], due[:kept], seconds[:kept], shares[:kept])
                    if kept < len(codes):  # clocks waiting once the report was full
                        self.omitted += sum(1 for code in codes[kept:] if code in want)

    def observe(
        self, number: int, record: Record, events: Sequence[Event], first: datetime
    ) -> None:
        """Feed the record to plan ``number``'s aggregates that its ``applies_to`` matches (and,
        for a ruleset in force for a while, whose period began while it was)."""
        window = self.compiled.window
        indexes = self.indexes
        opened = to_us(first)
        for predicate, accumulator in self.parts[number][2]:
            if predicate is None or predicate(record):
                index = indexes[accumulator.granularity]
                if window is None:
                    key = index.key(opened)
                else:
                    key, begin, _ = index.locate(first)
                    if window.place(begin) != IN_FORCE:
                        continue
                accumulator.observe(record, events, key, self.env)

    def resolve(self, record: object) -> int:
        """The plan number of a record's class (-1: no rule is about its type)."""
        _check_record(record)
        assert isinstance(record, Record)
        number = self.plan_numbers.get(record.TYPE, -1)
        self.classes[type(record)] = number
        return number

    def multi(
        self, record: Record, cycles: history.Cycles, table: _PeriodTable, key: str, number: int
    ) -> None:
        """Every rule on one record, each judged over its cycles (a reopened record has
        several), and the record fed to the plan's aggregates."""
        if self.active or self.ordered:
            self.flush()
        compiled = self.compiled
        env = self.env
        plan = self.plans[number]
        counts = table.counts
        window = compiled.window
        settled = window is None or window.settles(cycles.whole[0].at)
        for slot in plan.record_slots:
            judged_outcome = compiled._judge(slot, record, cycles, env, settled)
            if judged_outcome is None:
                continue
            outcome, judged, cycle, codes = judged_outcome
            code = outcome[0]
            counts[slot.index * 5 + code] += 1
            if outcome[2] is not None:
                self.elapsed(slot, key, outcome[2])
            if code in self.want and not self.full():
                self.findings.append(
                    compiled._finding(slot, record, judged, outcome, env, key, cycle, codes)
                )
        if plan.aggregates:
            self.observe(number, record, cycles.whole, cycles.whole[0].at)

    # -- what both paths use ------------------------------------------------------------------

    def full(self) -> bool:
        """Whether the report holds ``max_findings`` already (a finding to keep is then only
        counted as omitted)."""
        if len(self.findings) >= self.max_findings:
            self.omitted += 1
            return True
        return False

    def sketch(self, index: int, key: str | None = None) -> ElapsedSketch:
        """Rule ``index``'s sketch of elapsed times: the whole run's, or period ``key``'s."""
        if key is None:
            found = self.sketches.get(index)
            if found is None:
                found = self.sketches[index] = ElapsedSketch()
            return found
        per = self.period_sketches.get((index, key))
        if per is None:
            per = self.period_sketches[(index, key)] = ElapsedSketch()
        return per

    def elapsed(self, slot: _Slot, key: str, elapsed: float) -> None:
        """Add a stopped clock's elapsed time to the rule's sketches (whole run, period)."""
        self.sketch(slot.index).add(elapsed)
        self.sketch(slot.index, key).add(elapsed)

    # -- the plain path -----------------------------------------------------------------------

    def plain(self, records: Iterable[Record]) -> int:
        """Walk ``records`` with each rule's own check on each record, no event program and no
        counted signature (what the generated loop is tested against); the records seen."""
        seen = 0
        at = self.at
        for record in records:
            number = self.classes.get(record.__class__)
            if number is None:
                number = self.resolve(record)
            if number < 0:
                continue
            if record.history_facts[2]:
                self.tally[0] += 1
            cycles = self.view(record, at)
            if cycles is None:
                continue
            seen += 1
            key, _, _, table = self.switch(cycles[0][0].at)
            self.multi(record, cycles, table, key, number)
        return seen

    # -- the report ---------------------------------------------------------------------------

    def report(self, seen: int) -> Report:
        """The report of the run, once every record has been seen."""
        self.flush()
        compiled = self.compiled
        by_granularity = self.counts_by_granularity()
        per_period = by_granularity[self.period]
        period_outcomes = self.finish_aggregates(by_granularity)
        summaries = tuple(
            compiled._summary(
                slot, per_period, period_outcomes, self.sketches, self.period_sketches
            )
            for slot in compiled.slots
        )
        return Report(
            ruleset=compiled.ruleset.name,
            ruleset_version=compiled.ruleset.version,
            at=self.at,
            period=self.period,
            timezone=compiled.calendar.timezone,
            calendar=compiled.calendar.to_dict(),
            records=seen,
            rules=summaries,
            findings=tuple(self.findings),
            kept=tuple(STATUSES[code] for code in sorted(self.want)),
            findings_omitted=self.omitted,
            unstamped_records=self.tally[0],
            backdated_events=self.tally[1],
            backdated_after=compiled.backdated_after.to_dict(),
        )

    def counts_by_granularity(self) -> dict[str, dict[str, list[int]]]:
        """Five counts per rule, per period key, per granularity in use."""
        by_granularity: dict[str, dict[str, list[int]]] = {g: {} for g in self.granularities}
        for combo, table in self.combos.items():
            totals = self.compiled._totals(table)
            for granularity, key in zip(self.granularities, combo, strict=True):
                into = by_granularity[granularity].get(key)
                if into is None:
                    by_granularity[granularity][key] = list(totals)
                else:
                    for position, value in enumerate(totals):
                        if value:
                            into[position] += value
        return by_granularity

    def finish_aggregates(
        self, by_granularity: Mapping[str, Mapping[str, list[int]]]
    ) -> dict[int, list[tuple[str, int]]]:
        """Each aggregate's outcome per period (its findings kept as the others are)."""
        period_outcomes: dict[int, list[tuple[str, int]]] = {}
        for slot, accumulator in self.accumulators.values():
            shares = partial(self.shares, by_granularity[accumulator.granularity])
            for outcome in accumulator.finish(self.env, shares):
                period_outcomes.setdefault(slot.index, []).append((outcome[0], outcome[1]))
                if outcome[1] in self.want and not self.full():
                    self.findings.append(
                        self.compiled._period_finding(slot, accumulator, outcome, self.env)
                    )
        return period_outcomes

    def shares(self, table: Mapping[str, list[int]], rule_id: str) -> Mapping[str, tuple[int, int]]:
        """``{period key: (met, met + breached)}`` of rule ``rule_id`` in ``table``."""
        ruleset = self.compiled.ruleset
        position = ruleset.rules.index(ruleset.rule(rule_id)) * 5
        return {
            key: (values[position], values[position] + values[position + 1])
            for key, values in table.items()
            if values[position] + values[position + 1]
        }


class _Again:
    """How to write a finding's message again in another language (a
    :class:`~qse_customer.rules.findings.Message`'s): one small object, not a ``partial`` with
    its tuple and dict, as every kept finding holds one until it is dropped."""

    __slots__ = ("cycle", "env", "events", "outcome", "record", "ruleset", "slot", "statuses")

    def __init__(
        self,
        ruleset: CompiledRuleset,
        slot: _Slot,
        record: Record,
        events: Sequence[Event],
        outcome: Outcome,
        env: Env,
        cycle: tuple[int, int] | None,
        statuses: Sequence[int],
    ) -> None:
        self.ruleset = ruleset
        self.slot = slot
        self.record = record
        self.events = events
        self.outcome = outcome
        self.env = env
        self.cycle = cycle
        self.statuses = statuses

    def __call__(self, t: Translator) -> str:
        return self.ruleset._message_in(
            self.slot,
            self.record,
            self.events,
            self.outcome,
            self.env,
            self.cycle,
            self.statuses,
            t,
        )


def _verdict(rule_id: str, code: int, source: str, explanation: str, t: Translator) -> str:
    """``T-1 breached (source): explanation``, in ``t``'s language."""
    if t.is_source:
        return f"{rule_id} {_WORDS[code]} ({source}): {explanation}"
    return t.gettext("{rule_id} {status} ({source}): {explanation}").format(
        rule_id=rule_id, status=status_word(code, t), source=source, explanation=explanation
    )


def _condition_text(condition: Any, t: Translator = ENGLISH) -> str:
    if isinstance(condition, Mapping):
        operator, operand = next(iter(condition.items()))
        if operator == "in":
            listed = ", ".join(repr(v) for v in operand)
            return t.gettext("one of {values}").format(values=listed)
        if operator == "not_in":
            listed = ", ".join(repr(v) for v in operand)
            return t.gettext("none of {values}").format(values=listed)
        return t.gettext("anything but {value}").format(value=repr(operand))
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
    engine: Engine = "fast",
) -> Report:
    """Check ``records`` against ``ruleset`` as of ``at`` and summarise per rule and period.

    The report keeps the findings whose status is in ``keep`` (breached and at risk by default),
    at most ``max_findings`` of them; use :func:`evaluate` to stream every finding.
    ``engine="plain"`` runs each rule's own check on each record instead of the generated loop
    (the same report, slower: the path the fast one is proved equal to).
    """
    compiled = _compiled(ruleset, calendar, kinds)
    return compiled.check(
        records, at=at, period=period, keep=keep, max_findings=max_findings, engine=engine
    )


def _checked_iterable(records: Iterable[Record]) -> Iterable[Record]:
    """``records`` itself, if it can be iterated (anything else is a ValidationError)."""
    if not isinstance(records, Iterable):
        raise ValidationError.single(
            "$.records", f"expected an iterable of records, got {type(records).__name__}"
        )
    return records


def _check_record(record: object) -> None:
    """Refuse something that is not a record (records of types no rule is about are skipped)."""
    if not isinstance(record, Record):
        raise ValidationError.single(
            "$.records", f"expected records, got a {type(record).__name__}"
        )


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
