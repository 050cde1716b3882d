"""Ruleset documents: loading, the schema, every problem with its JSON path, extends, kinds."""

from __future__ import annotations

import copy
import importlib.util
import json
from datetime import UTC, datetime
from typing import Any, ClassVar

import jsonschema
import pytest

import qse_customer as qse
from qse_customer.rules import (
    BUILTIN_KINDS,
    BaseRuleKind,
    CompiledRule,
    Status,
    evaluate,
    load_ruleset,
    ruleset_schema,
    shipped_rulesets,
)

LAB = qse.WorkingCalendar(
    timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
)


def rule(**changes):
    base = {
        "id": "X-1",
        "title": "feedback by the quality manager",
        "kind": "responsibility",
        "source": {"document": "000_ad609cf394a71cac.txt", "section": "Complaints"},
        "applies_to": {"record_type": "complaint"},
        "params": {"events": ["feedback_given"], "roles": ["quality_manager"]},
    }
    base.update(changes)
    return base


def document(*rules, **changes):
    return {"name": "lab-rules", "version": "1", "rules": list(rules), **changes}


def problems(doc, **kwargs):
    with pytest.raises(qse.ValidationError) as caught:
        load_ruleset(doc, **kwargs)
    found: dict[str, str] = {}
    for error in caught.value.errors:
        found[error.path] = (
            f"{found[error.path]} | {error.message}" if error.path in found else error.message
        )
    return found


CLOCK = {"start": ["received"], "stop": ["responded"], "limit": {"working_days": 2}}


def clock(rule_id, limit, target, **changes):
    return rule(
        id=rule_id,
        kind="response_time",
        applies_to={"record_type": "enquiry", "where": {"freedom_of_information": True}},
        params={**CLOCK, "limit": limit, "target": target},
        **changes,
    )


# -- the listed problems, each with its JSON path ----------------------------------------------


def test_an_unknown_event_kind_for_the_record_type_is_named_by_path():
    found = problems(document(rule(params={"events": ["answered"], "roles": ["quality_manager"]})))
    assert "unknown event kind 'answered' for a complaint" in found["$.rules[0].params.events[0]"]


def test_a_role_that_does_not_exist_is_named_by_path():
    params = {"events": ["feedback_given"], "roles": ["quality_manager", "director"]}
    found = problems(document(rule(params=params)))
    assert "unknown role 'director'" in found["$.rules[0].params.roles[1]"]


@pytest.mark.parametrize("unit", ["working_days", "working_hours", "minutes", "hours", "days"])
def test_a_negative_limit_is_named_by_path(unit):
    params = {**CLOCK, "limit": {unit: -1}}
    doc = document(rule(kind="response_time", applies_to={"record_type": "enquiry"}, params=params))
    found = problems(doc)
    assert "less than the minimum of 0" in found[f"$.rules[0].params.limit.{unit}"]


def test_a_response_target_longer_than_the_resolution_target_is_refused():
    doc = document(
        clock("ACK", {"working_days": 25}, "response"),
        clock("FINAL", {"working_days": 20}, "resolution"),
    )
    found = problems(doc)
    assert "longer than the resolution target of FINAL" in found["$.rules[0].params.limit"]


def test_targets_for_records_that_cannot_overlap_are_not_compared():
    other = clock("FINAL", {"working_days": 20}, "resolution")
    other["applies_to"] = {"record_type": "enquiry", "where": {"freedom_of_information": False}}
    load_ruleset(document(clock("ACK", {"working_days": 25}, "response"), other))


def test_two_rules_with_one_id_are_refused():
    found = problems(document(rule(), rule(title="again")))
    assert "duplicate rule id 'X-1'" in found["$.rules[1].id"]
    assert "$.rules[0]" in found["$.rules[1].id"]


def test_every_problem_is_reported_at_once():
    doc = document(
        rule(params={"events": ["answered"], "roles": ["nobody"]}),
        rule(kind="clockwork"),
        rule(id="X-2", applies_to={"record_type": "memo"}),
        rule(id="X-2"),
        name="Lab Rules",
    )
    found = problems(doc)
    assert {
        "$.name",
        "$.rules[0].params.events[0]",
        "$.rules[0].params.roles[0]",
        "$.rules[1].id",
        "$.rules[1].kind",
        "$.rules[2].applies_to.record_type",
        "$.rules[3].id",
    } <= set(found)


# -- other problems ----------------------------------------------------------------------------


