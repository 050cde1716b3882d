"""``required_step``: when an event has happened, other events must have happened too.

Params::

    when        event kinds: the rule applies from the first of them (the trigger)
    requires    the required steps: each an event kind, or a list of alternatives (any one will do)
    within      optional limit (see :mod:`qse_customer.rules.limits`): each required step must
                happen by that long after the trigger (before the trigger counts too); without
                it, each must have happened before the trigger
    calendar    optional name of a calendar in the ruleset's ``calendars``, or a choice of them
                by a field of the record (see :mod:`.calendar_choice`)

Conditions ("feedback only when the complaint is not anonymous") are the rule's ``applies_to``
``where`` conditions. ``met``: every required step happened (in time). ``breached``: a step is
missing before the trigger, or missing (or late) once the ``within`` deadline has passed.
``pending``: with ``within``, a step is missing but the deadline has not passed at ``at``.
``not_applicable``: no trigger event by ``at``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from ..core._frozen_json import FrozenValues, freeze
from ..core.errors import FieldError
from ..core.events import Event
from ..core.record import Record
from ..core.timestamps import from_us, to_us
from ..core.translation import Translator
from . import _calendar_choice as calendar_choice
from . import limits
from ._calendar_choice import calendar_errors, compile_per_calendar
from ._wording import both, either, record_noun
from .kind_protocol import (
    BaseRuleKind,
    CompileContext,
    CompiledRule,
    Env,
    Explanation,
    Outcome,
    ValidationContext,
    listed,
)
from .limits import Limit
from .response_time import EVENT_KINDS
from .status import BREACHED, MET, NOT_APPLICABLE, PENDING

STEP: Final[dict[str, Any]] = {
    "oneOf": [
        {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
            "minItems": 1,
            "uniqueItems": True,
        },
    ]
}

PARAMS_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["when", "requires"],
    "properties": {
        "when": EVENT_KINDS,
        "requires": {"type": "array", "items": STEP, "minItems": 1},
        "within": limits.SCHEMA,
        "calendar": calendar_choice.SCHEMA,
    },
}

_NONE: Final = Outcome(NOT_APPLICABLE, None, None, None)


class RequiredStep(BaseRuleKind):
    """The ``required_step`` rule kind (see the module doc)."""

    name = "required_step"
    params_schema: Mapping[str, Any] = PARAMS_SCHEMA

    def event_kinds(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The trigger and required event kinds, with their paths."""
        found = [(f".when[{k}]", kind) for k, kind in enumerate(params.get("when", ()))]
        for k, step in enumerate(params.get("requires", ())):
            if isinstance(step, str):
                found.append((f".requires[{k}]", step))
            else:
                found.extend((f".requires[{k}][{j}]", kind) for j, kind in enumerate(step))
        return found

    def check_params(
        self, params: Mapping[str, Any], context: ValidationContext
    ) -> list[FieldError]:
        """A limit with one amount, and a known calendar."""
        errors = []
        if "within" in params:
            errors += limits.limit_errors(params["within"], f"{context.path}.within")
        errors += calendar_errors(params.get("calendar"), context)
        return errors

    def compile(self, rule: Any, context: CompileContext) -> CompiledRule:
        """One closure (per calendar): trigger kinds and each step's alternatives as frozensets."""
        return compile_per_calendar(rule.params, lambda params: self._compile(params, context))

    def _compile(self, params: Mapping[str, Any], context: CompileContext) -> CompiledRule:
        when = frozenset(params["when"])
        steps = tuple(frozenset(listed(step)) for step in params["requires"])
        timeline = context.timeline(params.get("calendar"))
        within = Limit.parse(params["within"]) if "within" in params else None
        deadline = within.deadline_function(timeline) if within else None
        required = [sorted(step) for step in steps]
        frozen_required: tuple[tuple[str, ...], ...] = freeze(required)
        # Per language: each step in words, all of them, and the limit (made once a language).
        words: dict[str, tuple[list[str], str, str]] = {}

        def words_in(t: Translator) -> tuple[list[str], str, str]:
            found = words.get(t.locale)
            if found is None:
                wanted = [either(step, t) for step in required]
                limit = within.describe(t) if within is not None else ""
                found = words[t.locale] = (wanted, both(wanted, t), limit)
            return found

        def check(record: Record, events: Sequence[Event], env: Env) -> Outcome:
            n = len(events)
            trigger = 0
            while trigger < n and events[trigger].kind not in when:
                trigger += 1
            if trigger == n:
                return _NONE
            if deadline is None:
                missing = tuple(
                    k
                    for k, step in enumerate(steps)
                    if not any(events[j].kind in step for j in range(trigger))
                )
                return Outcome(BREACHED if missing else MET, None, None, (trigger, missing))
            due = deadline(to_us(events[trigger].at))
            missing = tuple(
                k
                for k, step in enumerate(steps)
                if not any(event.kind in step and to_us(event.at) <= due for event in events)
            )
            if not missing:
                return Outcome(MET, due, None, (trigger, missing))
            status = BREACHED if env.at_us > due else PENDING
            return Outcome(status, due, None, (trigger, missing))

        def explain(
            record: Record, events: Sequence[Event], outcome: Outcome, env: Env
        ) -> Explanation:
            code, due, _, facts = outcome
            t = env.t
            noun = record_noun(record.TYPE, t)
            if facts is None:
                return {"when": sorted(when)}, t.gettext(
                    "the {noun} has no {events} event by {when}, so nothing is required yet"
                ).format(noun=noun, events=either(sorted(when), t), when=env.show(env.at_us))
            trigger, missing = facts
            event = events[trigger]
            wanted, every, limit_words = words_in(t)
            lacking = [wanted[k] for k in missing]
            # Every value frozen as it is made: the finding takes it without a deep copy.
            evidence: dict[str, Any] = FrozenValues(
                trigger=MappingProxyType({"event": event.kind, "at": event.at.isoformat()}),
                required=frozen_required,
                missing=tuple([frozen_required[k] for k in missing]),
            )
            head = t.gettext("{kind} on {when}").format(kind=event.kind, when=env.show_at(event))
            if within is None:
                if not missing:
                    return evidence, t.gettext("{event}, after {steps} as required.").format(
                        event=head, steps=every
                    )
                return evidence, t.gettext("{event} without {steps} before it.").format(
                    event=head, steps=both(lacking, t)
                )
            assert due is not None
            evidence["deadline"] = from_us(due).isoformat()
            limit = t.gettext("within {limit} (by {deadline})").format(
                limit=limit_words, deadline=env.show(due)
            )
            if not missing:
                text = t.gettext("{event}; {steps} happened {within} as required.")
                return evidence, text.format(event=head, steps=every, within=limit)
            if code == PENDING:
                text = t.gettext("{event}; {steps} still to come {within}.")
                return evidence, text.format(event=head, steps=both(lacking, t), within=limit)
            text = t.gettext("{event}; no {steps} {within}.")
            return evidence, text.format(event=head, steps=both(lacking, t), within=limit)

        return CompiledRule(check=check, explain=explain)
