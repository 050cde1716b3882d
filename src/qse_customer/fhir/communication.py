"""Complaints and enquiries as FHIR R4 ``Communication``/``Task`` pairs (plain JSON dicts) and back.

The ``Communication`` is the customer's message: who sent it (never for an anonymous complaint),
when the lab received it, what it was about; the ``Task`` is the lab's work on it: its status
from the record's lifecycle, who has it now, and the whole history as ``event`` extensions, so
that :func:`record_from_fhir` gives the record back. Both travel in one ``collection`` Bundle.
An anonymous complaint's own words (its summary, event notes, the reasons of corrections and
erasures) are left out unless ``include_anonymous_text=True``, as in every other export
(:func:`qse_customer.core.export.for_export`). docs/fhir.md has the mapping table.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..core._frozen_json import thaw
from ..core.complaint import Complaint
from ..core.enquiry import Enquiry
from ..core.errors import ValidationError
from ..core.events import Event
from ..core.export import for_export, withholds_text
from ..core.parties import Submitter
from ..core.roles import EXTERNAL_ROLES, Actor
from ._common import (
    ACTOR_IDENTIFIER,
    DEFAULT_BASE,
    Problems,
    complex_ext,
    ext,
    ext_value,
    ext_values,
    extension_url,
)

RECORD_IDENTIFIER = "https://qse-customer.example/fhir/NamingSystem/record"
"""The identifier system of a complaint's or an enquiry's record id (on both resources)."""

CUSTOMER_IDENTIFIER = "https://qse-customer.example/fhir/NamingSystem/customer"
"""The identifier system of a named submitter's customer id (``Communication.sender``)."""

RECORD_TYPE_SYSTEM = "https://qse-customer.example/fhir/CodeSystem/record-type"
"""``Communication.category`` and ``Task.code``: ``complaint`` or ``enquiry``."""

CHANNEL_SYSTEM = "https://qse-customer.example/fhir/CodeSystem/channel"
"""``Communication.medium``: the channel the message came by (``telephone``, ``email``, ...)."""

STATUS_SYSTEM = "https://qse-customer.example/fhir/CodeSystem/record-status"
"""``Task.businessStatus``: the record's own lifecycle status (``open``, ``investigating``, ...)."""

PARTICIPATION_MODE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode"

ANONYMOUS = extension_url("anonymous")
TEXT_WITHHELD = extension_url("text-withheld")
CUSTOMER_KIND = extension_url("customer-kind")
CUSTOMER_GROUP = extension_url("customer-group")
SEVERITY = extension_url("severity")
SITE = extension_url("site")
PERSON_INVOLVED = extension_url("person-involved")
WRONG_RESULT = extension_url("wrong-result")
FOLLOW_UP_DIGEST = extension_url("follow-up-digest")
CLINICAL = extension_url("clinical")
COMPLEX = extension_url("complex")
FREEDOM_OF_INFORMATION = extension_url("freedom-of-information")
SUBMITTER_CONTACT = extension_url("submitter-contact")
ACTOR_ROLE = extension_url("actor-role")
EVENT = extension_url("event")

TASK_STATUS: Mapping[str, str] = {
    "new": "requested",
    "open": "received",
    "acknowledged": "accepted",
    "investigating": "in-progress",
    "action_documented": "in-progress",
    "awaiting_customer": "on-hold",
    "answered": "in-progress",
    "closed": "completed",
}
"""``Task.status`` for each lifecycle status of a complaint or an enquiry (any other:
``in-progress``); the status itself is ``Task.businessStatus``."""

PRIORITY: Mapping[str, str] = {
    "low": "routine",
    "medium": "routine",
    "high": "urgent",
    "critical": "asap",
}
"""``priority`` of both resources for a complaint's severity (kept exactly in ``severity``)."""

_MODES = {
    "telephone": "PHONE",
    "voicemail": "PHONE",
    "letter": "MAILWRIT",
    "email": "EMAILWRIT",
    "web": "ONLINEWRIT",
    "face_to_face": "FACE",
    "form": "WRITTEN",
}
_TYPES: dict[str, type[Complaint] | type[Enquiry]] = {"complaint": Complaint, "enquiry": Enquiry}


