"""``recorded_details``: an event of these kinds must be recorded with these details.

Params::

    events      the event kinds the rule is about (``message_taken``, ``posted``)
    requires    the details each such event must carry: each a place, or a list of alternative
                places (any one will do). A place is ``data.key`` (a key of the event's data) or a
                record field, with ``.`` into its parts (``enquirer.contact``)

A detail is present when the place holds something other than nothing: not missing, not null,
not blank text, not an empty list or object. One finding per record: ``met`` when every event of
those kinds carries every detail, ``breached`` when one lacks any, ``not_applicable`` when the
record has no such event by ``at``. The finding names the missing details by their places and
never shows what a detail holds (a caller's name or number stays out of reports).

Source 003 3.1.2 (a telephone message notes the date and time, the caller's name and contact
number, the details and who it is for) and 3.2/3.3 (contact names and telephone numbers in all
correspondence) are checked this way: the date and time of a message is its event's own ``at``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from ..core._frozen_json import FrozenValues, freeze
from ..core.errors import FieldError
from ..core.events import Event
from ..core.record import Record
from ..core.record_types import RECORD_TYPES
from ..core.schema import schema_for
from ..core.translation import Translator
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
from .response_time import EVENT_KINDS
from .status import BREACHED, MET, NOT_APPLICABLE

PLACE: Final[dict[str, Any]] = {
    "type": "string",
    "pattern": "^[a-z_][a-z0-9_]*(\\.[A-Za-z0-9_-]+)*$",
    "description": "data.key (in the event's data) or a record field such as enquirer.contact",
}

PARAMS_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["events", "requires"],
    "properties": {
        "events": EVENT_KINDS,
        "requires": {
            "type": "array",
            "minItems": 1,
            "items": {
                "oneOf": [
                    PLACE,
                    {"type": "array", "items": PLACE, "minItems": 1, "uniqueItems": True},
                ]
            },
        },
    },
}

_MISSING: Final = object()
_NONE: Final = Outcome(NOT_APPLICABLE, None, None, None)
_MET: Final = Outcome(MET, None, None, None)
_BREACHED_AT: Final = tuple(Outcome(BREACHED, None, None, index) for index in range(16))
"""The outcome of a record breached at each of its first events, made once (an outcome is a
tuple: sharing it is safe)."""


def _breached_at(index: int) -> Outcome:
    """The outcome of a record breached at its event ``index``."""
    return _BREACHED_AT[index] if index < 16 else Outcome(BREACHED, None, None, index)


_PLAIN_MAPPINGS: Final = frozenset({dict, MappingProxyType})
_CONTAINERS: Final = frozenset({list, tuple, dict, MappingProxyType})


def _reader(place: str) -> Any:
    """A function reading ``place`` from an event and its record (``_MISSING`` when absent)."""
    parts = place.split(".")
    in_data = parts[0] == "data"
    path = parts[1:] if in_data else parts
    if in_data and len(path) == 1:
        # ``data.key``, the usual place: one lookup in the event's data (the loop below, unrolled).
        key = path[0]

        def read_key(record: Record, event: Event) -> Any:
            data: Any = event.data
            if data.__class__ in _PLAIN_MAPPINGS or isinstance(data, Mapping):
                return data.get(key, _MISSING)
            return _MISSING

        return read_key

    def read(record: Record, event: Event) -> Any:
        value: Any = event.data if in_data else record
        for part in path:
            # The usual mappings first: an isinstance test against the Mapping ABC is slow.
            if value.__class__ in _PLAIN_MAPPINGS or isinstance(value, Mapping):
                value = value.get(part, _MISSING)
            elif in_data or value is None:
                return _MISSING
            else:
                value = getattr(value, part, _MISSING)
            if value is _MISSING:
                return _MISSING
        return value

    return read


def present(value: Any) -> bool:
    """Whether a detail holds something: not missing, null, blank text or an empty container."""
    if value is _MISSING or value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if value.__class__ in _CONTAINERS or isinstance(value, list | tuple | Mapping):
        return len(value) > 0
    return True


def _places(params: Mapping[str, Any]) -> tuple[tuple[str, ...], ...]:
    """Each required detail's places (any one will do)."""
    return tuple(listed(item) for item in params["requires"])


def _readers_of(items: tuple[tuple[str, ...], ...]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(_reader(place) for place in places) for places in items)


IndexedCheck = Callable[[Record, Sequence[Event], Sequence[int]], Outcome]
"""The rule's check told where the events of its kinds are (for the engine's batched path)."""


