"""Throughput of WorkingCalendar deadlines, against numpy.busday_offset on the same dates.

Run from the repository root:

    PYTHONPATH=src python benchmarks/working_calendar.py            # 1,000,000 timestamps
    PYTHONPATH=src python benchmarks/working_calendar.py --n 100000 --repeats 3

Prints records per second (median of the repeats) for each API, the ratio to numpy.busday_offset,
the time to build the calendar's tables, and peak memory; then the batch APIs on the other shapes
of opening hours (a lunch closure and a Saturday morning clinic; a core laboratory open around
the clock), each against numpy.busday_offset on the same records in the same run. Needs numpy.

Each batch path is also put against the floor any batch lookup has, measured in the same run: a
plain numpy table gather over the same instants, ``table[(starts - origin) // 86400]``, where
``table`` holds one precomputed int64 per UTC day (the deadline of that day's midnight). It
reads the same starts and writes one int64 per start, and does nothing else: no checks, no
clock, no search. The ratio printed is the median, over rounds that alternate the two, of the
path's time over the gather's in the same round. The scalar
``add_working_days`` is given in nanoseconds per call.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import numpy as np

from qse_customer.core.calendar import WorkingCalendar

DAYS = 20  # the FOI final-response limit
HOURS = 8  # one working day of opening hours
LONDON = ZoneInfo("Europe/London")
# The other shapes of opening hours: settings, the numpy weekmask of their working days, and
# each weekday's closing time (after which numpy counts from the next day; none for 24/7).
SHAPES = {
    "lunch closure + Saturday clinic (GB-ENG)": (
        {
            "country": "GB",
            "subdivision": "ENG",
            "hours": {"Mon-Fri": ["08:00-12:30", "13:30-17:00"], "Sat": ["09:00-12:00"]},
        },
        "1111110",
        {0: "17:00", 1: "17:00", 2: "17:00", 3: "17:00", 4: "17:00", 5: "12:00"},
    ),
    "core laboratory, 24/7": ({"hours": "24/7"}, "1111111", {}),
}


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


def without_numpy(run: Callable[[], object]) -> Callable[[], object]:
    """``run`` with ``import numpy`` failing, so the batch API takes its pure-Python path."""

    def wrapped() -> object:
        saved = sys.modules.get("numpy")
        sys.modules["numpy"] = None  # type: ignore[assignment]
        try:
            return run()
        finally:
            sys.modules["numpy"] = saved  # type: ignore[assignment]

    return wrapped


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """Median wall-clock time of ``repeats`` calls of ``run``."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def paired_ratio(run: Callable[[], object], reference: Callable[[], object], repeats: int) -> float:
    """Median over alternating rounds of ``run``'s time over ``reference``'s in the same round:
    on a shared machine the memory bandwidth both depend on varies from one second to the next."""
    ratios = []
    for _ in range(max(repeats, 11)):
        ratios.append(median_seconds(run, 1) / median_seconds(reference, 1))
    return statistics.median(ratios)


