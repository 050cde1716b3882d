"""``response_time``: a clock from a start event to a stop event, against a time limit.

Params::

    start, stop         event kinds; the clock starts at the first start event and stops at the
                        first stop event after it (one clock per rule and record)
    pause, resume       optional event kinds; time paused does not count (see below)
    limit               see :mod:`qse_customer.rules.limits`
    warn_at             optional share of the limit (0-1]: ``at_risk`` once that much is used and
                        the clock still runs at ``at``
    repeat              optional {"events": [...], "every": limit}: "keep the customer informed
                        every N working days until resolved". A repeat event before the current
                        deadline sets the next deadline to ``every`` after it; the clock is met when
                        the stop event comes before the current deadline
    extension           optional {"events": [...], "until": "until"}: an extension agreed before
                        the deadline moves it to the date in the event's data under ``until``; an
                        extension with no date waives the limit (``not_applicable``)
    clocks              optional "first" (default): one clock, from the first start event; or
                        "each": a clock from every start event, each stopped by the first stop
                        event after it not taken by an earlier clock (deviations reported to a
                        client one by one); the record's finding is the worst of its clocks
    start_condition     optional "out_of_hours" or "in_hours": the rule only applies when the start
                        event happened outside (or inside) the calendar's opening hours
    acknowledge         optional event kinds (needs ``repeat``): the first of them, before the
                        first deadline and before any repeat, meets that deadline without stopping
                        the clock: the reply is still owed, due ``repeat.every`` after it (the
                        keep-informed clock). It may be automatic (an event with no actor)
    automatic           optional event kinds: when given, an event with no actor (an automatic
                        reply) counts only if its kind is listed (or it is the acknowledgement);
                        any other stop, repeat, pause or extension event with no actor is ignored
                        and the explanation says so. Without it every event counts, whoever did it
                        (an LIS reporting a result has no actor)
    on_resume           optional "continue" (default) or "restart": with "restart" a resume starts
                        the limit again in full from the resume event, counted like a receipt (the
                        Freedom of Information Act 2000 s.1(3) and s.10(6): a request clarified by
                        the requester counts as received when the clarification arrives)
    calendar            optional name of a calendar in the ruleset's ``calendars``, or a choice
                        of them by a field of the record (see :mod:`.calendar_choice`)
    target              optional "response" or "resolution" (a response target may not be longer
                        than the resolution target for the same records)
    started_within      optional {"from": date-time, "until": date-time} (ISO 8601 with a UTC
                        offset, either may be left out): only a clock whose start event falls in
                        [from, until) counts. With "first", the first start event in the window
                        starts the clock, and a clock still running at ``until`` is handed over:
                        the first start or repeat event at or after ``until`` stops it (the rule
                        for the next period starts from there); with "each", the clocks started in
                        the window (stops are still paired with every clock). Terms that change
                        over time (a contract's amendments) become one rule per period this way

Decisions:

- **Status.** ``met``: stopped at or before the deadline. ``breached``: stopped after it, or still
  running after it at ``at``, or a repeat came after the deadline had passed (the chain of updates
  broke). ``at_risk``: running at ``at`` within the deadline with at least ``warn_at`` of the
  current interval used. ``pending``: running (or paused) within the deadline and not at risk.
  ``not_applicable``: no start event by ``at``, the start condition does not hold, or an extension
  without a date waived the limit.
- **Repeats and acknowledgements.** A repeat (or the acknowledgement) before the current
  deadline sets the next deadline to ``every`` after it, or leaves it where it is when that is
  later: an early update never shortens the time the limit allows.
- **Pauses.** A pause counts only when it begins before the current deadline (a pause cannot
  excuse a breach that already happened). The deadline moves later by the time paused, measured in
  the limit's own measure: calendar time for calendar limits; working time for working days,
  working hours and next-working-day limits. So a working-days deadline moves by the working time
  paused: on an 08:00-17:00 calendar a pause of one whole working day (9 h of opening hours) moves
  it to closing time one working day later, and a pause over a weekend moves it not at all. A
  pause still open at ``at`` keeps the clock ``pending``. A repeat (or an extension) while paused
  is in time; the next interval counts from it, and only the pause after it extends that interval.
- **Elapsed.** For a stopped clock, the time from start to stop minus the time paused, in the
  limit's measure; the report's median and 90th percentile use stopped clocks only.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from typing import Any, Final, NamedTuple
from zoneinfo import ZoneInfo

from ..core._frozen_json import FrozenValues, freeze
from ..core.calendar import WorkingCalendar
from ..core.errors import FieldError
from ..core.events import Event
from ..core.record import Record
from ..core.timestamps import from_us, to_us
from ..core.translation import ENGLISH, Translator
from . import _calendar_choice as calendar_choice
from . import limits
from ._calendar_choice import calendar_errors, compile_per_calendar
from ._clock_batch import CONDITION as _CONDITION
from ._clock_batch import NOT_STARTED as _NOT_STARTED
from ._clock_batch import ClockBatch
from ._timeline import Timeline
from ._wall_clock import utc_iso, wall_clock
from ._wording import (
    STATUS_WORDS,
    actor_text,
    duration,
    either,
    opening_hours,
    ordinal,
    record_noun,
    spoken,
    status_word,
    working_duration,
)
from .kind_protocol import (
    BaseRuleKind,
    CompileContext,
    CompiledRule,
    Env,
    Explanation,
    Outcome,
    ValidationContext,
)
from .limits import Limit
from .status import AT_RISK, BREACHED, MET, NOT_APPLICABLE, PENDING

EVENT_KINDS: Final[dict[str, Any]] = {
    "type": "array",
    "items": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
    "minItems": 1,
    "uniqueItems": True,
}

_INSTANT: Final[dict[str, Any]] = {
    "type": "string",
    "format": "date-time",
    "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$",
    "description": "an ISO 8601 date and time with a UTC offset (2026-07-01T00:00:00+01:00)",
}

PARAMS_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["start", "stop", "limit"],
    "properties": {
        "start": EVENT_KINDS,
        "stop": EVENT_KINDS,
        "pause": EVENT_KINDS,
        "resume": EVENT_KINDS,
        "limit": limits.SCHEMA,
        "warn_at": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "repeat": {
            "type": "object",
            "additionalProperties": False,
            "required": ["events", "every"],
            "properties": {"events": EVENT_KINDS, "every": limits.SCHEMA},
        },
        "extension": {
            "type": "object",
            "additionalProperties": False,
            "required": ["events"],
            "properties": {"events": EVENT_KINDS, "until": {"type": "string", "minLength": 1}},
        },
        "start_condition": {"enum": ["out_of_hours", "in_hours"]},
        "acknowledge": EVENT_KINDS,
        "automatic": {**EVENT_KINDS, "minItems": 0},
        "on_resume": {"enum": ["continue", "restart"]},
        "calendar": calendar_choice.SCHEMA,
        "target": {"enum": ["response", "resolution"]},
        "clocks": {"enum": ["first", "each"]},
        "started_within": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {"from": _INSTANT, "until": _INSTANT},
        },
    },
}

_SEVERITY: Final = {BREACHED: 0, AT_RISK: 1, PENDING: 2, MET: 3, NOT_APPLICABLE: 4}


def _worst(clocks: list[Outcome]) -> Outcome:
    """One outcome for several clocks on a record: the worst status; its facts list them all."""
    worst = min(clocks, key=lambda outcome: _SEVERITY[outcome[0]])
    spent = [outcome[2] for outcome in clocks if outcome[2] is not None]
    return Outcome(worst[0], worst[1], max(spent) if spent else None, ("each", clocks))


_CALENDAR_UNITS: Final = frozenset({"minutes", "hours", "days"})
_MEMO: Final = 1 << 14
"""How many words :meth:`_Clock._why_then` remembers before it starts again (a bounded memo)."""

_ELSEWHERE: Final = "started_elsewhere"
_WAIVED: Final = "waived"


def _instant(value: str) -> int:
    """A date-time with an offset (checked by the schema) as epoch microseconds."""
    return to_us(datetime.fromisoformat(value))


def _when(value: Any, zone_calendar: WorkingCalendar) -> int | None:
    """An agreed date from event data: an aware ISO datetime, or a date (the end of that day)."""
    if isinstance(value, datetime):
        return to_us(value) if value.tzinfo is not None else None
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        if "T" in value or " " in value:
            return to_us(moment) if moment.tzinfo is not None else None
        day = moment.date()
    else:
        return None
    zone = ZoneInfo(zone_calendar.timezone)
    return to_us(datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone))


class ResponseTime(BaseRuleKind):
    """The ``response_time`` rule kind (see the module doc)."""

    name = "response_time"
    params_schema: Mapping[str, Any] = PARAMS_SCHEMA

    def event_kinds(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Start, stop, pause, resume, repeat and extension event kinds with their paths."""
        found = []
        for key in ("start", "stop", "pause", "resume", "acknowledge", "automatic"):
            for index, kind in enumerate(params.get(key, ())):
                found.append((f".{key}[{index}]", kind))
        for key in ("repeat", "extension"):
            for index, kind in enumerate(params.get(key, {}).get("events", ())):
                found.append((f".{key}.events[{index}]", kind))
        return found

    def clock_start_events(self, params: Mapping[str, Any]) -> Sequence[str]:
        """The start events: a record is judged by the ruleset version in force when its clock
        started."""
        return tuple(params["start"])

    def check_params(
        self, params: Mapping[str, Any], context: ValidationContext
    ) -> list[FieldError]:
        """Limits with one amount; pause with resume; a known calendar; start and stop apart."""
        path = context.path
        errors = limits.limit_errors(params["limit"], f"{path}.limit")
        if "repeat" in params:
            errors += limits.limit_errors(params["repeat"]["every"], f"{path}.repeat.every")
        if ("pause" in params) != ("resume" in params):
            errors.append(FieldError(path, "pause and resume go together; give both or neither"))
        if "on_resume" in params and "resume" not in params:
            errors.append(
                FieldError(f"{path}.on_resume", "on_resume needs pause and resume events")
            )
        acknowledge = set(params.get("acknowledge", ()))
        if acknowledge and "repeat" not in params:
            errors.append(
                FieldError(
                    f"{path}.acknowledge",
                    "an acknowledgement leaves the reply owed: give repeat (the keep-informed "
                    "clock that follows it)",
                )
            )
        stopping = sorted(acknowledge & set(params["stop"]))
        if stopping:
            errors.append(
                FieldError(
                    f"{path}.acknowledge",
                    f"{stopping[0]!r} cannot both stop the clock and acknowledge (which leaves "
                    "the reply owed)",
                )
            )
        used = set(params["stop"]) | set(params.get("pause", ())) | acknowledge
        used |= set(params.get("repeat", {}).get("events", ()))
        used |= set(params.get("extension", {}).get("events", ()))
        for index, kind in enumerate(params.get("automatic", ())):
            if kind not in used:
                errors.append(
                    FieldError(
                        f"{path}.automatic[{index}]",
                        f"{kind!r} is not a stop, repeat, acknowledge, pause or extension event "
                        "of this rule, so allowing it to be automatic changes nothing",
                    )
                )
        both = sorted(set(params["start"]) & set(params["stop"]))
        if both:
            errors.append(
                FieldError(f"{path}.stop", f"{both[0]!r} cannot both start and stop the clock")
            )
        window = params.get("started_within", {})
        if (
            "from" in window
            and "until" in window
            and _instant(window["until"]) <= _instant(window["from"])
        ):
            errors.append(
                FieldError(f"{path}.started_within.until", "expected an instant after 'from'")
            )
        errors += calendar_errors(params.get("calendar"), context)
        return errors

    def target(self, params: Mapping[str, Any]) -> tuple[str, str, float] | None:
        """``(response|resolution, unit, amount)`` for comparing targets, or None."""
        target = params.get("target")
        if target is None or limits.limit_errors(params["limit"], "$"):
            return None
        comparable = Limit.parse(params["limit"]).comparable
        if comparable is None:
            return None
        return target, comparable[0], comparable[1]

    def compile(self, rule: Any, context: CompileContext) -> CompiledRule:
        """Closures with the event kinds as frozensets and the limits bound to the calendar."""
        return compile_per_calendar(rule.params, lambda params: _Clock(params, context).compiled())


