"""Nothing acknowledged is lost when a writer is killed: a process saving, appending, saving longer
histories and correcting events in a store is killed with SIGKILL at random points, many times;
afterwards every write it acknowledged is there, no event is missing or out of order, and the
store opens, validates and every hash chain verifies.

The writer (this file run as a script) prints one line a write, after the store's call returned
(after the commit): ``save <id> ...``, or ``append <id> <seq>`` for each write that adds one event
to a record (``append_event`` of a note, ``save`` of the record with one more note, or
``correct`` of an earlier note, whose reason carries the seq). Only complete lines count as
acknowledged. A write in flight when the process died may or may not be there; none may be torn.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

pytestmark = pytest.mark.slow  # kills writer processes mid-write, SQLite and a real PostgreSQL

if TYPE_CHECKING:
    from qse_customer import Event

pytest_plugins = ("postgres_server",)

ROUNDS = 14
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _writer(url: str, prefix: str, seed: int) -> None:
    """Save and append to the store at ``url`` until killed, acknowledging each write."""
    from qse_customer import Actor, Complaint, Event, Role
    from qse_customer.stores import open_store

    staff = Actor("tech-1", "Tara Tech", Role.TECHNOLOGIST)
    rng = random.Random(seed)
    mine: dict[str, int] = {}
    made = 0

    def new() -> Complaint:
        nonlocal made
        made += 1
        return Complaint.receive(
            id=f"{prefix}-{made}", at=T0, by=staff, channel="web", category="turnaround"
        )

    def ack(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    store = open_store(url)
    ack("ready")
    while True:
        choice = rng.random()
        if not mine or choice < 0.2:
            record = new()
            store.save(record)
            mine[record.id] = 0
            ack(f"save {record.id}")
        elif choice < 0.3:
            batch = [new() for _ in range(rng.randint(2, 40))]
            store.save_many(batch)
            mine.update(dict.fromkeys((r.id for r in batch), 0))
            ack("save " + " ".join(r.id for r in batch))
        else:
            record_id = rng.choice(sorted(mine))
            seq = mine[record_id] + 1
            # Now, not a fixed time: a correction is made at the store's clock.
            event = Event("note_added", datetime.now(UTC), staff, {"seq": seq})
            if choice < 0.55:
                store.append_event(Complaint, record_id, event)
            elif choice < 0.8:  # a save of a longer history
                store.save(store.load(Complaint, record_id).with_event(event))
            else:  # a correction of an earlier event (the record's first, or a note)
                target = rng.randrange(seq)
                replacement = Event("note_added", T0 + timedelta(hours=1), staff, {"fixed": 1})
                if target == 0:
                    replacement = Event("received", T0, staff)
                store.correct(
                    Complaint, record_id, target, replacement, by=staff, reason=f"seq {seq}"
                )
            mine[record_id] = seq
            ack(f"append {record_id} {seq}")


def _child_environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}


def _run_and_kill(url: str, prefix: str, rng: random.Random, early: bool) -> list[str]:
    """Start a writer, kill it at a random moment, return the lines it acknowledged."""
    process = subprocess.Popen(
        [sys.executable, __file__, url, prefix, str(rng.randrange(2**32))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_environment(),
    )
    assert process.stdout is not None
    if early:  # anywhere from start-up to the first writes: opening, migrating, saving
        time.sleep(rng.uniform(0.0, 1.2))
    else:
        first = process.stdout.readline()
        assert first == "ready\n", first + (process.stderr.read() if process.stderr else "")
        time.sleep(rng.uniform(0.0, 0.5))
    process.send_signal(signal.SIGKILL)
    out, err = process.communicate(timeout=60)
    assert process.returncode in (-signal.SIGKILL, 0), err  # 0: never, it loops until killed
    lines = out.split("\n")[:-1]  # the last piece is empty or a line cut short
    assert "Traceback" not in err, err
    return [line for line in lines if line != "ready"]


def _check(url: str, acknowledged: dict[str, int], verify: bool) -> int:
    """Check the store against what was acknowledged; return how many corrections it holds."""
    from qse_customer import Complaint
    from qse_customer.stores import open_store

    with open_store(url) as store:
        if verify:
            assert store.verify() == []  # type: ignore[attr-defined]
        stored = {record.id: record for record in store.stream(Complaint)}
        assert store.count(Complaint) == len(stored)
    for record_id, last in acknowledged.items():
        assert record_id in stored, f"acknowledged save of {record_id} lost"
        seqs = [_seq(event) for event in stored[record_id].events[1:]]
        assert seqs == list(range(1, len(seqs) + 1)), f"{record_id}: notes {seqs}"
        assert last <= len(seqs) <= last + 1, f"{record_id}: acknowledged {last}, found {seqs}"
    corrections = 0
    for record in stored.values():
        for index, event in enumerate(record.events):
            if event.kind == "corrected":
                assert 0 <= event.data["event"] < index, f"{record.id}: {event}"
                corrections += 1
    return corrections


def _seq(event: Event) -> int:
    """The seq a writer gave an event: a note's data, a correction's reason."""
    if event.kind == "corrected":
        return int(event.data["reason"].removeprefix("seq "))
    return int(event.data["seq"])


def _kill_many_times(url: str, verify: bool) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    acknowledged: dict[str, int] = {}
    writes = 0
    for round_number in range(ROUNDS):
        lines = _run_and_kill(url, f"r{round_number}", rng, early=round_number % 4 == 0)
        for line in lines:
            what, *rest = line.split(" ")
            if what == "save":
                acknowledged.update(dict.fromkeys(rest, 0))
            else:
                acknowledged[rest[0]] = int(rest[1])
        writes += len(lines)
        try:
            corrections = _check(url, acknowledged, verify)
        except AssertionError as error:
            raise AssertionError(f"round {round_number} (seed {seed}): {error}") from error
    assert writes > ROUNDS, f"the writers acknowledged only {writes} writes (seed {seed})"
    assert corrections > 0, f"no correction was made (seed {seed})"


def test_sqlite_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    _kill_many_times(f"sqlite:///{tmp_path / 'killed.db'}", verify=True)


def test_postgresql_keeps_every_acknowledged_write(postgres_url: str) -> None:
    _kill_many_times(postgres_url, verify=True)


def test_the_check_catches_a_lost_write(tmp_path: Path) -> None:
    """The check itself can fail: a store missing an acknowledged note is caught."""
    from qse_customer import Actor, Complaint, Event, Role
    from qse_customer.stores import open_store

    url = f"sqlite:///{tmp_path / 'lossy.db'}"
    staff = Actor("tech-1", "Tara Tech", Role.TECHNOLOGIST)
    with open_store(url) as store:
        record = Complaint.receive(id="a-1", at=T0, by=staff, channel="web", category="x")
        store.save(record.with_event(Event("note_added", T0, staff, {"seq": 1})))
    _check(url, {"a-1": 1}, verify=True)
    with pytest.raises(AssertionError, match="acknowledged 3"):
        _check(url, {"a-1": 3}, verify=True)
    with pytest.raises(AssertionError, match="a-2 lost"):
        _check(url, {"a-2": 0}, verify=True)


if __name__ == "__main__":
    _writer(sys.argv[1], sys.argv[2], int(sys.argv[3]))
