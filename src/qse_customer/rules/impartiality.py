"""``impartiality``: whoever does these steps is not among the people a record says are involved.

Params::

    events          the event kinds whose actor must be impartial (``investigation_started``,
                    ``outcome_decided``)
    involved        optional, default ``people_involved``: the record field listing the people
                    involved in the record's subject, by staff id or name
    actor_required  optional, default true: a step with no actor cannot show who did it, so it is
                    a breach, and says so

An actor is involved when their id or their name (ignoring case and spacing) is in that list. One
finding per record: ``met`` when every event of those kinds was done by someone not involved,
``breached`` when one was done by someone involved (or by no one recorded), ``not_applicable`` when
the record has no such event by ``at``. The finding names the actor (staff, whom findings name
anyway) and how many people are listed, never the list itself.

ISO 15189:2022 7.7 and ISO/IEC 17025:2017 7.9.6: the outcome communicated to a complainant is
made, or reviewed and approved, by people not involved in the subject of the complaint (H-3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from ..core.errors import FieldError
from ..core.events import Event
from ..core.record import Record
from ..core.record_types import RECORD_TYPES
from ..core.roles import Actor
from ..core.schema import schema_for
from ._wording import actor_text, either, record_noun
from .kind_protocol import (
    BaseRuleKind,
    CompileContext,
    CompiledRule,
    Env,
    Explanation,
    Outcome,
    ValidationContext,
)
from .response_time import EVENT_KINDS
from .status import BREACHED, MET, NOT_APPLICABLE

PARAMS_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["events"],
    "properties": {
        "events": EVENT_KINDS,
        "involved": {"type": "string", "pattern": "^[a-z_][a-z0-9_]*$"},
        "actor_required": {"type": "boolean"},
    },
}

_NONE: Final = Outcome(NOT_APPLICABLE, None, None, None)
_MET: Final = Outcome(MET, None, None, None)


def _person(text: str) -> str:
    """A staff id or name as compared: case and spacing ignored."""
    return " ".join(text.split()).casefold()


def people(values: Iterable[Any]) -> frozenset[str]:
    """The people a record lists as involved, as compared."""
    return frozenset(_person(value) for value in values if isinstance(value, str))


def involved(actor: Actor, listed: frozenset[str]) -> bool:
    """Whether ``actor`` is among ``listed`` (by id or by name)."""
    return _person(actor.id) in listed or _person(actor.name) in listed


class Impartiality(BaseRuleKind):
    """The ``impartiality`` rule kind (see the module doc)."""

    name = "impartiality"
    params_schema: Mapping[str, Any] = PARAMS_SCHEMA

    def event_kinds(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The steps whose actor must be impartial, with their paths."""
        return [(f".events[{k}]", kind) for k, kind in enumerate(params.get("events", ()))]

    def check_params(
        self, params: Mapping[str, Any], context: ValidationContext
    ) -> list[FieldError]:
        """A list field the record types have."""
        name = params.get("involved", "people_involved")
        errors = []
        for tag in (tag for tag in context.record_types if tag in RECORD_TYPES):
            properties = schema_for(tag)["$defs"][tag]["properties"]
            schema = properties.get(name)
            if schema is None or name in {"type", "events"}:
                errors.append(
                    FieldError(
                        f"{context.path}.involved",
                        f"a {tag} has no field {name!r} listing the people involved",
                    )
                )
            elif schema.get("type") != "array":
                errors.append(
                    FieldError(f"{context.path}.involved", f"{tag}.{name} is not a list of people")
                )
        return errors

    def compile(self, rule: Any, context: CompileContext) -> CompiledRule:
        """One closure: the step kinds as a frozenset, the field bound."""
        params = rule.params
        kinds = frozenset(params["events"])
        field = str(params.get("involved", "people_involved"))
        required = bool(params.get("actor_required", True))

        def listed_people(record: Record) -> frozenset[str]:
            return people(getattr(record, field, ()) or ())

        def check(record: Record, events: Sequence[Event], env: Env) -> Outcome:
            seen = False
            names: frozenset[str] | None = None
            for index, event in enumerate(events):
                if event.kind not in kinds:
                    continue
                seen = True
                actor = event.actor
                if actor is None:
                    if required:
                        return Outcome(BREACHED, None, None, index)
                    continue
                if names is None:
                    names = listed_people(record)
                if names and involved(actor, names):
                    return Outcome(BREACHED, None, None, index)
            return _MET if seen else _NONE

        def explain(
            record: Record, events: Sequence[Event], outcome: Outcome, env: Env
        ) -> Explanation:
            t = env.t
            noun = record_noun(record.TYPE, t)
            names = listed_people(record)
            if t.is_source:
                count = {0: "no one", 1: "1 person"}.get(len(names), f"{len(names)} people")
            elif names:
                count = t.ngettext("{count} person", "{count} people", len(names)).format(
                    count=t.number(len(names))
                )
            else:
                count = t.gettext("no one")
            steps = []
            problems = []
            done = []
            for event in events:
                if event.kind not in kinds:
                    continue
                actor = event.actor
                is_involved = actor is not None and involved(actor, names)
                steps.append(
                    {
                        "event": event.kind,
                        "at": event.at.isoformat(),
                        "actor": None
                        if actor is None
                        else {"id": actor.id, "name": actor.name, "role": actor.role.value},
                        "involved": is_involved,
                    }
                )
                when = t.gettext("{kind} on {when}").format(
                    kind=event.kind, when=env.show_at(event)
                )
                if actor is None:
                    if required:
                        problems.append(
                            t.gettext(
                                "{event} has no actor recorded, so it cannot show that someone "
                                "not involved did it"
                            ).format(event=when)
                        )
                elif is_involved:
                    problems.append(
                        t.gettext(
                            "{event} was done by {actor}, who is among the people involved in "
                            "the {noun}"
                        ).format(event=when, actor=actor_text(event, t), noun=noun)
                    )
                else:
                    done.append(
                        t.gettext("{event} by {actor}").format(
                            event=when, actor=actor_text(event, t)
                        )
                    )
            evidence: dict[str, Any] = {
                "field": field,
                "people_involved_count": len(names),
                "steps": steps,
            }
            if not steps:
                return evidence, t.gettext(
                    "the {noun} has no {events} event by {when}, so there is no step to check"
                ).format(noun=noun, events=either(sorted(kinds), t), when=env.show(env.at_us))
            listed_text = t.gettext("{count} listed as involved ({field})").format(
                count=count, field=field
            )
            separator = t.gettext("; ")
            if problems:
                return evidence, separator.join(problems) + f"{separator}{listed_text}."
            return evidence, t.gettext("{steps}: not involved ({listed}).").format(
                steps=separator.join(done), listed=listed_text
            )

        return CompiledRule(check=check, explain=explain)