class _Words(NamedTuple):
    """A rule's words that do not depend on the record, in one language."""

    limit: str
    rule: str
    every: str
    stops: str
    deadline: tuple[str, str]
    """``limit {limit}: {rule}, {deadline}`` before and after the deadline's place."""


class _Clock:
    """One response_time rule, compiled."""

    def __init__(self, params: Mapping[str, Any], context: CompileContext) -> None:
        self.params = params
        self.timeline: Timeline = context.timeline(params.get("calendar"))
        self.calendar = self.timeline.calendar
        self.limit = Limit.parse(params["limit"])
        repeat = params.get("repeat")
        self.every = Limit.parse(repeat["every"]) if repeat else None
        self.warn_at: float | None = params.get("warn_at")
        self.condition: str | None = params.get("start_condition")
        extension = params.get("extension", {})
        self.until_key: str = extension.get("until", "until")
        self.each = params.get("clocks", "first") == "each"
        window = params.get("started_within", {})
        self.window_from: int | None = _instant(window["from"]) if "from" in window else None
        self.window_until: int | None = _instant(window["until"]) if "until" in window else None
        self._closing: dict[str, str] = {}
        self._why: dict[tuple[Any, ...], str] = {}
        self._words: dict[str, _Words] = {}
        self._evidence_head: dict[str, Any] | None = None
        self._starts: dict[tuple[str, str, str], tuple[str, str]] = {}
        self._holiday_years: dict[int, Mapping[date, str]] = {}
        self._measure = self.limit.measure
        self._elapsed = self.limit.elapsed_function(self.timeline)
        self.wall = wall_clock(ZoneInfo(self.calendar.timezone))
        self._deadline = self.limit.deadline_function(self.timeline)
        self.start_k = frozenset(params["start"])
        self.stop_k = frozenset(params["stop"])
        self.pause_k = frozenset(params.get("pause", ()))
        self.resume_k = frozenset(params.get("resume", ()))
        self.repeat_k = frozenset(params.get("repeat", {}).get("events", ()))
        self.ext_k = frozenset(params.get("extension", {}).get("events", ()))
        self.ack_k = frozenset(params.get("acknowledge", ()))
        self.special = self.pause_k | self.resume_k | self.repeat_k | self.ext_k | self.ack_k
        # Kinds an automatic event (no actor) may not do: only a person answers, keeps the
        # customer informed, pauses or extends; without ``automatic`` anyone may do anything.
        automatic = params.get("automatic")
        self.person_k: frozenset[str] = frozenset()
        if automatic is not None:
            self.person_k = (
                self.stop_k | self.repeat_k | self.pause_k | self.ext_k | self.ack_k
            ) - frozenset(automatic)

    def within(self, instant: int) -> bool:
        """Whether a clock started at ``instant`` is this rule's (``started_within``)."""
        low, high = self.window_from, self.window_until
        return (low is None or instant >= low) and (high is None or instant < high)

    def compiled(self) -> CompiledRule:
        """The rule ready to run: its check, explanation, measure and batched form."""
        return CompiledRule(
            check=self.check_function(),
            explain=self.explain,
            measure=self.limit.measure,
            batch=self.batch(),
        )

    def batch(self) -> ClockBatch | None:
        """The rule judged in batches: a clock per record (``clocks: first``) over all time."""
        if self.each or "started_within" in self.params:
            return None
        batch = ClockBatch(
            start=self.start_k,
            stop=self.stop_k,
            special=self.special,
            person=self.person_k,
            condition=self.condition,
            limit=self.limit,
            timeline=self.timeline,
            deadline=self._deadline,
            elapsed=self._elapsed,
            warn_at=self.warn_at,
        )
        if self.every is not None:
            # A clock with one update is settled in batches too: the update kinds that are not
            # also another of the rule's special events, the next deadline ``every`` after it.
            kinds = self.repeat_k - (self.pause_k | self.resume_k | self.ack_k | self.ext_k)
            if kinds:
                batch.repeat_plainly(kinds, self.every)
        return batch

    def check_function(self) -> Any:
        """The hot path: one pass over the events, everything else precomputed."""
        params = self.params
        start_k, stop_k, pause_k, resume_k = self.start_k, self.stop_k, self.pause_k, self.resume_k
        repeat_k, ext_k, ack_k = self.repeat_k, self.ext_k, self.ack_k
        special, person_k = self.special, self.person_k
        restart = params.get("on_resume") == "restart"
        deadline = self.limit.deadline_function(self.timeline)
        every = self.every.deadline_function(self.timeline) if self.every else None
        elapsed = self.limit.elapsed_function(self.timeline)
        extend = self.limit.extend_function(self.timeline)
        is_open = self.timeline.is_open
        condition = self.condition
        warn_at = self.warn_at
        until_key = self.until_key
        calendar = self.calendar
        windowed = "started_within" in params
        within = self.within
        # A clock of a rule for one period hands over at the first start or repeat event of the
        # next period (see the module doc); a plain rule never does.
        hand_over = self.window_until if windowed and not self.each else None
        handing = (start_k | repeat_k) if hand_over is not None else frozenset()

        def keep_informed(due: int, paused_at: int, t: int) -> tuple[int, int, bool, int]:
            """After an update (or the acknowledgement) at ``t``: the deadline, the point the
            current pause counts from, whether a new interval began at ``t``, and the deadline
            as it stands at ``t``. The new interval is ``every`` after ``t``, unless the current
            deadline (extended by the pause so far) is later: then nothing changes."""
            assert every is not None
            current = extend(due, elapsed(paused_at, t)) if paused_at >= 0 else due
            following = every(t)
            if following > current:
                return following, t if paused_at >= 0 else paused_at, True, following
            return due, paused_at, False, current

        def clock(events: Sequence[Event], i: int, env: Env, taken: set[int] | None) -> Outcome:
            """One clock from the start event at index ``i``."""
            n = len(events)
            start = to_us(events[i].at)
            if condition is not None and is_open(start) == (condition == "out_of_hours"):
                return Outcome(NOT_APPLICABLE, None, None, (_CONDITION, i))
            due = deadline(start)
            interval_start = start
            interval_paused = 0
            paused_at = -1  # where the current pause's extension is counted from
            pause_from = -1  # when the current pause began
            pause_index = -1
            paused_total = 0
            pauses: list[tuple[int, int, int]] = []
            repeats: list[tuple[int, int]] = []
            extensions: list[tuple[int, int]] = []
            ignored: list[int] = []
            acked = -1
            late = -1
            stop = -1
            for j in range(i + 1, n):
                event = events[j]
                kind = event.kind
                if kind in stop_k and (taken is None or j not in taken):
                    if event.actor is None and kind in person_k:
                        ignored.append(j)
                        continue
                    stop = j
                    break
                if kind in handing and hand_over is not None and to_us(event.at) >= hand_over:
                    stop = j
                    break
                if kind not in special:
                    continue
                t = to_us(event.at)
                if kind in ack_k and acked < 0 and not repeats:
                    # The acknowledgement: it may be automatic, and it counts once.
                    if late >= 0:
                        continue
                    if paused_at >= 0 or t <= due:
                        acked = j
                        due, paused_at, moved, shown = keep_informed(due, paused_at, t)
                        if moved:
                            interval_start, interval_paused = t, 0
                        repeats.append((j, shown))
                    else:
                        late = j
                    continue
                if event.actor is None and kind in person_k:
                    ignored.append(j)
                    continue
                if kind in pause_k:
                    if paused_at < 0 and late < 0 and t < due:
                        paused_at = pause_from = t
                        pause_index = j
                elif kind in resume_k:
                    if paused_at >= 0:
                        whole = elapsed(pause_from, t)
                        paused_total += whole
                        pauses.append((pause_index, j, whole))
                        if restart:
                            due = max(due, deadline(t))
                            interval_start, interval_paused = t, 0
                        else:
                            gain = elapsed(paused_at, t)
                            due = extend(due, gain)
                            interval_paused += gain
                        paused_at = -1
                elif kind in repeat_k and every is not None:
                    if late >= 0:
                        continue
                    if paused_at >= 0 or t <= due:
                        # An update while paused is in time; the new interval counts from it.
                        due, paused_at, moved, shown = keep_informed(due, paused_at, t)
                        if moved:
                            interval_start, interval_paused = t, 0
                        repeats.append((j, shown))
                    else:
                        late = j
                elif kind in ext_k and late < 0 and (paused_at >= 0 or t <= due):
                    until = _when(event.data.get(until_key), calendar)
                    if until is None:
                        return Outcome(NOT_APPLICABLE, None, None, (_WAIVED, i, j))
                    if until > due:
                        due = until
                        extensions.append((j, due))
            facts: tuple[Any, ...]
            if stop >= 0:
                end = to_us(events[stop].at)
                if paused_at >= 0:
                    due = extend(due, elapsed(paused_at, end))
                    whole = elapsed(pause_from, end)
                    paused_total += whole
                    pauses.append((pause_index, stop, whole))
                spent = elapsed(start, end) - paused_total
                status = MET if end <= due and late < 0 else BREACHED
                facts = (i, stop, due, pauses, repeats, extensions, late, None, acked, ignored)
                return Outcome(status, due, spent / 1_000_000, facts)
            at = env.at_us
            if paused_at >= 0:
                pauses.append((pause_index, -1, elapsed(pause_from, at)))
                due = extend(due, elapsed(paused_at, at))
                facts = (i, -1, due, pauses, repeats, extensions, late, None, acked, ignored)
                return Outcome(BREACHED if late >= 0 else PENDING, facts[2], None, facts)
            if late >= 0 or at > due:
                facts = (i, -1, due, pauses, repeats, extensions, late, None, acked, ignored)
                return Outcome(BREACHED, due, None, facts)
            share = None
            if warn_at is not None:
                budget = elapsed(interval_start, due) - interval_paused
                used = elapsed(interval_start, at) - interval_paused
                share = used / budget if budget > 0 else 1.0
            facts = (i, -1, due, pauses, repeats, extensions, late, share, acked, ignored)
            status = AT_RISK if share is not None and share >= (warn_at or 1.0) else PENDING
            return Outcome(status, due, None, facts)

        if not self.each:

            def check(record: Record, events: Sequence[Event], env: Env) -> Outcome:
                n = len(events)
                i = 0
                while i < n and events[i].kind not in start_k:
                    i += 1
                if i == n:
                    return Outcome(NOT_APPLICABLE, None, None, _NOT_STARTED)
                if windowed:
                    first = i
                    while i < n and not (events[i].kind in start_k and within(to_us(events[i].at))):
                        i += 1
                    if i == n:
                        return Outcome(NOT_APPLICABLE, None, None, (_ELSEWHERE, first))
                return clock(events, i, env, None)

            return check

        def check_each(record: Record, events: Sequence[Event], env: Env) -> Outcome:
            taken: set[int] = set()
            clocks = []
            first = -1
            for i, event in enumerate(events):
                if event.kind in start_k:
                    first = i if first < 0 else first
                    outcome = clock(events, i, env, taken)
                    facts = outcome[3]
                    if isinstance(facts, tuple) and isinstance(facts[0], int) and facts[1] >= 0:
                        taken.add(facts[1])
                    # A clock outside the window still takes its stop event, so every clock
                    # pairs with the same stop as when the rule covers all time.
                    if not windowed or within(to_us(event.at)):
                        clocks.append(outcome)
            if not clocks:
                return Outcome(
                    NOT_APPLICABLE,
                    None,
                    None,
                    (_ELSEWHERE, first) if first >= 0 else _NOT_STARTED,
                )
            return _worst(clocks)

        return check_each

    # -- explanation ------------------------------------------------------------------------

    def explain(
        self, record: Record, events: Sequence[Event], outcome: Outcome, env: Env
    ) -> Explanation:
        """Evidence and plain words: start, why then, pauses, updates, deadline, stop, margin
        (in ``env.t``'s language)."""
        code, due, spent, facts = outcome
        t = env.t
        noun = record_noun(record.TYPE, t)
        params = self.params
        # The evidence's values are frozen as they are made (the rule's own parts once), so
        # the finding takes the evidence without a deep copy (FrozenValues).
        evidence: dict[str, Any] = FrozenValues(self._evidence_head or self._head())
        if facts == _NOT_STARTED:
            evidence["start_events"] = freeze(list(params["start"]))
            return evidence, t.gettext(
                "the clock has not started: the {noun} has no {events} event by {when}"
            ).format(noun=noun, events=either(params["start"], t), when=env.show(env.at_us))
        # A settled clock's facts start with its start event's index; the other outcomes' with
        # their kind (read without unpacking a list, which most findings would make for nothing).
        kind = facts[0] if isinstance(facts[0], str) else None
        if kind == _ELSEWHERE:
            event = events[facts[1]]
            evidence.update(start_event=event.kind, started_at=event.at.isoformat())
            return evidence, t.gettext(
                "the clock started ({kind}) on {when}, {window}: the rule for that time judges it"
            ).format(
                kind=event.kind, when=env.show(to_us(event.at)), window=self._window_words(env)
            )
        if kind == "each":
            clocks = facts[1]
            parts = []
            each: list[dict[str, Any]] = []
            for number, clock in enumerate(clocks, start=1):
                clock_evidence, text = self.explain(record, events, clock, env)
                clock_evidence["status"] = STATUS_WORDS[clock[0]]
                each.append(clock_evidence)
                parts.append(
                    t.gettext("clock {number} ({status}): {explanation}").format(
                        number=t.number(number),
                        status=status_word(clock[0], t),
                        explanation=text.rstrip("."),
                    )
                )
            evidence["clocks"] = freeze(each)
            count = len(clocks)
            return evidence, t.ngettext("{count} clock. ", "{count} clocks. ", count).format(
                count=t.number(count)
            ) + ". ".join(parts) + "."
        if kind == _CONDITION:
            event = events[facts[1]]
            evidence.update(start_event=event.kind, started_at=event.at.isoformat())
            hours = opening_hours(self.calendar.describe_hours(), t)
            if t.is_source:
                where = "during" if self.condition == "out_of_hours" else "outside"
                return evidence, (
                    f"the {noun} was {event.kind} on {env.show(to_us(event.at))}, {where} opening "
                    f"hours ({hours}), so this standard for "
                    f"{self.condition.replace('_', ' ') if self.condition else ''} does not apply"
                )
            if self.condition == "out_of_hours":
                text = t.gettext(
                    "the {noun} was {kind} on {when}, during opening hours ({hours}), so this "
                    "standard for out of hours does not apply"
                )
            else:
                text = t.gettext(
                    "the {noun} was {kind} on {when}, outside opening hours ({hours}), so this "
                    "standard for in hours does not apply"
                )
            return evidence, text.format(
                noun=noun, kind=event.kind, when=env.show(to_us(event.at)), hours=hours
            )
        if kind == _WAIVED:
            start_event, agreed = events[facts[1]], events[facts[2]]
            evidence.update(
                start_event=start_event.kind,
                started_at=start_event.at.isoformat(),
                extension_event=agreed.kind,
                extension_at=agreed.at.isoformat(),
            )
            return evidence, t.gettext(
                "{kind} on {when}, before the deadline, with no new date (no {key} in the "
                "event), so the {limit} limit no longer applies"
            ).format(
                kind=agreed.kind,
                when=env.show(to_us(agreed.at)),
                key=repr(self.until_key),
                limit=self.limit.describe(t),
            )
        start_index, stop_index, _, pauses, repeats, extensions, late, share, acked, ignored = facts
        start_event = events[start_index]
        start = to_us(start_event.at)
        base = self._first_deadline(start, facts)
        words = self._words.get(t.locale) or self._words_in(t)
        opening, closing = self._started_words(noun, start_event.kind, t)
        before, after = words.deadline
        sentences = [
            opening + env.show(start) + closing + self._why_then(start, env),
            before + env.show(base) + after,
        ]
        base_iso = _iso(base)
        evidence["start_event"] = start_event.kind
        evidence["started_at"] = utc_iso(start_event.at, start)
        evidence["first_deadline"] = base_iso
        if pauses:
            sentences.append(self._pauses(events, pauses, env))
            evidence["paused"] = tuple(
                [
                    MappingProxyType(
                        {
                            "from": events[p].at.isoformat(),
                            "by": events[p].kind,
                            "to": events[r].at.isoformat() if r >= 0 else None,
                            "resumed_by": events[r].kind if r >= 0 else None,
                            "seconds_not_counted": gain / 1_000_000,
                        }
                    )
                    for p, r, gain in pauses
                ]
            )
        if acked >= 0:
            event = events[acked]
            if event.actor is None:
                text = t.gettext(
                    "{kind} automatically on {when}: an acknowledgement meets the first "
                    "deadline, and the reply is still owed"
                )
            else:
                text = t.gettext(
                    "{kind} by {actor} on {when}: an acknowledgement meets the first deadline, "
                    "and the reply is still owed"
                )
            sentences.append(
                text.format(
                    kind=event.kind, actor=actor_text(event, t), when=env.show(to_us(event.at))
                )
            )
            evidence["acknowledged"] = MappingProxyType(
                {"event": event.kind, "at": event.at.isoformat(), "automatic": event.actor is None}
            )
        if repeats:
            assert self.every is not None
            updates = t.gettext("; ").join(
                t.gettext("{kind} on {when}, next due {due}").format(
                    kind=events[j].kind, when=env.show(to_us(events[j].at)), due=env.show(d)
                )
                for j, d in repeats
            )
            sentences.append(
                t.gettext("kept informed (every {limit}): {updates}").format(
                    limit=words.every, updates=updates
                )
            )
            evidence["updates"] = tuple(
                [
                    MappingProxyType(
                        {
                            "event": events[j].kind,
                            "at": events[j].at.isoformat(),
                            "next_due": _iso(d),
                        }
                    )
                    for j, d in repeats
                ]
            )
        if ignored:
            listed_events = ", ".join(
                t.gettext("{kind} on {when}").format(
                    kind=events[j].kind, when=env.show(to_us(events[j].at))
                )
                for j in ignored
            )
            sentences.append(
                t.gettext(
                    "not counted, because no one did them (automatic): {events}; an automatic "
                    "reply never answers or keeps the customer informed"
                ).format(events=listed_events)
            )
            evidence["ignored_automatic"] = tuple(
                [
                    MappingProxyType({"event": events[j].kind, "at": events[j].at.isoformat()})
                    for j in ignored
                ]
            )
        if extensions:
            sentences.append(
                t.gettext("; ").join(
                    t.gettext("{kind} on {when} moved the deadline to {deadline}").format(
                        kind=events[j].kind,
                        when=env.show(to_us(events[j].at)),
                        deadline=env.show(d),
                    )
                    for j, d in extensions
                )
            )
            evidence["extensions"] = tuple(
                [
                    MappingProxyType(
                        {"event": events[j].kind, "at": events[j].at.isoformat(), "until": _iso(d)}
                    )
                    for j, d in extensions
                ]
            )
        assert due is not None
        evidence["deadline"] = base_iso if due == base else _iso(due)
        if due != base:
            sentences.append(t.gettext("deadline now {deadline}").format(deadline=env.show(due)))
        if late >= 0:
            event = events[late]
            sentences.append(
                t.gettext("{kind} on {when} came after the deadline had already passed").format(
                    kind=event.kind, when=env.show(to_us(event.at))
                )
            )
            evidence["late_event"] = MappingProxyType(
                {"event": event.kind, "at": event.at.isoformat()}
            )
        if stop_index >= 0:
            stop_event = events[stop_index]
            end = to_us(stop_event.at)
            handed = stop_event.kind not in params["stop"]
            if end <= due:
                text = t.gettext("stopped by {kind} on {when}, {gap} before the deadline")
            else:
                text = t.gettext("stopped by {kind} on {when}, {gap} after the deadline")
            sentences.append(
                text.format(kind=stop_event.kind, when=env.show(end), gap=self._gap(end, due, t))
                + (t.gettext(", where the rule for the next period takes over") if handed else "")
            )
            evidence["stop_event"] = stop_event.kind
            evidence["stopped_at"] = utc_iso(stop_event.at, end)
            evidence["margin_seconds"] = (due - end) / 1_000_000
            evidence["elapsed_seconds"] = spent
        else:
            at = env.at_us
            evidence.update(stop_event=None, stopped_at=None, margin_seconds=(due - at) / 1_000_000)
            stops = words.stops
            if code == BREACHED and late < 0:
                sentences.append(
                    t.gettext("no {events} by {when}: the deadline passed {gap} ago").format(
                        events=stops, when=env.show(at), gap=self._gap(due, at, t)
                    )
                )
            elif pauses and pauses[-1][1] < 0:
                sentences.append(
                    t.gettext("still paused at {when}, no {events} yet").format(
                        when=env.show(at), events=stops
                    )
                )
            elif code != BREACHED:
                if t.is_source:
                    used = f", {share:.0%} of the limit used" if share is not None else ""
                    warn = f" (at risk from {self.warn_at:.0%})" if self.warn_at else ""
                else:
                    used = warn = ""
                    if share is not None:
                        used = t.gettext(", {share} of the limit used").format(
                            share=t.percent(share, 0)
                        )
                    if self.warn_at:
                        warn = t.gettext(" (at risk from {share})").format(
                            share=t.percent(self.warn_at, 0)
                        )
                sentences.append(
                    t.gettext("still running at {when}{used}{warn}, {gap} left").format(
                        when=env.show(at), used=used, warn=warn, gap=self._gap(at, due, t)
                    )
                )
                evidence["share_used"] = share
        return evidence, t.gettext("; ").join(sentences) + "."

    def _gap(self, first: int, second: int, t: Translator) -> str:
        """The time between two instants; for a working measure, also the working time."""
        text = duration(second - first, t)
        if self._measure == limits.WORKING:
            text += f" ({working_duration(self._elapsed(first, second), t)})"
        return text

    def _started_words(self, noun: str, kind: str, t: Translator) -> tuple[str, str]:
        """``the clock started when the enquiry was received on {when}`` before and after the
        instant, made once a language, noun and start event."""
        key = (t.locale, noun, kind)
        words = self._starts.get(key)
        if words is None:
            words = _around(
                t.gettext("the clock started {how} on {when}"), "when", how=_started(noun, kind, t)
            )
            if len(self._starts) < _MEMO:
                self._starts[key] = words
        return words

    def _first_deadline(self, start: int, facts: tuple[Any, ...]) -> int:
        """The deadline the clock started with: the one it ended with (``facts[2]``) when no
        pause, update, acknowledgement or extension moved it, else the limit's own count."""
        if facts[3] or facts[4] or facts[5]:
            return self._deadline(start)
        due: int = facts[2]
        return due

    def _head(self) -> dict[str, Any]:
        """The evidence every finding of the rule starts with (its limit, measure, calendar and
        period), frozen, made once."""
        head: dict[str, Any] = {
            "limit": freeze(self.limit.to_dict()),
            "measure": self.limit.measure,
            "calendar": self.params.get("calendar") or "the lab's",
        }
        if "started_within" in self.params:
            head["started_within"] = freeze(
                {
                    key: from_us(value).isoformat()
                    for key, value in (("from", self.window_from), ("until", self.window_until))
                    if value is not None
                }
            )
        self._evidence_head = head
        return head

    def _window_words(self, env: Env) -> str:
        """``outside this rule's period (from ... until ...)``."""
        t = env.t
        parts = []
        if self.window_from is not None:
            parts.append(t.gettext("from {when}").format(when=env.show(self.window_from)))
        if self.window_until is not None:
            parts.append(t.gettext("until {when}").format(when=env.show(self.window_until)))
        return t.gettext("outside this rule's period ({dates})").format(dates=" ".join(parts))

    def _words_in(self, t: Translator) -> _Words:
        """The rule's words that no record changes, in ``t``'s language (made once a
        language)."""
        limit = self.limit.describe(t)
        rule = self.limit.rule_of_deadline(self._closing_words(t), t)
        words = self._words[t.locale] = _Words(
            limit=limit,
            rule=rule,
            every=self.every.describe(t) if self.every is not None else "",
            stops=either(self.params["stop"], t),
            deadline=_around(
                t.gettext("limit {limit}: {rule}, {deadline}"), "deadline", limit=limit, rule=rule
            ),
        )
        return words

    def _closing_words(self, t: Translator) -> str:
        """The calendar's closing time in words, in ``t``'s language (made once a language)."""
        words = self._closing.get(t.locale)
        if words is None:
            words = self._closing[t.locale] = opening_hours(self.calendar.describe_closing(), t)
        return words

    def _why_then(self, start: int, env: Env) -> str:
        """Why the count starts where it does, e.g. received on a Saturday: remembered by what
        decides the words (the start's local date, and its day of receipt or next opening, as
        indexes in the calendar's tables; only the weekday for a working day counted from that
        very day), so each day's words are made once a language."""
        t = env.t
        unit = self.limit.unit
        if unit in _CALENDAR_UNITS:
            return t.gettext(" (calendar time counts around the clock)")
        if unit == "next_working_day_at":
            return ""
        tables = self.calendar._data()
        local_day = self.wall.local_day(start)
        if local_day is None or not tables.range_start <= start < tables.range_end:
            return self._why_then_words(start, env)  # the calendar's own error, or its words
        key: tuple[Any, ...]
        if unit == "working_hours":
            opens = tables.hours_opens
            index = bisect_right(tables.hours_closes, start)
            if index < len(opens) and opens[index] <= start:
                return t.gettext(", during opening hours, so the clock ran from then")
            key = (t.locale, env.zone, local_day, index)
        else:
            index = tables.effective_index(start, self.limit.after_closing)
            ordinals = tables.ordinals
            if index < len(ordinals) and ordinals[index] == local_day:
                # Received on a working day, counted from that day: the words name only that
                # weekday's closing time, so they are remembered by the weekday.
                key = (t.locale, None, None, (local_day - 1) % 7)
            else:
                key = (t.locale, None, local_day, index)
        words = self._why.get(key)
        if words is None:
            if len(self._why) >= _MEMO:
                self._why.clear()
            words = self._why[key] = self._why_then_words(start, env)
        return words

    def _why_then_words(self, start: int, env: Env) -> str:
        """The words of :meth:`_why_then`, made from the calendar's public methods."""
        t = env.t
        calendar = self.calendar
        moment = from_us(start)
        local = calendar.local(moment)
        unit = self.limit.unit
        if unit in {"minutes", "hours", "days"}:
            return t.gettext(" (calendar time counts around the clock)")
        if unit == "next_working_day_at":
            return ""
        if unit == "working_hours":
            if calendar.is_open(moment):
                return t.gettext(", during opening hours, so the clock ran from then")
            opening = calendar.next_opening(moment)
            return t.gettext(
                ", outside opening hours ({hours}{note}), so the clock started at the next "
                "opening, {when}"
            ).format(
                hours=opening_hours(calendar.describe_hours(), t),
                note=self._day_note(local.date(), t),
                when=env.show(to_us(opening)),
            )
        mode = self.limit.after_closing
        effective = calendar.effective_receipt_day(moment, after_closing=mode)
        hours = calendar.opening_hours(local.date())
        if effective == local.date():
            if mode == "same_day":
                return t.gettext(
                    ", a working day, so it is the day of receipt (statutory count: any hour)"
                )
            return t.gettext(
                ", a working day before closing time ({closing}): the day of receipt"
            ).format(closing=hours[-1][1])
        if not hours:
            return t.gettext(
                ", not a working day{note}, so the day of receipt is the next working day, {day}"
            ).format(note=self._day_note(local.date(), t), day=t.weekday_date(effective))
        return t.gettext(
            ", after closing time ({closing}), so the day of receipt is the next working day, {day}"
        ).format(closing=hours[-1][1], day=t.weekday_date(effective))

    def _day_note(self, day: date, t: Translator = ENGLISH) -> str:
        calendar = self.calendar
        if calendar.is_working_day(day):
            return ""
        holiday = self._holidays(day.year).get(day)
        if holiday:
            return t.gettext(": {weekday}, {holiday}").format(
                weekday=t.day_name(day), holiday=holiday
            )
        if day in calendar.closures:
            return t.gettext(": {weekday}, a closure day of the lab").format(
                weekday=t.day_name(day)
            )
        return t.gettext(": a {weekday}").format(weekday=t.day_name(day))

    def _holidays(self, year: int) -> Mapping[date, str]:
        """The calendar's public holidays of ``year``, asked of it once a year (a day's note
        looks one up for each day of receipt that is not a working day)."""
        found = self._holiday_years.get(year)
        if found is None:
            if len(self._holiday_years) >= _MEMO:
                self._holiday_years.clear()
            found = self._holiday_years[year] = MappingProxyType(
                self.calendar.public_holidays(year)
            )
        return found

    def _pauses(self, events: Sequence[Event], pauses: list[tuple[int, int, int]], env: Env) -> str:
        t = env.t
        measure = self.limit.measure
        parts = []
        for number, (p, r, gain) in enumerate(pauses, start=1):
            begin = t.gettext("{kind} on {when}").format(
                kind=events[p].kind, when=env.show(to_us(events[p].at))
            )
            if r < 0:
                end = t.gettext("still paused at {when}").format(when=env.show(env.at_us))
            else:
                end = t.gettext("{kind} on {when}").format(
                    kind=events[r].kind, when=env.show(to_us(events[r].at))
                )
            if len(pauses) > 1:
                label = t.gettext("{ordinal} pause").format(ordinal=ordinal(number, t))
            else:
                label = t.gettext("paused")
            if r >= 0 and self.params.get("on_resume") == "restart":
                parts.append(
                    t.gettext(
                        "{label} from {begin} to {end}: the {limit} limit counts again in full "
                        "from then"
                    ).format(label=label, begin=begin, end=end, limit=self.limit.describe(t))
                )
                continue
            parts.append(
                t.gettext("{label} from {begin} to {end}: {duration} not counted").format(
                    label=label, begin=begin, end=end, duration=spoken(gain, measure, t)
                )
            )
        return t.gettext("; ").join(parts)


