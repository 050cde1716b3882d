"""Every command of the command line in French (docs/i18n.md): ``<command> --locale fr --help``
is in French, ``verify``, ``validate``, ``explain``, ``import``, ``export`` and ``migrate-lab``
print French lines, their usual errors are French, an unknown locale is refused naming
``--locale``, and English stays as it was (the other CLI tests compare its exact text)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import qse_customer as qse
from qse_customer.cli.commands import COMMANDS
from qse_customer.cli.main import main

STAFF = qse.Actor("t-1", "Tara Tech", qse.Role.TECHNOLOGIST)
MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)

ENGLISH_HELP = {
    "validate": ["list every problem by file and JSON path", "Exit code 0 when every file"],
    "verify": ["its hash chain, which finds", "exit codes: 0 every record", "verify this lab"],
    "import": ["then save them all in one transaction", "JSON lines (one record a line)"],
    "export": [
        "only records of this type",
        "the report's tables (--format csv|xlsx)",
        "include the summary and event notes",
    ],
    "notify": ["send each new breach", "exit codes: 0 every notification"],
    "explain": ["print the finding as JSON", "give the period instead"],
    "migrate-lab": ["the lab the store's records belong to", "Named once"],
    "check": ["write the report here"],
    "demo": ["The same seed always gives the same lab"],
}
"""Phrases of each command's English help that its French help must not have."""

SHARED_ENGLISH = [
    "the store, e.g. sqlite:///lab.db",
    "judge clocks as of this time",
    "a shipped ruleset",
    "working calendar",
    "opening time",
    "many labs in one store",
    "on an internal error, print the traceback",
]
"""The shared options' English help (--store, --at, --ruleset, the calendar, --lab, --debug)."""


