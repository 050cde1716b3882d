"""One ``load_ruleset``, ``compile_ruleset`` and ``check``: the package root exports the rule
engine's own, and the engine finds plugins' rule kinds in one place (``kind_registry``), asking
the plugin manager only when a ruleset names a kind that is not built in."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

import qse_customer as qse
import qse_customer.rules as rules
from qse_customer.core.events import Event
from qse_customer.core.record import Record
from qse_customer.plugins import get_plugin_manager, hookimpl
from qse_customer.rules import kind_registry
from qse_customer.rules.kind_protocol import BaseRuleKind, CompiledRule, Env, Outcome
from qse_customer.rules.status import BREACHED, MET

MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)
CALENDAR = qse.WorkingCalendar(timezone="Europe/London", opens="08:00", closes="17:00")
TECH = qse.Actor("tech-1", "Ada Tester", qse.Role.TECHNOLOGIST)


class OpenComplaints(BaseRuleKind):
    """A plugin's kind: a complaint still open is breached."""

    name = "still_open"

    def compile(self, rule: Any, context: Any) -> CompiledRule:
        def check(record: Record, events: Sequence[Event], env: Env) -> Outcome:
            is_open = getattr(record, "status", None) != "closed"
            return Outcome(BREACHED if is_open else MET, None, None, None)

        def explain(record: Record, events: Sequence[Event], outcome: Any, env: Env) -> Any:
            return {}, f"{record.id} is still open"

        return CompiledRule(check=check, explain=explain)


class KindsPlugin:
    @hookimpl
    def qse_rule_kinds(self) -> Mapping[str, Any]:
        return {"still_open": OpenComplaints()}


RULES = {
    "name": "plugin-kinds",
    "version": "1",
    "rules": [
        {
            "id": "P-1",
            "title": "No complaint left open",
            "kind": "still_open",
            "source": {"document": "lab policy"},
            "applies_to": {"record_type": "complaint"},
        }
    ],
}


@pytest.fixture
def plugin() -> Iterator[None]:
    get_plugin_manager.cache_clear()
    get_plugin_manager().register(KindsPlugin(), "kinds-plugin")
    yield
    get_plugin_manager.cache_clear()


@pytest.mark.parametrize(
    "name",
    ["load_ruleset", "load_ruleset_versions", "compile_ruleset", "check", "evaluate"],
)
def test_the_root_exports_the_rule_engines_own_functions(name: str) -> None:
    assert getattr(qse, name) is getattr(rules, name)


@pytest.mark.usefixtures("plugin")
def test_a_plugins_kind_is_found_by_the_rule_engine_itself() -> None:
    ruleset = rules.load_ruleset(RULES)
    assert ruleset.kinds["still_open"].name == "still_open"
    complaint = qse.Complaint.receive(
        id="c-1", at=MONDAY, by=TECH, channel="email", category="turnaround"
    )
    report = rules.check([complaint], RULES, calendar=CALENDAR, at=MONDAY)
    assert [(f.rule_id, f.record_id, f.status) for f in report.findings] == [
        ("P-1", "c-1", qse.Status.BREACHED)
    ]


def test_without_the_plugin_the_kind_is_unknown_and_every_kind_is_listed() -> None:
    get_plugin_manager.cache_clear()
    with pytest.raises(qse.ValidationError, match=r"unknown rule kind 'still_open'.*response_time"):
        rules.load_ruleset(RULES)


@pytest.mark.usefixtures("plugin")
def test_kinds_given_by_the_caller_are_all_the_extra_kinds() -> None:
    with pytest.raises(qse.ValidationError, match="unknown rule kind 'still_open'"):
        rules.load_ruleset(RULES, kinds={})
    assert rules.load_ruleset(RULES, kinds={"still_open": OpenComplaints()}).rules[0].id == "P-1"


def test_a_ruleset_of_built_in_kinds_never_asks_the_plugins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse() -> Mapping[str, Any]:
        raise AssertionError("the plugin manager was asked")

    monkeypatch.setattr(kind_registry, "plugin_kinds", refuse)
    document = {**RULES, "extends": "qse2-responsibility", "rules": []}
    assert rules.load_ruleset(document).rules
    rules.compile_ruleset("customer-service-standards", calendar=CALENDAR)
