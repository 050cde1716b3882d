"""What ``qse-customer check`` costs against streaming its store once, measured in the same run.

Run from the repository root:

    PYTHONPATH=src python benchmarks/cli_check.py                 # 200,000 + 50,000 records
    PYTHONPATH=src python benchmarks/cli_check.py --complaints 20000 --enquiries 5000

Builds an SQLite store of ``--complaints`` complaints and ``--enquiries`` enquiries (the records of
``benchmarks/engine.py``: realistic histories over two years, saved in order of receipt in batches,
the store's clock set to the batch's last event so every event carries a ``recorded_at``), then
times, as the median of ``--repeats`` runs, each in a fresh process:

a. streaming the store once: every complaint and enquiry read and decoded (``store.stream``);
b. the whole ``check`` as the command line runs it, with both shipped rulesets
   (``qse2-responsibility`` and ``customer-service-standards``), through the CLI's own function
   (``qse_customer.cli.main.main``) with the report written to a temporary file (``--format``).

It prints the records per second of each, the ratio b / a (the target is at most 1.5), and the
peak resident memory of each process (``ru_maxrss``), also above the process's memory once the
library is imported: what streaming or checking needed beyond the interpreter and the library.
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from engine import AT, complaints, enquiries
from storage import cpu_model

from qse_customer.cli.main import main as cli_main
from qse_customer.core.record import Record
from qse_customer.demo.run import enter_as_they_happened
from qse_customer.stores import SQLiteStore

RULESETS = ("qse2-responsibility", "customer-service-standards")
TIMEZONE = "Europe/London"


def peak_mib() -> float:
    """The process's peak resident set so far, in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def build(path: Path, n_complaints: int, n_enquiries: int) -> int:
    """Save the benchmark's complaints and enquiries to a new SQLite store, as the demo enters
    its lab: day by day, each event stamped at the end of the day it happened; return how many."""
    records: list[Record] = [*complaints(n_complaints), *enquiries(n_enquiries)]
    records.sort(key=lambda record: record.events[0].at)
    with SQLiteStore(str(path)) as store:
        enter_as_they_happened(store, records, TIMEZONE)
    return len(records)


def stream_once(url_path: str) -> tuple[float, float, float, int]:
    """Seconds to read and decode every record once; peak MiB; MiB before; records read."""
    before = peak_mib()
    count = 0
    started = time.perf_counter()
    with SQLiteStore(url_path) as store:
        for tag in ("complaint", "enquiry"):
            for _ in store.stream(tag):
                count += 1
    return time.perf_counter() - started, peak_mib(), before, count


def check_once(url_path: str, output_format: str) -> tuple[float, float, float, int]:
    """Seconds for ``qse-customer check`` with both shipped rulesets; peak MiB; MiB before;
    its exit code."""
    before = peak_mib()
    with tempfile.TemporaryDirectory() as folder:
        argv = ["check", "--store", f"sqlite:///{url_path}"]
        for name in RULESETS:
            argv += ["--ruleset", name]
        argv += ["--at", AT.isoformat(), "--format", output_format]
        argv += ["--output", str(Path(folder) / f"report.{output_format}")]
        started = time.perf_counter()
        code = cli_main(argv)
        spent = time.perf_counter() - started
    return spent, peak_mib(), before, code


def _child(what: str, path: str, output_format: str, answer: Any) -> None:
    if what == "stream":
        answer.put(stream_once(path))
    else:
        answer.put(check_once(path, output_format))


def in_fresh_process(what: str, path: Path, output_format: str) -> tuple[float, float, float, int]:
    """Run one measurement in a new interpreter, so its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    answer = context.Queue()
    process = context.Process(target=_child, args=(what, str(path), output_format, answer))
    process.start()
    result: tuple[float, float, float, int] = answer.get()
    process.join()
    return result


def main() -> None:
    """Build the store, time streaming it and checking it, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=200_000)
    parser.add_argument("--enquiries", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--format", choices=("json", "text", "html"), default="json")
    parser.add_argument("--keep", metavar="FILE", help="build the store here and keep it")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {cpu_model()}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.keep) if args.keep else Path(folder) / "check.db"
        if path.exists():
            print(f"store: {path} (reused)")
            n = None
        else:
            started = time.perf_counter()
            n = build(path, args.complaints, args.enquiries)
            print(f"store: {n:,} records built and saved in {time.perf_counter() - started:.1f} s")
        streams, checks = [], []
        for run in range(args.repeats):
            # Alternate which goes first, so neither always finds a warm page cache.
            order = ("stream", "check") if run % 2 == 0 else ("check", "stream")
            for what in order:
                result = in_fresh_process(what, path, args.format)
                (streams if what == "stream" else checks).append(result)
        records = streams[0][3]
        if n is not None and records != n:
            raise SystemExit(f"streamed {records:,} records, saved {n:,}")
        if any(result[3] not in (0, 1) for result in checks):
            raise SystemExit(f"check failed: exit codes {[result[3] for result in checks]}")
        a = statistics.median(result[0] for result in streams)
        b = statistics.median(result[0] for result in checks)
        print(f"records: {records:,} (complaints and enquiries)")
        print(f"(a) stream once:        {a:7.2f} s  {records / a:>10,.0f} records/s")
        print(
            f"(b) check ({args.format}):  {b:9.2f} s  {records / b:>10,.0f} records/s  "
            f"({' + '.join(RULESETS)})"
        )
        print(f"ratio b / a:            {b / a:7.2f}x  (target: at most 1.5x)")
        for name, results in (("stream", streams), ("check", checks)):
            peak = max(result[1] for result in results)
            above = max(result[1] - result[2] for result in results)
            print(f"peak RSS {name:<7}        {peak:7.0f} MiB  ({above:.0f} MiB above the import)")
        print(
            "times: "
            + "; ".join(
                f"{name} " + ", ".join(f"{result[0]:.2f}" for result in results)
                for name, results in (("stream", streams), ("check", checks))
            )
        )


if __name__ == "__main__":
    main()
