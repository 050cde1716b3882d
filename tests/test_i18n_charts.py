"""The HTML report's charts (matplotlib, the ``report`` extra) speak the report's language."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from qse_customer.reports import charts
from qse_customer.reports.html import render_html

pytest.importorskip("matplotlib")

FRENCH = (
    "Réclamations par mois",
    "Pareto des réclamations par catégorie",
    "limite de contrôle supérieure",
    "% cumulé",
    "Conformité par règle : ",
    "Moyennes des sous-échelles de l&#x27;enquête avec intervalles",
)
ENGLISH = (
    "Complaints per month",
    "Pareto of complaints by category",
    "upper control limit",
    "cumulative %",
    "Compliance per rule: ",
    "Survey subscale means with intervals",
)


@pytest.fixture(scope="module")
def pages(demo_run: tuple[Any, tuple[str, ...]]) -> dict[str, str]:
    report = copy.deepcopy(demo_run[0].report)
    return {locale: render_html(report, locale=locale) for locale in ("en", "fr")}


def test_the_charts_of_a_french_report_are_labelled_in_french(pages: dict[str, str]) -> None:
    assert charts.charts_available()
    for french, english in zip(FRENCH, ENGLISH, strict=True):
        assert french in pages["fr"], french
        assert english not in pages["fr"], english
        assert english in pages["en"], english
