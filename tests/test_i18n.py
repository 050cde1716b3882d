"""Reports in the lab's language (docs/i18n.md): every message marked for translation is in the
French catalogue, translated and compiled; a French report has French headings, verdicts,
numbers and dates and the same JSON keys and codes; ``check --locale``; unknown locales and a
missing Babel are clear errors; plural forms follow the catalogue's rule for any count."""

from __future__ import annotations

import ast
import copy
import io
import json
import re
import string
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

import qse_customer as qse
from qse_customer.cli.main import main
from qse_customer.core import translation
from qse_customer.core.translation import LocaleError, available_locales, translator
from qse_customer.reports.html import render_html
from qse_customer.reports.json_report import render_json, report_errors
from qse_customer.reports.text import render_summary, render_text

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "qse_customer"
LOCALE_DIR = PACKAGE / "locale"
FRENCH_PO = LOCALE_DIR / "fr" / "LC_MESSAGES" / "qse_customer.po"
CATALOGUES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/qse_customer.po"))
"""Every shipped catalogue: a vendor's new language is checked as French is."""
NNBSP = "\u202f"  # the French thousands separator (CLDR)


def _key(message: Any) -> tuple[str | None, str]:
    """A message's context and (singular) id."""
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return message.context, msgid


def _extracted() -> dict[tuple[str | None, str], Any]:
    """Every message the package marks for translation, as ``pybabel extract`` finds it."""
    found: dict[tuple[str | None, str], Any] = {}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")]
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found[(context, msgid)] = message
    return found


def _read(path: Path) -> Any:
    with path.open("rb") as stream:
        return read_po(stream, locale=path.parent.parent.name)


def _french() -> Any:
    return _read(FRENCH_PO)


def test_french_is_shipped() -> None:
    assert FRENCH_PO in CATALOGUES


def _placeholders(text: str) -> set[str]:
    """``{name}`` and ``%(name)s`` placeholders: what a translation must keep."""
    braces = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    return braces | set(re.findall(r"%\((\w+)\)s", text))


# The catalogue ----------------------------------------------------------------------------


def _problems(catalogue: Any, extracted: dict[tuple[str | None, str], Any]) -> list[str]:
    """What ``catalogue`` lacks: messages missing, untranslated, fuzzy or of other plurality."""
    problems = []
    for key, message in sorted(extracted.items(), key=lambda item: str(item[0])):
        entry = catalogue.get(key[1], context=key[0])
        if entry is None:
            problems.append(f"missing: {key}")
            continue
        if isinstance(message, tuple) != entry.pluralizable:
            problems.append(f"plural forms differ from the source: {key}")
        forms = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        if entry.fuzzy or not all(forms):
            problems.append(f"fuzzy or untranslated: {key}")
        if entry.pluralizable and len(forms) != catalogue.num_plurals:
            problems.append(f"{len(forms)} plural forms, the catalogue has {catalogue.num_plurals}")
    return problems


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_a_catalogue_translates_every_message_marked_in_the_source(path: Path) -> None:
    extracted = _extracted()
    assert len(extracted) > 60  # the report's headings, verdicts and the check command's help
    assert _problems(_read(path), extracted) == []


def test_the_completeness_check_finds_what_a_catalogue_lacks() -> None:
    extracted = _extracted()
    catalogue = _french()
    catalogue.delete("Breach register")
    catalogue.get("Most urgent (at risk):").flags.add("fuzzy")
    catalogue.get("always").string = ""
    catalogue.get("{count} breach").string = ("{count} manquement", "", "{count} manquements")
    assert sorted(_problems(catalogue, extracted)) == [
        "fuzzy or untranslated: (None, 'Most urgent (at risk):')",
        "fuzzy or untranslated: (None, 'always')",
        "fuzzy or untranslated: (None, '{count} breach')",
        "missing: (None, 'Breach register')",
    ]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_a_catalogue_holds_no_message_the_source_no_longer_has(path: Path) -> None:
    extracted = set(_extracted())
    kept = {_key(message) for message in _read(path) if message.id}
    assert kept - extracted == set()


