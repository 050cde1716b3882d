"""Small cells (issue 13, "Privacy"): a count of fewer than 5 complaints from one customer group
or site, or of responses to one survey, is shown as "fewer than 5" in every report format (JSON,
text, HTML) and in the management review packet; no hidden count can be worked out from a table's
total; the threshold is a report setting. The objects keep exact numbers for the lab's own code.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.cli.main import main
from qse_customer.reports import (
    build_report,
    records_of_sequence,
    render_html,
    render_json,
    render_text,
    report_errors,
)
from qse_customer.review.small_cells import (
    SMALL_CELL_THRESHOLD,
    check_small_cell_threshold,
    suppress_rows,
)

JAN = datetime(2026, 1, 5, 9, tzinfo=UTC)
AT = datetime(2026, 4, 15, 12, tzinfo=UTC)  # the review packet covers January to March
CALENDAR = qse.WorkingCalendar(timezone="Europe/London", opens="09:00", closes="17:00")
STAFF = qse.Actor("t-1", "Tess Tech", qse.Role.TECHNOLOGIST)
GROUPS = {"GP practices": 12, "Wards": 7, "Theatres": 2}
SITES = {"Main laboratory": 18, "Community hub": 3}


def lab_complaints() -> list[qse.Complaint]:
    """21 complaints: 12 from GP practices, 7 from wards, 2 from theatres (anonymous); 18 about
    the main laboratory and 3 about the community hub."""
    groups = [group for group, count in GROUPS.items() for _ in range(count)]
    sites = [site for site, count in SITES.items() for _ in range(count)]
    return [
        qse.Complaint.receive(
            id=f"C-{n}",
            at=JAN + timedelta(days=n),
            by=STAFF,
            channel="form",
            category="delay" if n % 2 else "attitude",
            anonymous=group == "Theatres",
            customer_group=group,
            site=site,
        )
        for n, (group, site) in enumerate(zip(groups, sites, strict=True))
    ]


def report_of(records: list[qse.Record], **settings: Any) -> dict[str, Any]:
    return build_report(
        records_of_sequence(records),
        [qse.load_ruleset("qse2-responsibility")],
        calendar=CALENDAR,
        at=AT,
        **settings,
    )


def rows(table: dict[str, Any], dimension: str) -> dict[str, tuple[int | None, str]]:
    return {row[dimension]: (row["count"], row["shown"]) for row in table["rows"]}


def test_issue_13_a_group_of_fewer_than_5_shows_as_fewer_than_5_in_every_format() -> None:
    report = report_of(lab_complaints())
    assert report_errors(json.loads(render_json(report))) == []
    assert report["small_cell_threshold"] == SMALL_CELL_THRESHOLD == 5
    complaints = report["complaints"]
    # Theatres (2) is hidden; Wards (7), the smallest other, is withheld too, or the total (21)
    # minus GP practices (12) and Wards would give Theatres back.
    assert rows(complaints["by_customer_group"], "customer_group") == {
        "GP practices": (12, "12"),
        "Wards": (None, "withheld"),
        "Theatres": (None, "fewer than 5"),
    }
    assert complaints["by_customer_group"]["total"] == 21  # the true total
    assert complaints["by_customer_group"]["small_cells"] == {
        "threshold": 5,
        "fewer_than": 1,
        "withheld": 1,
    }
    assert rows(complaints["by_site"], "site") == {
        "Community hub": (None, "fewer than 5"),
        "Main laboratory": (None, "withheld"),
    }
    text = render_text(report)
    assert re.search(r"\n  Theatres +fewer than 5\n", text)
    assert re.search(r"\n  Wards +withheld\n", text) and re.search(r"GP practices +12\n", text)
    assert re.search(r"Community hub +fewer than 5\n", text)
    page = render_html(report)
    assert '<td>Theatres</td><td class="n">fewer than 5</td>' in page
    assert '<td>Wards</td><td class="n">withheld</td>' in page
    assert '<td>Community hub</td><td class="n">fewer than 5</td>' in page
    assert page.count("counts below 5 are shown as &quot;fewer than 5&quot;") >= 2


def test_issue_13_the_review_packet_hides_the_same_small_cells() -> None:
    report = report_of(lab_complaints())
    packet = report["review"]
    assert packet["small_cell_threshold"] == 5
    assert rows(packet["complaints"]["by_customer_group"], "customer_group")["Theatres"] == (
        None,
        "fewer than 5",
    )
    assert rows(packet["complaints"]["by_site"], "site")["Community hub"] == (None, "fewer than 5")
    alone = qse.review.management_review(
        lab_complaints(),
        rulesets=["qse2-responsibility"],
        calendar=CALENDAR,
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2026, 4, 1, tzinfo=UTC),
        at=AT,
    )
    for key in ("by_customer_group", "by_site"):
        assert alone.to_dict()["complaints"][key] == packet["complaints"][key]
    # The object keeps the exact counts for the lab's own code.
    assert alone.complaints.counts["customer_group"].count(customer_group="Theatres") == 2
    assert '"Theatres", "count": 2' not in alone.to_json()


def test_issue_13_a_small_recurrence_hides_its_peak_and_complaint_ids() -> None:
    theatre = [
        c.evolve(category="attitude") for c in lab_complaints() if c.customer_group == "Theatres"
    ]
    third = theatre[0].evolve(id="C-99")
    packet = qse.review.management_review(
        [*theatre, third],
        rulesets=["qse2-responsibility"],
        calendar=CALENDAR,
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2026, 4, 1, tzinfo=UTC),
        at=AT,
    )
    (recurrence,) = packet.complaints.recurrences
    assert recurrence.peak == 3
    (item,) = packet.to_dict()["complaints"]["recurrences"]["items"]
    assert item["peak"] is None and item["peak_shown"] == "fewer than 5"
    assert item["complaint_ids"] == []
    assert item["message"].startswith(
        "fewer than 5 complaints (category 'attitude', customer_group 'Theatres') within 30 days"
    )
    page = render_html(report_of([*theatre, third]))
    assert "fewer than 5 complaints (category &#x27;attitude&#x27;" in page
    assert "C-99" not in json.dumps(packet.to_dict()["complaints"])


def survey_with(responses: int, survey_id: str = "S-1") -> list[qse.Record]:
    qm = qse.Actor("qm", "Quinn", qse.Role.QUALITY_MANAGER)
    survey = qse.Survey.create(
        id=survey_id,
        at=JAN,
        by=qm,
        title="Ward survey",
        audience="internal",
        instrument="csat",
    ).add("approved", at=JAN, by=qm)
    survey = survey.add("conducted", at=JAN + timedelta(days=1), by=qm, invited=6)
    answers = [
        qse.SurveyResponse.submit(
            id=f"{survey_id}-R{n}",
            at=JAN + timedelta(days=2, hours=n),
            survey_id=survey_id,
            instrument="csat",
            answers={"satisfaction": 1 + n % 5},
        )
        for n in range(responses)
    ]
    return [survey, *answers]


def test_issue_13_a_survey_of_fewer_than_5_responses_shows_no_results() -> None:
    report = report_of(survey_with(3))
    assert report_errors(json.loads(render_json(report))) == []
    (survey,) = report["surveys"]
    assert survey["responses"] is None and survey["responses_shown"] == "fewer than 5"
    assert survey["analysis"] is None and survey["response_rate"] is None
    assert "fewer than 5 responses: results not shown" in render_text(report)
    page = render_html(report)
    assert "fewer than 5 responses" in page and "The results are not shown" in page
    (reviewed,) = report["review"]["surveys"]
    assert reviewed["analysis"] is None and reviewed["responses"] is None
    assert not any("3 " in warning for warning in reviewed["warnings"])
    assert "not shown" in reviewed["warnings"][-1]
    shown = report_of(survey_with(5))["surveys"][0]
    assert shown["responses"] == 5 and shown["analysis"]["responses"] == 5
    assert report_of(survey_with(0))["surveys"][0]["responses_shown"] == "0"


def test_the_threshold_is_a_report_setting(tmp_path: Path) -> None:
    everything = report_of(lab_complaints(), small_cell_threshold=1)
    assert rows(everything["complaints"]["by_customer_group"], "customer_group")["Theatres"] == (
        2,
        "2",
    )
    stricter = report_of(lab_complaints(), small_cell_threshold=10)
    assert rows(stricter["complaints"]["by_customer_group"], "customer_group")["Wards"] == (
        None,
        "fewer than 10",
    )
    for bad in (0, -5, 2, True, "5", 2.5):
        with pytest.raises(qse.ValidationError, match=r"\$\.small_cell_threshold"):
            report_of([], small_cell_threshold=bad)
        with pytest.raises(qse.ValidationError, match=r"\$\.small_cell_threshold"):
            qse.review.management_review(
                [],
                rulesets=[],
                calendar=CALENDAR,
                start=JAN,
                end=AT,
                at=AT,
                small_cell_threshold=bad,
            )
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with qse.open_store(url) as store:
        store.save_many(lab_complaints(), legacy=True)
    target = tmp_path / "report.json"
    common = ["check", "--store", url, "--ruleset", "qse2-responsibility", "--at", AT.isoformat()]
    assert main([*common, "--format", "json", "--output", str(target)]) in (0, 1)
    by_group = json.loads(target.read_text())["complaints"]["by_customer_group"]
    assert rows(by_group, "customer_group")["Theatres"] == (None, "fewer than 5")
    every = ["--format", "json", "--output", str(target), "--small-cell-threshold", "1"]
    assert main([*common, *every]) in (0, 1)
    by_group = json.loads(target.read_text())["complaints"]["by_customer_group"]
    assert rows(by_group, "customer_group")["Theatres"] == (2, "2")
    assert main([*common, "--small-cell-threshold", "0"]) == 2


def _feasible(
    value_range: tuple[int, int], others: list[tuple[int, int]], hidden_total: int
) -> int:
    """How many values a hidden cell can take, given the ranges of the other hidden cells and
    the sum of all hidden cells (the table's total minus the shown cells)."""
    low = sum(lo for lo, _ in others)
    high = sum(hi for _, hi in others)
    return sum(
        1 for v in range(value_range[0], value_range[1] + 1) if low <= hidden_total - v <= high
    )


@given(
    counts=st.lists(st.integers(1, 14), min_size=1, max_size=7),
    threshold=st.integers(1, 7).filter(lambda t: t != 2),
)
def test_no_hidden_count_follows_from_the_total(counts: list[int], threshold: int) -> None:
    table = [{"group": f"g{n}", "count": count} for n, count in enumerate(counts)]
    shown, summary = suppress_rows(table, threshold)
    total = sum(counts)
    hidden = [n for n, row in enumerate(shown) if row["count"] is None]
    for n, row in enumerate(shown):
        if counts[n] < threshold:  # every small count is hidden and said to be small
            assert row["count"] is None and row["shown"] == f"fewer than {threshold}"
        elif row["count"] is None:  # a withheld count is never called small
            assert row["shown"] == "withheld"
        else:
            assert row["count"] == counts[n] and row["shown"] == str(counts[n])
    assert summary == {
        "threshold": threshold,
        "fewer_than": sum(1 for c in counts if c < threshold),
        "withheld": sum(1 for row in shown if row["shown"] == "withheld"),
    }
    # What a reader knows: the total, the shown counts, and that a hidden cell is in
    # [1, threshold - 1] ("fewer than") or at least the threshold ("withheld").
    hidden_total = total - sum(row["count"] for row in shown if row["count"] is not None)
    ranges = {
        n: (1, threshold - 1) if shown[n]["shown"] != "withheld" else (threshold, hidden_total)
        for n in hidden
    }
    determined = [
        n
        for n in hidden
        if _feasible(ranges[n], [ranges[m] for m in hidden if m != n], hidden_total) < 2
    ]
    if determined:  # only when there was nothing left to withhold
        assert all(row["count"] is None for row in shown)


def test_a_threshold_is_1_or_at_least_3() -> None:
    assert check_small_cell_threshold(1) == 1
    assert check_small_cell_threshold(3) == 3
    with pytest.raises(qse.ValidationError, match="could only mean 1"):
        check_small_cell_threshold(2)
