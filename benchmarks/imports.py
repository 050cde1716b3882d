"""Peak memory of ``qse-customer import`` against the size of the file it imports.

Run from the repository root:

    PYTHONPATH=src python benchmarks/imports.py                       # 20 MB and 100 MB files
    PYTHONPATH=src python benchmarks/imports.py --sizes 2 8 --repeats 3

Writes JSON lines files of the sample lab's complaints (its ~250 complaints repeated under new
ids until the file has ``--sizes`` megabytes), imports each into a new SQLite store in a fresh
process, and prints that process's peak resident memory (``VmHWM``, the median of the
repeats) beside the file's size, and the records imported per second. The figure to read is the
growth: memory flat in the file's size means the peak of the largest file is about the peak of
the smallest.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qse_customer import to_json
from qse_customer.demo.lab import generate_lab

MB = 1_000_000
MIB = 1024 * 1024

# Runs in the child: import the file, then print the child's own peak in bytes. Linux's
# ru_maxrss of a child started by fork or vfork begins at the parent's peak, so the high-water
# mark of the child's own memory (VmHWM) is read where there is one.
CHILD = """
import resource, sys
from qse_customer.cli.main import main
code = main(["import", "--store", sys.argv[1], sys.argv[2]])
try:
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmHWM:"))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS
print(code, peak)
"""


def demo_lines() -> list[dict[str, object]]:
    """The sample lab's complaints as JSON documents."""
    lab = generate_lab()
    return [json.loads(to_json(r)) for r in lab.records if r.TYPE == "complaint"]


def write_file(path: Path, megabytes: float, documents: list[dict[str, object]]) -> int:
    """Write demo-like complaints under fresh ids until ``path`` holds ``megabytes``; return how
    many lines it holds."""
    target = megabytes * MB
    written = lines = 0
    with path.open("w", encoding="utf-8") as stream:
        while written < target:
            document = documents[lines % len(documents)]
            line = json.dumps(document | {"id": f"{document['id']}-{lines}"}) + "\n"
            stream.write(line)
            written += len(line.encode("utf-8"))
            lines += 1
    return lines


def peak_of_import(path: Path, folder: Path, run: int) -> tuple[int, float]:
    """Import ``path`` into a new store in a fresh process: its peak RSS (bytes) and seconds."""
    url = f"sqlite:///{folder / f'import-{path.stem}-{run}.db'}"
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(path)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    seconds = time.perf_counter() - started
    code, peak = result.stdout.split()[-2:]
    if code != "0":
        raise SystemExit(f"import of {path} failed: {result.stderr}")
    return int(peak), seconds


def main() -> None:
    """Import files of each size and print peak memory against file size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[20.0, 100.0], help="MB")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    documents = demo_lines()
    print(f"python {sys.version.split()[0]}, {len(documents)} demo complaints repeated")
    print(f"{'file':>10} {'lines':>9} {'peak RSS':>10} {'peak / file':>11} {'records/s':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        peaks: list[float] = []
        for size in args.sizes:
            path = folder / f"complaints-{size:g}MB.jsonl"
            lines = write_file(path, size, documents)
            runs = [peak_of_import(path, folder, run) for run in range(args.repeats)]
            peak = statistics.median(p for p, _ in runs)
            seconds = statistics.median(s for _, s in runs)
            file_bytes = path.stat().st_size
            peaks.append(peak)
            print(
                f"{file_bytes / MB:8.1f} MB {lines:9,d} {peak / MIB:6.0f} MiB "
                f"{peak / file_bytes:10.2f}x {lines / seconds:8,.0f}/s"
            )
            path.unlink()
        if len(peaks) > 1:
            growth = (peaks[-1] - peaks[0]) / MIB
            print(f"peak growth from the smallest to the largest file: {growth:.0f} MiB")


if __name__ == "__main__":
    main()