def resource_ids(record: Complaint | Enquiry) -> tuple[str, str]:
    """The ids of a record's ``Communication`` and ``Task``: name-based UUIDs of its type and
    id, the same at every export (so a PUT updates what the last one wrote)."""
    name = f"{RECORD_IDENTIFIER}|{record.TYPE}|{record.id}"
    return (
        str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}|Communication")),
        str(uuid.uuid5(uuid.NAMESPACE_URL, f"{name}|Task")),
    )


# -- export -----------------------------------------------------------------------------------


def _text(value: str) -> dict[str, Any]:
    """A text as an extension value: ``valueString``, or ``valueBase64Binary`` (UTF-8) for text
    that is only white space, which a FHIR string cannot be."""
    if value.strip():
        return {"valueString": value}
    return {"valueBase64Binary": base64.b64encode(value.encode()).decode("ascii")}


def _actor(actor: Actor) -> dict[str, Any]:
    return {
        "extension": [ext(ACTOR_ROLE, "Code", actor.role.value)],
        "identifier": {"system": ACTOR_IDENTIFIER, "value": actor.id},
        "display": actor.name,
    }


def _party(party: Submitter) -> dict[str, Any]:
    reference: dict[str, Any] = {}
    if party.contact is not None:
        reference["extension"] = [ext(SUBMITTER_CONTACT, "String", party.contact)]
    if party.customer_id is not None:
        reference["identifier"] = {"system": CUSTOMER_IDENTIFIER, "value": party.customer_id}
    if party.name is not None:
        reference["display"] = party.name
    return reference


def _event(event: Event) -> dict[str, Any]:
    parts = [ext("kind", "Code", event.kind), ext("at", "DateTime", event.at.isoformat())]
    if event.recorded_at is not None:
        parts.append(ext("recorded-at", "Instant", event.recorded_at.isoformat()))
    if event.actor is not None:
        parts.append(ext("actor", "Reference", _actor(event.actor)))
    if event.note:
        parts.append({"url": "note"} | _text(event.note))
    if event.data:
        data = json.dumps(thaw(event.data), ensure_ascii=False, separators=(",", ":"))
        parts.append(ext("data", "String", data))
    return complex_ext(EVENT, parts)


