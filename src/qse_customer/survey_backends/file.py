"""The built-in ``file`` survey backend: invitations written to a folder, responses read from CSV
or JSON files in it.

Layout under ``folder``, one subfolder a survey (its id, percent-encoded, and ``.`` or ``..``
written ``%2E`` and ``%2E%2E``, so no survey id names a folder outside)::

    <survey id>/invitations/<token>.json   written by distribute(): one per recipient, with the
                                           survey's items and scales for whatever sends them out
    <survey id>/responses/*.json | *.csv   read by collect(): put the answers here

A JSON response file holds one response object or a list of them: ``{"answers": {item: value},
"token": ..., "submitted_at": ..., "customer_kind": ..., "comment": ...}`` (only ``answers`` is
required). A CSV file has a header row of item ids, plus any of the columns ``token``,
``submitted_at``, ``customer_kind`` and ``comment``; an empty cell is an unanswered item, numbers
on ordinal scales are read as numbers, and ``1``/``0`` on yes/no scales as yes/no.

Links: the backend follows no symbolic link inside ``folder`` (a survey's folder, its
``invitations`` and ``responses`` folders, the files in them): one is refused, so a link planted
there cannot make it write or read anywhere else. A response "file" that is not a regular file (a
link, a pipe, a device) is rejected unread.

Privacy: a collected :class:`SurveyResponse` has no respondent id and no actor, and its id is
derived from the response file and position, never from the token. The invitation files map tokens
to recipients, so together with response files that quote tokens they link answers to people:
delete the invitations once the round is closed if the survey promised anonymity.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import secrets
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..analysis.instrument import Instrument, ScaleKind
from ..analysis.instrument_registry import InstrumentRegistry, load_instrument
from ..core.errors import FieldError, QSEError, TransitionError, ValidationError, json_problem
from ..core.survey import Answer, Survey, SurveyResponse
from ..core.timestamps import utc
from ..core.vocabulary import CustomerKind
from .protocol import Collection, Invitation, RejectedResponse

NAME = "file"
RESERVED_COLUMNS = frozenset({"token", "submitted_at", "customer_kind", "comment"})
_INTEGER = re.compile(r"[+-]?\d+")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_SPECIAL_NAMES = {".": "%2E", "..": "%2E%2E"}


def folder_name(survey_id: str) -> str:
    """The name of a survey's folder: its id percent-encoded, never ``.`` or ``..`` (which would
    name the backend's folder or the one above it)."""
    if not isinstance(survey_id, str) or not survey_id:
        raise ValidationError.single(
            "$.survey_id", f"expected a survey id (non-empty text), got {survey_id!r}"
        )
    name = quote(survey_id, safe="")
    return _SPECIAL_NAMES.get(name, name)


def _no_link(path: Path) -> Path:
    """``path``, refused if it is a symbolic link (the backend never follows one)."""
    if path.is_symlink():
        raise ValidationError.single(
            "$",
            f"{str(path)!r} is a symbolic link; the file survey backend follows no link inside "
            "its folder (one could make it write or read elsewhere): replace it with the folder "
            "or file itself",
        )
    return path


def _read_regular(path: Path, encoding: str) -> str:
    """A regular file's text, opened without following a link; ValueError for anything else."""
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file (a pipe, a device or a folder)")
        return handle.read().decode(encoding)


def _write_atomically(path: Path, text: str) -> None:
    # mkstemp creates a new file (never through a link) and os.replace swaps the name itself.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