def _help(command: str, capsys: pytest.CaptureFixture[str], *locale: str) -> str:
    assert main([command, *locale, "--help"]) == 0
    return " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_commands_help_is_in_french(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    english = _help(command, capsys)
    french = _help(command, capsys, "--locale", "fr")
    assert french != english
    assert "--locale LANG" in french and "dans cette langue" in french
    assert "en cas d'erreur interne" in french
    for phrase in ENGLISH_HELP.get(command, []) + SHARED_ENGLISH:
        assert phrase not in french, phrase
    for phrase in ENGLISH_HELP.get(command, []):
        assert phrase in english, phrase  # the phrase checked for is the English help's
    if "--store URL" in english:
        assert "la base, par exemple sqlite:///lab.db" in french
    if "--timezone ZONE" in english:
        assert "calendrier ouvré" in french and "heure d'ouverture" in french


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_english_help_is_the_same_asked_for_or_not(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--help"]) == 0
    default = capsys.readouterr().out
    assert main([command, "--locale", "en", "--help"]) == 0
    assert capsys.readouterr().out == default


def test_the_top_level_help_lists_the_commands_in_french(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help", "--locale", "fr"]) == 0  # --locale is each command's option
    french = " ".join(capsys.readouterr().out.split())
    assert "commandes:" in french and "codes de sortie : 0 succès" in french
    assert "montrer pas à pas comment une règle a jugé un enregistrement" in french
    assert "show how one rule judged one record" not in french


def test_a_french_help_keeps_the_example_commands_as_they_are(
    capsys: pytest.CaptureFixture[str],
) -> None:
    french = _help("export", capsys, "--locale", "fr")
    assert "exemples : qse-customer export --store sqlite:///lab.db --type complaint" in french
    assert "--format jsonl (par défaut) : un enregistrement par ligne" in french


@pytest.mark.parametrize("command", ["verify", "validate", "explain", "export", "migrate-lab"])
def test_an_unknown_locale_is_refused_naming_the_option(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = {"validate": ["x.json"], "explain": ["T-1", "E-1", "--store", "sqlite://"]}
    arguments = [command, *extra.get(command, ["--store", "sqlite://"]), "--locale", "de"]
    if command == "migrate-lab":
        arguments += ["--lab", "LAB-7"]
    assert main(arguments) == 2
    said = capsys.readouterr().err
    assert "argument --locale: 'de' is not an available locale; expected one of: en, fr" in said


def _enquiry(number: int, days: int = 9) -> qse.Enquiry:
    return qse.Enquiry.receive(
        id=f"E-{number}", at=MONDAY, by=STAFF, channel="telephone", subject="parking"
    ).add("responded", at=MONDAY + timedelta(days=days), by=STAFF)


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'lab.db'}"
    with qse.open_store(url) as store:
        store.save_many([_enquiry(1), _enquiry(2, days=0)], legacy=True)  # known from the start
    return url


def test_verify_in_french(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--store", store_url, "--locale", "fr"]) == 0
    assert capsys.readouterr().out == "chaque enregistrement est tel qu'il a été enregistré\n"
    raw = sqlite3.connect(tmp_path / "lab.db")
    raw.execute(
        "UPDATE qse_records SET document = replace(document, '2026-01-14T09', '2026-01-05T11') "
        "WHERE id = 'E-1'"
    )
    raw.commit()
    raw.close()
    assert main(["verify", "--store", store_url, "--locale", "fr"]) == 1
    out = capsys.readouterr().out
    assert out.endswith("1 enregistrement(s) échoue(nt) à la vérification\n")
    assert main(["verify", "--store", store_url]) == 1
    assert capsys.readouterr().out.endswith("1 record(s) fail verification\n")


def test_validate_in_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text(qse.to_json(_enquiry(1)) + "\n" + qse.to_json(_enquiry(2)) + "\n", "utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"what": 1}', "utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", "utf-8")
    arguments = ["validate", str(good), str(bad), str(empty), str(tmp_path / "none.json")]
    assert main([*arguments, "--locale", "fr"]) == 2
    out = capsys.readouterr().out.splitlines()
    assert f"{good} : valide (2 enregistrements)" in out
    assert f"{bad} : INVALIDE (1 problème ; 1 inconnu)" in out
    assert any(line.startswith(f"{bad}: $: impossible de dire ce que c'est") for line in out)
    assert any("le fichier est vide ; attendu du JSON ou des lignes JSON" in line for line in out)
    assert f"{tmp_path / 'none.json'} : fichier introuvable" in out
    assert main(arguments) == 2
    english = capsys.readouterr().out.splitlines()
    assert f"{good}: valid (2 records)" in english
    assert f"{bad}: INVALID (1 problem; 1 unknown)" in english


def test_explain_in_french(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    arguments = [
        "explain",
        "T-1",
        "E-1",
        "--store",
        store_url,
        "--ruleset",
        "customer-service-standards",
        "--at",
        "2026-01-20T12:00:00+00:00",
    ]
    assert main([*arguments, "--locale", "fr"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("T-1 pour enquiry E-1 : NON RESPECTÉ\n")
    lines = out.splitlines()
    assert lines[2].startswith("Règle :       ")  # the labels aligned on the longest
    assert "Échéance :    mer. 07 janv. 2026 17:00" in out
    assert "Pourquoi :" in out and "T-1 non respecté (" in out
    assert "Historique (tel qu'enregistré) :" in out and "Why:" not in out
    assert main([*arguments, "--json", "--locale", "fr"]) == 0
    finding = json.loads(capsys.readouterr().out)
    assert finding["status"] == "breached"  # machine-readable output is not translated
    assert main([*arguments[:2], "NONE", *arguments[3:], "--locale", "fr"]) == 2
    assert "qse-customer : erreur : aucun enquiry 'NONE' dans" in capsys.readouterr().err


def test_import_and_export_in_french(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "all.jsonl"
    arguments = ["export", "--store", store_url, "--output", str(out), "--locale", "fr"]
    assert main(arguments) == 0
    assert capsys.readouterr().err == f"2 enregistrement(s) exporté(s) vers {out}\n"
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    assert main(["import", "--store", copy, str(out), "--locale", "fr"]) == 0
    assert capsys.readouterr().out.startswith("2 enregistrement(s) importé(s) dans ")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "enquiry"}\n', "utf-8")
    assert main(["import", "--store", copy, str(bad), "--locale", "fr"]) == 2
    said = capsys.readouterr().err
    assert f"{bad}: ligne 1: " in said
    assert "rien n'a été importé : " in said
    assert f" problème(s) dans {bad} ; corrigez-les et importez à nouveau" in said
    assert main(["export", "--store", store_url, "--format", "xlsx", "--locale", "fr"]) == 2
    said = capsys.readouterr().err
    assert "--format xlsx écrit un classeur : donnez son fichier avec --output FICHIER" in said


def test_migrate_lab_in_french(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["migrate-lab", "--store", store_url, "--lab", "LAB-7", "--locale", "fr"]
    assert main(arguments) == 0
    assert "LAB-7 est le laboratoire d'origine ; 2 enregistrement(s)" in capsys.readouterr().out
    assert main(arguments) == 0
    assert "aucun enregistrement n'avait à changer" in capsys.readouterr().out


def test_a_shared_options_error_is_in_french(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["notify", "--store", store_url, "--ruleset", "customer-service-standards"]
    assert main([*arguments, "--at", "yesterday", "--locale", "fr"]) == 2
    said = capsys.readouterr().err
    assert said.startswith("qse-customer : erreur : --at 'yesterday' : pas une heure")
    assert main([*arguments, "--at", "yesterday"]) == 2
    assert capsys.readouterr().err.startswith(
        "qse-customer: error: --at 'yesterday': not a time pendulum can read"
    )


def test_notify_in_french(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["notify", "--store", store_url, "--ruleset", "customer-service-standards"]
    assert main([*arguments, "--at", "2026-01-20T12:00:00+00:00", "--locale", "fr"]) in (0, 1)
    out = capsys.readouterr().out
    assert out.startswith("customer-service-standards : ")
    assert " nouvelle(s) notification(s), " in out and " en attente d'un notificateur, " in out


def test_explain_names_the_measure_of_the_elapsed_time_in_french(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["explain", "T-1", "E-1", "--store", store_url, "--ruleset"]
    arguments += ["customer-service-standards", "--at", "2026-01-20T12:00:00+00:00"]
    assert main(arguments) == 0
    english = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Elapsed")]
    assert main([*arguments, "--locale", "fr"]) == 0
    french = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Écoulé")]
    assert len(english) == len(french) == 1
    assert english[0].endswith(("(working time)", "(calendar time)"))
    assert french[0].endswith(("(temps ouvré)", "(temps calendaire)"))