def _marked_in_the_source() -> set[str]:
    """The literal first argument of every ``gettext``/``ngettext``/``pgettext`` call, found by
    reading the source text (so also inside an f-string's braces, where extraction is blind)."""
    literal = r"""(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"""
    call = re.compile(
        rf"\b(?:gettext|ngettext)\(\s*{literal}|\bpgettext\(\s*{literal}\s*,\s*{literal}"
    )
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for match in call.finditer(path.read_text("utf-8")):
            # The first piece of an implicitly joined literal: a prefix of the message.
            found.add(ast.literal_eval(match[1] if match[1] and not match[3] else match[3]))
    return found


def test_every_message_marked_in_the_source_is_extracted() -> None:
    """A call the extractor cannot see (inside an f-string) would never be translated."""
    extracted = {msgid for _, msgid in _extracted()}
    unseen = {
        message
        for message in _marked_in_the_source()
        if message not in extracted and not any(m.startswith(message) for m in extracted)
    }
    assert unseen == set()


def test_the_template_is_extracted_from_the_current_source() -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as stream:
        template = {_key(message) for message in read_po(stream) if message.id}
    assert template == set(_extracted())


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_the_committed_mo_is_compiled_from_the_po(path: Path) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _read(path))
    assert path.with_suffix(".mo").read_bytes() == compiled.getvalue(), (
        "run: pybabel compile -d src/qse_customer/locale -D qse_customer"
    )


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_a_catalogue_passes_babels_own_checks(path: Path) -> None:
    """What ``pybabel compile`` checks: compatible ``%`` placeholders, plural forms."""
    assert [(message.id, errors) for message, errors in _read(path).check()] == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_every_translation_keeps_the_placeholders_of_its_message(path: Path) -> None:
    for message in _read(path):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        wanted = set().union(*(_placeholders(text) for text in ids))
        for form in forms:
            assert _placeholders(form) == wanted, (message.id, form)


def test_the_french_plural_rule_is_the_one_babel_knows_for_french() -> None:
    rule = get_plural("fr")
    assert (_french().num_plurals, _french().plural_expr) == (rule.num_plurals, rule.plural_expr)


# Plural forms and numbers, for any count ---------------------------------------------------

FORMS = {"one": 0, "many": 1, "other": 2}


@given(st.integers(min_value=0, max_value=10**12))
def test_plural_forms_follow_the_locale_for_any_count(count: int) -> None:
    english, french = translator("en"), translator("fr")
    said = english.ngettext("{count} breach", "{count} breaches", count)
    assert said == ("{count} breach" if count == 1 else "{count} breaches")
    forms = ("{count} manquement", "{count} de manquements", "{count} manquements")
    chosen = french.ngettext("{count} breach", "{count} breaches", count)
    assert chosen == forms[FORMS[Locale.parse("fr").plural_form(count)]]


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_numbers_read_back_in_either_language(value: int) -> None:
    assert translator("en").number(value) == f"{value:,}"
    french = translator("fr").number(value)
    assert "," not in french
    assert int(french.replace(NNBSP, "").replace("\u2212", "-")) == value


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_shares_read_back_in_either_language(share: float) -> None:
    assert translator("en").percent(share) == f"{100 * share:.1f}%"
    french = translator("fr").percent(share)
    assert french.endswith("\u00a0%")
    assert float(french.removesuffix("\u00a0%").replace(NNBSP, "").replace(",", ".")) == (
        pytest.approx(100 * share, abs=0.051)
    )


def test_dates_are_written_the_french_way() -> None:
    french = translator("fr")
    assert french.datetime(datetime(2026, 3, 18, 14, 30)) == "mer. 18 mars 2026 14:30"
    assert french.date(datetime(2026, 7, 1).date()) == "01 juil. 2026"
    assert translator("en").datetime(datetime(2026, 3, 18, 14, 30)) == "Wed 18 Mar 2026 14:30"


# Locales asked for -------------------------------------------------------------------------


