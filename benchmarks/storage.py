"""Throughput of the SQLite store: batched inserts, and streaming the records back; and what the
hash chain (tamper evidence) costs them.

Run from the repository root:

    PYTHONPATH=src python benchmarks/storage.py                 # 1,000,000 complaints
    PYTHONPATH=src python benchmarks/storage.py --n 100000 --repeats 3

Inserts ``--n`` complaints (1 to 4 events each) into a new SQLite store in batches of ``--batch``
records (one ``save_many`` and one transaction a batch), then streams them back with
``store.stream(Complaint)``, sampling the resident memory as it goes, then streams them through the
rule engine when ``qse_customer.rules`` is there. Prints records per second (the median of the
repeats), the reference rates measured in the same run on a sample of the stored documents
(``json.loads`` alone, and ``from_dict(validate=False)``, the decoding a store without seals would
need), the file size and the peak memory.

Each run also measures the two floors issue 16 states its targets against, on every row the store
wrote, and prints each rate as a time ratio to its floor (time a record over the floor's time a
record, medians of the runs):

- inserts: SQLite alone upserting the store's rows as stored (every column read back from the
  file) into a new database of the same schema (made by the store, in WAL mode), with the store's
  own statement (``stores._sql.UPSERT_RECORD``), ``--batch`` rows a transaction, the same
  ``--synchronous``; reading the rows is not timed;
- streaming: ``orjson.loads`` of every stored document, read as the stream reads them (their
  UTF-8 bytes, ``CAST(document AS BLOB)``); skipped without orjson (the ``fast`` extra).

Each run also inserts and streams the same complaints into a second new store whose sealing is a
no-op (:func:`without_chain`: every record gets an empty chain; the library has no such switch,
the benchmark replaces the function), the two in turns (which goes first alternates between
runs), and prints what the chain costs: the median of each run's time with the chain over the
time without it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from qse_customer import Actor, Complaint, Event, Role, from_dict
from qse_customer.core.evidence import Evidence
from qse_customer.stores import SQLiteStore
from qse_customer.stores import base as store_base
from qse_customer.stores._sql import RECORD_COLUMNS, UPSERT_RECORD

try:
    import orjson
except ImportError:  # without the fast extra: no orjson floor
    orjson = None

STAFF = (
    Actor("tech-1", "Tara Tech", Role.TECHNOLOGIST),
    Actor("lead-1", "Lee Lead", Role.LEAD_TECHNOLOGIST),
    Actor("qm-1", "Quinn Manager", Role.QUALITY_MANAGER),
    Actor("sup-1", "Sam Supervisor", Role.LABORATORY_SUPERVISOR),
)
CHANNELS = ("telephone", "email", "letter", "web", "face_to_face", "form")
CATEGORIES = (
    "turnaround",
    "phlebotomy",
    "result query",
    "billing",
    "staff attitude",
    "sample lost",
)
START = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)


def cpu_model() -> str:
    """The CPU's model name where the platform says it (Linux), else the machine type."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def rss_mib() -> float:
    """The resident memory now (Linux /proc), else the peak so far, in MiB."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return peak_mib()


def peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def complaint(index: int) -> Complaint:
    """The ``index``-th complaint of the benchmark: 1 to 4 events, one in ten anonymous."""
    received = START + timedelta(seconds=37 * index)
    anonymous = index % 10 == 0
    record = Complaint(
        id=f"c{index:08d}",
        events=(Event("received", received, STAFF[index % 3]),),
        channel=CHANNELS[index % len(CHANNELS)],
        category=CATEGORIES[index % len(CATEGORIES)],
        anonymous=anonymous,
        summary="" if anonymous else "result later than promised",
    )
    if index % 5:
        record = record.with_event(Event("acknowledged", received + timedelta(hours=2), STAFF[2]))
    if index % 2:
        record = record.with_event(
            Event("corrective_action_initiated", received + timedelta(days=1), STAFF[index % 2])
        )
    if index % 3 == 0:
        record = record.with_event(Event("closed", received + timedelta(days=6), STAFF[2]))
    return record


_NO_CHAIN = Evidence({}, {}, ())


@contextmanager
def without_chain() -> Iterator[None]:
    """Stores seal nothing while inside: each record gets an empty chain (for the comparison
    only; a store written so does not verify)."""
    real = store_base.seal

    def no_seal(document: Any, previous: Any, salt: Any) -> Evidence:
        return _NO_CHAIN

    store_base.seal = no_seal  # type: ignore[assignment]
    try:
        yield
    finally:
        store_base.seal = real  # type: ignore[assignment]


def batches(n: int, size: int) -> Iterator[list[Complaint]]:
    """The benchmark's complaints, ``size`` at a time (built lazily: memory stays flat)."""
    numbers = iter(range(n))
    while chunk := list(islice(numbers, size)):
        yield [complaint(i) for i in chunk]


