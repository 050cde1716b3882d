"""What a rule kind is: the protocol built-in kinds follow and plugins implement.

A rule kind is an object with a ``name``, the JSON Schema of its ``params``, and a ``compile``
method that turns one validated rule into a :class:`CompiledRule`: closures with everything
precomputed, which the engine then calls once per record (or, for an aggregate kind, feeds the
records of each period). Built-in kinds are registered in a mapping by name exactly as a plugin's
``qse_rule_kinds()`` hook returns its own; subclass :class:`BaseRuleKind` to get the optional
parts for free.

On the hot path a compiled rule returns an :class:`Outcome`, a named tuple
``(status code, deadline in epoch µs or None, elapsed seconds or None, facts)``; the engine only
asks ``explain`` for the evidence and the plain-English message when it builds a
:class:`~qse_customer.rules.findings.Finding`, so counting a million records costs no strings.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from attrs import field, frozen

from ..analysis.periods import Granularity
from ..core.calendar import WorkingCalendar
from ..core.errors import FieldError
from ..core.events import Event
from ..core.record import Record
from ..core.timestamps import from_us, to_us
from ..core.translation import ENGLISH, Translator
from ._timeline import Timeline
from ._wall_clock import DAYS as _DAYS
from ._wall_clock import MONTHS as _MONTHS
from ._wall_clock import wall_clock


class Outcome(NamedTuple):
    """What a compiled rule's check says of one record."""

    code: int
    """The status code (:data:`~qse_customer.rules.status.CODES`)."""
    due: int | None
    """The deadline, in epoch microseconds, or None."""
    elapsed: float | None
    """The seconds a stopped clock ran, or None."""
    facts: Any
    """Whatever the kind's ``explain`` needs to explain the outcome."""


Explanation = tuple[dict[str, Any], str]
"""Evidence as JSON types, and the message for an auditor."""

PeriodOutcome = tuple[str, int, int | None, Any]
"""Period key, status code, deadline (epoch µs: the end of the period) or None, facts."""

ShareLookup = Callable[[str], Mapping[str, tuple[int, int]]]
"""``rule id -> {period key: (met, met + breached)}`` in the aggregate's own periods."""

Check = Callable[[Record, Sequence[Event], "Env"], Outcome]
Explain = Callable[[Record, Sequence[Event], Outcome, "Env"], Explanation]
Predicate = Callable[[Record], bool]


class Env:
    """What one evaluation run knows: ``at``, and the calendars' arithmetic."""

    __slots__ = ("at", "at_us", "calendar", "t", "timeline", "timelines", "wall", "zone")

    def __init__(
        self, at: datetime, at_us: int, calendar: WorkingCalendar, timelines: Mapping[str, Timeline]
    ) -> None:
        self.at = at
        self.at_us = at_us
        self.calendar = calendar
        self.timeline = timelines[""]
        self.timelines = timelines
        self.zone = ZoneInfo(calendar.timezone)
        self.wall = wall_clock(self.zone)
        self.t: Translator = ENGLISH
        """The language of the messages ``explain`` writes (English unless :meth:`in_locale`)."""

    def in_locale(self, t: Translator) -> Env:
        """This run's knowledge, with messages in ``t``'s language (to explain a finding again
        for a report in another language, ``docs/i18n.md``)."""
        other = copy.copy(self)
        other.t = t
        return other

    def show(self, instant: int) -> str:
        """An instant on the lab's wall clock, for a message: ``Sat 09 May 2026 10:00 BST``."""
        if self.t.is_source:
            return self.wall.text(instant) or _wall_clock(from_us(instant).astimezone(self.zone))
        return _local_wall_clock(from_us(instant).astimezone(self.zone), self.t)

    def show_at(self, event: Event) -> str:
        """When an event happened, on the lab's wall clock."""
        if self.t.is_source:
            return self.wall.text(to_us(event.at)) or _wall_clock(event.at.astimezone(self.zone))
        return _local_wall_clock(event.at.astimezone(self.zone), self.t)

    def show_day(self, instant: int) -> str:
        """The lab's local date of an instant: ``Mon 11 May 2026``."""
        local = from_us(instant).astimezone(self.zone)
        if not self.t.is_source and 1000 <= local.year <= 9999:
            return self.t.weekday_date(local.date())
        if not 1000 <= local.year <= 9999:
            return local.strftime("%a %d %b %Y")
        return f"{_DAYS[local.weekday()]} {local.day:02d} {_MONTHS[local.month - 1]} {local.year}"


# _DAYS and _MONTHS: English names, as ``strftime`` gives them in the C locale (formatting by
# hand is twice as fast, and a finding's message does not change with the process's locale).


def _local_wall_clock(local: datetime, t: Translator) -> str:
    """An instant on its wall clock in ``t``'s language: ``sam. 09 mai 2026 10:00 BST``."""
    if not 1000 <= local.year <= 9999:
        return _wall_clock(local)
    return f"{t.datetime(local)} {local.tzname() or ''}".rstrip()


def _wall_clock(local: datetime) -> str:
    """``local.strftime("%a %d %b %Y %H:%M %Z")`` in the C locale."""
    if not 1000 <= local.year <= 9999:
        return local.strftime("%a %d %b %Y %H:%M %Z")
    return (
        f"{_DAYS[local.weekday()]} {local.day:02d} {_MONTHS[local.month - 1]} {local.year} "
        f"{local.hour:02d}:{local.minute:02d} {local.tzname() or ''}"
    )