def test_fields_in_applies_to_must_exist_and_hold_valid_values():
    where = {"chanel": "telephone", "channel": {"in": ["telephone", "fax"]}}
    doc = document(rule(applies_to={"record_type": "complaint", "where": where}))
    found = problems(doc)
    assert "no field 'chanel'" in found["$.rules[0].applies_to.where.chanel"]
    assert (
        "'fax' cannot be a complaint's channel"
        in found["$.rules[0].applies_to.where.channel.in[1]"]
    )


def test_missing_and_unexpected_fields_are_named():
    bad = rule()
    del bad["title"]
    bad["colour"] = "red"
    found = problems(document(bad))
    assert "'title' is a required property" in found["$.rules[0]"]
    assert any("colour" in message for message in found.values())


def test_kind_params_are_checked_against_the_kinds_schema():
    params = {"start": ["received"], "stop": ["responded"], "limit": {"fortnights": 1}}
    doc = document(rule(kind="response_time", applies_to={"record_type": "enquiry"}, params=params))
    found = problems(doc)
    assert "fortnights" in found["$.rules[0].params.limit"]


def test_a_limit_needs_exactly_one_amount():
    params = {**CLOCK, "limit": {"working_days": 2, "hours": 3}}
    doc = document(rule(kind="response_time", applies_to={"record_type": "enquiry"}, params=params))
    assert "expected exactly one of" in problems(doc)["$.rules[0].params.limit"]


def test_a_threshold_must_refer_to_an_existing_rule():
    threshold = rule(
        id="SHARE",
        kind="threshold",
        params={"period": "month", "aggregate": "share_met", "rule": "T-99", "at_least": 0.9},
    )
    assert "no rule 'T-99'" in problems(document(threshold))["$.rules[0].params.rule"]


def test_a_named_calendar_must_be_buildable_and_known():
    params = {**CLOCK, "calendar": "statutory"}
    doc = document(
        rule(kind="response_time", applies_to={"record_type": "enquiry"}, params=params),
        calendars={"uk": {"timezone": "Europe/Londres"}},
    )
    found = problems(doc)
    assert "IANA time zone" in found["$.calendars.uk.timezone"]
    assert "no calendar 'statutory'" in found["$.rules[0].params.calendar"]


def test_any_record_type_resolves_to_the_types_that_know_the_step():
    doc = document(
        rule(
            applies_to={"record_type": "any"},
            params={"events": ["referred"], "roles": ["quality_manager"]},
        )
    )
    loaded = load_ruleset(doc)
    assert set(loaded.rules[0].applies_to.record_types) == {
        "complaint",
        "customer",
        "enquiry",
        "survey",
    }
    doc = document(
        rule(
            applies_to={"record_type": "any"},
            params={"events": ["teleported"], "roles": ["quality_manager"]},
        )
    )
    assert "no record type knows" in problems(doc)["$.rules[0].applies_to.record_type"]


# -- loading ------------------------------------------------------------------------------------


def test_shipped_rulesets_load_by_name_and_round_trip():
    for name in shipped_rulesets():
        ruleset = load_ruleset(name)
        assert ruleset.name == name
        again = load_ruleset(json.loads(json.dumps(ruleset.to_dict())))
        assert again == ruleset
        # A source document of the project (cited by file), or one of the standards and
        # regulations the domain brief names for complaint handling (H-1 to H-5).
        external = ("ISO 15189:2022", "42 CFR 493.1291", "NHS Complaints Regulations 2009")
        for rule in ruleset.rules:
            document = rule.source.document
            assert document.endswith(".txt") or document.startswith(external), document
        assert all(rule.source.section for rule in ruleset.rules)


def test_shipped_documents_are_valid_against_the_published_schema():
    schema = ruleset_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for name in shipped_rulesets():
        jsonschema.validate(load_ruleset(name).to_dict(), schema)


def test_an_unknown_name_lists_the_shipped_ones():
    with pytest.raises(qse.ValidationError, match="shipped: qse2-responsibility"):
        load_ruleset("qse3-everything")


def test_a_path_to_a_json_file(tmp_path):
    path = tmp_path / "lab.json"
    path.write_text(json.dumps(document(rule())), "utf-8")
    assert load_ruleset(path).rules[0].id == "X-1"
    assert load_ruleset(str(path)).name == "lab-rules"
    (tmp_path / "broken.json").write_text("{", "utf-8")
    with pytest.raises(qse.ValidationError, match="not valid JSON"):
        load_ruleset(tmp_path / "broken.json")
    with pytest.raises(qse.ValidationError, match="cannot read"):
        load_ruleset(tmp_path / "missing.json")