def record_to_fhir(
    record: Complaint | Enquiry,
    *,
    base: str = DEFAULT_BASE,
    include_anonymous_text: bool = False,
) -> dict[str, Any]:
    """A complaint or an enquiry as a FHIR R4 ``Bundle`` of type ``collection`` holding its
    ``Communication`` (the customer's message) and its ``Task`` (the lab's work on it), in that
    order; ``base`` makes their ``fullUrl``.

    An anonymous complaint names no one: no sender, no requester, no one outside the lab (the
    model refuses them anyway). Its summary and event notes, and the reasons of its corrections
    and erasures, are left out unless ``include_anonymous_text`` (the Communication then has the
    ``text-withheld`` extension).
    """
    if not isinstance(record, Complaint | Enquiry):
        raise ValidationError.single(
            "$", f"expected a complaint or an enquiry, got {type(record).__name__}"
        )
    withheld = not include_anonymous_text and withholds_text(record)
    record = for_export(record, include_anonymous_text=include_anonymous_text)
    communication_id, task_id = resource_ids(record)
    identifier = [{"system": RECORD_IDENTIFIER, "value": record.id}]
    kind = {"system": RECORD_TYPE_SYSTEM, "code": record.TYPE, "display": record.TYPE.title()}
    judged = record.judged_events
    received = judged[0].at.isoformat()

    extension: list[dict[str, Any]] = []
    category: list[dict[str, Any]] = [{"coding": [kind]}]
    party: Submitter | None
    if isinstance(record, Complaint):
        party = record.submitter
        text = record.summary
        category.append({"text": record.category})
        extension.append(ext(ANONYMOUS, "Boolean", record.anonymous))
        if withheld:
            extension.append(ext(TEXT_WITHHELD, "Boolean", True))
        extension.append(ext(CUSTOMER_KIND, "Code", record.customer_kind.value))
        if record.customer_group is not None:
            extension.append(ext(CUSTOMER_GROUP, "String", record.customer_group))
        extension.append(ext(SEVERITY, "Code", record.severity.value))
        if record.site is not None:
            extension.append(ext(SITE, "String", record.site))
        extension += [ext(PERSON_INVOLVED, "String", person) for person in record.people_involved]
        extension.append(ext(WRONG_RESULT, "Boolean", record.wrong_result))
        if record.follow_up_digest is not None:
            extension.append(ext(FOLLOW_UP_DIGEST, "String", record.follow_up_digest))
        priority = PRIORITY[record.severity.value]
    else:
        party = record.enquirer
        text = record.subject
        extension.append(ext(CUSTOMER_KIND, "Code", record.customer_kind.value))
        if record.site is not None:
            extension.append(ext(SITE, "String", record.site))
        extension += [
            ext(CLINICAL, "Boolean", record.clinical),
            ext(COMPLEX, "Boolean", record.complex),
            ext(FREEDOM_OF_INFORMATION, "Boolean", record.freedom_of_information),
        ]
        priority = "routine"

    medium = [{"system": CHANNEL_SYSTEM, "code": record.channel.value}]
    if (mode := _MODES.get(record.channel.value)) is not None:
        medium.append({"system": PARTICIPATION_MODE, "code": mode})
    communication: dict[str, Any] = {
        "resourceType": "Communication",
        "id": communication_id,
        "extension": extension,
        "identifier": identifier,
        "status": "completed",
        "category": category,
        "priority": priority,
        "medium": [{"coding": medium}],
        "received": received,
    }
    if party is not None:
        communication["sender"] = _party(party)
    if text.strip():
        communication["payload"] = [{"contentString": text}]
    elif text:
        data = base64.b64encode(text.encode()).decode("ascii")
        attachment = {"contentType": "text/plain; charset=utf-8", "data": data}
        communication["payload"] = [{"contentAttachment": attachment}]

    status = record.status
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": task_id,
        "extension": [_event(event) for event in record.events],
        "identifier": identifier,
        "basedOn": [{"reference": f"Communication/{communication_id}"}],
        "status": TASK_STATUS.get(status, "in-progress"),
        "businessStatus": {"coding": [{"system": STATUS_SYSTEM, "code": status}]},
        "intent": "order",
        "priority": priority,
        "code": {"coding": [kind]},
        "focus": {"reference": f"Communication/{communication_id}"},
        "authoredOn": received,
        "lastModified": record.last_event_at.isoformat(),
    }
    if party is not None:
        task["requester"] = _party(party)
    owner = next(
        (
            event.actor
            for event in reversed(judged)
            if event.actor is not None and event.actor.role not in EXTERNAL_ROLES
        ),
        None,
    )
    if owner is not None:
        task["owner"] = _actor(owner)
    root = base.rstrip("/")
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"{root}/Communication/{communication_id}", "resource": communication},
            {"fullUrl": f"{root}/Task/{task_id}", "resource": task},
        ],
    }


# -- import -----------------------------------------------------------------------------------


