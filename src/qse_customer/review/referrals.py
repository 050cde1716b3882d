"""Referrals for process improvement raised by threshold rules (source 000, "Referral for Process
Improvement": "identified problems are referred for process improvement").

A ``threshold`` rule with a ``refer`` object in its params refers each period it breaches: one
:class:`~qse_customer.core.referral.Referral` per breached finding, owned by the ``owner`` role,
due ``due_in_working_days`` working days after ``at`` on the lab's calendar, with the finding's
evidence and message. Its id is derived from the ruleset, the rule and the period, so a second
run over the same data finds the referral it made the first time (pass the stored referrals as
``existing``) and does not make it again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ..core._frozen_json import thaw
from ..core.calendar import WorkingCalendar
from ..core.errors import ValidationError
from ..core.events import Event
from ..core.referral import Referral
from ..core.roles import Actor
from ..core.timestamps import utc
from ..rules.findings import Finding
from ..rules.loader import RulesetSource, load_ruleset
from ..rules.report import Report
from ..rules.ruleset import Rule
from ..rules.status import Status

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def referral_id(ruleset: str, rule_id: str, period: str | None) -> str:
    """The id of the referral a rule raises for a period: ``REF-<ruleset>-<rule>-<period>``."""
    parts = (ruleset, rule_id, period or "all")
    return "REF-" + "-".join(_UNSAFE.sub("_", part) for part in parts)


def _findings(report_or_findings: Report | Iterable[Finding]) -> Iterable[Finding]:
    if isinstance(report_or_findings, Report):
        return report_or_findings.findings
    if not isinstance(report_or_findings, Iterable):
        raise ValidationError.single(
            "$.findings",
            f"expected a Report or an iterable of findings, got "
            f"{type(report_or_findings).__name__}",
        )
    return report_or_findings


def _existing_ids(existing: Iterable[Referral | str]) -> set[str]:
    ids = set()
    for index, item in enumerate(existing):
        if isinstance(item, Referral):
            ids.add(item.id)
        elif isinstance(item, str):
            ids.add(item)
        else:
            raise ValidationError.single(
                f"$.existing[{index}]",
                f"expected a Referral or a referral id, got {type(item).__name__}",
            )
    return ids


def referrals_from(
    report_or_findings: Report | Iterable[Finding],
    ruleset: RulesetSource,
    *,
    calendar: WorkingCalendar,
    at: datetime,
    existing: Iterable[Referral | str] = (),
    by: Actor | None = None,
    kinds: Mapping[str, Any] | None = None,
) -> list[Referral]:
    """One new referral per breached finding of a referring threshold rule of ``ruleset``.

    Findings of other rules, other statuses or another ruleset are passed over, and so is a
    finding whose referral id is in ``existing`` (referrals or their ids, open or closed: a
    closed one is reopened by a person, not raised again). ``by`` is who opens the referrals
    (None: raised automatically by the rule). Each referral is opened and assigned at ``at``;
    the ``assigned`` event carries the owner role and the due date, which the
    ``improvement-referrals`` ruleset holds the referral to.
    """
    moment = utc(at, "$.at")
    loaded = load_ruleset(ruleset, kinds=kinds)
    referring: dict[str, Rule] = {
        rule.id: rule
        for rule in loaded.rules
        if rule.kind == "threshold" and "refer" in rule.params
    }
    seen = _existing_ids(existing)
    made: list[Referral] = []
    for finding in _findings(report_or_findings):
        if not isinstance(finding, Finding):
            raise ValidationError.single(
                "$.findings", f"expected findings, got a {type(finding).__name__}"
            )
        rule = referring.get(finding.rule_id)
        if rule is None or finding.status is not Status.BREACHED:
            continue
        if finding.ruleset and finding.ruleset != loaded.name:
            continue
        identifier = referral_id(loaded.name, rule.id, finding.period)
        if identifier in seen:
            continue
        seen.add(identifier)
        made.append(_referral(identifier, rule, finding, loaded.name, calendar, moment, by))
    return made


def _referral(
    identifier: str,
    rule: Rule,
    finding: Finding,
    ruleset: str,
    calendar: WorkingCalendar,
    at: datetime,
    by: Actor | None,
) -> Referral:
    refer = rule.params["refer"]
    due = calendar.add_working_days(at, int(refer["due_in_working_days"]))
    evidence = thaw(finding.evidence)
    sources = evidence.pop("source_records", []) if isinstance(evidence, dict) else []
    title = refer.get("title") or f"{rule.title}: breached in {finding.period or 'the period'}"
    details: dict[str, Any] = {
        "ruleset": ruleset,
        "ruleset_version": finding.ruleset_version,
        "rule_id": rule.id,
        "rule_source": finding.source,
        "period": finding.period,
        "category": refer.get("category"),
        "finding": evidence,
    }
    referral = Referral(
        id=identifier,
        title=title,
        reason=finding.message,
        owner_role=refer["owner"],
        due_at=due,
        source_rule=rule.id,
        source_records=sources,
        evidence=details,
        events=(Event("opened", at, by, {"rule_id": rule.id, "period": finding.period}),),
    )
    return referral.add(
        "assigned", at=at, by=by, owner_role=str(refer["owner"]), due=due.isoformat()
    )
