"""Start-up: ``qse-customer --help`` and ``import qse_customer`` against importing the run-time
dependencies alone, and ``qse-customer demo`` end to end.

Run from the repository root:

    PYTHONPATH=src python benchmarks/startup.py                 # 15 rounds, and the demo 3 times
    PYTHONPATH=src python benchmarks/startup.py --rounds 5 --demo 0

Each round starts a fresh interpreter for each command, in turns (so a busy moment of a shared
machine falls on all of them alike), and times it from start to exit. Printed: the median and
range of each, and the ratio of each median to the dependencies' (the floor: a program that
imports attrs, cattrs, pluggy, pendulum, jsonschema, holidays and rfc8785 and does nothing). The
demo is timed with its output written to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEPENDENCIES = "import attrs, cattrs, pluggy, pendulum, jsonschema, holidays, rfc8785"
COMMANDS = {
    "run-time dependencies alone": [sys.executable, "-c", DEPENDENCIES],
    "import qse_customer": [sys.executable, "-c", "import qse_customer"],
    "qse-customer --help": [sys.executable, "-m", "qse_customer.cli", "--help"],
}


PEAKS: dict[str, int] = {}  # peak resident memory of each command's process, in KiB


def timed(command: list[str], name: str = "") -> float:
    """Seconds from starting ``command`` to its exit (it must succeed); its peak memory is
    kept in :data:`PEAKS` under ``name``."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=os.environ.copy())
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {child.returncode}")
    PEAKS[name] = max(PEAKS.get(name, 0), usage.ru_maxrss)
    return elapsed


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="fresh interpreters per command")
    parser.add_argument("--demo", type=int, default=3, help="demo runs (0: none)")
    options = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():  # a first run of each fills the bytecode cache
        timed(command)
    for _ in range(options.rounds):
        for name, command in COMMANDS.items():
            times[name].append(timed(command, name))
    floor = statistics.median(times["run-time dependencies alone"])
    print(f"{'':32} {'median':>9} {'range':>19} {'ratio':>7} {'peak memory':>12}")
    for name, values in times.items():
        median = statistics.median(values)
        spread = f"{min(values) * 1000:.0f}-{max(values) * 1000:.0f} ms"
        peak = f"{PEAKS[name] / 1024:.0f} MiB"
        print(f"{name:32} {median * 1000:6.0f} ms {spread:>19} {median / floor:6.2f}x {peak:>12}")
    if options.demo:
        runs = []
        with tempfile.TemporaryDirectory() as folder:
            for number in range(options.demo):
                demo = [sys.executable, "-m", "qse_customer.cli", "demo"]
                runs.append(timed([*demo, "--dir", str(Path(folder) / str(number))], "demo"))
        print(
            f"{'qse-customer demo':32} {statistics.median(runs):6.2f} s  "
            f"{min(runs):.2f}-{max(runs):.2f} s ({len(runs)} runs), "
            f"peak memory {PEAKS['demo'] / 1024:.0f} MiB"
        )


if __name__ == "__main__":
    main()