def gather_reference(
    calendar: WorkingCalendar, starts: np.ndarray, repeats: int
) -> tuple[Callable[[], object], float]:
    """The reference gather over ``starts`` by UTC day (to time), and the median seconds of a
    gather by an index computed beforehand (the bare cost of numpy's fancy indexing)."""
    origin = int(starts.min()) // 86_400 * 86_400
    span = (int(starts.max()) - origin) // 86_400 + 1
    midnights = origin + 86_400 * np.arange(span, dtype=np.int64)
    table = calendar.add_working_days_batch(midnights, DAYS)  # one deadline per UTC day
    index = (starts - origin) // 86_400
    indexed = median_seconds(lambda: table[index], repeats)
    return (lambda: table[(starts - origin) // 86_400]), indexed


def shape(
    name: str,
    settings: dict[str, Any],
    weekmask: str,
    closing: dict[int, str],
    starts: np.ndarray,
    moments: list[datetime],
    repeats: int,
) -> None:
    """The batch APIs on one shape of opening hours, against busday_offset in the same run."""
    began = time.perf_counter()
    calendar = WorkingCalendar(timezone="Europe/London", **settings)
    calendar.add_working_hours_batch(starts[:1], 60)  # builds the tables
    build = time.perf_counter() - began
    closed = (
        holidays.country_holidays("GB", subdiv="ENG", years=range(1990, 2101))
        if calendar.country
        else {}
    )
    busdays = np.busdaycalendar(
        weekmask=weekmask, holidays=np.array(sorted(closed), dtype="datetime64[D]")
    )
    local = [moment.astimezone(LONDON) for moment in moments]
    dates = np.array(
        [
            m.date() + timedelta(days=1)
            if m.strftime("%H:%M") >= closing.get(m.weekday(), "24:00")
            else m.date()
            for m in local
        ],
        dtype="datetime64[D]",
    )
    # The day a deadline ends (a closing time of 24:00 is the next day's midnight).
    got = calendar.add_working_days_batch(starts[:10_000], DAYS)
    ends = [datetime.fromtimestamp(int(s) - 1, LONDON).date() for s in got]
    expected = np.busday_offset(dates[:10_000], DAYS, roll="forward", busdaycal=busdays)
    assert (np.array(ends, dtype="datetime64[D]") == expected).all(), f"{name}: busday_offset"
    numpy_time = median_seconds(
        lambda: np.busday_offset(dates, DAYS, roll="forward", busdaycal=busdays), repeats
    )
    reference, _ = gather_reference(calendar, starts, repeats)
    gather = median_seconds(reference, repeats)

    def run_days() -> object:
        return calendar.add_working_days_batch(starts, DAYS)

    def run_hours() -> object:
        return calendar.add_working_hours_batch(starts, HOURS * 3600)

    days, hours = median_seconds(run_days, repeats), median_seconds(run_hours, repeats)
    days_ratio = paired_ratio(run_days, reference, repeats)
    hours_ratio = paired_ratio(run_hours, reference, repeats)
    n = starts.size
    print(
        f"  {name}: tables built in {build * 1000:.0f} ms\n"
        f"    numpy.busday_offset (dates, busdaycal)        {n / numpy_time:>14,.0f} /s\n"
        f"    plain gather by UTC day (reference)            {n / gather:>14,.0f} /s\n"
        f"    add_working_days_batch (int64 epoch seconds)   {n / days:>14,.0f} /s"
        f"   {days / numpy_time:.2f}x busday_offset's time, {days_ratio:.2f}x the gather's\n"
        f"    add_working_hours_batch (int64 epoch seconds)  {n / hours:>14,.0f} /s"
        f"   {hours_ratio:.2f}x the gather's"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="timestamps per run")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each batch measurement")
    parser.add_argument(
        "--scalar-repeats", type=int, default=3, help="runs of each scalar measurement"
    )
    parser.add_argument("--seed", type=int, default=20240513)
    args = parser.parse_args()
    n = args.n

    calendar = WorkingCalendar(timezone="Europe/London", country="GB", subdivision="ENG")
    began = time.perf_counter()
    calendar.is_working_day(datetime(2024, 1, 1).date())  # builds the tables
    build = time.perf_counter() - began

    rng = np.random.default_rng(args.seed)
    low = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp())
    high = int(datetime(2031, 1, 1, tzinfo=UTC).timestamp())
    starts = rng.integers(low, high, size=n, dtype=np.int64)
    moments = [datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(s)) for s in starts]

    # numpy.busday_offset on the same records: their local dates (after closing rolls to the
    # next day), the same weekmask and holidays, the same 20-day offset.
    closed = holidays.country_holidays("GB", subdiv="ENG", years=range(1990, 2101))
    busdays = np.busdaycalendar(
        weekmask="1111100", holidays=np.array(sorted(closed), dtype="datetime64[D]")
    )
    local = [moment.astimezone(LONDON) for moment in moments]
    dates = np.array(
        [m.date() + timedelta(days=1) if m.hour >= 17 else m.date() for m in local],
        dtype="datetime64[D]",
    )
    expected = np.busday_offset(dates, DAYS, roll="forward", busdaycal=busdays)
    got = calendar.add_working_days_batch(starts, DAYS)
    calendar.add_working_hours_batch(starts[:1], 60)  # builds the hours lookups, as days did
    got_dates = np.array(
        [datetime.fromtimestamp(int(s), LONDON).date() for s in got[:10_000]],
        dtype="datetime64[D]",
    )
    assert (got_dates == expected[:10_000]).all(), "batch deadlines disagree with busday_offset"

    print(f"WorkingCalendar benchmark: {n:,} timestamps, 2000-2030, GB-ENG, Europe/London")
    print(
        f"machine: {cpu_model()}, {os.cpu_count()} CPUs, {platform.system()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"holidays {holidays.__version__}"
    )
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print(f"tables for 1990-2100 built in {build * 1000:.0f} ms (once per calendar settings)")
    print(f"medians of {args.repeats} runs (batch) and {args.scalar_repeats} runs (scalar)\n")

    def rate(seconds: float) -> str:
        return f"{n / seconds:>14,.0f} /s"

    numpy_time = median_seconds(
        lambda: np.busday_offset(dates, DAYS, roll="forward", busdaycal=busdays), args.repeats
    )
    reference, indexed = gather_reference(calendar, starts, args.repeats)
    gather = median_seconds(reference, args.repeats)
    days_batch = median_seconds(lambda: calendar.add_working_days_batch(starts, DAYS), args.repeats)
    hours_batch = median_seconds(
        lambda: calendar.add_working_hours_batch(starts, HOURS * 3600), args.repeats
    )
    as_floats = starts.astype(np.float64)
    hours_batch_float = median_seconds(
        lambda: calendar.add_working_hours_batch(as_floats, float(HOURS * 3600)), args.repeats
    )

    add_days, add_hours = calendar.add_working_days, calendar.add_working_hours

    def scalar_days() -> None:
        for moment in moments:
            add_days(moment, DAYS)

    def scalar_hours() -> None:
        for moment in moments:
            add_hours(moment, HOURS)

    days_scalar = median_seconds(scalar_days, args.scalar_repeats)
    hours_scalar = median_seconds(scalar_hours, args.scalar_repeats)
    as_list = starts.tolist()
    days_python = median_seconds(
        without_numpy(lambda: calendar.add_working_days_batch(as_list, DAYS)), args.scalar_repeats
    )
    hours_python = median_seconds(
        without_numpy(lambda: calendar.add_working_hours_batch(as_list, HOURS * 3600)),
        args.scalar_repeats,
    )

    ratios = {
        name: paired_ratio(run, reference, args.repeats)
        for name, run in (
            ("days", lambda: calendar.add_working_days_batch(starts, DAYS)),
            ("hours", lambda: calendar.add_working_hours_batch(starts, HOURS * 3600)),
            ("float", lambda: calendar.add_working_hours_batch(as_floats, float(HOURS * 3600))),
        )
    }

    def against(name: str) -> str:
        return f"   {ratios[name]:.2f}x the gather's time"

    def per_call(seconds: float) -> str:
        return f"   {seconds / n * 1e9:,.0f} ns/call"

    print(f"numpy.busday_offset (dates, busdaycal)           {rate(numpy_time)}")
    print(f"plain gather by UTC day (reference)               {rate(gather)}")
    print(f"plain gather by precomputed index (for scale)     {rate(indexed)}")
    print(
        f"add_working_days_batch (int64 epoch seconds)      {rate(days_batch)}"
        f"{against('days')}, {days_batch / numpy_time:.2f}x busday_offset's"
    )
    print(
        f"add_working_hours_batch (int64 epoch seconds)     {rate(hours_batch)}{against('hours')}"
    )
    print(
        f"add_working_hours_batch (float64 epoch seconds)   {rate(hours_batch_float)}"
        f"{against('float')}"
    )
    print(
        f"add_working_days (scalar, aware datetimes)        {rate(days_scalar)}"
        f"{per_call(days_scalar)}"
    )
    print(
        f"add_working_hours (scalar, aware datetimes)       {rate(hours_scalar)}"
        f"{per_call(hours_scalar)}"
    )
    print(f"add_working_days_batch (list, without numpy)      {rate(days_python)}")
    print(f"add_working_hours_batch (list, without numpy)     {rate(hours_python)}")

    tracemalloc.start()
    calendar.add_working_hours_batch(starts, HOURS * 3600)
    _, batch_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    fresh = WorkingCalendar(
        timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00"
    )
    fresh.add_working_hours_batch(starts[:10], 60)  # python tables and their numpy arrays
    tables, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print("\nother shapes of opening hours, medians of the batch runs")
    for name, (settings, weekmask, closing) in SHAPES.items():
        shape(name, settings, weekmask, closing, starts, moments, args.repeats)
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"\nmemory: one calendar's tables {tables / 2**20:.1f} MiB; "
        f"peak allocated by one batch call of {n:,} {batch_peak / 2**20:.1f} MiB; "
        f"process peak RSS {maxrss_kib / 1024:.0f} MiB (includes the {n:,} datetimes)"
    )


if __name__ == "__main__":
    main()
