"""The file outbox notifier: JSON lines forced to disk, readable after a crash."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from qse_customer.notifiers import FileOutboxNotifier, Notification, read_outbox

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)

CRASHING_PRODUCER = """
import os, sys
from datetime import datetime, UTC
from qse_customer.notifiers import FileOutboxNotifier, Notification
outbox = FileOutboxNotifier(sys.argv[1])
at = datetime(2026, 1, 5, tzinfo=UTC)
outbox.qse_notify(Notification("breached", "enquiry", "e-1", at, "T-1"))
os._exit(9)  # dies at once: no interpreter shutdown, no buffers flushed
"""


def test_a_notification_survives_the_crash_of_its_producer(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_PRODUCER, str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")},
    )
    assert result.returncode == 9, result.stderr
    [notification] = read_outbox(path).notifications
    assert (notification.record_id, notification.rule_id) == ("e-1", "T-1")


def test_a_line_cut_short_is_reported_and_the_others_still_read(tmp_path: Path) -> None:
    outbox = FileOutboxNotifier(tmp_path / "outbox.jsonl")
    outbox.qse_notify(Notification("breached", "enquiry", "e-1", T0))
    outbox.qse_notify(Notification("at_risk", "enquiry", "e-2", T0))
    with outbox.path.open("ab") as handle:
        handle.write(b'{"key": "breached|-|enq')  # a crash in the middle of a write
    contents = outbox.read()
    assert [n.record_id for n in contents.notifications] == ["e-1", "e-2"]
    [problem] = contents.unreadable
    assert problem.path.endswith("outbox.jsonl:3")


def test_concurrent_writers_never_interleave_lines(tmp_path: Path) -> None:
    path = tmp_path / "outbox.jsonl"
    writers = [FileOutboxNotifier(path) for _ in range(4)]

    def write(index: int) -> None:
        for number in range(25):
            writers[index].qse_notify(
                Notification("breached", "enquiry", f"e-{index}-{number}", T0, "T-1")
            )

    threads = [threading.Thread(target=write, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    contents = read_outbox(path)
    assert contents.unreadable == ()
    assert len({n.record_id for n in contents.notifications}) == 100


def test_a_missing_outbox_reads_as_empty(tmp_path: Path) -> None:
    assert read_outbox(tmp_path / "none.jsonl").notifications == ()