def indexed_check(params: Mapping[str, Any]) -> IndexedCheck:
    """The check of a rule with these params for a record whose events of the rule's kinds
    are at ``indices`` (at least one, in order): the outcome its check gives."""
    places = _places(params)
    readers = _readers_of(places)
    # Whether the first detail is read only from the event's data: then an event with no data
    # (a plain empty mapping) lacks it, and the record is breached there, with no reader called.
    first_in_data = all(place.startswith("data.") for place in places[0])

    def check(record: Record, events: Sequence[Event], indices: Sequence[int]) -> Outcome:
        for index in indices:
            event = events[index]
            if first_in_data:
                data = event.data
                if data.__class__ in _PLAIN_MAPPINGS and not data:
                    return _BREACHED_AT[index] if index < 16 else _breached_at(index)
            for alternatives in readers:
                for read in alternatives:  # any one will do
                    if present(read(record, event)):
                        break
                else:
                    return _breached_at(index)
        return _MET

    return check


class RecordedDetails(BaseRuleKind):
    """The ``recorded_details`` rule kind (see the module doc)."""

    name = "recorded_details"
    params_schema: Mapping[str, Any] = PARAMS_SCHEMA

    def event_kinds(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The event kinds that must carry the details, with their paths."""
        return [(f".events[{k}]", kind) for k, kind in enumerate(params.get("events", ()))]

    def check_params(
        self, params: Mapping[str, Any], context: ValidationContext
    ) -> list[FieldError]:
        """Record fields the record types have (``data.`` places are the event's own)."""
        errors = []
        types = [tag for tag in context.record_types if tag in RECORD_TYPES]
        for k, item in enumerate(params["requires"]):
            places = [item] if isinstance(item, str) else list(item)
            for j, place in enumerate(places):
                where = f"{context.path}.requires[{k}]" + (
                    "" if isinstance(item, str) else f"[{j}]"
                )
                base = place.split(".")[0]
                if base == "data":
                    if "." not in place:
                        errors.append(FieldError(where, "name the key: data.<key>"))
                    continue
                for tag in types:
                    properties = schema_for(tag)["$defs"][tag]["properties"]
                    if base not in properties or base in {"type", "events"}:
                        fields = ", ".join(p for p in properties if p not in {"type", "events"})
                        errors.append(
                            FieldError(
                                where,
                                f"a {tag} has no field {base!r}; expected data.<key> or one of "
                                f"{fields}",
                            )
                        )
        return errors

    def compile(self, rule: Any, context: CompileContext) -> CompiledRule:
        """One closure: the event kinds as a frozenset, each detail's readers bound."""
        params = rule.params
        kinds = frozenset(params["events"])
        items = _places(params)
        readers = _readers_of(items)
        frozen_items: tuple[tuple[Any, ...], ...] = freeze([list(p) for p in items])
        # Per language: each detail in words, and what each event must record (made once).
        words: dict[str, tuple[list[str], str]] = {}

        def words_in(t: Translator) -> tuple[list[str], str]:
            found = words.get(t.locale)
            if found is None:
                wanted = [either(places, t) for places in items]
                required = t.gettext("each must record {details}").format(details=both(wanted, t))
                found = words[t.locale] = (wanted, required)
            return found

        def check(record: Record, events: Sequence[Event], env: Env) -> Outcome:
            # Most records have no event of these kinds: find the first one in a bare loop.
            for event in events:
                if event.kind in kinds:
                    break
            else:
                return _NONE
            for index, event in enumerate(events):
                if event.kind not in kinds:
                    continue
                for alternatives in readers:
                    for read in alternatives:  # any one will do
                        if present(read(record, event)):
                            break
                    else:
                        return _breached_at(index)
            return _MET

        def explain(
            record: Record, events: Sequence[Event], outcome: Outcome, env: Env
        ) -> Explanation:
            t = env.t
            noun = record_noun(record.TYPE, t)
            wanted, required = words_in(t)
            steps = []
            problems = []
            done = []
            for event in events:
                if event.kind not in kinds:
                    continue
                missing = []
                for k, alternatives in enumerate(readers):
                    for read in alternatives:  # any one will do
                        if present(read(record, event)):
                            break
                    else:
                        missing.append(k)
                steps.append(
                    MappingProxyType(
                        {
                            "event": event.kind,
                            "at": event.at.isoformat(),
                            "missing": tuple([frozen_items[k] for k in missing]),
                        }
                    )
                )
                when = t.gettext("{kind} on {when}").format(
                    kind=event.kind, when=env.show_at(event)
                )
                done.append(when)
                if missing:
                    problems.append(
                        t.gettext("{event} lacks {details}").format(
                            event=when, details=both((wanted[k] for k in missing), t)
                        )
                    )
            # Every value frozen as it is made: the finding takes it without a deep copy.
            evidence: dict[str, Any] = FrozenValues(required=frozen_items, steps=tuple(steps))
            if not steps:
                return evidence, t.gettext(
                    "the {noun} has no {events} event by {when}, so there is nothing to check"
                ).format(noun=noun, events=either(sorted(kinds), t), when=env.show(env.at_us))
            separator = t.gettext("; ")
            if problems:
                return evidence, separator.join(problems) + f"{separator}{required}."
            return evidence, t.gettext("{events}: every detail recorded ({required}).").format(
                events=separator.join(done), required=required
            )

        return CompiledRule(check=check, explain=explain)