def _resources(
    document: Mapping[str, Any] | Sequence[Mapping[str, Any]], problems: Problems
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    if isinstance(document, Mapping) and document.get("resourceType") == "Bundle":
        given = [
            (f"Bundle.entry[{i}].resource", e.get("resource") if isinstance(e, Mapping) else None)
            for i, e in problems.items(document, "entry", "Bundle")
        ]
    elif isinstance(document, Sequence) and not isinstance(document, str):
        given = [(f"[{i}]", resource) for i, resource in enumerate(document)]
    else:
        problems.add("$", "expected a Bundle or a list of a Communication and a Task")
        return None, None
    found: dict[str, Mapping[str, Any]] = {}
    for path, resource in given:
        if not isinstance(resource, Mapping):
            problems.add(path, "expected a resource")
            continue
        kind = resource.get("resourceType")
        if kind not in {"Communication", "Task"}:
            continue
        if kind in found:
            problems.add(path, f"expected one {kind}, found another")
            continue
        found[str(kind)] = resource
    for kind in ("Communication", "Task"):
        if kind not in found:
            problems.add("$", f"expected a {kind}")
    return found.get("Communication"), found.get("Task")


def _read_text(element: Mapping[str, Any], path: str, problems: Problems) -> str | None:
    if isinstance(value := element.get("valueString"), str):
        return value
    if isinstance(value := element.get("valueBase64Binary"), str):
        try:
            return base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            problems.add(path, "expected base64 of UTF-8 text")
            return None
    problems.add(path, "expected valueString or valueBase64Binary")
    return None


def _read_actor(reference: Any, path: str, problems: Problems) -> Actor | None:
    if not isinstance(reference, Mapping) or not isinstance(reference.get("identifier"), Mapping):
        problems.add(path, "expected a reference with the actor's identifier")
        return None
    try:
        return Actor(
            reference["identifier"].get("value"),
            reference.get("display"),  # type: ignore[arg-type]  # the validator says what is wrong
            ext_value(reference, ACTOR_ROLE, "Code"),
        )
    except (ValueError, TypeError, ValidationError) as error:
        problems.add(path, str(error))
        return None


def _time(value: Any, path: str, problems: Problems) -> datetime | None:
    try:
        at = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        problems.add(path, f"expected a date-time with its offset, got {value!r}")
        return None
    return at


def _read_event(element: Mapping[str, Any], path: str, problems: Problems) -> Event | None:
    parts: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for index, part in problems.items(element, "extension", path):
        where = f"{path}.extension[{index}]"
        if isinstance(part, Mapping) and isinstance(part.get("url"), str):
            parts[part["url"]] = (where, part)
        else:
            problems.add(where, "expected an extension with a url")
    kind = parts.get("kind", ("", {}))[1].get("valueCode")
    where, at_part = parts.get("at", (f"{path}.extension", {}))
    at = _time(at_part.get("valueDateTime"), where, problems)
    recorded_at = None
    if "recorded-at" in parts:
        where, part = parts["recorded-at"]
        recorded_at = _time(part.get("valueInstant"), where, problems)
    actor = None
    if "actor" in parts:
        where, part = parts["actor"]
        actor = _read_actor(part.get("valueReference"), where, problems)
    note = ""
    if "note" in parts:
        note = _read_text(parts["note"][1], parts["note"][0], problems) or ""
    data: Any = {}
    if "data" in parts:
        where, part = parts["data"]
        try:
            data = json.loads(part.get("valueString", ""))
        except ValueError:
            problems.add(where, "expected the event's data as JSON text")
    if at is None:
        return None
    try:
        return Event(kind, at, actor, data, note, recorded_at)  # type: ignore[arg-type]
    except (ValueError, TypeError, ValidationError) as error:
        problems.add(path, str(error))
        return None


def _read_party(reference: Any, path: str, problems: Problems) -> Submitter | None:
    if reference is None:
        return None
    if not isinstance(reference, Mapping):
        problems.add(path, "expected a reference")
        return None
    identifier = reference.get("identifier")
    customer_id = identifier.get("value") if isinstance(identifier, Mapping) else None
    try:
        return Submitter(
            name=reference.get("display"),
            contact=ext_value(reference, SUBMITTER_CONTACT, "String"),
            customer_id=customer_id,
        )
    except (ValueError, TypeError, ValidationError) as error:
        problems.add(path, str(error))
        return None


def _payload(communication: Mapping[str, Any], problems: Problems) -> str:
    path = "Communication.payload[0]"
    payload = [p for _, p in problems.items(communication, "payload", "Communication")]
    if not payload:
        return ""
    first = problems.mapping(payload[0], path)
    if first is None:
        return ""
    if isinstance(text := first.get("contentString"), str):
        return text
    attachment = first.get("contentAttachment")
    if isinstance(attachment, Mapping) and isinstance(attachment.get("data"), str):
        return _read_text({"valueBase64Binary": attachment["data"]}, path, problems) or ""
    problems.add(path, "expected contentString or a contentAttachment with data")
    return ""


def record_from_fhir(
    document: Mapping[str, Any] | Sequence[Mapping[str, Any]],
) -> Complaint | Enquiry:
    """The complaint or enquiry a ``Communication``/``Task`` pair records: the Bundle
    :func:`record_to_fhir` writes, or a list of the two resources.

    The record's fields come from the Communication, its history from the Task's ``event``
    extensions (its status is derived from them, as always). What an export withheld (an
    anonymous complaint's summary and notes) stays empty. Every problem is a ValidationError
    naming its location (``Task.extension[2].extension[1]``).
    """
    problems = Problems()
    what = "Communication/Task"
    communication, task = _resources(document, problems)
    problems.raise_if_any(what)
    assert communication is not None and task is not None
    record_type = None
    for _, category in problems.items(communication, "category", "Communication"):
        for coding in category.get("coding", []) if isinstance(category, Mapping) else []:
            if isinstance(coding, Mapping) and coding.get("system") == RECORD_TYPE_SYSTEM:
                record_type = coding.get("code")
    if record_type not in _TYPES:
        problems.add("Communication.category", "expected a complaint or enquiry category coding")
    identifier = next(
        (
            i.get("value")
            for _, i in problems.items(communication, "identifier", "Communication")
            if isinstance(i, Mapping) and i.get("system") == RECORD_IDENTIFIER
        ),
        None,
    )
    task_identifier = [i for _, i in problems.items(task, "identifier", "Task")]
    if not isinstance(identifier, str):
        problems.add("Communication.identifier", f"expected an identifier of {RECORD_IDENTIFIER}")
    elif not any(isinstance(i, Mapping) and i.get("value") == identifier for i in task_identifier):
        problems.add("Task.identifier", f"expected the record id {identifier!r}")
    focus = task.get("focus")
    target = focus.get("reference") if isinstance(focus, Mapping) else None
    own = f"Communication/{communication.get('id')}"
    if not isinstance(target, str) or not (target == own or target.endswith(f"/{own}")):
        problems.add("Task.focus", "expected a reference to the Communication")
    channel = None
    medium = [m for _, m in problems.items(communication, "medium", "Communication")]
    for concept in medium:
        for coding in concept.get("coding", []) if isinstance(concept, Mapping) else []:
            if isinstance(coding, Mapping) and coding.get("system") == CHANNEL_SYSTEM:
                channel = coding.get("code")
    if channel is None:
        problems.add("Communication.medium", f"expected a coding of {CHANNEL_SYSTEM}")
    events: list[Event] = []
    for index, element in problems.items(task, "extension", "Task"):
        if isinstance(element, Mapping) and element.get("url") == EVENT:
            event = _read_event(element, f"Task.extension[{index}]", problems)
            if event is not None:
                events.append(event)
    party = _read_party(communication.get("sender"), "Communication.sender", problems)
    text = _payload(communication, problems)
    problems.raise_if_any(what)

    fields: dict[str, Any] = {"id": identifier, "events": events, "channel": channel}
    site = ext_value(communication, SITE, "String")
    fields["site"] = site
    kind = ext_value(communication, CUSTOMER_KIND, "Code")
    if kind is not None:
        fields["customer_kind"] = kind
    if record_type == "complaint":
        texts = [
            c.get("text")
            for c in communication.get("category", [])
            if isinstance(c, Mapping) and "coding" not in c
        ]
        fields |= {
            "category": texts[0] if texts else None,
            "anonymous": ext_value(communication, ANONYMOUS, "Boolean") is True,
            "customer_group": ext_value(communication, CUSTOMER_GROUP, "String"),
            "summary": text,
            "submitter": party,
            "people_involved": tuple(ext_values(communication, PERSON_INVOLVED, "String")),
            "wrong_result": ext_value(communication, WRONG_RESULT, "Boolean") is True,
            "follow_up_digest": ext_value(communication, FOLLOW_UP_DIGEST, "String"),
        }
        if (severity := ext_value(communication, SEVERITY, "Code")) is not None:
            fields["severity"] = severity
    else:
        fields |= {
            "subject": text,
            "enquirer": party,
            "clinical": ext_value(communication, CLINICAL, "Boolean") is True,
            "complex": ext_value(communication, COMPLEX, "Boolean") is True,
            "freedom_of_information": (
                ext_value(communication, FREEDOM_OF_INFORMATION, "Boolean") is True
            ),
        }
    try:
        return _TYPES[str(record_type)](**fields)
    except (ValueError, TypeError, ValidationError) as error:
        raise ValidationError.single(what, str(error), what=what) from error


__all__ = [
    "CHANNEL_SYSTEM",
    "CUSTOMER_IDENTIFIER",
    "RECORD_IDENTIFIER",
    "RECORD_TYPE_SYSTEM",
    "STATUS_SYSTEM",
    "TASK_STATUS",
    "record_from_fhir",
    "record_to_fhir",
    "resource_ids",
]
