"""``qse-customer explain``: the full derivation of one finding, printed readably."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Iterator
from datetime import datetime
from itertools import chain
from typing import Any

from ..core.export import for_export as without_free_text
from ..core.export import withholds_text
from ..core.record import Record
from ..core.record_types import RECORD_TYPES
from ..core.redaction import redact_url
from ..core.translation import Translator, translator
from ..reports._formatting import duration, local_time, rule_title, status_word
from ..reports._terminal import printable, printable_json, printable_lines
from ..rules.findings import Finding, in_locale
from ..rules.ruleset import Rule, Ruleset
from ..rules.versions import RulesetVersions, compile_ruleset
from ..stores.errors import RecordNotFoundError
from ..stores.protocol import Store
from ._locale import add_locale, epilog, messages
from .commands import summary
from .common import (
    InputError,
    add_at,
    add_calendar,
    add_rulesets,
    add_store,
    calendar_from,
    existing_store,
    parse_at,
    rulesets_from,
)
from .labs import add_lab, apply_lab
from .parsing import EXIT_OK, HelpFormatter

EXAMPLE = """\
RECORD_ID is the record's id; for a rule judging a whole period (a threshold such as T-8) give
the period instead (e.g. 2026 or 2026-03).

example:
  qse-customer explain T-1 ENQ-2026-0012 --store sqlite:///lab.db \\
      --ruleset customer-service-standards --at 2026-03-18T14:30
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``explain`` command (its help in :data:`.parsing.HELP_LOCALE`'s language)."""
    t = messages()
    parser = commands.add_parser(
        "explain",
        help=summary("explain"),
        description=t.gettext(
            "Evaluate one rule for one record as of --at and print the finding: its status, "
            "deadline, the rule's source, the message and every piece of evidence."
        ),
        epilog=epilog(
            EXAMPLE,
            t,
            [
                t.gettext(
                    "RECORD_ID is the record's id; for a rule judging a whole period (a threshold "
                    "such as T-8) give the period instead (e.g. 2026 or 2026-03)."
                )
            ],
            t.gettext("example:"),
        ),
        formatter_class=HelpFormatter,
    )
    parser.add_argument("rule_id", metavar="RULE_ID")
    parser.add_argument("record_id", metavar="RECORD_ID")
    add_store(parser)
    add_rulesets(parser, required=False)
    add_at(parser)
    parser.add_argument("--json", action="store_true", help=t.gettext("print the finding as JSON"))
    add_locale(parser, t)
    add_calendar(parser)
    add_lab(parser)
    parser.set_defaults(run=run)


def _rule(
    rulesets: list[Ruleset | RulesetVersions], rule_id: str
) -> tuple[Ruleset | RulesetVersions, Rule]:
    for ruleset in rulesets:
        for rule in ruleset.rules:
            if rule.id == rule_id:
                return ruleset, rule
    known = ", ".join(rule.id for ruleset in rulesets for rule in ruleset.rules)
    raise InputError(
        messages()
        .gettext("no rule {rule} in the rulesets given; they have {known}")
        .format(rule=repr(rule_id), known=known)
    )


def _types(rule: Rule) -> tuple[str, ...]:
    types = tuple(rule.applies_to.record_types)
    return tuple(sorted(RECORD_TYPES)) if "any" in types else types


def _candidates(store: Store, rule: Rule, record_id: str) -> Iterator[Any]:
    """The record itself if it is stored, else every record the rule concerns (a period)."""
    found = []
    for tag in _types(rule):
        try:
            found.append(store.load(tag, record_id))
        except RecordNotFoundError:
            continue
    if found:
        return iter(found)
    return chain.from_iterable(store.stream(tag) for tag in _types(rule))


def find(
    store: Store,
    ruleset: Ruleset | RulesetVersions,
    rule: Rule,
    record_id: str,
    *,
    calendar: Any,
    at: datetime,
) -> Finding:
    """The finding of ``rule`` for the record (or period) ``record_id`` as of ``at``."""
    compiled = compile_ruleset(ruleset, calendar=calendar)
    for finding in compiled.evaluate(_candidates(store, rule, record_id), at=at):
        if finding.rule_id != rule.id:
            continue
        if finding.record_id == record_id or (
            finding.record_id is None and finding.period == record_id
        ):
            return finding
    kinds = " or ".join(_types(rule))
    raise InputError(
        messages()
        .gettext(
            "no {kinds} {record} in {store} that rule {rule} judges as of {at}; check the id "
            "(and --at: events after it are ignored)"
        )
        .format(
            kinds=kinds,
            record=repr(record_id),
            store=store_name(store),
            rule=rule.id,
            at=at.isoformat(),
        )
    )


def store_name(store: Store) -> str:
    """How to name the store in a message."""
    return redact_url(str(getattr(store, "where", type(store).__name__)))


def _evidence_lines(value: Any, zone: str, indent: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(inner, dict | list) and inner:
                yield f"{indent}{key}:"
                yield from _evidence_lines(inner, zone, indent + "  ")
            else:
                yield f"{indent}{key}: {_scalar(inner, zone)}"
    elif isinstance(value, list):
        for inner in value:
            if isinstance(inner, dict | list):
                lines = list(_evidence_lines(inner, zone, indent + "  "))
                if lines:
                    yield f"{indent}- {lines[0].strip()}"
                    yield from lines[1:]
            else:
                yield f"{indent}- {_scalar(inner, zone)}"
    else:
        yield f"{indent}{_scalar(value, zone)}"


def _scalar(value: Any, zone: str) -> str:
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return f"{local_time(value, zone)} ({value})"
        except ValueError:
            return value
    if value is None:
        return "-"
    return str(value)


def describe(finding: Finding, rule: Rule, zone: str, t: Translator | None = None) -> str:
    """The finding as readable text (control characters from the records shown escaped), in
    ``t``'s language (English by default; the rule's words and the evidence stay as written)."""
    t = translator() if t is None else t
    record = (
        f"{finding.record_type} {finding.record_id}"
        if finding.record_id
        else t.gettext("period {period}").format(period=finding.period)
    )
    data = finding.to_dict()
    labels = {
        "rule": t.gettext("Rule:"),
        "source": t.gettext("Source:"),
        "ruleset": t.gettext("Ruleset:"),
        "severity": t.gettext("Severity:"),
        "due": t.gettext("Due:"),
        "elapsed": t.gettext("Elapsed:"),
    }
    width = max(len(label) for label in labels.values()) + 1
    label = {key: text.ljust(width) for key, text in labels.items()}
    lines = [
        t.gettext("{rule} for {record}: {status}").format(
            rule=finding.rule_id, record=record, status=status_word(finding.status.value, t).upper()
        ),
        "",
        f"{label['rule']}{rule_title(rule.id, rule.title, t)}",
        f"{label['source']}{finding.source}",
    ]
    quote = rule.source.quote
    if quote:
        lines.extend(
            textwrap.wrap(
                f'"{quote}"', width=96, initial_indent=" " * width, subsequent_indent=" " * width
            )
        )
    lines.extend(
        [
            f"{label['ruleset']}{finding.ruleset} {finding.ruleset_version}",
            f"{label['severity']}{finding.severity}",
            f"{label['due']}{local_time(data['due_at'], zone, t)}",
        ]
    )
    if finding.elapsed is not None:
        seconds = finding.elapsed.total_seconds()
        hours = f"{seconds / 3600:.1f}" if t.is_source else t.number(seconds / 3600, 1)
        shown = f"{hours} h" if finding.measure == "working time" else duration(seconds, t)
        measures = {
            "working time": t.gettext("working time"),
            "calendar time": t.gettext("calendar time"),
        }
        measure = measures.get(str(finding.measure), finding.measure)
        lines.append(f"{label['elapsed']}{shown} ({measure})")
    lines.extend(["", t.gettext("Why:")])
    message = in_locale(finding.message, t) or finding.message
    lines.extend(textwrap.wrap(message, width=96, initial_indent="  ", subsequent_indent="  "))
    lines.extend(["", t.gettext("Evidence:")])
    evidence = list(_evidence_lines(data["evidence"], zone, "  "))
    lines.extend(evidence or ["  " + t.gettext("(none)")])
    return "\n".join(printable(line) for line in lines)


def history_lines(
    record: Record, at: datetime, zone: str, t: Translator | None = None
) -> list[str]:
    """The record's whole history as stored: each event with when it happened and when it was
    recorded, corrections and erasures beside what they change, the cycles of a reopened
    record, and what the check left out as not yet recorded at ``at``."""
    t = translator() if t is None else t
    lines = ["", t.gettext("History (as stored):")]
    reopening = record.LIFECYCLE.reopening
    # An anonymous complainant's words (and a correction's reasons) appear in no output.
    if withholds_text(record):
        record = without_free_text(record)
    cycle = 1
    corrected_by: dict[int, list[int]] = {}
    for index, event in enumerate(record.events):
        if event.kind == "corrected":
            target = event.data.get("event")
            if isinstance(target, int):
                corrected_by.setdefault(target, []).append(index)
    for index, event in enumerate(record.events):
        if index and event.kind in reopening:
            cycle += 1
            lines.append(t.gettext("  -- cycle {number}").format(number=cycle))
        who = (
            t.gettext(" by {role} {name}").format(
                role=event.actor.role.value, name=event.actor.name
            )
            if event.actor
            else ""
        )
        lines.append(
            t.gettext("  [{index}] {kind} at {time}{who}").format(
                index=index,
                kind=event.kind,
                time=local_time(event.at.isoformat(), zone, t),
                who=who,
            )
        )
        recorded = event.recorded_at
        if recorded is None:
            lines.append("      " + t.gettext("recorded before stamping (no store time)"))
        else:
            late = recorded - event.at
            when = local_time(recorded.isoformat(), zone, t)
            after = (
                t.gettext(", {duration} after it happened").format(
                    duration=duration(late.total_seconds(), t)
                )
                if late
                else ""
            )
            lines.append(
                "      " + t.gettext("recorded {when}{after}").format(when=when, after=after)
            )
            if recorded > at:
                lines.append("      " + t.gettext("recorded after --at: not part of this check"))
        if event.kind == "corrected":
            replacement = event.data.get("replacement", {})
            now = local_time(str(replacement.get("at")), zone, t)
            lines.append(
                "      "
                + t.gettext("corrects [{event}]: now {kind} at {time}; reason: {reason}").format(
                    event=event.data.get("event"),
                    kind=replacement.get("kind"),
                    time=now,
                    reason=event.data.get("reason"),
                )
            )
        elif event.kind == "erased":
            fields = ", ".join(event.data.get("fields", ()))
            lines.append(
                "      "
                + t.gettext("erased identity: {fields}; reason: {reason}").format(
                    fields=fields, reason=event.data.get("reason")
                )
            )
        for later in corrected_by.get(index, ()):
            lines.append(
                "      "
                + t.gettext("superseded by the correction [{event}] where judged").format(
                    event=later
                )
            )
    return lines


def run(args: argparse.Namespace) -> int:
    """Find the finding and print it, with the record's history."""
    apply_lab(args)
    t = translator(args.locale)
    calendar = calendar_from(args)
    at = parse_at(args.at, calendar)
    with existing_store(args.store, args.lab) as store:
        rulesets = rulesets_from(
            args.ruleset, store, args.contracts, at, extends_from=args.extends_from
        )
        ruleset, rule = _rule(rulesets, args.rule_id)
        finding = find(store, ruleset, rule, args.record_id, calendar=calendar, at=at)
        record = None
        if finding.record_id is not None and finding.record_type is not None:
            record = store.load(finding.record_type, finding.record_id)
    if isinstance(ruleset, RulesetVersions):  # the rule as the version that judged it wrote it
        judged = next(v for v in ruleset.versions if v.version == finding.ruleset_version)
        rule = judged.rule(rule.id)
    if args.json:
        print(printable_json(finding.to_json(indent=2)))
        return EXIT_OK
    text = describe(finding, rule, calendar.timezone, t)
    if record is not None:
        text += "\n" + "\n".join(
            printable(line) for line in history_lines(record, at, calendar.timezone, t)
        )
    print(printable_lines(text))  # each line escaped already: keep the line breaks
    return EXIT_OK