class FileSurveyBackend:
    """Distributes surveys as invitation files and collects CSV or JSON response files.

    ``registry`` is where survey instruments are looked up (the default registry if None).
    """

    def __init__(
        self, folder: str | PathLike[str], *, registry: InstrumentRegistry | None = None
    ) -> None:
        self.folder = Path(folder)
        self.registry = registry

    def survey_folder(self, survey: Survey | str) -> Path:
        """The folder of one survey: directly inside the backend's folder, whatever its id."""
        survey_id = survey.id if isinstance(survey, Survey) else survey
        return _no_link(self.folder / folder_name(survey_id))

    def responses_folder(self, survey: Survey | str) -> Path:
        """Where the responses to ``survey`` are read from."""
        return _no_link(self.survey_folder(survey) / "responses")

    def _invitations_folder(self, survey: Survey | str) -> Path:
        return _no_link(self.survey_folder(survey) / "invitations")

    def _instrument(self, survey: Survey) -> Instrument:
        return load_instrument(survey.instrument, registry=self.registry)

    def invitations(self, survey: Survey | str) -> list[Invitation]:
        """Every invitation written for ``survey`` so far, oldest first."""
        folder = self._invitations_folder(survey)
        if not folder.is_dir():
            return []
        found: list[Invitation] = []
        for path in sorted(folder.glob("*.json")):
            try:
                document = json.loads(_read_regular(path, "utf-8"))
                found.append(
                    Invitation(
                        survey_id=document["survey_id"],
                        token=document["token"],
                        recipient=document["recipient"],
                        sent_at=datetime.fromisoformat(document["sent_at"]),
                    )
                )
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise ValidationError.single(
                    "$", f"invitation file {str(path)!r} is unreadable: {error}"
                ) from error
        return sorted(found, key=lambda invitation: (invitation.sent_at, invitation.token))

    def distribute(
        self, survey: Survey, recipients: Iterable[str], *, at: datetime
    ) -> list[Invitation]:
        """Write an invitation for each recipient not invited yet; return every recipient's."""
        if not isinstance(survey, Survey):
            raise ValidationError.single("$.survey", f"expected a Survey, got {type(survey)}")
        if not survey.approved:
            raise TransitionError(
                f"survey {survey.id!r} is not approved; record its approval (R-S1) before "
                "distributing it"
            )
        if survey.is_closed:
            raise TransitionError(f"survey {survey.id!r} is closed; reopen it to distribute it")
        sent_at = utc(at)
        wanted = list(dict.fromkeys(_recipients(recipients)))
        instrument = self._instrument(survey)
        existing = {invitation.recipient: invitation for invitation in self.invitations(survey)}
        result: list[Invitation] = []
        for recipient in wanted:
            invitation = existing.get(recipient)
            if invitation is None:
                invitation = Invitation(survey.id, secrets.token_urlsafe(16), recipient, sent_at)
                path = self._invitations_folder(survey) / f"{invitation.token}.json"
                _write_atomically(path, _invitation_document(survey, instrument, invitation, self))
            result.append(invitation)
        self.responses_folder(survey).mkdir(parents=True, exist_ok=True)
        return result

    def collect(self, survey: Survey, *, at: datetime) -> Collection:
        """Every response in the survey's responses folder, validated against its instrument."""
        if not isinstance(survey, Survey):
            raise ValidationError.single("$.survey", f"expected a Survey, got {type(survey)}")
        default_at = utc(at)
        instrument = self._instrument(survey)
        tokens = {invitation.token for invitation in self.invitations(survey)}
        used: dict[str, str] = {}
        responses: list[SurveyResponse] = []
        rejected: list[RejectedResponse] = []
        folder = self.responses_folder(survey)
        files = (
            sorted(p for p in folder.iterdir() if not p.name.startswith("."))
            if folder.is_dir()
            else []
        )
        for path in files:
            for source, position, entry in _entries(path, instrument, rejected):
                errors, response = _response(
                    survey, instrument, entry, position, default_at, tokens, used, source
                )
                if errors:
                    rejected.append(RejectedResponse(source, errors))
                elif response is not None:
                    responses.append(response)
        return Collection(responses, rejected)


def _recipients(recipients: Iterable[str]) -> Iterator[str]:
    if isinstance(recipients, str):
        raise ValidationError.single(
            "$.recipients", "expected a list of recipients, got one string"
        )
    count = 0
    for index, recipient in enumerate(recipients):
        if not isinstance(recipient, str) or not recipient.strip():
            raise ValidationError.single(
                f"$.recipients[{index}]", f"expected a recipient address, got {recipient!r}"
            )
        count += 1
        yield recipient
    if count == 0:
        raise ValidationError.single("$.recipients", "expected at least one recipient")