def test_the_available_locales_are_english_and_french() -> None:
    assert available_locales() == ("en", "fr")
    assert translator("fr_FR").locale == translator("fr-fr").locale == "fr_FR"
    assert translator("FR").locale == "fr" and translator(" en ").locale == "en"
    assert translator("fr_FR").gettext("Breach register") == "Registre des manquements"


@pytest.mark.parametrize("locale", ["de", "", "french", "fr_", "xx_YY", "fr_FRA", "e"])
def test_an_unknown_locale_names_the_field_and_the_locales_there_are(locale: str) -> None:
    with pytest.raises(LocaleError, match=r"^locale: .* expected one of: en, fr"):
        translator(locale)
    with pytest.raises(LocaleError, match=r"^locale: "):
        render_text({}, locale=locale)


def test_without_babel_french_is_an_error_naming_the_extra_and_english_still_works(
    monkeypatch: pytest.MonkeyPatch, report: dict[str, Any]
) -> None:
    english = render_text(report)
    for name in ("babel", "babel.dates", "babel.numbers"):
        monkeypatch.setitem(sys.modules, name, None)
    translation._translator.cache_clear()
    try:
        with pytest.raises(LocaleError, match=r"qse-customer\[i18n\]"):
            translator("fr")
        with pytest.raises(LocaleError, match=r"qse-customer\[i18n\]"):
            render_text(report, locale="fr")
        assert render_text(report) == english
    finally:
        translation._translator.cache_clear()


# Reports -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report(demo_run: tuple[Any, tuple[str, ...]]) -> dict[str, Any]:
    """The demo lab's report: every section has something in it."""
    return copy.deepcopy(demo_run[0].report)


def test_english_is_the_default_and_the_same_as_asking_for_it(report: dict[str, Any]) -> None:
    assert render_text(report) == render_text(report, locale="en")
    assert render_json(report) == render_json(report, locale="en")


def test_a_french_text_report_has_french_headings_verdicts_numbers_and_dates(
    report: dict[str, Any],
) -> None:
    text = render_text(report, locale="fr", limit=2)
    for heading in (
        "Registre des manquements (",
        "Éléments à risque (",
        "Conformité par exigence (part respectée, respectés/décidés) :",
        "Les plus urgents (à risque) :",
        "Demandes d'amélioration ouvertes (",
        "Réclamations par groupe de clients :",
    ):
        assert heading in text
    assert "Breach register" not in text and "Overall" not in text
    assert re.search(r"Globalement, \d+,\d\u00a0% des \d+\u202f\d{3} constats décidés", text)
    assert re.search(r"échéance (lun|mar|mer|jeu|ven|sam|dim)\. \d\d \w+\.? 20\d\d \d\d:\d\d", text)
    # The verdict opens each finding's message; the rule's clause is quoted as it is.
    assert re.search(r"\n      [A-Z]+-\S+ non respecté \([^)]+\) : ", text)
    assert re.search(r"\n      T-\S+ à risque \([^)]+\) : ", text)
    # Rule titles come from the rulesets (the source documents' words) and stay in English.
    assert "Complainant acknowledged within 3 working days" in text


def test_a_french_html_report_has_french_headings_and_the_english_one_is_unchanged(
    report: dict[str, Any],
) -> None:
    english = render_html(report)
    assert render_html(report, locale="en") == english
    assert '<html lang="en">' in english and "<h2>Breach register</h2>" in english
    page = render_html(report, locale="fr")
    assert '<html lang="fr">' in page
    for heading in (
        "<h2>Synthèse</h2>",
        "<h2>Conformité par exigence</h2>",
        "<h2>Registre des manquements</h2>",
        "<h2>Éléments à risque</h2>",
        "<h2>Tendances des réclamations</h2>",
        "<h2>Résultats des enquêtes</h2>",
        "<h2>Demandes d&#x27;amélioration ouvertes</h2>",
        "<h2>Dossier de revue de direction</h2>",
    ):
        assert heading in page
    for english_word in ("Breach register", "Lowest compliance", "twelve months", ">Rule<"):
        assert english_word not in page
    assert re.search(r"<th>Règle</th>", page) and "intervalle à 95\u00a0%" in page
    assert re.search(r"\d+,\d\u00a0%", page)  # shares the French way


