"""The last English sentences of a French report, worded again in the report's language
(docs/i18n.md): a survey comparison's verdict and the measure it speaks of, the report's and the
management review packet's warnings, and the command line's progress lines. One function per
sentence writes both the English the report carries and the French a French report shows."""

from __future__ import annotations

import copy
import io
import json
import re
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qse_customer
from qse_customer.analysis.comparisons import (
    change_verdict,
    compare_means,
    compare_nps,
    compare_shares,
    incomparable_verdict,
    nps_measure,
    verdict_in,
)
from qse_customer.analysis.survey_analysis import (
    csat_measure,
    item_mean_measure,
    subscale_mean_measure,
    top_box_measure,
)
from qse_customer.analysis.survey_statistics import Interval
from qse_customer.cli.common import progress_printer
from qse_customer.cli.main import main
from qse_customer.core.contract import Contract
from qse_customer.core.translation import ENGLISH, Said, in_locale, translator
from qse_customer.demo.run import generating_line, saving_line, writing_line
from qse_customer.reports._formatting import rule_title
from qse_customer.reports.html import render_html
from qse_customer.reports.text import render_text
from qse_customer.review.management_review import (
    analysing_line,
    checked_line,
    checking_line,
    preparing_line,
)
from qse_customer.review.wording import (
    instrument_not_registered,
    no_packet,
    no_survey_record,
    other_instrument,
    review_warning,
    survey_left_out,
    unknown_invited,
)
from qse_customer.rules.contract_rules import (
    at_receipt,
    contract_rule_title,
    contract_rules,
    deviations_title,
    review_title,
    turnaround_title,
    under_terms,
)
from qse_customer.testing.strategies import contracts

FR = translator("fr")

# English words of the templates that a French sentence must not hold.
ENGLISH_WORDS = re.compile(
    r"\b(?:rose|fell|stayed|change|CI|interval|includes|include|before|after|could|chance|"
    r"evidence|real|Cannot|compare|needs|least|answers|percentage|mean|share|of item|"
    r"survey|packet|could not|made|responses|instrument|registered|checking|records|checked|"
    r"analysing|preparing|saving|drawing|generating)\b"
)


ENGLISH_LINES: list[str] = []
"""The demo's progress lines, as the ``report`` fixture's run told them."""


@pytest.fixture(scope="module")
def report(demo_run: tuple[Any, tuple[str, ...]]) -> dict[str, Any]:
    """The demo lab's report (two clinician surveys compared, a packet, recurrences)."""
    ENGLISH_LINES[:] = demo_run[1]
    return copy.deepcopy(demo_run[0].report)


def _digits(text: str) -> str:
    """The digits of ``text`` in order (its numbers, whatever their separators)."""
    return "".join(re.findall(r"\d", text))


# A survey comparison's verdict --------------------------------------------------------------


def _old_verdict(
    measure: str,
    before: float,
    after: float,
    interval: Interval,
    n_before: int,
    n_after: int,
    *,
    share: bool = False,
    digits: int = 2,
) -> str:
    """The verdict as the analysis wrote it before it was translated (the English must not
    change)."""
    difference = after - before
    direction = "rose" if difference > 0 else "fell"
    if share:
        value = f"{{:.{digits}f}}%"
        change = f"{{:+.{digits}f}} percentage points"
        before, after, difference = 100 * before, 100 * after, 100 * difference
        low, high = 100 * interval.low, 100 * interval.high
    else:
        value, change = f"{{:.{digits}f}}", f"{{:+.{digits}f}}"
        low, high = interval.low, interval.high
    bound = f"{{:+.{digits}f}}"
    moved = (
        f"{direction} from {value.format(before)} to {value.format(after)}"
        if difference
        else f"stayed at {value.format(after)}"
    )
    text = (
        f"{measure[0].upper()}{measure[1:]} {moved} (change {change.format(difference)}; "
        f"{100 * interval.level:g}% CI {bound.format(low)} to {bound.format(high)}). "
    )
    sizes = f"n = {n_before} before and {n_after} after"
    if interval.low > 0 or interval.high < 0:
        return text + f"The interval does not include 0: a real change ({sizes})."
    return text + (
        f"The interval includes 0: with {sizes} this difference could be chance, so it is not "
        "evidence of a real change."
    )


values = st.floats(-100, 100, allow_nan=False)
sizes = st.integers(0, 10**6)