def _around(text: str, name: str, **known: str) -> tuple[str, str]:
    """``text`` formatted with ``known``, as the parts before and after placeholder ``name``
    (which ``text`` holds once, as every catalogue's translation of it does):
    ``before + value + after == text.format(**known, name=value)`` for any value, made with two
    concatenations."""
    mark = "\x00"
    while mark in text or any(mark in value for value in known.values()):
        mark = chr(ord(mark) + 1)  # a character no part holds
    before, after = text.format(**known, **{name: mark}).split(mark)
    return before, after


def _started(noun: str, kind: str, t: Translator = ENGLISH) -> str:
    """``when the enquiry was received``, or ``with deviation_identified``."""
    if kind.endswith("ed") and "_" not in kind:
        return t.gettext("when the {noun} was {kind}").format(noun=noun, kind=kind)
    return t.gettext("with {kind}").format(kind=kind)


_ISO: dict[int, str] = {}
"""Deadlines in ISO form by instant (a bounded memo: records share their deadlines, closing
time on a day most of all)."""


def _iso(instant: int) -> str:
    """``from_us(instant).isoformat()``."""
    text = _ISO.get(instant)
    if text is None:
        if len(_ISO) >= _MEMO:
            _ISO.clear()
        text = _ISO[instant] = from_us(instant).isoformat()
    return text
