"""The generated ruleset and requirement pages: in sync with the shipped rulesets, and complete."""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qse_customer.rules import load_ruleset, shipped_rulesets

ROOT = Path(__file__).resolve().parents[1]


@cache
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "generate_ruleset_docs", ROOT / "scripts" / "generate_ruleset_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_pages_are_what_the_generator_writes() -> None:
    for path, text in generator().pages().items():
        assert path.exists(), f"{path} missing: run python scripts/generate_ruleset_docs.py"
        assert path.read_text("utf-8") == text, "run: python scripts/generate_ruleset_docs.py"


@pytest.mark.parametrize("name", shipped_rulesets())
def test_every_rule_has_a_row_and_a_section(name: str) -> None:
    page = (ROOT / "docs" / "rulesets" / f"{name}.md").read_text("utf-8")
    for rule in load_ruleset(name).rules:
        assert f"| [{rule.id}](#" in page
        assert f"\n### {rule.id}\n" in page
        if rule.source.quote:
            assert " ".join(rule.source.quote.split()) in page


def test_every_requirement_id_is_on_the_mapping_page_once() -> None:
    page = (ROOT / "docs" / "requirements.md").read_text("utf-8")
    rows = re.findall(r"^\| ((?:R|T|H)-[A-Z0-9]+) \|", page, flags=re.M)
    assert rows == [rid for rid, _, _ in generator().REQUIREMENTS]
    assert len(rows) == len(set(rows)) == 33  # 18 R-*, 10 T-*, 5 H-*


def test_every_shipped_rule_is_on_the_mapping_page() -> None:
    page = (ROOT / "docs" / "requirements.md").read_text("utf-8")
    for name in shipped_rulesets():
        for rule in load_ruleset(name).rules:
            assert f"[{rule.id}](rulesets/{name}.md#" in page


def test_a_requirement_without_a_rule_says_why() -> None:
    page = (ROOT / "docs" / "requirements.md").read_text("utf-8")
    for rid in ("T-9", "T-10"):
        (row,) = [line for line in page.splitlines() if line.startswith(f"| {rid} |")]
        assert "**no rule**" in row


def test_a_requirement_neither_checked_nor_explained_stops_the_generator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = generator()
    monkeypatch.setattr(module, "UNCHECKED", {"T-9": "published on the website"})
    with pytest.raises(SystemExit, match="no rule checks T-10"):
        module.render_requirements([load_ruleset(name) for name in shipped_rulesets()])


IDS = ("T-1", "T-10", "T-2", "R-K2", "R-K3", "R-C3")


@given(
    st.sampled_from(IDS),
    st.one_of(
        st.just(""),
        st.sampled_from("abcz"),
        st.text(alphabet="abcdefghij-", min_size=1, max_size=8).map(lambda s: "-" + s),
    ),
)
def test_a_rule_checks_the_requirement_whose_id_it_extends(rid: str, suffix: str) -> None:
    assert generator().requirement_of(rid + suffix, IDS) == rid


@given(st.sampled_from(IDS), st.sampled_from(["0", "1", "9", "A", "_x", ".1"]))
def test_a_longer_id_is_not_a_suffix(rid: str, suffix: str) -> None:
    found = generator().requirement_of(rid + suffix, IDS)
    assert found != rid or (rid + suffix) in IDS


def test_what_records_cannot_show_is_listed_with_the_reason_and_what_to_do_instead() -> None:
    page = (ROOT / "docs" / "requirements.md").read_text("utf-8")
    section = page.split("## What records cannot show", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == len(generator().NOT_CHECKABLE) + 1  # and the header
    for clause, _, why, instead in generator().NOT_CHECKABLE:
        assert f"| {clause} |" in section
        assert why and instead
    # every clause of 003 section 3 the rules do not check appears, by its number
    for clause in ("3.1.1", "3.1.5", "3.6", "8.2"):
        assert clause in section


def test_every_complaint_handling_requirement_has_a_rule() -> None:
    page = (ROOT / "docs" / "requirements.md").read_text("utf-8")
    for rid in ("H-1", "H-2", "H-3", "H-4", "H-5"):
        (row,) = [line for line in page.splitlines() if line.startswith(f"| {rid} |")]
        assert "rulesets/complaints-handling.md" in row and "**no rule**" not in row
