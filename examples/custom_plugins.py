"""A custom rule kind and a custom notifier, registered as plugins at run time.

A lab wants every documented corrective action on a complaint to say its root cause and the
action taken (source 000, "Managing Customer Complaints": corrective actions are initiated and
documented), and wants each breach posted to its quality team's ticket queue. Neither is built
in, so a plugin adds both:

- a rule kind, `documented_fields`, returned by the plugin's `qse_rule_kinds` hook, which any
  ruleset can then name in its `kind` field;
- a notifier, whose `qse_notify` hook receives each new breach or at-risk deadline once.

The plugin is registered with `get_plugin_manager().register(...)`, as an installed plugin's
entry point would be; `load_ruleset`, `check` and `notify_due` then find both through it.

Run: python examples/custom_plugins.py
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import qse_customer as qse
from qse_customer.rules import BaseRuleKind, CompileContext, CompiledRule, Env, Rule
from qse_customer.rules.status import BREACHED, MET, NOT_APPLICABLE

LONDON = ZoneInfo("Europe/London")
CALENDAR = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)
TECH = qse.Actor("t-17", "Tara Tech", qse.Role.TECHNOLOGIST)
MANAGER = qse.Actor("qm-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)
MONDAY = datetime(2026, 6, 1, 9, 0, tzinfo=LONDON)

RULES = {
    "name": "complaint-documentation",
    "version": "1",
    "rules": [
        {
            "id": "LAB-CA-1",
            "title": "A documented corrective action states its root cause and the action taken",
            "kind": "documented_fields",
            "source": {
                "document": "000_ad609cf394a71cac.txt",
                "section": "Process for Managing Customer Complaints",
                "quote": "Corrective actions are initiated and documented in response to "
                "complaints",
            },
            "severity": "high",
            "applies_to": {"record_type": "complaint"},
            "params": {
                "event": "corrective_action_documented",
                "fields": ["root_cause", "action"],
            },
        }
    ],
}


class DocumentedFields(BaseRuleKind):
    """Every event of one kind carries the named, non-empty fields in its data."""

    name = "documented_fields"
    params_schema: Mapping[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["event", "fields"],
        "properties": {
            "event": {"type": "string"},
            "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
    }

    def event_kinds(self, params: Mapping[str, Any]) -> list[tuple[str, str]]:
        """The event kind the rule reads, so a ruleset naming an unknown kind is refused."""
        return [(".event", params["event"])]

    def compile(self, rule: Rule, context: CompileContext) -> CompiledRule:
        """A check returning the first event that lacks a field, and its explanation."""
        kind = rule.params["event"]
        wanted = tuple(rule.params["fields"])

        def check(record: qse.Record, events: Sequence[qse.Event], env: Env) -> Any:
            seen = False
            for index, event in enumerate(events):
                if event.kind != kind:
                    continue
                seen = True
                missing = [name for name in wanted if not event.data.get(name)]
                if missing:
                    return (BREACHED, None, None, (index, missing))
            return (MET, None, None, None) if seen else (NOT_APPLICABLE, None, None, None)

        def explain(
            record: qse.Record, events: Sequence[qse.Event], outcome: Any, env: Env
        ) -> tuple[dict[str, Any], str]:
            code, _, _, facts = outcome
            if code == NOT_APPLICABLE:
                return {"event": kind}, f"no {kind} event yet"
            if code == MET:
                return {"event": kind, "fields": list(wanted)}, f"every {kind} states " + (
                    " and ".join(wanted)
                )
            index, missing = facts
            event = events[index]
            return (
                {"event": kind, "at": event.at.isoformat(), "missing": missing},
                f"{kind} on {env.show_at(event)} does not state {' or '.join(missing)}",
            )

        return CompiledRule(check=check, explain=explain)


class QualityTicketPlugin:
    """The lab's plugin: the rule kind above, and a notifier that opens tickets."""

    def __init__(self) -> None:
        self.tickets: list[str] = []

    @qse.hookimpl
    def qse_rule_kinds(self) -> Mapping[str, Any]:
        """The plugin's rule kinds by name."""
        return {DocumentedFields.name: DocumentedFields()}

    @qse.hookimpl
    def qse_notify(self, notification: qse.notifiers.Notification) -> None:
        """Open a ticket (here: keep its text) for each notification."""
        self.tickets.append(f"TICKET-{len(self.tickets) + 1}: {notification.message}")


def complaints() -> list[qse.Complaint]:
    """Three complaints: one documented well, one without a root cause, one still open."""
    first = qse.Complaint.receive(
        id="C-301", at=MONDAY, by=TECH, channel="email", category="turnaround"
    ).add(
        "corrective_action_documented",
        at=MONDAY + timedelta(days=2),
        by=MANAGER,
        root_cause="courier missed the 14:00 run",
        action="second afternoon run added",
    )
    second = qse.Complaint.receive(
        id="C-302", at=MONDAY, by=TECH, channel="telephone", category="lost sample"
    ).add(
        "corrective_action_documented",
        at=MONDAY + timedelta(days=3),
        by=MANAGER,
        action="sample re-collected",
    )
    third = qse.Complaint.receive(
        id="C-303", at=MONDAY + timedelta(days=1), by=TECH, channel="form", category="courtesy"
    )
    return [first, second, third]


def main() -> None:
    """Register the plugin, check the complaints with its rule kind, notify what is due."""
    plugins = qse.get_plugin_manager()
    plugin = QualityTicketPlugin()
    plugins.register(plugin, "lab-quality-tickets")
    try:
        print(f"Rule kinds from plugins: {sorted(plugins.rule_kinds())}")
        ruleset = qse.load_ruleset(RULES)
        at = MONDAY + timedelta(days=7)
        report = qse.check(complaints(), ruleset, calendar=CALENDAR, at=at, keep=list(qse.Status))
        print(f"\n{ruleset.label}: what {RULES['rules'][0]['id']} found")
        for finding in report.findings:
            print(f"  [{finding.status.value}] {finding.record_id}: {finding.message}")

        with qse.open_store("memory://") as store:
            # Last week's complaints, imported from the LIS that took them (known from the start).
            store.save_many(complaints(), legacy=True)
            first = qse.notifiers.notify_due(store, RULES, calendar=CALENDAR, at=at)
            again = qse.notifiers.notify_due(
                store, RULES, calendar=CALENDAR, at=at + timedelta(days=1)
            )
        print(f"\nnotify_due: {len(first.new)} new notification(s); a day later {len(again.new)}")
        receivers = sorted({name for _, name in first.delivered})
        print(f"  delivered to: {', '.join(receivers)}")
        for ticket in plugin.tickets:
            print(f"  {ticket}")
    finally:
        plugins.unregister("lab-quality-tickets")
    print(f"\nAfter unregistering: {sorted(plugins.rule_kinds())} (no plugin rule kinds)")


if __name__ == "__main__":
    main()