@given(
    before=values,
    after=values,
    low=values,
    high=values,
    level=st.sampled_from([0.8, 0.9, 0.95, 0.975, 0.99]),
    n_before=sizes,
    n_after=sizes,
    kind=st.sampled_from([(False, 2), (True, 1), (False, 1)]),
    measure=st.sampled_from(["mean score", "share", "NPS", "mean of item 'q1'"]),
)
def test_a_verdict_is_the_english_it_was_and_french_from_the_same_numbers(
    before: float,
    after: float,
    low: float,
    high: float,
    level: float,
    n_before: int,
    n_after: int,
    kind: tuple[bool, int],
    measure: str,
) -> None:
    share, digits = kind
    if share:
        before, after, low, high = (abs(v) / 100 for v in (before, after, low, high))
    interval = Interval(low, high, level, "m")
    english = change_verdict(
        measure, before, after, low, high, level, n_before, n_after, share=share, digits=digits
    )
    old = _old_verdict(
        measure, before, after, interval, n_before, n_after, share=share, digits=digits
    )
    assert english == old
    comparison = {
        "measure": measure,
        "before": before,
        "after": after,
        "n_before": n_before,
        "n_after": n_after,
        "interval": {"low": low, "high": high, "level": level},
        "verdict": english,
    }
    french = verdict_in(comparison, "la mesure", FR)
    assert french == change_verdict(
        "la mesure",
        before,
        after,
        low,
        high,
        level,
        n_before,
        n_after,
        share=share,
        digits=digits,
        t=FR,
    )
    assert french.startswith("La mesure ")
    assert ENGLISH_WORDS.search(french) is None, french
    assert verdict_in(comparison, "la mesure", ENGLISH) == english
    assert _digits(french) == _digits(english[len(measure) :])


@given(n_before=sizes, n_after=sizes, need=st.integers(1, 2))
def test_an_incomparable_verdict_is_the_english_it_was_and_french(
    n_before: int, n_after: int, need: int
) -> None:
    english = incomparable_verdict("mean score", n_before, n_after, need)
    assert english == (
        f"Cannot compare mean score: each period needs at least {need} answers "
        f"(n = {n_before} before and {n_after} after)."
    )
    comparison = {
        "measure": "mean score",
        "before": None,
        "after": None,
        "n_before": n_before,
        "n_after": n_after,
        "interval": None,
        "verdict": english,
    }
    french = verdict_in(comparison, "le score moyen", FR)
    assert french == incomparable_verdict("le score moyen", n_before, n_after, need, FR)
    assert ENGLISH_WORDS.search(french) is None, french


def test_the_analysis_writes_its_verdicts_through_the_shared_function() -> None:
    means = compare_means([1, 2, 3, 4] * 10, [3, 4, 5, 5] * 10, measure=item_mean_measure("q1"))
    assert means.measure == "mean of item 'q1'"
    assert means.verdict.startswith(
        "Mean of item 'q1' rose from 2.50 to 4.25 (change +1.75; 95% CI"
    )
    shares = compare_shares(10, 40, 30, 40, measure=csat_measure())
    assert shares.verdict.startswith("CSAT rose from 25.0% to 75.0% (change +50.0 percentage")
    nps = compare_nps([10] * 20 + [0] * 20, [10] * 30 + [0] * 10)
    assert nps.measure == nps_measure() == "NPS"
    assert nps.verdict.startswith("NPS rose from 0.0 to 50.0 (change +50.0; 95% CI")
    few = compare_means([1], [2, 3])
    assert few.verdict == incomparable_verdict("mean score", 1, 2, 2)
    for said in (means, shares, nps, few):
        assert said.verdict == verdict_in(said.to_dict(), said.measure, ENGLISH)
        assert ENGLISH_WORDS.search(verdict_in(said.to_dict(), "la mesure", FR)) is None


@given(title=st.text(min_size=1, max_size=20))
def test_the_measures_are_the_english_they_were_and_french(title: str) -> None:
    assert item_mean_measure(title) == f"mean of item {title!r}"
    assert subscale_mean_measure(title) == f"mean {title} score"
    assert top_box_measure(title) == f"top-box share of {title}"
    for measure in (item_mean_measure, subscale_mean_measure, top_box_measure):
        french = measure(title, FR)
        assert title in french or repr(title) in french
        assert ENGLISH_WORDS.search(french.replace(title, "").replace(repr(title), "")) is None
    assert (csat_measure(), nps_measure()) == ("CSAT", "NPS")
    assert (csat_measure(FR), nps_measure(FR)) == ("le CSAT", "le NPS")