def test_a_french_json_report_translates_only_human_text(report: dict[str, Any]) -> None:
    english = json.loads(render_json(report))
    french = json.loads(render_json(report, locale="fr"))
    assert report_errors(french) == []
    for key in ("breaches", "at_risk"):
        assert len(french[key]) == len(english[key]) > 0
        for ours, theirs in zip(french[key], english[key], strict=True):
            assert {k: v for k, v in ours.items() if k != "message"} == {
                k: v for k, v in theirs.items() if k != "message"
            }
            assert ours["status"] in ("breached", "at_risk")
            assert ours["message"].startswith(f"{ours['rule_id']} ")
            assert " : " in ours["message"] and ours["message"] != theirs["message"]
    assert {k: v for k, v in french.items() if k not in ("breaches", "at_risk")} == {
        k: v for k, v in english.items() if k not in ("breaches", "at_risk")
    }


def test_french_and_english_text_reports_list_the_same_findings_and_counts(
    report: dict[str, Any],
) -> None:
    """Whatever is listed and however wide the page, the French report names the same findings
    and states the same register counts as the English one, in French."""

    def findings(text: str) -> list[str]:
        # A finding's rule, record type and record (a referral's id and title's first word).
        return [line.split()[1:4] for line in text.splitlines() if line.startswith("  - ")]

    def registers(text: str, titles: tuple[str, str]) -> list[str]:
        return [
            re.sub(r"\D", "", line.split("(", 1)[1].split(";")[0].split(")")[0])
            for line in text.splitlines()
            if line.startswith(titles)
        ]

    @settings(max_examples=40)
    @given(limit=st.integers(0, 40), width=st.integers(72, 160), listed=st.integers(0, 60))
    def same(limit: int, width: int, listed: int) -> None:
        shown = {**report, "breaches": report["breaches"][:listed]}
        english = render_text(shown, limit=limit, width=width)
        french = render_text(shown, limit=limit, width=width, locale="fr")
        assert findings(french) == findings(english)
        assert registers(french, ("Registre des manquements", "Éléments à risque")) == (
            registers(english, ("Breach register", "At-risk items"))
        )
        assert "Breach register" not in french and "At-risk items" not in french

    same()


def test_the_summary_takes_a_locale_too(report: dict[str, Any]) -> None:
    assert render_summary(report, locale="fr").startswith(report["title"] + ", au ")


def test_plural_headings_in_both_languages() -> None:
    def one_rule_group(count: int) -> dict[str, Any]:
        rules = [
            {
                "ruleset": "lab",
                "rule_id": f"contract:C1:TAT-{n}",
                "title": "t",
                "checked": True,
                "met": 1,
                "share_met_denominator": 1,
                "breached": 0,
                "at_risk": 0,
            }
            for n in range(count)
        ]
        filler = [
            {**rules[0], "rule_id": f"R-{n}", "ruleset": "lab"} for n in range(1, 14)
        ]  # more requirements than a small ruleset has: grouped by contract
        return {"standards": {"rulesets": [{"name": "lab"}], "rules": rules + filler}}

    from qse_customer.reports.text import _groups

    one = one_rule_group(1)
    assert _groups(one, translator("en"))[0][0] == "Contract C1 (1 rule)"
    assert _groups(one, translator("fr"))[0][0] == "Contrat C1 (1 règle)"
    two = one_rule_group(2)
    assert _groups(two, translator("en"))[0][0] == "Contract C1 (2 rules)"
    assert _groups(two, translator("fr"))[0][0] == "Contrat C1 (2 règles)"


# The command line --------------------------------------------------------------------------

STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def breached_store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    calls = []
    for number, after in ((1, timedelta(hours=3)), (2, timedelta(days=6))):
        enquiry = qse.Enquiry.receive(id=f"ENQ-{number}", at=MONDAY, by=STAFF, channel="telephone")
        calls.append(enquiry.add("responded", at=MONDAY + after, by=STAFF))
    with qse.open_store(url) as store:
        store.save_many(calls, legacy=True)
    return url


