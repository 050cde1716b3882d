"""Many labs in one store on the command line: ``--lab`` and ``--labs FILE.json`` (each lab's
calendar and rulesets) for ``check``, and ``qse-customer migrate-lab``, which makes a
single-lab store the home of one lab (docs/labs.md)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..core._checks import lab_name
from ..core.errors import ValidationError
from ..core.redaction import redact_url
from ._locale import add_locale, epilog, messages
from .commands import summary
from .common import InputError, add_store, existing_store, read_json
from .parsing import EXIT_OK, HelpFormatter

EXAMPLE = """\
exit codes: 0 the lab is the store's home lab (now, or already), 2 bad input or refused
(nothing changed)

example (once, before the store holds a second lab; then check each lab with --lab):
  qse-customer migrate-lab --store sqlite:///lab.db --lab LAB-7
  qse-customer check --store sqlite:///lab.db --lab LAB-7 --labs labs.json
"""

LABS_FILE_KEYS = ("calendar", "rulesets")
"""What a lab's entry in a ``--labs`` file may give."""


def add_lab(parser: argparse.ArgumentParser) -> None:
    """``--lab NAME`` and ``--labs FILE.json``."""
    t = messages()
    group = parser.add_argument_group(
        t.gettext("many labs in one store"),
        t.gettext("docs/labs.md; without --lab, the store's default lab, as before labs existed"),
    )
    group.add_argument(
        "--lab",
        metavar="NAME",
        help=t.gettext("open the store for this lab: only its records are read (e.g. LAB-7)"),
    )
    group.add_argument(
        "--labs",
        metavar="FILE.json",
        help=t.gettext(
            "each lab's calendar and rulesets, {example}; with --lab, that lab's are used where "
            "the command line names none"
        ).format(example='{"labs": {"LAB-7": {"calendar": ..., "rulesets": [...]}}}'),
    )


def add_lab_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--lab NAME`` alone (a command with no per-lab calendar or rulesets)."""
    parser.add_argument(
        "--lab",
        metavar="NAME",
        help=messages()
        .gettext(
            "{what} (a store holding many labs, docs/labs.md); default: the store's default lab"
        )
        .format(what=what),
    )


def lab_option(args: argparse.Namespace) -> str | None:
    """``--lab``, checked (None when not given)."""
    lab: str | None = getattr(args, "lab", None)
    if lab is not None:
        try:
            lab_name(lab, "--lab")
        except ValidationError as error:
            raise InputError(f"--lab: {error.errors[0].message}") from None  # the model's words
    return lab


def lab_entry(path: str, lab: str) -> dict[str, Any]:
    """The entry of ``lab`` in the labs file at ``path``, its file names resolved against the
    file's folder; bad input names the file and the field."""
    document = read_json(Path(path))
    labs = document.get("labs") if isinstance(document, dict) else None
    if not isinstance(labs, dict) or set(document) != {"labs"}:
        raise InputError(
            messages()
            .gettext("{path}: expected {shape}")
            .format(path=path, shape='{"labs": {"LAB-NAME": {...}, ...}}')
        )
    for name in labs:
        try:
            lab_name(name, f"$.labs[{name!r}]")
        except ValidationError as error:
            raise InputError(f"{path}: {error.errors[0].path}: {error.errors[0].message}") from None
    entry = labs.get(lab)
    if entry is None:
        t = messages()
        known = ", ".join(sorted(labs)) or t.gettext("none")
        raise InputError(
            t.gettext("{path}: names no lab {lab} (it names: {known})").format(
                path=path, lab=repr(lab), known=known
            )
        )
    where = f"$.labs.{lab}"
    if not isinstance(entry, dict) or not set(entry) <= set(LABS_FILE_KEYS):
        t = messages()
        raise InputError(
            t.gettext("{path}: {where}: expected an object with {keys}, got {entry}").format(
                path=path,
                where=where,
                keys=t.gettext("{first} and/or {second}").format(
                    first=LABS_FILE_KEYS[0], second=LABS_FILE_KEYS[1]
                ),
                entry=repr(entry),
            )
        )
    folder = Path(path).parent
    resolved: dict[str, Any] = {}
    calendar = entry.get("calendar")
    if isinstance(calendar, str):
        calendar = read_json(folder / calendar)
    if calendar is not None:
        if not isinstance(calendar, dict):
            raise InputError(
                messages()
                .gettext(
                    "{path}: {where}.calendar: expected calendar settings (an object) or the name "
                    "of a JSON file of them"
                )
                .format(path=path, where=where)
            )
        resolved["calendar"] = calendar
    rulesets = entry.get("rulesets")
    if rulesets is not None:
        if (
            not isinstance(rulesets, list)
            or not rulesets
            or not all(isinstance(r, str) and r for r in rulesets)
        ):
            raise InputError(
                messages()
                .gettext(
                    "{path}: {where}.rulesets: expected a list of shipped ruleset names or "
                    "ruleset files"
                )
                .format(path=path, where=where)
            )
        # A ruleset file is named relative to the labs file; anything else is a shipped name.
        resolved["rulesets"] = [
            str(folder / name) if (folder / name).is_file() else name for name in rulesets
        ]
    return resolved