def insert(store: SQLiteStore, n: int, batch: int) -> float:
    """Seconds spent in ``save_many`` inserting ``n`` complaints (building them not counted)."""
    spent = 0.0
    for records in batches(n, batch):
        started = time.perf_counter()
        store.save_many(records)
        spent += time.perf_counter() - started
    return spent


def stream(store: SQLiteStore, n: int, samples: list[float]) -> tuple[float, float]:
    """Seconds to stream every complaint back, sampling RSS ten times along the way: on the
    clock, and of this process's processor time (what a shared machine's other jobs leave
    alone)."""
    every = max(n // 10, 1)
    count = 0
    started = time.perf_counter()
    started_cpu = time.process_time()
    for count, _ in enumerate(store.stream(Complaint), start=1):
        if count % every == 0:
            samples.append(rss_mib())
    spent_cpu = time.process_time() - started_cpu
    spent = time.perf_counter() - started
    if count != n:
        raise SystemExit(f"streamed {count} complaints, expected {n}")
    return spent, spent_cpu


def _source(section: str) -> dict[str, str]:
    return {"document": "000_ad609cf394a71cac.txt", "section": section}


# The complaint rules of the QSE 2 responsibility matrix (R-K1 to R-K4) and an acknowledgement
# clock, written here so the benchmark does not depend on the shipped rulesets.
RULESET = {
    "name": "storage-benchmark",
    "version": "1",
    "rules": [
        {
            "id": "R-K1",
            "title": "Complaints received and documented by laboratory staff",
            "kind": "responsibility",
            "source": _source("Responsibility"),
            "applies_to": {"record_type": "complaint"},
            "params": {
                "events": ["received"],
                "roles": [
                    "laboratory_director",
                    "laboratory_supervisor",
                    "quality_manager",
                    "lead_technologist",
                    "technologist",
                ],
            },
        },
        {
            "id": "R-K2",
            "title": "Corrective action initiated by the roles allowed",
            "kind": "responsibility",
            "source": _source("Responsibility"),
            "applies_to": {"record_type": "complaint"},
            "params": {
                "events": ["corrective_action_initiated", "corrective_action_documented"],
                "roles": [
                    "laboratory_supervisor",
                    "quality_manager",
                    "lead_technologist",
                    "technologist",
                ],
            },
        },
        {
            "id": "K-ACK",
            "title": "Complaints acknowledged within 2 working days",
            "kind": "response_time",
            "source": _source("Managing Customer Complaints"),
            "applies_to": {"record_type": "complaint"},
            "params": {
                "start": ["received"],
                "stop": ["acknowledged"],
                "limit": {"working_days": 2},
                "warn_at": 0.5,
            },
        },
    ],
}


def through_engine(store: SQLiteStore, sample: int) -> tuple[float, float] | None:
    """Records per second of the engine over the store's stream, and over the first ``sample``
    records already in memory (the engine's own cost); None without the engine."""
    try:
        from qse_customer.core.calendar import WorkingCalendar
        from qse_customer.rules import check, compile_ruleset
    except ImportError:
        return None
    calendar = WorkingCalendar(
        timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
    )
    compiled = compile_ruleset(RULESET, calendar=calendar)
    # Every event is stamped with the time it was saved (today): a check as of an earlier
    # moment would rightly know none of them.
    at = datetime.now(UTC)
    started = time.perf_counter()
    report = check(store.stream(Complaint), compiled, calendar=calendar, at=at)
    streamed = sum(s.counts.total for s in report.rules) / len(report.rules)
    over_stream = streamed / (time.perf_counter() - started)
    records = list(islice(store.stream(Complaint), sample))
    started = time.perf_counter()
    check(records, compiled, calendar=calendar, at=at)
    return over_stream, len(records) / (time.perf_counter() - started)


def reference(path: Path, sample: int) -> tuple[float, float]:
    """Records per second of ``json.loads`` alone and of ``from_dict(validate=False)`` on the
    first ``sample`` stored documents (read from the file by a connection of its own)."""
    with closing(sqlite3.connect(path)) as db:
        documents = [
            row[0]
            for row in db.execute(
                "SELECT document FROM qse_records ORDER BY opened_at LIMIT ?", (sample,)
            )
        ]

    def rate(decode: Callable[[str], object]) -> float:
        started = time.perf_counter()
        for document in documents:
            decode(document)
        return len(documents) / (time.perf_counter() - started)

    loads_rate = rate(json.loads)
    from_dict_rate = rate(lambda document: from_dict(json.loads(document), validate=False))
    return loads_rate, from_dict_rate


def upsert_floor(path: Path, folder: Path, batch: int, synchronous: str) -> float:
    """Records per second of SQLite alone writing the store's rows: every row of the store at
    ``path``, each column as stored, upserted into a new database of the same schema with the
    store's own statement, ``batch`` rows a transaction (the reading not counted)."""
    fresh = folder / "floor.db"
    SQLiteStore(fresh, synchronous=synchronous).close()  # the schema, in WAL mode, as the store
    with (
        closing(sqlite3.connect(path)) as source,
        closing(sqlite3.connect(fresh, isolation_level=None)) as target,
    ):
        target.execute(f"PRAGMA synchronous = {synchronous.upper()}")
        rows = source.execute(f"SELECT {RECORD_COLUMNS} FROM qse_records ORDER BY rowid")
        count = 0
        spent = 0.0
        while chunk := rows.fetchmany(batch):
            started = time.perf_counter()
            target.execute("BEGIN IMMEDIATE")
            target.executemany(UPSERT_RECORD, chunk)
            target.execute("COMMIT")
            spent += time.perf_counter() - started
            count += len(chunk)
    return count / spent


def loads_floor(path: Path, batch: int) -> float | None:
    """Records per second of ``orjson.loads`` alone on every stored document, read as the
    store's stream reads them (their UTF-8 bytes), ``batch`` at a time (the reading not
    counted); None without orjson."""
    if orjson is None:
        return None
    loads = orjson.loads
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute(
            "SELECT CAST(document AS BLOB) FROM qse_records ORDER BY lab, type, opened_at, id"
        )
        count = 0
        spent = 0.0
        while chunk := rows.fetchmany(batch):
            started = time.perf_counter()
            for (document,) in chunk:
                loads(document)
            spent += time.perf_counter() - started
            count += len(chunk)
    return count / spent


STREAM_TARGET = 100_000
"""Records a second ``store.stream(Complaint)`` should reach on SQLite with the ``fast`` extra
(issue 16)."""


def load_average() -> str:
    """The machine's load over 1, 5 and 15 minutes (the machine may be shared), if known."""
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except (AttributeError, OSError):  # Windows
        return "unknown"


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="complaints to insert")
    parser.add_argument("--batch", type=int, default=10_000, help="records per save_many")
    parser.add_argument("--repeats", type=int, default=1, help="runs; medians are printed")
    parser.add_argument("--synchronous", default="full", help="PRAGMA synchronous of the store")
    parser.add_argument("--dir", default=None, help="folder for the database (default: temp)")
    parser.add_argument("--sample", type=int, default=20_000, help="documents for the reference")
    args = parser.parse_args()

    print(f"python {platform.python_version()} on {cpu_model()} ({os.cpu_count()} CPUs)")
    print(f"{args.n:,} complaints, batches of {args.batch:,}, synchronous={args.synchronous}")
    print(f"load average at the start: {load_average()}")
    inserts: list[float] = []
    streams: list[float] = []
    streams_cpu: list[float] = []
    engine: list[float] = []
    engine_alone: list[float] = []
    samples: list[float] = []
    loads_rates: list[float] = []
    from_dict_rates: list[float] = []
    floors: dict[str, list[float]] = {"insert": [], "stream": []}
    chain_cost: dict[str, list[float]] = {"insert": [], "stream": []}
    size = bare_size = 0
    for repeat in range(args.repeats):
        bare: dict[str, float] = {}
        for chained in (True, False) if repeat % 2 == 0 else (False, True):
            with (
                tempfile.TemporaryDirectory(dir=args.dir) as folder,
                nullcontext() if chained else without_chain(),
            ):
                path = Path(folder) / "bench.db"
                store = SQLiteStore(path, synchronous=args.synchronous)
                insert_rate = args.n / insert(store, args.n, args.batch)
                stored = path.stat().st_size + sum(
                    p.stat().st_size for p in Path(folder).glob("bench.db-*")
                )
                gc.collect()
                run_samples: list[float] = []
                spent, spent_cpu = stream(store, args.n, run_samples)
                stream_rate = args.n / spent
                if not chained:
                    bare = {"insert": insert_rate, "stream": stream_rate}
                    bare_size = stored
                    store.close()
                    continue
                inserts.append(insert_rate)
                streams.append(stream_rate)
                streams_cpu.append(args.n / spent_cpu)
                size = stored
                samples = run_samples
                engine_run = through_engine(store, min(args.sample, args.n))
                if engine_run is not None:
                    engine.append(engine_run[0])
                    engine_alone.append(engine_run[1])
                loads_rate, from_dict_rate = reference(path, min(args.sample, args.n))
                loads_rates.append(loads_rate)
                from_dict_rates.append(from_dict_rate)
                store.close()
                floors["insert"].append(
                    upsert_floor(path, Path(folder), args.batch, args.synchronous)
                )
                floor = loads_floor(path, args.batch)
                if floor is not None:
                    floors["stream"].append(floor)
        chain_cost["insert"].append(bare["insert"] / inserts[-1])
        chain_cost["stream"].append(bare["stream"] / streams[-1])
        print(
            f"  run {repeat + 1}: insert {inserts[-1]:,.0f}/s ({bare['insert']:,.0f}/s without "
            f"the chain), stream {streams[-1]:,.0f}/s ({bare['stream']:,.0f}/s without)"
        )

    def median(values: list[float]) -> float:
        return statistics.median(values)

    print(f"insert (save_many, batches of {args.batch:,}): {median(inserts):>12,.0f} records/s")
    print(f"stream (store.stream):                {median(streams):>12,.0f} records/s")
    print(f"stream, of processor time:            {median(streams_cpu):>12,.0f} records/s")
    met = "met" if median(streams) >= STREAM_TARGET else "not met"
    print(f"stream target (issue 16): {STREAM_TARGET:,} records/s: {met}")
    if engine:
        print(f"stream through the engine (check):    {median(engine):>12,.0f} records/s")
        print(f"reference engine alone (in memory):   {median(engine_alone):>12,.0f} records/s")
    else:
        print("stream through the engine: skipped (qse_customer.rules not available)")
    print(f"reference json.loads alone:           {median(loads_rates):>12,.0f} records/s")
    print(f"reference from_dict(validate=False):  {median(from_dict_rates):>12,.0f} records/s")
    print(
        f"stream / from_dict(validate=False):   {median(streams) / median(from_dict_rates):>12.1f}x"
    )
    insert_ratio = [f / r for f, r in zip(floors["insert"], inserts, strict=True)]
    print(f"floor: SQLite upsert of the rows:     {median(floors['insert']):>12,.0f} records/s")
    print(f"insert / floor (time, same run):      {median(insert_ratio):>12.1f}x")
    if floors["stream"]:
        stream_ratio = [f / r for f, r in zip(floors["stream"], streams, strict=True)]
        print(f"floor: orjson.loads of the documents: {median(floors['stream']):>12,.0f} records/s")
        print(f"stream / floor (time, same run):      {median(stream_ratio):>12.1f}x")
    else:
        print("floor: orjson.loads: skipped (orjson not installed: pip install qse-customer[fast])")
    for what, ratios in chain_cost.items():
        print(
            f"hash chain cost, {what} (time with / without, same run): "
            f"{median(ratios):.2f}x (runs: {', '.join(f'{r:.2f}' for r in ratios)})"
        )
    print(f"database size: {size / 2**20:,.0f} MiB ({size / args.n:,.0f} bytes a record)")
    print(f"database size without the chain: {bare_size / 2**20:,.0f} MiB")
    print("RSS while streaming (MiB): " + ", ".join(f"{s:.0f}" for s in samples))
    print(f"peak memory (ru_maxrss): {peak_mib():,.0f} MiB")
    print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