def _check(url: str, *extra: str) -> list[str]:
    return [
        "check",
        "--store",
        url,
        "--ruleset",
        "customer-service-standards",
        "--at",
        "2026-01-20T12:00:00+00:00",
        *extra,
    ]


def test_check_writes_the_report_in_french(
    breached_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_check(breached_store, "--locale", "fr")) == 1
    text = capsys.readouterr().out
    assert text.startswith("Rapport orientation client, au mar. 20 janv. 2026 12:00")
    assert "Registre des manquements (" in text
    assert "T-1 non respecté (" in text
    assert main(_check(breached_store, "--locale=fr", "--format", "json")) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["title"] == "Rapport orientation client"
    assert document["breaches"][0]["status"] == "breached"


def test_check_in_english_is_unchanged_by_the_option(
    breached_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(_check(breached_store))
    default = capsys.readouterr().out
    main(_check(breached_store, "--locale", "en"))
    assert capsys.readouterr().out == default


def test_check_refuses_an_unknown_locale_naming_the_option(
    breached_store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_check(breached_store, "--locale", "de")) == 2
    said = capsys.readouterr().err
    assert "argument --locale: 'de' is not an available locale; expected one of: en, fr" in said


def test_check_writes_the_html_report_in_french(
    breached_store: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    assert (
        main(_check(breached_store, "--locale", "fr", "--format", "html", "--output", str(out)))
        == 1
    )
    page = out.read_text("utf-8")
    assert '<html lang="fr">' in page
    assert "<h2>Registre des manquements</h2>" in page and "Breach register" not in page
    assert "T-1 non respecté (" in page


def test_check_without_babel_names_the_extra_and_english_still_works(
    breached_store: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main(_check(breached_store))
    english = capsys.readouterr().out
    for name in ("babel", "babel.dates", "babel.numbers"):
        monkeypatch.setitem(sys.modules, name, None)
    translation._translator.cache_clear()
    try:
        assert main(_check(breached_store, "--locale", "fr")) == 2
        said = capsys.readouterr().err
        assert "argument --locale: locale 'fr' needs Babel" in said
        assert "pip install 'qse-customer[i18n]'" in said
        assert main(_check(breached_store)) == 1
        assert capsys.readouterr().out == english
    finally:
        translation._translator.cache_clear()


def test_the_demo_in_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--dir", str(tmp_path / "riverside"), "--locale", "fr"]) == 0
    said = capsys.readouterr().out
    assert said.startswith(
        "Riverside Hospital Laboratory : rapport orientation client, au mer. 18 mars 2026 14:30"
    )
    assert "Rapport complet :  " in said and "Pourquoi ENQ-" in said
    page = (tmp_path / "riverside" / "report.html").read_text("utf-8")
    assert '<html lang="fr">' in page and "<h2>Synthèse</h2>" in page
    document = json.loads((tmp_path / "riverside" / "report.json").read_text("utf-8"))
    assert document["breaches"][0]["message"].startswith(
        f"{document['breaches'][0]['rule_id']} non respecté ("
    )


def test_check_help_is_in_the_language_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--locale", "fr", "--help"]) == 0
    french = " ".join(capsys.readouterr().out.split())
    assert "écrire le rapport dans ce fichier (par défaut : la sortie standard)" in french
    assert "codes de sortie : 0 aucun manquement" in french
    assert main(["check", "--help"]) == 0
    english = " ".join(capsys.readouterr().out.split())
    assert "write the report here (default: stdout)" in english
    assert "exit codes: 0 nothing breached" in english


def test_errors_are_introduced_in_the_language_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    assert main(_check(missing, "--locale", "fr")) == 2
    assert capsys.readouterr().err.startswith("qse-customer : erreur : ")


# The wheel ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_wheel_ships_the_catalogues(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "qse_customer/locale/fr/LC_MESSAGES/qse_customer.mo" in names
    assert "qse_customer/locale/fr/LC_MESSAGES/qse_customer.po" in names
