"""``qse-customer demo`` end to end: wall time and peak memory, against importing the library
and importing the dependencies the demo runs on.

Run from the repository root:

    PYTHONPATH=src python benchmarks/demo.py                       # 5 rounds
    PYTHONPATH=src python benchmarks/demo.py --runs 9
    PYTHONPATH=src python benchmarks/demo.py --baseline ../other-checkout/src   # before/after
    PYTHONPATH=src python benchmarks/demo.py --bytecode-cache   # as after pip install

Each round starts a fresh interpreter for each command, in turns (so a busy moment of a shared
machine falls on all of them alike), and times it from start to exit; the demo writes its store
and reports to a new folder in a temporary directory each time. Printed: the median and range of
each command and its median processor time (user + system: less shaken by other jobs than
the wall time), the ratio of its median to ``import qse_customer``'s and to the dependencies'
(a program that imports the run-time dependencies and what the demo adds: matplotlib's figure
and SVG back end, numpy and scipy.special, and does nothing), and its peak resident memory.
With ``--baseline DIR`` the demo is also run from another checkout's ``src`` (``DIR`` on
``PYTHONPATH``), in the same rounds, and the ratio of the two medians is printed, and the median
of the rounds' ratios of their processor times.

The commands run in this process's environment. Where it sets ``PYTHONDONTWRITEBYTECODE`` (as
some CI and shared machines do), every module of ``src`` is compiled from source on every run;
``--bytecode-cache`` lets the first run of each command write its ``__pycache__``, as an
installed package has, and the timed runs use it (the folders stay, and later runs read them
whatever the setting: delete them to time the uncached case again).
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

DEPENDENCIES = (
    "import attrs, cattrs, pluggy, pendulum, jsonschema, holidays, rfc8785, numpy, "
    "scipy.special, matplotlib.figure, matplotlib.backends.backend_svg"
)

PEAKS: dict[str, int] = {}  # peak resident memory of each command's process, in KiB
CPU: dict[str, list[float]] = {}  # processor seconds (user + system) of each run of a command


ENVIRONMENT = os.environ.copy()  # what the commands run in


def timed(command: list[str], name: str, pythonpath: str | None = None) -> float:
    """Seconds from starting ``command`` to its exit (it must succeed), with ``pythonpath`` on
    ``PYTHONPATH`` if given; its peak memory is kept in :data:`PEAKS` under ``name``."""
    env = ENVIRONMENT.copy()
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(command)} exited with {code}")
    PEAKS[name] = max(PEAKS.get(name, 0), usage.ru_maxrss)
    CPU.setdefault(name, []).append(usage.ru_utime + usage.ru_stime)
    return elapsed


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per command")
    parser.add_argument(
        "--baseline", metavar="DIR", help="also run the demo with DIR on PYTHONPATH"
    )
    parser.add_argument(
        "--bytecode-cache",
        action="store_true",
        help="let the commands write and use __pycache__ even if PYTHONDONTWRITEBYTECODE is set",
    )
    options = parser.parse_args()
    if options.bytecode_cache:
        ENVIRONMENT.pop("PYTHONDONTWRITEBYTECODE", None)
    python = sys.executable
    commands: dict[str, tuple[list[str], str | None]] = {
        "dependencies alone": ([python, "-c", DEPENDENCIES], None),
        "import qse_customer": ([python, "-c", "import qse_customer"], None),
    }
    demo = [python, "-m", "qse_customer.cli", "demo", "--dir"]
    demos = {"qse-customer demo": None}
    if options.baseline:
        demos["demo, baseline"] = str(Path(options.baseline).resolve())
    times: dict[str, list[float]] = {name: [] for name in [*commands, *demos]}
    with tempfile.TemporaryDirectory() as folder:
        for command, path in commands.values():  # a first run of each fills the bytecode cache
            timed(command, "warm-up", path)
        for name, path in demos.items():
            timed([*demo, str(Path(folder) / f"warm-{len(name)}")], "warm-up", path)
        for number in range(options.runs):
            for name, (command, path) in commands.items():
                times[name].append(timed(command, name, path))
            for index, (name, path) in enumerate(demos.items()):
                target = str(Path(folder) / f"{number}-{index}")
                times[name].append(timed([*demo, target], name, path))
    imports = statistics.median(times["import qse_customer"])
    floor = statistics.median(times["dependencies alone"])
    cache = "off" if ENVIRONMENT.get("PYTHONDONTWRITEBYTECODE") else "on"
    print(f"{options.runs} runs each, fresh interpreters in turns, bytecode cache {cache}")
    print(
        f"{'':22} {'median':>9} {'range':>17} {'cpu':>8} {'/ import':>9} {'/ deps':>7} "
        f"{'peak memory':>12}"
    )
    for name, values in times.items():
        median = statistics.median(values)
        spread = f"{min(values):.2f}-{max(values):.2f} s"
        cpu = statistics.median(CPU[name])
        print(
            f"{name:22} {median:7.2f} s {spread:>17} {cpu:6.2f} s {median / imports:8.2f}x "
            f"{median / floor:6.2f}x {PEAKS[name] / 1024:8.0f} MiB"
        )
    if options.baseline:
        ratio = statistics.median(times["qse-customer demo"]) / statistics.median(
            times["demo, baseline"]
        )
        print(f"demo / baseline demo: {ratio:.2f}x")
        # Processor time, round by round: each round's two demos ran next to each other.
        paired = statistics.median(
            mine / theirs
            for mine, theirs in zip(CPU["qse-customer demo"], CPU["demo, baseline"], strict=True)
        )
        print(f"demo / baseline demo, processor time, median of the rounds' ratios: {paired:.2f}x")


if __name__ == "__main__":
    main()