def test_a_french_html_report_words_the_survey_changes_in_french(report: dict[str, Any]) -> None:
    english, french = render_html(report), render_html(report, locale="fr")
    compared = [s for s in report["surveys"] if s["comparison"]]
    assert compared
    for survey in compared:
        for sub_id, change in survey["comparison"]["subscales"].items():
            title = survey["analysis"]["subscales"][sub_id]["title"]
            assert escape(change["verdict"]) in english
            assert escape(change["verdict"]) not in french
            said = verdict_in(change, subscale_mean_measure(title, FR), FR)
            assert said.startswith(f"Le score moyen de la sous-échelle {title} ")
            assert escape(said) in french
    assert " CI " not in french and "percentage points" not in french
    assert "could be chance" not in french and "a real change" not in french


def test_a_verdict_that_does_not_match_its_numbers_is_kept(report: dict[str, Any]) -> None:
    marked = copy.deepcopy(report)
    survey = next(s for s in marked["surveys"] if s["comparison"])
    change = next(iter(survey["comparison"]["subscales"].values()))
    change["verdict"] = "A verdict written by hand."
    assert "A verdict written by hand." in render_html(marked, locale="fr")
    assert verdict_in(change, "la mesure", FR) == "A verdict written by hand."


def test_the_text_report_does_not_show_the_comparisons(report: dict[str, Any]) -> None:
    survey = next(s for s in report["surveys"] if s["comparison"])
    change = next(iter(survey["comparison"]["subscales"].values()))
    assert change["verdict"] not in render_text(report)


# The report's and the packet's warnings -----------------------------------------------------

ids = st.text(max_size=12)
errors = st.text(max_size=40)


@given(survey=ids, instrument=ids, error=errors, count=st.integers(0, 10**6))
def test_the_warnings_are_the_english_they_were_and_french_from_what_they_quote(
    survey: str, instrument: str, error: str, count: int
) -> None:
    said = {
        survey_left_out(survey, error): f"survey {survey!r}: {error}",
        no_packet(error): f"the management review packet could not be made: {error}",
        instrument_not_registered(survey, instrument): (
            f"survey {survey!r}: instrument {instrument!r} is not registered, so its results "
            "are left out; register the instrument and run the review again"
        ),
        other_instrument(survey, count, instrument): (
            f"survey {survey!r}: {count} responses answer another instrument than "
            f"{instrument!r} and are left out"
        ),
        unknown_invited(): (
            "no response rate: the number invited is unknown (record it as 'invited' in the "
            "data of the survey's 'conducted' event, or pass invited=)"
        ),
        no_survey_record(): "no survey record was among the records; title and audience unknown",
    }
    for english, old in said.items():
        assert english == old
        assert review_warning(english, ENGLISH) == english
        french = review_warning(english, FR)
        assert french != english
        # What the warning quotes stays as written; the frame around it is French.
        frame = french.replace(repr(survey), "").replace(repr(instrument), "")
        frame = frame.replace(error, "") if error else frame
        assert ENGLISH_WORDS.search(frame.replace("'invited'", "")) is None, french
    assert review_warning(other_instrument(survey, count, instrument), FR) == other_instrument(
        survey, count, instrument, FR
    )
    assert review_warning(survey_left_out(survey, error), FR) == survey_left_out(survey, error, FR)


def test_a_warning_the_renderer_does_not_know_is_kept() -> None:
    for odd in ("a review is overdue", "survey SUR-1: not quoted", "survey 'SUR-1' no colon"):
        assert review_warning(odd, FR) == odd
    small = (
        "small sample: 3 answers (fewer than 30); treat the result as indicative, not as evidence"
    )
    assert review_warning(small, FR).startswith("petit échantillon")