class Aggregate(Protocol):
    """One run's state of an aggregate rule: it sees the records of each period, then judges."""

    granularity: Granularity

    def observe(self, record: Record, events: Sequence[Event], period: str, env: Env) -> None:
        """Take one record (already matched by the rule's ``applies_to``) of ``period``."""

    def finish(self, env: Env, shares: ShareLookup) -> Iterable[PeriodOutcome]:
        """One outcome per period, once every record has been seen."""

    def explain(self, outcome: PeriodOutcome, env: Env) -> Explanation:
        """Evidence and message for one period's outcome."""


class BatchCheck(Protocol):
    """A per-record rule that can also be judged many records at a time (the built-in clock
    rules; see :mod:`qse_customer.rules._clock_batch`): the engine ``probe``s each record's
    events, ``settle``s the probes of a batch together, and makes the ``outcome`` of those it
    keeps a finding for. Each outcome equals what the rule's ``check`` says of the record."""

    def probe(self, events: Sequence[Event]) -> Any:
        """A probe to settle later, the :class:`Outcome` itself, or None: ask ``check``."""

    def settle(self, probes: Sequence[Any], at: int) -> list[Any]:
        """What each probe settles to, judged at ``at`` (epoch µs), in order."""

    def outcome(self, probe: Any, settled: Any) -> Outcome:
        """The :class:`Outcome` of one settled probe."""


@frozen
class CompiledRule:
    """A rule ready to run: ``check`` per record, or ``aggregate`` for a per-period rule.

    ``measure`` says what ``elapsed`` means for this rule: ``"working time"`` or
    ``"calendar time"`` (None when the rule measures no time). ``batch``, when given, judges
    the same records as ``check`` many at a time (the engine uses it when numpy is installed).
    """

    check: Check | None = None
    explain: Explain | None = None
    measure: str | None = None
    aggregate: Callable[[], Aggregate] | None = None
    batch: BatchCheck | None = None


@frozen
class GroupCheck:
    """Several rules of one kind on one record type, fused into one pass over the events.

    ``run`` returns a small hashable signature that the engine counts; ``decode`` turns a
    signature into one status code per rule, in the order of ``rule_ids``.
    """

    rule_ids: tuple[str, ...]
    run: Callable[[Record, Sequence[Event], Env], Hashable]
    decode: Callable[[Hashable], tuple[int, ...]]


@frozen
class ValidationContext:
    """What a kind may consult when it checks a rule's params beyond their JSON Schema."""

    path: str
    record_types: tuple[str, ...]
    rule_ids: frozenset[str]
    rule_kinds: Mapping[str, str]
    calendars: frozenset[str]


@frozen
class CompileContext:
    """What a kind may use to compile a rule: the calendars, and the rule's ``applies_to``."""

    calendar: WorkingCalendar
    timelines: Mapping[str, Timeline]
    predicates: Mapping[str, Predicate | None] = field(factory=dict)

    def timeline(self, name: str | None) -> Timeline:
        """The timeline of a calendar named in the ruleset, or of the caller's (None)."""
        return self.timelines[name or ""]


@runtime_checkable
class RuleKind(Protocol):
    """A kind of rule: its name, its params' JSON Schema, and how it compiles."""

    name: str
    params_schema: Mapping[str, Any]

    def event_kinds(self, params: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
        """Every event kind the params name, with its JSON path relative to ``params``."""

    def roles(self, params: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
        """Every role the params name, with its JSON path relative to ``params``."""

    def check_params(
        self, params: Mapping[str, Any], context: ValidationContext
    ) -> Iterable[FieldError]:
        """Problems the JSON Schema cannot see (a reference to a missing rule, ...)."""

    def compile(self, rule: Any, context: CompileContext) -> CompiledRule:
        """The compiled form of ``rule`` (a :class:`~qse_customer.rules.ruleset.Rule`)."""


class BaseRuleKind:
    """Defaults for the optional parts of :class:`RuleKind`: no event kinds, roles or checks."""

    name: str = ""
    params_schema: Mapping[str, Any] = {"type": "object"}
    per_cycle: bool = True
    """Whether a reopened record is judged cycle by cycle (clocks, required steps: each cycle
    needs its own), or once over its whole history (who may perform each step)."""

    def event_kinds(self, params: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
        """No event kinds."""
        return ()

    def roles(self, params: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
        """No roles."""
        return ()

    def check_params(
        self, params: Mapping[str, Any], context: ValidationContext
    ) -> Iterable[FieldError]:
        """No problems beyond the schema."""
        return ()

    def compile_group(self, rules: Sequence[Any], context: CompileContext) -> GroupCheck | None:
        """Optionally fuse several rules on one record type; None (the default) does not."""
        return None

    def clock_start_events(self, params: Mapping[str, Any]) -> Sequence[str]:
        """The event kinds that start the rule's clock: a record is judged by the version of its
        ruleset in force at the first of them; none (the default): at the record's first event."""
        return ()


def listed(values: Any) -> tuple[str, ...]:
    """A param that is one string or a list of them, as a tuple."""
    if isinstance(values, str):
        return (values,)
    return tuple(values)
