"""What several commands share: the store, rulesets, calendar and ``--at`` options, reading the
time with pendulum, progress on a terminal, and the errors that mean "bad input" (exit code 2)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import pendulum

from ..core.calendar import WorkingCalendar
from ..core.contract import Contract
from ..core.errors import QSEError, ValidationError, json_problem
from ..core.redaction import redact_url, scrub, secrets_in
from ..core.translation import ENGLISH, Translator, in_locale
from ..reports._atomic_file import replacing
from ..reports._terminal import printable, printable_lines
from ..rules.contract_rules import contract_rules, merge_rulesets
from ..rules.loader import load_ruleset
from ..rules.ruleset import Ruleset
from ..rules.versions import RulesetVersions
from ..stores._opening import open_store
from ..stores.protocol import Store
from ._locale import messages

DEFAULT_CALENDAR = {
    "timezone": "Europe/London",
    "country": "GB",
    "subdivision": "ENG",
    "opens": "08:00",
    "closes": "17:00",
}
"""The calendar used when neither ``--calendar`` nor a calendar option is given."""


class InputError(QSEError):
    """Bad input on the command line (a missing file, a time that cannot be read, ...)."""


def add_store(parser: argparse.ArgumentParser) -> None:
    """``--store URL``."""
    t = messages()
    parser.add_argument(
        "--store",
        required=True,
        metavar="URL",
        help=t.gettext("the store, e.g. sqlite:///lab.db (or a plugin's URL scheme)"),
    )


def add_rulesets(
    parser: argparse.ArgumentParser, *, contracts: bool = True, required: bool = True
) -> None:
    """``--ruleset NAME|PATH`` (repeatable) and ``--contracts``."""
    t = messages()
    parser.add_argument(
        "--ruleset",
        action="append",
        required=required,
        metavar="NAME|PATH",
        help=t.gettext(
            "a shipped ruleset (qse2-responsibility, customer-service-standards, "
            "complaints-handling, improvement-referrals) or a ruleset file; repeat for several "
            "(rulesets of the same name are versions of one ruleset, each judging the records "
            "of its own time)"
        ),
    )
    parser.add_argument(
        "--extends-from",
        action="append",
        default=[],
        metavar="DIR",
        help=t.gettext(
            "a folder whose rulesets a ruleset file may extend, besides its own folder; repeat "
            "for several"
        ),
    )
    if contracts:
        parser.add_argument(
            "--contracts",
            action="store_true",
            help=t.gettext(
                "also check the terms of every contract in the store (turnaround, reviews, "
                "deviation reporting)"
            ),
        )


def add_at(parser: argparse.ArgumentParser) -> None:
    """``--at TIME``."""
    parser.add_argument(
        "--at",
        metavar="TIME",
        help=messages().gettext(
            "judge clocks as of this time (ISO 8601, e.g. 2026-03-18T14:30; a time without an "
            "offset is in the lab's time zone); default: now"
        ),
    )


def add_calendar(parser: argparse.ArgumentParser) -> None:
    """The working-calendar options."""
    t = messages()
    group = parser.add_argument_group(
        t.gettext("working calendar"),
        t.gettext("default: Europe/London, GB-ENG bank holidays, open 08:00-17:00 on weekdays"),
    )
    group.add_argument(
        "--calendar", metavar="FILE.json", help=t.gettext("calendar settings as JSON")
    )
    group.add_argument(
        "--timezone", metavar="ZONE", help=t.gettext("IANA time zone, e.g. Europe/London")
    )
    group.add_argument("--country", metavar="CODE", help=t.gettext("holiday country, e.g. GB"))
    group.add_argument(
        "--subdivision", metavar="CODE", help=t.gettext("holiday subdivision, e.g. ENG")
    )
    group.add_argument("--opens", metavar="HH:MM", help=t.gettext("opening time"))
    group.add_argument("--closes", metavar="HH:MM", help=t.gettext("closing time"))


def calendar_from(args: argparse.Namespace) -> WorkingCalendar:
    """The working calendar the options describe."""
    options = {
        name: getattr(args, name)
        for name in ("timezone", "country", "subdivision", "opens", "closes")
        if getattr(args, name, None) is not None
    }
    if getattr(args, "calendar", None):
        if options:
            raise InputError(
                messages()
                .gettext(
                    "--calendar and --{option} both describe the calendar; give the settings in "
                    "the file or as options, not both"
                )
                .format(option=next(iter(options)))
            )
        settings = read_json(Path(args.calendar))
        if not isinstance(settings, dict):
            raise InputError(
                messages()
                .gettext("{file}: expected a JSON object of calendar settings")
                .format(file=args.calendar)
            )
        return WorkingCalendar.from_dict(settings)
    lab_calendar = getattr(args, "lab_calendar", None)  # the lab's, from --labs
    if lab_calendar is not None and not options:
        return WorkingCalendar.from_dict(lab_calendar)
    return WorkingCalendar(**{**DEFAULT_CALENDAR, **options})


def parse_at(value: str | None, calendar: WorkingCalendar) -> datetime:
    """``--at`` as an aware datetime (a time without an offset is on the calendar's wall clock);
    now if None. A time outside the calendar's years is bad input."""
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = pendulum.parse(value, tz=calendar.timezone)
    except (ValueError, pendulum.parsing.exceptions.ParserError) as error:
        raise InputError(
            messages()
            .gettext(
                "--at {value}: not a time pendulum can read ({error}); expected ISO 8601 such as "
                "2026-03-18T14:30 or 2026-03-18T14:30:00+00:00"
            )
            .format(value=repr(value), error=error)
        ) from None
    if not isinstance(parsed, pendulum.DateTime):
        raise InputError(
            messages()
            .gettext(
                "--at {value}: expected a date and time (ISO 8601, e.g. 2026-03-18T14:30), got "
                "a {kind}"
            )
            .format(value=repr(value), kind=type(parsed).__name__.lower())
        )
    if not calendar.first_year <= parsed.year <= calendar.last_year:
        raise InputError(
            messages()
            .gettext("--at {value}: outside the years the working calendar covers ({first}-{last})")
            .format(value=repr(value), first=calendar.first_year, last=calendar.last_year)
        )
    return datetime.fromisoformat(parsed.isoformat())


def read_text(path: Path) -> str:
    """A file's text; a missing or unreadable file is bad input."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(messages().gettext("{path}: no such file").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(
            messages().gettext("{path}: cannot read it: {error}").format(path=path, error=error)
        ) from None


def read_json(path: Path) -> Any:
    """A JSON file's document."""
    try:
        return json.loads(read_text(path))
    except ValueError as error:
        raise InputError(
            messages()
            .gettext("{path}: not JSON: {problem}")
            .format(path=path, problem=json_problem(error))
        ) from None
    except RecursionError:
        raise InputError(
            messages().gettext("{path}: nested too deeply to read; flatten it").format(path=path)
        ) from None


def existing_store(url: str, lab: str | None = None) -> Store:
    """Open a store that must already exist (a mistyped SQLite path is not a new, empty store),
    for ``lab`` (None: the default lab)."""
    if url.startswith("sqlite:///"):
        from ..stores.sqlite import parse_sqlite_url  # imported when used: sqlite3 is not cheap

        try:
            path, _ = parse_sqlite_url(url)
        except ValidationError:
            path = ":memory:"  # open_store says what is wrong with the URL
        if path != ":memory:" and not Path(path).exists():
            shown = scrub(path, secrets_in(url))
            raise InputError(
                messages()
                .gettext("--store {url}: there is no file {path}; check the path")
                .format(url=redact_url(url), path=shown)
            )
    return open_store(url, lab=lab)


def rulesets_from(
    names: Sequence[str],
    store: Store | None,
    contracts: bool,
    at: datetime | None = None,
    extends_from: Sequence[str] = (),
) -> list[Ruleset | RulesetVersions]:
    """The rulesets named on the command line (several of one name: its versions, checked
    together), plus the stored contracts' terms (as amended by ``at``) if asked; ``extends_from``
    names the folders ``extends`` may read files from beyond each ruleset file's own."""
    by_name: dict[str, list[Ruleset]] = {}
    for name in names:
        loaded = load_ruleset(name, extends_from=extends_from)
        by_name.setdefault(loaded.name, []).append(loaded)
    rulesets: list[Ruleset | RulesetVersions] = [
        versions[0] if len(versions) == 1 else RulesetVersions.of(versions)
        for versions in by_name.values()
    ]
    if contracts and store is not None:
        terms = [contract_rules(c, at=at) for c in store.stream(Contract)]
        if terms:
            rulesets.append(merge_rulesets("contracts", "1", terms))
    seen: dict[str, str] = {}
    for ruleset in rulesets:
        for rule in ruleset.rules:
            if rule.id in seen:
                raise InputError(
                    messages()
                    .gettext("rule {rule} is in both {first} and {second}; give each ruleset once")
                    .format(rule=repr(rule.id), first=seen[rule.id], second=ruleset.name)
                )
            seen[rule.id] = ruleset.name
    return rulesets


def progress_printer(
    stream: TextIO | None = None, *, t: Translator = ENGLISH
) -> Callable[[str], None] | None:
    """A function printing progress to stderr when stderr is a terminal, else None; a line the
    library says (:class:`~qse_customer.core.translation.Said`) is printed in ``t``'s
    language."""
    out = stream or sys.stderr
    if not out.isatty():
        return None

    def show(step: str) -> None:
        out.write(f"... {printable(in_locale(step, t))}\n")
        out.flush()

    return show


@contextmanager
def output(path: str | None) -> Iterator[TextIO]:
    """The file to write to (``--output``), or stdout. A file is replaced only when the block
    completes: a failure leaves the previous file as it was (see :mod:`..reports.atomic_file`)."""
    if path is None or path == "-":
        yield sys.stdout
        return
    try:
        with replacing(path) as handle:
            yield handle
    except OSError as error:
        raise InputError(
            messages()
            .gettext("--output {path}: cannot write it: {reason}")
            .format(path=path, reason=_reason(error))
        ) from None


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def say(text: object, *, stream: TextIO | None = None) -> None:
    """Print a message of the command, its control characters escaped (line breaks kept)."""
    print(printable_lines(str(text)), file=stream if stream is not None else sys.stdout)