def _with_warnings(report: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The report with every kind of warning where a report carries it."""
    marked = copy.deepcopy(report)
    top = [
        survey_left_out("SUR-X", "unknown instrument 'x-1'"),
        no_packet("rule 'T-1' is in both a and b"),
    ]
    packet = [instrument_not_registered("SUR-Y", "x-2"), other_instrument("SUR-Z", 3, "x-3")]
    surveys = [unknown_invited(), no_survey_record()]
    marked["warnings"] = top
    marked["review"]["warnings"] = packet
    marked["review"]["surveys"][0]["warnings"] = surveys
    return marked, top + packet + surveys


def test_a_french_report_words_the_warnings_in_french(report: dict[str, Any]) -> None:
    marked, warnings = _with_warnings(report)
    english_html, french_html = render_html(marked), render_html(marked, locale="fr")
    english_text, french_text = render_text(marked), render_text(marked, locale="fr")
    for warning in warnings:
        assert escape(warning) in english_html
        assert escape(warning) not in french_html
        assert escape(review_warning(warning, FR)) in french_html
    for warning in marked["warnings"]:
        assert warning in english_text
        assert review_warning(warning, FR) in french_text
        assert warning not in french_text
    assert "enquête 'SUR-X' : unknown instrument 'x-1'" in french_text
    assert "le dossier de revue de direction n'a pas pu être établi" in french_text


def test_a_report_without_a_packet_says_why_in_french(report: dict[str, Any]) -> None:
    marked = copy.deepcopy(report)
    marked["review"] = None
    marked["warnings"] = [no_packet("rule 'T-1' is in both a and b")]
    french = render_html(marked, locale="fr")
    assert "the management review packet could not be made" not in french
    assert escape("n'a pas pu être établi : rule 'T-1' is in both a and b") in french


# The command line's progress lines ---------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@given(name=st.text(max_size=20), count=st.integers(0, 10**9), url=st.text(max_size=20))
def test_the_progress_lines_are_the_english_they_were_and_french(
    name: str, count: int, url: str
) -> None:
    lines = {
        Said(partial(checking_line, name)): f"checking {name}",
        Said(partial(checked_line, name, count)): f"{name}: {count:,} records checked",
        Said(analysing_line): "analysing complaints, surveys and referrals",
        Said(preparing_line): "preparing the management review packet",
        Said(generating_line): "generating a year of Riverside Hospital Laboratory",
        Said(partial(saving_line, count, url)): f"saving {count} records to {url}",
        Said(writing_line): "drawing the charts and writing the reports",
    }
    for said, old in lines.items():
        assert said == old and in_locale(said, ENGLISH) == old
        french = in_locale(said, FR)
        assert french != old
        frame = french.replace(name, "") if name else french
        frame = frame.replace(url, "") if url else frame
        assert ENGLISH_WORDS.search(frame) is None, french
    assert in_locale("a plugin's own line", FR) == "a plugin's own line"


def test_the_progress_printer_says_the_library_s_lines_in_its_language() -> None:
    stream = _Terminal()
    show = progress_printer(stream, t=FR)
    assert show is not None
    show(Said(partial(checked_line, "complaints-handling", 200_000)))
    show("a plugin's own line")
    assert stream.getvalue() == (
        "... complaints-handling : 200\u202f000 enregistrements vérifiés\n... a plugin's own line\n"
    )
    assert progress_printer(io.StringIO(), t=FR) is None


def test_the_demo_tells_its_progress_in_french(
    report: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert ENGLISH_LINES[0] == "generating a year of Riverside Hospital Laboratory"
    assert "checking complaints-handling" in ENGLISH_LINES
    assert ENGLISH_LINES[-1] == "drawing the charts and writing the reports"
    stream = _Terminal()
    monkeypatch.setattr("sys.stderr", stream)
    assert main(["demo", "--dir", str(tmp_path / "fr"), "--locale", "fr"]) == 0
    capsys.readouterr()
    told = [line.removeprefix("... ") for line in stream.getvalue().splitlines()]
    store = f"sqlite:///{tmp_path / 'fr' / 'lab.db'}"
    assert told == [
        in_locale(line, FR).replace(report["source"], store)
        for line in ENGLISH_LINES
        if isinstance(line, Said)
    ]
    assert len(told) == len(ENGLISH_LINES)
    assert "vérification de complaints-handling" in told
    for line in told:
        frame = line.replace(store, "")
        assert ENGLISH_WORDS.search(frame.replace("Riverside Hospital Laboratory", "")) is None


# A contract rule's title ---------------------------------------------------------------------

CONTRACT_WORDS = re.compile(
    r"\b(?:at|priority|reported|within|of|receipt|in the|laboratory|Contract|reviewed|"
    r"least|every|days|Every|deviation|working|under|original|terms|amendment|as|force|"
    r"applies|retrospectively)\b"
)


@given(
    test=st.text(min_size=1, max_size=15),
    priority=st.sampled_from(["routine", "urgent", "stat"]),
    number=st.integers(1, 10**6),
    label=st.sampled_from(["original terms", "terms of 1 Jul 2026 (amendment 2)", None]),
    later=st.integers(1, 20) | st.none(),
)
def test_a_contract_rule_title_is_the_english_it_was_and_french(
    test: str, priority: str, number: int, label: str | None, later: int | None
) -> None:
    titles = {
        turnaround_title(test, priority, number): (
            f"{test} at {priority} priority reported within {number} minutes of receipt in the "
            "laboratory"
        ),
        review_title(number): f"Contract reviewed at least every {number} days",
        deviations_title(number): (
            f"Every deviation reported to the client within {number} working days"
        ),
    }
    for english, old in titles.items():
        assert english == old
        if label is not None:
            english += under_terms(label)
            assert english.endswith(f", under the {label}")
        if later is not None:
            english += at_receipt(later)
            assert english.endswith(
                f" as in force at receipt (amendment {later} applies retrospectively)"
            )
        assert contract_rule_title(english, ENGLISH) == english
        french = contract_rule_title(english, FR)
        assert french != english
        frame = french.replace(test, "").replace(priority, "")
        assert CONTRACT_WORDS.search(frame) is None, french
        if label != "terms of 1 Jul 2026 (amendment 2)":  # French writes the day "01"
            assert _digits(frame) == _digits(english.replace(test, ""))


@given(contract=contracts())
def test_every_contract_rule_title_reads_in_french(contract: Contract) -> None:
    for rule in contract_rules(contract).rules:
        french = contract_rule_title(rule.title, FR)
        assert french != rule.title
        assert rule_title(rule.id, rule.title, FR) == french
        assert rule_title(rule.id, rule.title, ENGLISH) == rule.title
        frame = french
        for term in contract.services:
            frame = frame.replace(f"{term.test} en priorité {term.priority.value}", "")
        for amendment in contract.term_amendments:
            for term in amendment.services or ():
                frame = frame.replace(f"{term.test} en priorité {term.priority.value}", "")
        assert CONTRACT_WORDS.search(frame) is None, french


def test_a_title_that_is_not_a_contract_s_is_kept() -> None:
    assert contract_rule_title("Complainant acknowledged within 3 working days", FR) == (
        "Complainant acknowledged within 3 working days"
    )
    assert rule_title("H-1", "Contract reviewed at least every 3 days", FR) == (
        "Contract reviewed at least every 3 days"
    )
    odd = "Contract reviewed at least every 3 days, under the terms of 31 Feb 2026 (amendment 1)"
    assert contract_rule_title(odd, FR).endswith("(amendment 1)")


def test_a_french_report_words_the_contract_rule_titles_in_french(
    report: dict[str, Any],
) -> None:
    rules = [r for r in report["standards"]["rules"] if r["rule_id"].startswith("contract:")]
    assert rules
    english_html, french_html = render_html(report), render_html(report, locale="fr")
    french_text = render_text(report, locale="fr", width=400)
    for rule in rules:
        said = contract_rule_title(rule["title"], FR)
        assert escape(rule["title"]) in english_html
        assert escape(rule["title"]) not in french_html
        assert escape(said) in french_html
        if rule["checked"]:  # the table's column collapses each space to one
            assert " ".join(said.split()) in french_text
    assert "priority reported within" not in french_html + french_text
    assert "Contract reviewed at least" not in french_html + french_text


# The command line's errors -------------------------------------------------------------------

RULESETS = Path(qse_customer.__file__).parent / "rules" / "rulesets"


def _bad_input(tmp_path: Path, case: str) -> tuple[list[str], str, str]:
    """A command line with bad input, the English it says (as it always said it) and the
    French."""
    store = tmp_path / "lab.db"
    url = f"sqlite:///{store}"
    if not store.exists():
        with qse_customer.open_store(url):
            pass
    check = ["check", "--store", url, "--ruleset", "complaints-handling"]
    labs = tmp_path / "labs.json"
    if case == "dir":
        return (
            ["demo", "--dir", str(tmp_path)],
            f"--dir {tmp_path}: it already holds a lab.db; remove it or choose another folder",
            f"--dir {tmp_path} : ce dossier contient déjà un lab.db",
        )
    if case == "at":
        return (
            [*check, "--at", "P3D"],
            "--at 'P3D': expected a date and time (ISO 8601, e.g. 2026-03-18T14:30), got a "
            "duration",
            "--at 'P3D' : une date et une heure étaient attendues",
        )
    if case == "both":
        other = json.loads((RULESETS / "complaints-handling.json").read_text("utf-8"))
        other["name"] = "other"
        (tmp_path / "other.json").write_text(json.dumps(other))
        return (
            [*check, "--ruleset", str(tmp_path / "other.json")],
            "rule 'H-1' is in both complaints-handling and other; give each ruleset once",
            "la règle 'H-1' est à la fois dans complaints-handling et dans other",
        )
    documents: dict[str, tuple[str, str, str]] = {
        "shape": (
            '{"x": 1}',
            f'{labs}: expected {{"labs": {{"LAB-NAME": {{...}}, ...}}}}',
            f"{labs} : attendu : ",
        ),
        "no-lab": (
            '{"labs": {"LAB-A": {}}}',
            f"{labs}: names no lab 'LAB-C' (it names: LAB-A)",
            f"{labs} : ne nomme aucun laboratoire 'LAB-C' (il nomme : LAB-A)",
        ),
        "entry": (
            '{"labs": {"LAB-C": 3}}',
            f"{labs}: $.labs.LAB-C: expected an object with calendar and/or rulesets, got 3",
            f"{labs} : $.labs.LAB-C : un objet avec calendar et/ou rulesets était attendu",
        ),
        "calendar": (
            '{"labs": {"LAB-C": {"calendar": 3}}}',
            f"{labs}: $.labs.LAB-C.calendar: expected calendar settings (an object) or the name "
            "of a JSON file of them",
            f"{labs} : $.labs.LAB-C.calendar : des réglages de calendrier (un objet)",
        ),
        "rulesets": (
            '{"labs": {"LAB-C": {"rulesets": []}}}',
            f"{labs}: $.labs.LAB-C.rulesets: expected a list of shipped ruleset names or "
            "ruleset files",
            f"{labs} : $.labs.LAB-C.rulesets : une liste de noms de référentiels livrés",
        ),
        "deep": (
            "[" * 100_000 + "]" * 100_000,
            f"{labs}: nested too deeply to read; flatten it",
            f"{labs} : imbrication trop profonde pour être lue",
        ),
    }
    text, english, french = documents[case]
    labs.write_text(text)
    return (
        ["check", "--store", url, "--lab", "LAB-C", "--labs", str(labs)],
        english,
        french,
    )


@pytest.mark.parametrize(
    "case",
    ["dir", "at", "both", "shape", "no-lab", "entry", "calendar", "rulesets", "deep"],
)
def test_the_command_line_s_errors_in_either_language(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, english, french = _bad_input(tmp_path, case)
    assert main(args) == 2
    said = capsys.readouterr().err
    assert said == f"qse-customer: error: {english}\n"
    assert main([*args, "--locale", "fr"]) == 2
    said = capsys.readouterr().err
    assert said.startswith(f"qse-customer : erreur : {french}")
    frame = said.replace(str(tmp_path), "").replace("complaints-handling", "")
    assert (
        re.search(r"\b(?:expected|got|names no|holds|nested|give each|or the name)\b", frame)
        is None
    )


def test_explain_names_a_contract_rule_in_french(
    report: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    breach = next(b for b in report["breaches"] if b["rule_id"].startswith("contract:"))
    rule = next(r for r in report["standards"]["rules"] if r["rule_id"] == breach["rule_id"])
    arguments = [
        "explain",
        breach["rule_id"],
        breach["record_id"],
        "--store",
        report["source"],
        "--ruleset",
        "complaints-handling",
        "--contracts",
        "--at",
        report["at"],
    ]
    assert main(arguments) == 0
    assert f"Rule:     {rule['title']}\n" in capsys.readouterr().out
    assert main([*arguments, "--locale", "fr"]) == 0
    out = capsys.readouterr().out
    assert f"Règle :       {contract_rule_title(rule['title'], FR)}\n" in out
    assert rule["title"] not in out
