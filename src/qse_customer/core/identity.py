"""Which parts of a record identify a person, and how a data-protection erasure removes them.

An *identity unit* is one value that can name or point at a person, found by its JSON path in the
record's document (:func:`qse_customer.to_dict`):

- in the record itself, the fields of :data:`IDENTITY_FIELDS` for its type (a submitter, the
  free text of a complaint, the people a complaint is about, a customer's name and contact, ...);
- in each event: its actor's id and name together (the role is not identity: it is what proves
  who was allowed to do what), its note when there is one, and each data entry whose key is not
  in :data:`COMPLIANCE_DATA_KEYS` (keys the library's own rules read, which identify no one);
  inside a ``corrected`` event, the same parts of its replacement.

The hash chain (:mod:`.evidence`) covers each unit through a salted digest, so an erasure removes
the text (and its salt) and leaves the chain intact. An erased text reads ``[erased]``; an erased
person id reads ``erased-1``, ``erased-2``, ... numbered per record, so that "was the investigator
among the people involved?" can still be answered about the record without naming anyone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

ERASED_TEXT: Final = "[erased]"
"""What an erased text field, note or data entry reads."""

IDENTITY_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "complaint": ("summary", "submitter", "people_involved"),
    "enquiry": ("subject", "enquirer"),
    "customer": ("name", "contact"),
    "survey_response": ("respondent_id", "comment"),
    "measurement": ("subject",),
}
"""Per record type, the fields of the record itself that identify a person."""

PERSON_ID_FIELDS: Final = frozenset({"people_involved", "respondent_id"})
"""Fields holding person ids: erased to a pseudonym (``erased-1``) rather than to a blank."""

COMPLIANCE_DATA_KEYS: Final = frozenset(
    {
        # corrections and erasures
        "event",
        "replacement",
        "reason",
        "fields",
        # extensions, amendments of contracts, links, surveys and needs
        "until",
        "effective_from",
        "effective_until",
        "retrospective",
        "services",
        "withdrawn",
        "review_interval_days",
        "deviation_report_days",
        "communication_method",
        "test_request",
        "invited",
        "need",
        "expectation",
        "source",
    }
)
"""Event data keys that identify no one (the library's own events and rules read them); any
other data entry counts as identity (a caller's name or number, what a message says)."""

EXTERNAL_ROLES: Final = frozenset({"customer", "recipient_management"})
"""Roles of people outside the laboratory: their actors are erased with the record's subject."""


Location = tuple[str | int, ...]
"""Where a unit is inside its part (the record's head, or one event), key by key."""

Unit = tuple[str, Location, Any]
"""An identity unit: its JSON path in the record, its location in its part, its value."""


def key_path(key: str) -> str:
    """A JSON-path step for an object key: ``.key``, or ``["a.b"]`` for any other key."""
    if key.isidentifier():
        return f".{key}"
    return "[" + json.dumps(key, ensure_ascii=False) + "]"


def _event_units(event: Mapping[str, Any], path: str, location: Location) -> Iterator[Unit]:
    actor = event.get("actor")
    if isinstance(actor, Mapping):
        value = {"id": actor.get("id"), "name": actor.get("name")}
        yield f"{path}.actor", (*location, "actor"), value
    note = event.get("note")
    if isinstance(note, str) and note:
        yield f"{path}.note", (*location, "note"), note
    data = event.get("data")
    if isinstance(data, Mapping):
        for key, value in data.items():
            if key not in COMPLIANCE_DATA_KEYS:
                yield f"{path}.data{key_path(key)}", (*location, "data", key), value
        if event.get("kind") == "corrected" and isinstance(data.get("replacement"), Mapping):
            yield from _event_units(
                data["replacement"],
                f"{path}.data.replacement",
                (*location, "data", "replacement"),
            )


def header_units(document: Mapping[str, Any]) -> Iterator[Unit]:
    """Every identity unit of the record itself (not of its events)."""
    for name in IDENTITY_FIELDS.get(str(document.get("type")), ()):
        value = document.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, list | tuple):
            for index, item in enumerate(value):
                yield f"$.{name}[{index}]", (name, index), item
        else:
            yield f"$.{name}", (name,), value


def event_units(event: Mapping[str, Any], index: int) -> Iterator[Unit]:
    """Every identity unit of the event at ``index`` (locations relative to the event)."""
    return _event_units(event, f"$.events[{index}]", ())


def erase_document(document: dict[str, Any], *, subject: bool, actors: Iterable[str]) -> list[str]:
    """Erase identity units from ``document`` (a record's plain JSON, changed in place) and
    return their paths, in document order.

    ``subject``: the person the record is about (the record's own identity fields, every note,
    every data entry that is not compliance data, and the actors of external roles). ``actors``:
    staff whose actor id and name are erased wherever they acted, and whose ids are erased from
    the record's person-id fields.
    """
    staff = set(actors)
    pseudonyms: dict[str, str] = {}
    numbers = [int(v[7:]) for v in _existing_pseudonyms(document) if v[7:].isdigit()]
    counter = [max(numbers, default=0)]

    def pseudonym(person: str) -> str:
        if person.startswith("erased-"):
            return person
        if person not in pseudonyms:
            counter[0] += 1
            pseudonyms[person] = f"erased-{counter[0]}"
        return pseudonyms[person]

    erased: list[str] = []
    for name in IDENTITY_FIELDS.get(str(document.get("type")), ()):
        value = document.get(name)
        if value is None or value == "":
            continue
        if name in PERSON_ID_FIELDS:
            if isinstance(value, list | tuple):
                items = list(value)
                for index, item in enumerate(items):
                    wanted = (subject and name == "respondent_id") or item in staff
                    if wanted and not str(item).startswith("erased-"):
                        items[index] = pseudonym(str(item))
                        erased.append(f"$.{name}[{index}]")
                document[name] = items
            elif subject and not str(value).startswith("erased-"):
                document[name] = pseudonym(str(value))
                erased.append(f"$.{name}")
        elif subject and _blank(value) != value:
            document[name] = _blank(value)
            erased.append(f"$.{name}")
    for index, event in enumerate(document.get("events", [])):
        erased.extend(_erase_event(event, f"$.events[{index}]", subject, staff, pseudonym))
    return erased


def _existing_pseudonyms(document: Mapping[str, Any]) -> Iterator[str]:
    for name in PERSON_ID_FIELDS:
        value = document.get(name)
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, str) and item.startswith("erased-"):
                yield item
    for event in document.get("events", []):
        actor = event.get("actor")
        if isinstance(actor, Mapping) and str(actor.get("id", "")).startswith("erased-"):
            yield str(actor["id"])


