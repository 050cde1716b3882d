"""The report as ``qse-customer check`` builds it from its options, for every command that
shows it (``check``, ``export --format csv|xlsx``): one pipeline, one set of privacy rules."""

from __future__ import annotations

import argparse
from typing import Any

from ..core.redaction import redact_url
from ..core.translation import translator
from ..reports.content import build_report
from .common import calendar_from, existing_store, parse_at, progress_printer, rulesets_from


def report_from(
    args: argparse.Namespace, *, small_cell_threshold: int, max_findings: int
) -> dict[str, Any]:
    """The customer focus report of the store, rulesets, calendar and moment ``args`` name."""
    t = translator(getattr(args, "locale", "en"))
    calendar = calendar_from(args)
    at = parse_at(args.at, calendar)
    lab = getattr(args, "lab", None)
    with existing_store(args.store, lab) as store:
        rulesets = rulesets_from(
            args.ruleset, store, args.contracts, at, extends_from=args.extends_from
        )
        return build_report(
            store.stream,
            rulesets,
            calendar=calendar,
            at=at,
            title=t.gettext("Customer focus report"),
            source=redact_url(args.store) + (f" (lab {lab})" if lab is not None else ""),
            progress=progress_printer(t=t),
            small_cell_threshold=small_cell_threshold,
            max_findings=max_findings,
        )
