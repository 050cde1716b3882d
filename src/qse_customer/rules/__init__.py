"""The rule engine: declarative rulesets, rule kinds, explainable findings, shipped rulesets.

```python
from qse_customer.rules import check, load_ruleset
report = check(records, load_ruleset("customer-service-standards"), calendar=calendar, at=now)
```

See docs/rules.md for the ruleset format, each rule kind's params and decisions, and the shipped
rulesets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

# A name that is also its module's name is imported at once: were the module imported first,
# the package would otherwise hand out the module under that name.
from .contract_rules import contract_rules

if TYPE_CHECKING:
    from .contract_rules import contract_rules, merge_rulesets
    from .engine import CompiledRuleset
    from .findings import Finding
    from .kind_protocol import (
        Aggregate,
        BaseRuleKind,
        CompileContext,
        CompiledRule,
        Env,
        GroupCheck,
        RuleKind,
        ValidationContext,
    )
    from .kind_registry import BUILTIN_KINDS
    from .loader import SHIPPED, load_ruleset, shipped_rulesets
    from .report import Counts, PeriodSummary, Report, RuleSummary, VersionInForce, VersionSummary
    from .ruleset import AppliesTo, Rule, Ruleset, Source
    from .status import AT_RISK, BREACHED, MET, NOT_APPLICABLE, PENDING, Status
    from .validation import ruleset_schema
    from .versions import (
        CompiledVersions,
        RulesetVersions,
        check,
        compile_ruleset,
        evaluate,
        load_ruleset_versions,
    )

# Each name is imported from its module when first used, so importing the package is cheap.
__getattr__ = lazy_exports(
    __name__,
    {
        ".contract_rules": ["contract_rules", "merge_rulesets"],
        ".engine": ["CompiledRuleset"],
        ".findings": ["Finding"],
        ".kind_protocol": [
            "Aggregate",
            "BaseRuleKind",
            "CompileContext",
            "CompiledRule",
            "Env",
            "GroupCheck",
            "RuleKind",
            "ValidationContext",
        ],
        ".kind_registry": ["BUILTIN_KINDS"],
        ".loader": ["SHIPPED", "load_ruleset", "shipped_rulesets"],
        ".report": [
            "Counts",
            "PeriodSummary",
            "Report",
            "RuleSummary",
            "VersionInForce",
            "VersionSummary",
        ],
        ".ruleset": ["AppliesTo", "Rule", "Ruleset", "Source"],
        ".status": ["AT_RISK", "BREACHED", "MET", "NOT_APPLICABLE", "PENDING", "Status"],
        ".validation": ["ruleset_schema"],
        ".versions": [
            "CompiledVersions",
            "RulesetVersions",
            "check",
            "compile_ruleset",
            "evaluate",
            "load_ruleset_versions",
        ],
    },
)


__all__ = [
    "AT_RISK",
    "BREACHED",
    "BUILTIN_KINDS",
    "MET",
    "NOT_APPLICABLE",
    "PENDING",
    "SHIPPED",
    "Aggregate",
    "AppliesTo",
    "BaseRuleKind",
    "CompileContext",
    "CompiledRule",
    "CompiledRuleset",
    "CompiledVersions",
    "Counts",
    "Env",
    "Finding",
    "GroupCheck",
    "PeriodSummary",
    "Report",
    "Rule",
    "RuleKind",
    "RuleSummary",
    "Ruleset",
    "RulesetVersions",
    "Source",
    "Status",
    "ValidationContext",
    "VersionInForce",
    "VersionSummary",
    "check",
    "compile_ruleset",
    "contract_rules",
    "evaluate",
    "load_ruleset",
    "load_ruleset_versions",
    "merge_rulesets",
    "ruleset_schema",
    "shipped_rulesets",
]
