"""Issue 14, item 8: paths from data.

A survey id of ``..`` made the file survey backend write one level above its folder, and the file
outbox followed a symbolic link and appended to its target. Ids used in paths are checked, and
files are opened without following links.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from qse_customer import Survey, ValidationError
from qse_customer.notifiers import FileOutboxNotifier, Notification, read_outbox
from qse_customer.survey_backends import FileSurveyBackend
from qse_customer.survey_backends.file import folder_name
from qse_customer.testing.survey_backend_contract import MANAGER, T0

AT = datetime(2026, 1, 5, 9, tzinfo=UTC)


def approved(survey_id: str) -> Survey:
    survey = Survey.create(
        id=survey_id, at=T0, by=MANAGER, title="NPS", audience="external", instrument="nps"
    )
    return survey.add("approved", at=T0, by=MANAGER)


@contextmanager
def within(seconds: int) -> Iterator[None]:
    """Fail, rather than hang, if the block takes longer (opening a pipe can wait for ever)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still blocked after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def everything_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*")}


# -- the file survey backend --------------------------------------------------------------------


@pytest.mark.parametrize("survey_id", ["..", ".", "../..", "../outside", "a/../../b", "%2E%2E"])
def test_a_survey_id_dotdot_writes_above_the_folder(tmp_path: Path, survey_id: str) -> None:
    folder = tmp_path / "lab" / "surveys"
    backend = FileSurveyBackend(folder)
    survey = approved(survey_id)
    [invitation] = backend.distribute(survey, ["ward7@example.org"], at=AT)
    survey_folder = backend.survey_folder(survey)
    assert survey_folder.parent == folder and survey_folder.name not in {".", ".."}
    assert {path for path in everything_under(tmp_path) if folder not in path.parents} == {
        tmp_path / "lab",
        folder,
    }
    response = {"answers": {"recommend": 9}, "token": invitation.token}
    (backend.responses_folder(survey) / "r.json").write_text(json.dumps(response), "utf-8")
    collected = backend.collect(survey, at=AT)
    assert [r.answers["recommend"] for r in collected.responses] == [9]
    assert backend.invitations(survey) == [invitation]


def test_the_two_special_ids_have_folders_of_their_own() -> None:
    names = {folder_name(survey_id) for survey_id in (".", "..", "%2E", "%2E%2E", "x")}
    assert len(names) == 5 and not names & {".", ".."}
    with pytest.raises(ValidationError, match="survey_id"):
        folder_name("")


@settings(max_examples=200)
@given(survey_id=st.text(min_size=1))
@example(survey_id="..")
@example(survey_id=".")
@example(survey_id="/etc/passwd")
def test_every_survey_id_names_a_folder_directly_inside(survey_id: str) -> None:
    backend = FileSurveyBackend("/srv/surveys")
    folder = backend.survey_folder(survey_id)
    assert folder.parent == Path("/srv/surveys")
    assert folder.name not in {"", ".", ".."} and "/" not in folder.name
    assert os.path.normpath(folder) == str(folder)


def test_a_linked_survey_folder_is_refused(tmp_path: Path) -> None:
    folder, elsewhere = tmp_path / "surveys", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    survey = approved("nps-2026")
    (folder / "nps-2026").symlink_to(elsewhere)
    backend = FileSurveyBackend(folder)
    with pytest.raises(ValidationError, match="symbolic link"):
        backend.distribute(survey, ["a@example.org"], at=AT)
    (folder / "nps-2026").unlink()
    (folder / "nps-2026").mkdir()
    (folder / "nps-2026" / "invitations").symlink_to(elsewhere)
    with pytest.raises(ValidationError, match="symbolic link"):
        backend.distribute(survey, ["a@example.org"], at=AT)
    assert list(elsewhere.iterdir()) == []


def test_a_linked_or_special_response_file_is_rejected_unread(tmp_path: Path) -> None:
    backend = FileSurveyBackend(tmp_path / "surveys")
    survey = approved("nps-2026")
    backend.distribute(survey, ["a@example.org"], at=AT)
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"answers": {"recommend": 10}, "api_key": "sk_live_SECRET"}))
    responses = backend.responses_folder(survey)
    (responses / "linked.json").symlink_to(secret)
    os.mkfifo(responses / "pipe.csv")  # reading it would wait for a writer for ever
    (responses / "real.json").write_text(json.dumps({"answers": {"recommend": 7}}))
    with within(10):
        collected = backend.collect(survey, at=AT)
    assert [r.answers["recommend"] for r in collected.responses] == [7]
    rejected = {Path(r.source).name: str(r.errors[0]) for r in collected.rejected}
    assert "symbolic link" in rejected["linked.json"]
    assert "not a regular file" in rejected["pipe.csv"]
    assert "SECRET" not in json.dumps(rejected)


# -- the file outbox ------------------------------------------------------------------------------


def notification() -> Notification:
    return Notification("breached", "enquiry", "e-1", AT, "T-1")


def test_the_file_outbox_follows_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "bashrc"
    target.write_text("export PATH=/usr/bin\n")
    outbox = tmp_path / "outbox.jsonl"
    outbox.symlink_to(target)
    notifier = FileOutboxNotifier(outbox)
    with pytest.raises(OSError, match="symbolic link"):
        notifier.qse_notify(notification())
    assert target.read_text() == "export PATH=/usr/bin\n"
    with pytest.raises(OSError, match="symbolic link"):
        read_outbox(outbox)
    dangling = tmp_path / "dangling.jsonl"
    dangling.symlink_to(tmp_path / "created-elsewhere.jsonl")
    with pytest.raises(OSError, match="symbolic link"):
        FileOutboxNotifier(dangling).qse_notify(notification())
    assert not (tmp_path / "created-elsewhere.jsonl").exists()


def test_the_file_outbox_writes_only_a_regular_file(tmp_path: Path) -> None:
    pipe = tmp_path / "outbox.jsonl"
    os.mkfifo(pipe)
    with within(10), pytest.raises(OSError, match=r"regular file|No such device"):
        FileOutboxNotifier(pipe).qse_notify(notification())  # refused, never blocked
    real = tmp_path / "real.jsonl"
    FileOutboxNotifier(real).qse_notify(notification())
    assert [n.record_id for n in read_outbox(real).notifications] == ["e-1"]


def test_a_failed_outbox_keeps_the_notification_pending(tmp_path: Path) -> None:
    from qse_customer.notifiers.delivery import send
    from qse_customer.plugins.manager import QSEPluginManager
    from qse_customer.stores import MemoryStore

    outbox = tmp_path / "outbox.jsonl"
    outbox.symlink_to(tmp_path / "target")
    manager = QSEPluginManager(builtins=False, entry_points=False)
    manager.register(FileOutboxNotifier(outbox), "outbox")
    with MemoryStore() as store:
        report = send(store, [notification()], at=AT, manager=manager)
        assert [failure.notifier for failure in report.failed] == ["outbox"]
        assert "symbolic link" in report.failed[0].error
        assert len(store.pending_deliveries()) == 1
    assert not (tmp_path / "target").exists()