def test_yaml_needs_pyyaml(tmp_path):
    path = tmp_path / "lab.yaml"
    if importlib.util.find_spec("yaml") is None:
        path.write_text("name: lab-rules\n", "utf-8")
        with pytest.raises(qse.ValidationError, match="needs PyYAML"):
            load_ruleset(path)
        return
    import yaml

    path.write_text(yaml.safe_dump(document(rule())), "utf-8")
    assert load_ruleset(path).rules[0].id == "X-1"


# -- extends ------------------------------------------------------------------------------------


def test_a_lab_ruleset_extends_a_shipped_one_overriding_and_removing_rules():
    tighter = copy.deepcopy(load_ruleset("customer-service-standards").rule("T-4").to_dict())
    tighter["params"]["limit"] = {"days": 5}
    doc = {
        "name": "our-lab",
        "version": "2026.1",
        "extends": "customer-service-standards",
        "remove": ["T-2b"],
        "rules": [tighter, rule(id="LAB-1")],
    }
    ruleset = load_ruleset(doc)
    ids = [r.id for r in ruleset.rules]
    assert "T-2b" not in ids and ids[-1] == "LAB-1"
    assert ids.index("T-4") == ids.index("T-3") + 1  # the override keeps the base rule's place
    assert ruleset.rule("T-4").params["limit"] == {"days": 5}
    assert ruleset.calendars["uk-statutory"]["closes"] == "24:00"


def test_extends_errors_have_paths(tmp_path):
    found = problems(
        {"name": "x", "version": "1", "extends": "qse2-responsibility", "remove": ["R-Z9"]}
    )
    assert "has no rule 'R-Z9'" in found["$.remove[0]"]
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    one.write_text(json.dumps({"name": "one", "version": "1", "extends": "two.json"}), "utf-8")
    two.write_text(json.dumps({"name": "two", "version": "1", "extends": "one.json"}), "utf-8")
    with pytest.raises(qse.ValidationError, match="extends itself"):
        load_ruleset(one)


# -- extra rule kinds, registered as a plugin registers them -----------------------------------


class Quorum(BaseRuleKind):
    """A plugin's kind: a record needs at least ``count`` events."""

    name = "quorum"
    params_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["count"],
        "properties": {"count": {"type": "integer", "minimum": 1}},
        "additionalProperties": False,
    }

    def compile(self, rule, context):
        count = rule.params["count"]

        def check(record, events, env):
            return (0 if len(events) >= count else 1, None, None, len(events))

        def explain(record, events, outcome, env):
            return {"events": outcome[3]}, f"{outcome[3]} events; {count} needed."

        return CompiledRule(check=check, explain=explain)


def test_extra_kinds_load_validate_and_run():
    quorum = rule(id="Q", kind="quorum", params={"count": 2})
    assert "unknown rule kind 'quorum'" in problems(document(quorum))["$.rules[0].kind"]
    bad = rule(id="Q", kind="quorum", params={"count": 0})
    assert (
        "minimum" in problems(document(bad), kinds={"quorum": Quorum()})["$.rules[0].params.count"]
    )
    ruleset = load_ruleset(document(quorum), kinds={"quorum": Quorum()})
    complaint = qse.Complaint.receive(
        id="C-1", at=datetime(2026, 1, 5, 9, tzinfo=UTC), by=None, channel="email", category="x"
    )
    (finding,) = evaluate([complaint], ruleset, calendar=LAB, at=datetime(2026, 2, 1, tzinfo=UTC))
    assert finding.status is Status.BREACHED
    assert (
        finding.message == "Q breached (000_ad609cf394a71cac.txt §Complaints): 1 events; 2 needed."
    )


def test_a_kind_may_not_take_a_built_in_name_or_be_something_else():
    found = problems(document(rule()), kinds={"responsibility": Quorum(), "thing": object()})
    assert "built-in rule kind" in found["$.kinds.responsibility"]
    assert "expected a rule kind" in found["$.kinds.thing"]
    assert set(BUILTIN_KINDS) == {
        "response_time",
        "responsibility",
        "required_step",
        "threshold",
        "value_limit",
        "recorded_details",
        "impartiality",
        "frequency",
    }
