"""Time per event of building and validating one record as its history grows (issue 14, item 5:
validating a record used to cost the square of its event count).

Run from the repository root:

    PYTHONPATH=src python benchmarks/histories.py                    # 100 to 100,000 events
    PYTHONPATH=src python benchmarks/histories.py --sizes 100 1000 --repeats 3

For each size, builds one complaint with that many events (received, then notes and progress
updates, a correction near the end) from its JSON document, three ways: ``from_dict`` (JSON Schema
and model), ``from_dict(validate=False)`` (model only), and the constructor; prints the median
time per event of each, and the ratio of the largest size's time per event to the smallest's
(flat: about 1).
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from qse_customer import Actor, Complaint, Event, Role, from_dict, to_dict
from qse_customer.core.history import correction_data

STAFF = Actor("tech-1", "Tara Tech", Role.TECHNOLOGIST)
MANAGER = Actor("qm-1", "Quinn Manager", Role.QUALITY_MANAGER)
START = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)


def peak_mib() -> float:
    """The process's peak resident set so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def history(size: int) -> tuple[Event, ...]:
    """A complaint's history of ``size`` events, the last of them a correction."""
    events = [Event("received", START, STAFF)]
    for number in range(1, size - 1):
        kind = "progress_update" if number % 3 == 0 else "note_added"
        events.append(Event(kind, START + timedelta(minutes=number), STAFF, note=f"n{number}"))
    replacement = Event("received", START - timedelta(minutes=5), STAFF)
    corrected = Event(
        "corrected",
        START + timedelta(minutes=size),
        MANAGER,
        correction_data(0, replacement, "typed in from the paper form"),
    )
    return (*events, corrected)


def timed(call: Callable[[], Any], repeats: int) -> float:
    """The median seconds of ``repeats`` calls."""
    spent = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        spent.append(time.perf_counter() - started)
    return statistics.median(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (3)")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}")
    print(f"{'events':>8} {'from_dict':>14} {'validate=False':>16} {'constructor':>14}")
    per_event: dict[str, list[float]] = {"full": [], "model": [], "constructor": []}
    for size in args.sizes:
        events = history(size)
        document = to_dict(
            Complaint(id="C-1", events=events, channel="email", category="turnaround")
        )
        full = timed(lambda document=document: from_dict(document), args.repeats) / size
        model = (
            timed(lambda document=document: from_dict(document, validate=False), args.repeats)
            / size
        )
        built = (
            timed(
                lambda events=events: Complaint(
                    id="C-1", events=events, channel="email", category="turnaround"
                ),
                args.repeats,
            )
            / size
        )
        for key, value in (("full", full), ("model", model), ("constructor", built)):
            per_event[key].append(value)
        print(
            f"{size:>8,} {full * 1e6:>11.1f} µs {model * 1e6:>13.1f} µs {built * 1e6:>11.1f} µs"
            "  per event"
        )
    if len(args.sizes) > 1:
        ratios = ", ".join(
            f"{key} {values[-1] / values[0]:.2f}x" for key, values in per_event.items()
        )
        print(
            f"time per event at {args.sizes[-1]:,} events vs {args.sizes[0]:,}: {ratios} "
            "(flat is 1x; the square of the event count would be "
            f"{args.sizes[-1] / args.sizes[0]:,.0f}x)"
        )
    print(
        f"peak memory: {peak_mib():.0f} MiB; events/s at the largest size: "
        f"{1 / per_event['constructor'][-1]:,.0f}/s (constructor)"
    )


if __name__ == "__main__":
    main()