def _blank(value: Any) -> Any:
    """An erased value of the same shape: texts read ``[erased]``, objects keep their keys."""
    if isinstance(value, Mapping):
        return {key: (None if inner is None else ERASED_TEXT) for key, inner in value.items()}
    return ERASED_TEXT


def _erase_event(
    event: dict[str, Any], path: str, subject: bool, staff: set[str], pseudonym: Any
) -> list[str]:
    erased: list[str] = []
    actor = event.get("actor")
    if isinstance(actor, dict) and not str(actor.get("id", "")).startswith("erased-"):
        external = actor.get("role") in EXTERNAL_ROLES
        if (subject and external) or actor.get("id") in staff:
            event["actor"] = {
                "id": pseudonym(str(actor["id"])),
                "name": ERASED_TEXT,
                "role": actor["role"],
            }
            erased.append(f"{path}.actor")
    if subject:
        if event.get("note") not in ("", None, ERASED_TEXT):
            event["note"] = ERASED_TEXT
            erased.append(f"{path}.note")
        data = event.get("data")
        if isinstance(data, dict):
            for key in list(data):
                if key not in COMPLIANCE_DATA_KEYS and data[key] != ERASED_TEXT:
                    data[key] = ERASED_TEXT
                    erased.append(f"{path}.data{key_path(key)}")
    data = event.get("data")
    if event.get("kind") == "corrected" and isinstance(data, dict):
        replacement = data.get("replacement")
        if isinstance(replacement, dict):
            erased.extend(
                _erase_event(replacement, f"{path}.data.replacement", subject, staff, pseudonym)
            )
    return erased
