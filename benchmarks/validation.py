"""Records a second of ``from_dict`` with its default validation, on each validation backend,
over the demo lab's records of every type (issue 16: validation was about 1 ms a record).

Run from the repository root:

    PYTHONPATH=src python benchmarks/validation.py                  # every demo record, 5 runs
    PYTHONPATH=src python benchmarks/validation.py --repeats 3 --sample 300

Builds the sample lab (``qse_customer.demo``), turns each record into its JSON text, and times,
in this one process, passes over all of them (the median of ``--repeats`` passes each):

* ``json.loads`` of the texts, and ``jsonschema-rs`` alone (the ``fast`` extra's validator, on
  the parsed documents): the floor a validating import could reach;
* ``from_dict(validate=False)``: the model's own checks, no JSON Schema;
* ``from_dict`` with each backend of :func:`qse_customer.core.schema.validation_backend`:
  ``jsonschema`` (every record through ``jsonschema``, as before), ``compiled`` (the schema
  compiled to Python, the default without ``fast``) and ``jsonschema-rs`` (with ``fast``).

The ``jsonschema`` backend is timed on every ``--sample``-th record (it is slow); its rate is
per record all the same. Prints each rate, the ratios measured in this run, the rate of each
record type, the targets (20,000 records a second with ``fast``, 10x the ``jsonschema`` rate
without it) and the process's peak memory.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from qse_customer import from_dict, to_json
from qse_customer.core import schema
from qse_customer.demo.lab import generate_lab

FAST_TARGET = 20_000  # records a second, from_dict with the fast extra
PURE_FACTOR = 10  # times the jsonschema rate, without it


def peak_mib() -> float:
    """The process's peak resident set so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def rate(call: Callable[[Any], Any], items: Sequence[Any], repeats: int) -> float:
    """Items a second: ``len(items)`` over the median seconds of ``repeats`` passes."""
    for item in items[:50]:  # warm: caches, compiled validators, generated structure hooks
        call(item)
    spent = []
    for _ in range(repeats):
        started = time.perf_counter()
        for item in items:
            call(item)
        spent.append(time.perf_counter() - started)
    return len(items) / statistics.median(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="passes per measurement (5)")
    parser.add_argument(
        "--sample", type=int, default=4, help="time jsonschema on every n-th record (4)"
    )
    args = parser.parse_args()
    lab = generate_lab()
    texts = [to_json(record) for record in lab.records]
    documents = [json.loads(text) for text in texts]
    size = statistics.mean(len(text.encode("utf-8")) for text in texts)
    print(f"Python {platform.python_version()} on {platform.machine()}")
    print(
        f"{len(documents):,} demo records of {len({d['type'] for d in documents})} types, "
        f"{size:,.0f} bytes of JSON on average; medians of {args.repeats} passes"
    )
    fast = schema.jsonschema_rs is not None
    used = schema.validation_backend()
    rates: dict[str, float] = {"json.loads": rate(json.loads, texts, args.repeats)}
    if fast:
        rust = {tag: schema._predicate(tag, "jsonschema-rs") for tag in lab_types(documents)}
        rates["jsonschema-rs alone"] = rate(lambda d: rust[d["type"]](d), documents, args.repeats)
    rates["from_dict(validate=False)"] = rate(
        lambda d: from_dict(d, validate=False), documents, args.repeats
    )
    backends = [b for b in schema.BACKENDS if fast or b != "jsonschema-rs"]
    for backend in reversed(backends):
        schema.validation_backend(backend)
        items = documents[:: args.sample] if backend == "jsonschema" else documents
        rates[f"from_dict, {backend}"] = rate(from_dict, items, args.repeats)
    print(f"{'':32} {'records/s':>11} {'µs/record':>10}")
    for name, value in rates.items():
        print(f"{name:32} {value:>11,.0f} {1e6 / value:>10.1f}")

    before = rates["from_dict, jsonschema"]
    pure = rates["from_dict, compiled"]
    print(f"compiled vs jsonschema (before): {pure / before:.1f}x")
    if fast:
        quick = rates["from_dict, jsonschema-rs"]
        alone = rates["jsonschema-rs alone"] / quick
        loads = rates["json.loads"] / quick
        print(
            f"jsonschema-rs vs jsonschema (before): {quick / before:.1f}x; vs compiled "
            f"{quick / pure:.2f}x; jsonschema-rs alone runs {alone:.1f}x and json.loads "
            f"{loads:.1f}x the rate of from_dict with it"
        )

    print("by record type, records/s:")
    by_type: dict[str, list[Any]] = {}
    for document in documents:
        by_type.setdefault(document["type"], []).append(document)
    shown = [b for b in backends if b != "jsonschema"]
    print(f"{'':16} {'count':>6} {'validate=False':>15}" + "".join(f" {b:>14}" for b in shown))
    for tag, items in sorted(by_type.items()):
        row = [rate(lambda d: from_dict(d, validate=False), items, args.repeats)]
        for backend in shown:
            schema.validation_backend(backend)
            row.append(rate(from_dict, items, args.repeats))
        print(f"{tag:16} {len(items):>6}" + "".join(f" {value:>14,.0f}" for value in row))
    schema.validation_backend(used)

    verdict = "met" if pure >= PURE_FACTOR * before else "NOT met"
    print(
        f"target without fast: {PURE_FACTOR}x the jsonschema rate, {pure / before:.1f}x: {verdict}"
    )
    if fast:
        verdict = "met" if rates["from_dict, jsonschema-rs"] >= FAST_TARGET else "NOT met"
        print(
            f"target with fast: {FAST_TARGET:,} records/s, "
            f"{rates['from_dict, jsonschema-rs']:,.0f}: {verdict}"
        )
    else:
        print("target with fast: not measured (pip install 'qse-customer[fast]')")
    print(f"peak memory: {peak_mib():.0f} MiB")


def lab_types(documents: Sequence[dict[str, Any]]) -> list[str]:
    return sorted({document["type"] for document in documents})


if __name__ == "__main__":
    main()
