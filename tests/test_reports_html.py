"""The HTML report: escaped text, tables without matplotlib, charts with it, no network."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

import qse_customer as qse
from qse_customer.reports import charts
from qse_customer.reports.content import build_report, records_of_sequence
from qse_customer.reports.html import render_html

STAFF = qse.Actor("t-1", "Tara <b>Tech</b>", qse.Role.TECHNOLOGIST)
AT = datetime(2026, 3, 18, 14, 30, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script>'


def _report() -> dict[str, object]:
    received = AT - timedelta(days=40)
    complaints = [
        qse.Complaint.receive(
            id=f"C-{i}",
            at=received + timedelta(days=i),
            by=STAFF,
            channel="email",
            category=HOSTILE if i % 2 else "Delay & <waits>",
        )
        for i in range(6)
    ]
    late = qse.Enquiry.receive(id="E-<1>", at=received, by=STAFF, channel="telephone")
    late = late.add("responded", at=received + timedelta(days=9), by=STAFF)
    calendar = qse.WorkingCalendar(timezone="Europe/London", country="GB", subdivision="ENG")
    rulesets = [qse.load_ruleset("customer-service-standards")]
    return build_report(
        records_of_sequence([*complaints, late]),
        rulesets,
        calendar=calendar,
        at=AT,
        title="Lab <Test> & Co",
    )


def test_text_from_the_data_is_escaped() -> None:
    html = render_html(_report())
    assert HOSTILE not in html and "<script" not in html
    assert "&lt;script&gt;" in html
    assert "Lab &lt;Test&gt; &amp; Co" in html and "E-&lt;1&gt;" in html


def test_without_matplotlib_the_tables_remain_and_a_note_says_how_to_get_charts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(charts, "_matplotlib", lambda: None)
    html = render_html(_report())
    assert "<svg" not in html
    assert charts.CHARTS_HINT.replace("'", "&#x27;") in html
    assert '<section id="complaints">' in html and "<table>" in html


def test_with_matplotlib_the_charts_are_inline_svg() -> None:
    pytest.importorskip("matplotlib")
    html = render_html(_report())
    assert html.count("<svg") >= 3
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)


def test_drawing_a_chart_leaves_the_host_applications_matplotlib_settings_alone() -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    backend = matplotlib.get_backend()
    assert charts.trend_chart([{"period": "2026-01", "count": 3}]) is not None
    assert dict(matplotlib.rcParams) == before
    assert matplotlib.get_backend() == backend
