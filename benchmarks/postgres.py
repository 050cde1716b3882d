"""Throughput of the PostgreSQL store against the SQLite store in the same run: inserts by 1 and by
4 writer processes, and streaming the records back.

Run from the repository root (needs psycopg and PostgreSQL's server binaries, or ``--url``):

    PYTHONPATH=src python benchmarks/postgres.py                       # 1,000,000 complaints
    PYTHONPATH=src python benchmarks/postgres.py --n 100000 --repeats 3
    PYTHONPATH=src python benchmarks/postgres.py --url postgresql://lab@db/bench

The workload is benchmarks/storage.py's (its complaint generator, imported): ``--n`` complaints
with 1 to 4 events, saved with ``save_many`` in batches of ``--batch`` (one transaction a batch).
With ``--writers 1,4`` the complaints are split between 1, then 4, processes that start inserting
at the same moment into a new store; the rate is all records over the longest time a writer spent
in ``save_many`` (building the complaints is not counted, as in storage.py). Then one process
streams the 1-writer store back with ``store.stream(Complaint)``. Every figure is measured for
PostgreSQL and for SQLite (``synchronous=full``, WAL) in the same run; the medians of
``--repeats`` runs are printed, with the median and range of each run's PostgreSQL / SQLite
ratio. Without ``--url`` the script starts a throw-away PostgreSQL server on loopback (fsync on,
as a real server) with tests/postgres_server.py and deletes it after.

Each run also inserts (with the first writer count) and streams the same complaints in a
PostgreSQL store whose sealing is a no-op (storage.py's ``without_chain``), before the other
stores in one run and after them in the next, and prints what the hash chain costs there: the
median of each run's time with the chain over the time without it.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import platform
import queue
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

from storage import cpu_model, peak_mib, rss_mib

from qse_customer import Complaint
from qse_customer.stores import SQLiteStore, Store
from qse_customer.stores.postgres import PostgresStore, parse_postgres_url

ROOT = Path(__file__).resolve().parents[1]


def _open(url: str) -> Store:
    if url.startswith("sqlite:///"):
        return SQLiteStore(url.removeprefix("sqlite:///"))
    return PostgresStore(url)


def _insert_slice(
    url: str,
    start: int,
    stop: int,
    batch: int,
    go: EventType,
    results: multiprocessing.Queue,
    chained: bool = True,
) -> None:
    """One writer: insert complaints ``start`` to ``stop`` once ``go`` is set; report the
    seconds it spent in ``save_many`` (building the complaints not counted). ``chained=False``:
    with sealing a no-op (storage.py's :func:`without_chain`)."""
    from storage import complaint, without_chain

    spent = 0.0
    with _open(url) as store, nullcontext() if chained else without_chain():
        go.wait()
        for first in range(start, stop, batch):
            records = [complaint(i) for i in range(first, min(first + batch, stop))]
            began = time.perf_counter()
            store.save_many(records)
            spent += time.perf_counter() - began
    results.put(spent)


def insert(url: str, n: int, batch: int, writers: int, chained: bool = True) -> float:
    """Records per second of ``writers`` processes inserting ``n`` complaints into ``url``
    (``chained=False``: with sealing a no-op)."""
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    results: multiprocessing.Queue = context.Queue()
    bounds = [n * w // writers for w in range(writers + 1)]
    processes = [
        context.Process(
            target=_insert_slice,
            args=(url, bounds[w], bounds[w + 1], batch, go, results, chained),
        )
        for w in range(writers)
    ]
    for process in processes:
        process.start()
    time.sleep(2.0)  # every writer has imported and opened the store
    go.set()
    spent: list[float] = []
    while len(spent) < writers:
        try:
            spent.append(results.get(timeout=1.0))
        except queue.Empty:
            failed = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            if failed:  # a writer died without its figure: stop instead of waiting for it
                for process in processes:
                    process.kill()
                raise SystemExit(f"a writer failed with exit code {failed[0]}") from None
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"a writer failed with exit code {process.exitcode}")
    return n / max(spent)


def stream(url: str, n: int, samples: list[float]) -> float:
    """Records per second streaming every complaint of ``url`` back, sampling RSS as it goes."""
    every = max(n // 10, 1)
    count = 0
    with _open(url) as store:
        gc.collect()
        started = time.perf_counter()
        for count, _ in enumerate(store.stream(Complaint), start=1):
            if count % every == 0:
                samples.append(rss_mib())
        spent = time.perf_counter() - started
    if count != n:
        raise SystemExit(f"streamed {count} complaints from {url}, expected {n}")
    return n / spent


def bare_run(url: str, n: int, batch: int, writers: int) -> dict[str, float]:
    """Insert and stream rates of a PostgreSQL store whose sealing is a no-op."""
    rate = insert(url, n, batch, writers, chained=False)
    return {"insert": rate, "stream": stream(url, n, [])}


def postgres_size(url: str) -> int:
    """Bytes on disk of a PostgreSQL store's tables, with their indexes and TOAST."""
    import psycopg

    conninfo, schema = parse_postgres_url(url)
    with psycopg.connect(conninfo) as db:
        row = db.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class AS c "
            "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r'",
            (schema,),
        ).fetchone()
    return int(row[0]) if row is not None else 0


def sqlite_size(url: str) -> int:
    """Bytes on disk of an SQLite store with its WAL."""
    path = Path(url.removeprefix("sqlite:///"))
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def start_server() -> tuple[str, Callable[[], None]]:
    """A throw-away PostgreSQL server (:mod:`qse_customer.testing.servers`); its URL and how to
    stop it."""
    from qse_customer.testing.servers import PostgresCluster, find_postgres_bindir

    bindir = find_postgres_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries found: install postgresql or give --url")
    cluster = PostgresCluster(bindir, durable=True)
    cluster.start()
    return cluster.url, cluster.stop


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="complaints to insert")
    parser.add_argument("--batch", type=int, default=10_000, help="records per save_many")
    parser.add_argument("--writers", default="1,4", help="writer processes, comma-separated")
    parser.add_argument("--repeats", type=int, default=1, help="runs; medians are printed")
    parser.add_argument("--url", default=None, help="a PostgreSQL database (default: start one)")
    parser.add_argument("--dir", default=None, help="folder for the SQLite files (default: temp)")
    args = parser.parse_args()
    writer_counts = [int(w) for w in args.writers.split(",")]

    print(f"python {platform.python_version()} on {cpu_model()} ({os.cpu_count()} CPUs)")
    print(f"{args.n:,} complaints, batches of {args.batch:,}, writers {writer_counts}")
    stop: Callable[[], None] = lambda: None  # noqa: E731 - replaced when a server is started
    base = args.url
    if base is None:
        base, stop = start_server()
    separator = "&" if "?" in base else "?"
    rates: dict[tuple[str, str], list[float]] = {}
    sizes: dict[str, int] = {}
    samples: dict[str, list[float]] = {}
    chain_cost: dict[str, list[float]] = {"insert": [], "stream": []}
    try:
        import psycopg

        with psycopg.connect(parse_postgres_url(base)[0]) as db:
            version = db.execute("SHOW server_version").fetchone()
            fsync = db.execute("SHOW fsync").fetchone()
        print(f"PostgreSQL {version[0] if version else '?'}, fsync={fsync[0] if fsync else '?'}")
        for repeat in range(args.repeats):
            with tempfile.TemporaryDirectory(dir=args.dir) as folder:
                for writers in writer_counts:
                    tag = f"r{repeat}w{writers}_{os.getpid()}"
                    urls = {
                        "postgresql": f"{base}{separator}schema=bench_{tag}",
                        "sqlite": f"sqlite:///{Path(folder) / f'bench_{tag}.db'}",
                    }
                    bare: dict[str, float] = {}
                    first = writers == writer_counts[0]
                    # The same into PostgreSQL with sealing a no-op: what the chain costs there
                    # (before the other runs in one repeat, after them in the next).
                    bare_url = f"{base}{separator}schema=bench_{tag}_bare"
                    if first and repeat % 2 == 1:
                        bare = bare_run(bare_url, args.n, args.batch, writers)
                    for backend, url in urls.items():
                        rate = insert(url, args.n, args.batch, writers)
                        rates.setdefault((backend, f"insert x{writers}"), []).append(rate)
                        if first:
                            run_samples: list[float] = []
                            rates.setdefault((backend, "stream"), []).append(
                                stream(url, args.n, run_samples)
                            )
                            samples[backend] = run_samples
                            sizes[backend] = (
                                postgres_size(url) if backend == "postgresql" else sqlite_size(url)
                            )
                        print(f"  run {repeat + 1}, {backend}, {writers} writer(s): {rate:,.0f}/s")
                    if first and repeat % 2 == 0:
                        bare = bare_run(bare_url, args.n, args.batch, writers)
                    if first:
                        rates.setdefault(("postgresql", "without the chain"), []).append(
                            bare["insert"]
                        )
                        pg_insert = rates[("postgresql", f"insert x{writers}")][-1]
                        chain_cost["insert"].append(bare["insert"] / pg_insert)
                        pg_stream = rates[("postgresql", "stream")][-1]
                        chain_cost["stream"].append(bare["stream"] / pg_stream)
                        print(
                            f"  run {repeat + 1}, postgresql without the chain: "
                            f"{bare['insert']:,.0f}/s"
                        )
    finally:
        stop()

    # The ratio is the median of each run's own ratio: both backends of a run share its load.
    print(f"{'what':<28}{'PostgreSQL':>14}{'SQLite':>14}{'PG / SQLite':>14}   (ratio range)")
    for what in [f"insert x{w}" for w in writer_counts] + ["stream"]:
        pg_runs, lite_runs = rates[("postgresql", what)], rates[("sqlite", what)]
        ratios = [pg / lite for pg, lite in zip(pg_runs, lite_runs, strict=True)]
        pg, lite = statistics.median(pg_runs), statistics.median(lite_runs)
        print(
            f"{what + ' (records/s)':<28}{pg:>14,.0f}{lite:>14,.0f}"
            f"{statistics.median(ratios):>13.2f}x   ({min(ratios):.2f}-{max(ratios):.2f})"
        )
    for what, ratios in chain_cost.items():
        how = f"{what} x{writer_counts[0]}" if what == "insert" else what
        print(
            f"hash chain cost on PostgreSQL, {how} (time with / without, same run): "
            f"{statistics.median(ratios):.2f}x (runs: {', '.join(f'{r:.2f}' for r in ratios)})"
        )
    for backend, size in sizes.items():
        print(f"{backend} size: {size / 2**20:,.0f} MiB ({size / args.n:,.0f} bytes a record)")
    for backend, run_samples in samples.items():
        print(f"RSS while streaming {backend} (MiB): " + ", ".join(f"{s:.0f}" for s in run_samples))
    print(f"peak memory of the streaming process (ru_maxrss): {peak_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
