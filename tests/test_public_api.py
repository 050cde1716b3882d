"""The package root exports what the README and the quickstart use; the rest lives in its
sub-package, and a name that moved there still resolves at the root, with a warning."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import qse_customer as qse
from qse_customer import MOVED_FROM_THE_ROOT

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("home", "name"),
    [(home, name) for home, names in MOVED_FROM_THE_ROOT.items() for name in names],
)
def test_a_moved_name_warns_and_gives_the_same_object(home: str, name: str) -> None:
    package = importlib.import_module(home)
    assert name in package.__all__ and name not in qse.__all__
    with pytest.warns(
        DeprecationWarning, match=rf"qse_customer\.{name} moved: import it from {home}"
    ):
        found = getattr(qse, name)
    assert found is getattr(package, name)


def test_the_readme_and_quickstart_use_only_the_roots_names() -> None:
    used = set()
    for page in ("README.md", "docs/quickstart.md"):
        used |= set(re.findall(r"\bqse\.([A-Za-z_]\w*)", (ROOT / page).read_text("utf-8")))
    sub_packages = {"rules", "analysis", "review", "stores", "notifiers", "survey_backends"}
    assert used - sub_packages <= set(qse.__all__), used - set(qse.__all__)


def test_every_root_name_resolves_without_a_warning(recwarn: pytest.WarningsRecorder) -> None:
    for name in qse.__all__:
        getattr(qse, name)
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]