def apply_lab(args: argparse.Namespace) -> None:
    """Check ``--lab`` and fill in, from ``--labs``, the rulesets and calendar the command line
    does not name; ``--ruleset`` is then required from one or the other."""
    lab_option(args)
    if args.labs is not None:
        if args.lab is None:
            raise InputError(
                messages().gettext("--labs names each lab's calendar and rulesets: give --lab too")
            )
        entry = lab_entry(args.labs, args.lab)
        if not args.ruleset and "rulesets" in entry:
            args.ruleset = entry["rulesets"]
        if "calendar" in entry:
            args.lab_calendar = entry["calendar"]
    if not args.ruleset:
        raise InputError(
            messages().gettext(
                "give the rulesets to check with --ruleset, or the lab's in --labs FILE with --lab"
            )
        )


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``migrate-lab`` command (its help in :data:`.parsing.HELP_LOCALE`'s language)."""
    t = messages()
    parser = commands.add_parser(
        "migrate-lab",
        help=summary("migrate-lab"),
        description=t.gettext(
            "Make a store of one lab the home of that lab, so that it can hold many: its records "
            "(which name no lab) become the lab's, their documents and hash chains unchanged "
            "(verify still passes), and the store notes the lab as its home lab. Named once; "
            "running it again with the same lab changes nothing."
        ),
        epilog=epilog(
            EXAMPLE,
            t,
            [
                t.gettext(
                    "exit codes: 0 the lab is the store's home lab (now, or already), 2 bad input "
                    "or refused (nothing changed)"
                )
            ],
            t.gettext(
                "example (once, before the store holds a second lab; then check each lab with "
                "--lab):"
            ),
        ),
        formatter_class=HelpFormatter,
    )
    add_store(parser)
    parser.add_argument(
        "--lab",
        required=True,
        metavar="NAME",
        help=t.gettext("the lab the store's records belong to"),
    )
    add_locale(parser, t)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Name the store's home lab and say how many records became that lab's."""
    from ..stores.labs import migrate_to_lab

    with existing_store(args.store) as store:
        moved = migrate_to_lab(store, args.lab)
    shown = redact_url(args.store)
    t = messages()
    if moved:
        print(
            t.gettext(
                "{store}: {lab} is the home lab; {count} record(s) of the default lab are "
                "{lab}'s, their documents and hash chains unchanged"
            ).format(store=shown, lab=args.lab, count=moved)
        )
    else:
        print(
            t.gettext("{store}: {lab} is the home lab; no record needed to move").format(
                store=shown, lab=args.lab
            )
        )
    return EXIT_OK