def _invitation_document(
    survey: Survey, instrument: Instrument, invitation: Invitation, backend: FileSurveyBackend
) -> str:
    document = {
        "survey_id": survey.id,
        "survey_title": survey.title,
        "instrument": instrument.id,
        "instrument_version": instrument.version,
        "token": invitation.token,
        "recipient": invitation.recipient,
        "sent_at": invitation.sent_at.isoformat(),
        "respond_to": str(backend.responses_folder(survey)),
        "instructions": instrument.instructions,
        "items": [item.to_dict() for item in instrument.items],
        "scales": {name: scale.to_dict() for name, scale in instrument.scales.items()},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _entries(
    path: Path, instrument: Instrument, rejected: list[RejectedResponse]
) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """``(source, position, entry)`` for each response in one file; unreadable files go to
    ``rejected``."""
    suffix = path.suffix.lower()
    if path.is_symlink():
        problem = "a symbolic link, read by no one: put the response file itself here"
        rejected.append(RejectedResponse(str(path), [FieldError("$", problem)]))
        return
    try:
        text = _read_regular(path, "utf-8-sig")
    except (OSError, ValueError) as error:  # ValueError: not a regular file, or not UTF-8
        rejected.append(RejectedResponse(str(path), [FieldError("$", f"unreadable: {error}")]))
        return
    if suffix == ".json":
        try:
            document = json.loads(text)
        except ValueError as error:
            problem = f"not JSON: {json_problem(error)}"
            rejected.append(RejectedResponse(str(path), [FieldError("$", problem)]))
            return
        entries = document if isinstance(document, list) else [document]
        for index, entry in enumerate(entries):
            source = f"{path}[{index}]" if isinstance(document, list) else str(path)
            if not isinstance(entry, Mapping):
                rejected.append(RejectedResponse(source, [FieldError("$", "expected an object")]))
                continue
            yield source, f"{path.name}#{index}", entry
    elif suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        for row_number, row in enumerate(reader, start=2):
            source = f"{path}, row {row_number}"
            if None in row:
                rejected.append(
                    RejectedResponse(source, [FieldError("$", "more cells than header columns")])
                )
                continue
            yield source, f"{path.name}#{row_number}", _csv_entry(row, instrument)
    else:
        rejected.append(
            RejectedResponse(
                str(path), [FieldError("$", "unsupported file; expected .json or .csv")]
            )
        )


def _csv_entry(row: Mapping[str, str | None], instrument: Instrument) -> dict[str, Any]:
    items = {item.id for item in instrument.items}
    entry: dict[str, Any] = {}
    answers: dict[str, Answer] = {}
    for column, cell in row.items():
        value = (cell or "").strip()
        if column in RESERVED_COLUMNS:
            if value:
                entry[column] = value
            continue
        if not value:
            answers[column] = None
            continue
        kind = instrument.scale_of(column).kind if column in items else None
        answers[column] = _cell(value, kind)
    entry["answers"] = answers
    return entry


def _cell(value: str, kind: ScaleKind | None) -> Answer:
    if kind is ScaleKind.ORDINAL and _INTEGER.fullmatch(value):
        return int(value)
    if kind is ScaleKind.ORDINAL:
        try:
            return float(value)
        except ValueError:
            return value
    if kind is ScaleKind.YES_NO and value in {"1", "0"}:
        return value == "1"
    return value


def _response(
    survey: Survey,
    instrument: Instrument,
    entry: Mapping[str, Any],
    position: str,
    default_at: datetime,
    tokens: set[str],
    used: dict[str, str],
    source: str,
) -> tuple[list[FieldError], SurveyResponse | None]:
    errors: list[FieldError] = []
    unknown = sorted(set(entry) - RESERVED_COLUMNS - {"answers"})
    if unknown:
        errors.append(FieldError("$", f"unexpected fields {unknown}; answers go in 'answers'"))
    answers = entry.get("answers")
    if not isinstance(answers, Mapping):
        return [*errors, FieldError("$.answers", "expected an object of item answers")], None
    errors.extend(instrument.validate_answers(answers))
    token = entry.get("token")
    if token is not None:
        if not isinstance(token, str) or token not in tokens:
            errors.append(FieldError("$.token", f"not an invitation token of survey {survey.id!r}"))
        elif token in used:
            errors.append(
                FieldError("$.token", f"this invitation already answered in {used[token]}")
            )
    kind = entry.get("customer_kind")
    if kind is not None and kind not in {member.value for member in CustomerKind}:
        expected = " or ".join(member.value for member in CustomerKind)
        errors.append(FieldError("$.customer_kind", f"expected {expected}, got {kind!r}"))
    if entry.get("comment") is not None and not isinstance(entry["comment"], str):
        errors.append(FieldError("$.comment", "expected text"))
    submitted = default_at
    if entry.get("submitted_at") is not None:
        try:
            submitted = utc(datetime.fromisoformat(str(entry["submitted_at"])), "$.submitted_at")
        except (ValueError, ValidationError) as error:
            errors.append(
                FieldError("$.submitted_at", f"expected an ISO time with offset: {error}")
            )
    if errors:
        return errors, None
    digest = hashlib.sha256(f"{survey.id}\n{position}".encode()).hexdigest()
    response_id = f"{survey.id}-{digest[:16]}"
    try:
        response = SurveyResponse.submit(
            id=response_id,
            at=submitted,
            survey_id=survey.id,
            instrument=instrument.id,
            answers=dict(answers),
            by=None,
            customer_kind=entry.get("customer_kind"),
            comment=entry.get("comment") or "",
        )
    except ValidationError as error:
        return list(error.errors), None
    except (QSEError, ValueError) as error:
        return [FieldError("$", str(error))], None
    if isinstance(token, str):
        used[token] = source
    return [], response
