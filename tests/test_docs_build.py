"""The documentation site builds with warnings as errors, and the examples in its pages run."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qse_customer import anonymous_data_fields, revoke_anonymous_data
from qse_customer.plugins import get_plugin_manager
from qse_customer.rules import shipped_rulesets

pytestmark = pytest.mark.slow  # builds the documentation with mkdocs

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# Pages whose Python examples run in order, each page in its own namespace.
TESTED_PAGES = (
    "quickstart.md",
    "concepts.md",
    "records.md",
    "rules.md",
    "findings.md",
    "fhir.md",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once with ``mkdocs build --strict`` into a temporary folder."""
    folder = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


def test_strict_build_writes_the_generated_pages(site: Path) -> None:
    for name in shipped_rulesets():
        page = (site / "rulesets" / name / "index.html").read_text("utf-8")
        assert f"<code>{name}</code>" in page
    mapping = (site / "requirements" / "index.html").read_text("utf-8")
    assert "T-10" in mapping and "R-K3-before-close" in mapping
    for page in ("quickstart", "concepts", "rules", "findings", "calendar", "plugins"):
        assert (site / page / "index.html").is_file(), page


def test_api_reference_is_generated_from_docstrings(site: Path) -> None:
    api = (site / "api" / "index.html").read_text("utf-8")
    assert 'id="qse_customer.WorkingCalendar.add_working_days"' in api
    assert 'id="qse_customer.check"' in api
    rules = (site / "api" / "rules" / "index.html").read_text("utf-8")
    assert 'id="qse_customer.rules.BaseRuleKind"' in rules
    analysis = (site / "api" / "analysis" / "index.html").read_text("utf-8")
    assert 'id="qse_customer.analysis.survey_analysis.analyse_survey"' in analysis
    assert 'id="qse_customer.analysis.periods.PeriodIndex"' in analysis
    plugins = (site / "api" / "plugins" / "index.html").read_text("utf-8")
    for hook in ("qse_storage_backends", "qse_notify", "qse_survey_backends", "qse_rule_kinds"):
        assert f'id="qse_customer.plugins.hookspecs.{hook}"' in plugins


@pytest.mark.parametrize("page", TESTED_PAGES)
def test_the_examples_on_the_page_run_in_order(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (DOCS / page).read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, f"{page} shows no Python example"
    monkeypatch.chdir(tmp_path)
    get_plugin_manager.cache_clear()
    allowed = set(anonymous_data_fields())
    namespace: dict[str, Any] = {}
    try:
        for number, block in enumerate(blocks, start=1):
            exec(compile(block, f"{page}, example {number}", "exec"), namespace)
    finally:
        get_plugin_manager.cache_clear()
        for key in set(anonymous_data_fields()) - allowed:  # a page's own fields stay its own
            revoke_anonymous_data(key)


def test_sphinx_roles_in_docstrings_become_inline_code() -> None:
    spec = importlib.util.spec_from_file_location(
        "sphinx_roles", DOCS / "hooks" / "sphinx_roles.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = "see :class:`~qse_customer.rules.Report` and :func:`qse_customer.check`, `x`"
    assert module.plain(text) == "see `Report` and `qse_customer.check`, `x`"
