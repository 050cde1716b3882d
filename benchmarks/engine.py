"""Throughput and memory of the rule engine, against a hand-written loop in the same run.

Run from the repository root:

    PYTHONPATH=src python benchmarks/engine.py                 # 1,000,000 complaints
    PYTHONPATH=src python benchmarks/engine.py --n 100000 --repeats 3
    PYTHONPATH=src python benchmarks/engine.py --only-enquiries --enquiries 200000 --without-numpy

Builds ``--n`` complaints with realistic histories (received, acknowledged, corrective action,
feedback for named complaints, analysis, referral, closure; a few steps done by a role the matrix
does not allow, a few with no actor) directly from Event and Complaint objects, then times, as
the median of ``--repeats`` runs:

1. the reference: a plain-Python loop over the complaints that applies the responsibility rules of
   ``qse2-responsibility`` (a dict from event kind to the rules about it, each with its allowed
   roles) and counts met / breached / not applicable per rule;
2. the engine on the same responsibility rules only (the same counts, checked against the
   reference), and the ratio per check: once as ``check`` runs by default (keeping up to 10,000
   breached findings, each with its evidence and message), once counting only (``keep=()``);
   the first includes a fixed cost (10,000 messages) that the reference does not pay, so its
   ratio falls as ``--n`` grows;
3. the engine with all of ``qse2-responsibility`` and all of ``customer-service-standards``,
   merged into one ruleset and run in one pass (``check``);
4. ``--enquiries`` more records: enquiries of every channel against
   ``customer-service-standards``, where the clock rules do their work (deadlines in working days,
   working hours, the next working day at noon, repeats, the statutory FOI count); as ``check``
   runs by default, counting only (``keep=()``, and from the two the cost of a kept finding), and
   against a floor measured in the same run: a hand-written loop that picks each enquiry's start
   and first response and gets every deadline in one call of the calendar's batch API; and the
   cost of reading each kept finding's message and evidence (made when first read, as a report
   or ``qse-customer check``'s JSON reads them), in µs of processor time a finding, the median
   of ``--repeats`` fresh reports, with the garbage collector on (a full collection falling
   while the findings are read shows in that figure, as it would in a program).

With ``--without-numpy``, part 4 runs again in a fresh process where ``import numpy`` fails (as
on an install without the ``fast`` extra: the engine settles its clocks in lists), and its rates
are printed against those with numpy and against issue 16's rates at filing (49 k enquiries a
second as by default, 61 k counting only). ``--only-enquiries`` runs part 4 alone.

Peak memory is ``ru_maxrss`` (the process's peak resident set): once after building the input,
once after all runs; the difference is what the engine needed above its input.
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from qse_customer.core.calendar import WorkingCalendar
from qse_customer.core.complaint import Complaint
from qse_customer.core.enquiry import Enquiry
from qse_customer.core.events import Event
from qse_customer.core.roles import Actor, Role
from qse_customer.core.vocabulary import Channel, CustomerKind, Severity
from qse_customer.rules import compile_ruleset, load_ruleset, merge_rulesets

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NO_DATA: Any = MappingProxyType({})
START = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
SPAN = 2 * 365 * 86400
AT = datetime(2026, 3, 1, tzinfo=UTC)
STAMP_AFTER: timedelta | None = timedelta(minutes=5)
"""When a store would have stamped each event after it happened (None: never stored)."""


def peak_mib() -> float:
    """The process's peak resident set so far, in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def event(kind: str, seconds: int, actor: Actor | None) -> Event:
    """An Event built without re-running its converters (the values are already valid)."""
    made = object.__new__(Event)
    setter = object.__setattr__
    at = EPOCH + timedelta(seconds=seconds)
    setter(made, "kind", kind)
    setter(made, "at", at)
    setter(made, "actor", actor)
    setter(made, "data", NO_DATA)
    setter(made, "note", "")
    setter(made, "recorded_at", at + STAMP_AFTER if STAMP_AFTER is not None else None)
    return made


def actors() -> dict[Role, list[Actor]]:
    """A small pool of staff per role, shared by every record (as a lab's staff are)."""
    return {
        role: [Actor(f"{role.value}-{k}", f"{role.value.title()} {k}", role) for k in range(5)]
        for role in Role
    }


def complaints(n: int, seed: int = 7) -> list[Complaint]:
    """``n`` complaints with realistic histories, built fast (no re-validation)."""
    rng = random.Random(seed)
    staff = actors()
    desk = staff[Role.TECHNOLOGIST] + staff[Role.LEAD_TECHNOLOGIST] + staff[Role.QUALITY_MANAGER]
    action = staff[Role.TECHNOLOGIST] + staff[Role.LABORATORY_SUPERVISOR]
    answer = staff[Role.LABORATORY_SUPERVISOR] + staff[Role.QUALITY_MANAGER]
    director = staff[Role.LABORATORY_DIRECTOR]
    manager = staff[Role.QUALITY_MANAGER]
    fields = [a.name for a in Complaint.__attrs_attrs__ if a.init]  # type: ignore[attr-defined]
    channels = list(Channel)
    categories = ["delay", "courtesy", "result", "billing", "phlebotomy"]
    made = []
    setter = object.__setattr__
    for number in range(n):
        t = START + number * SPAN // n + rng.randrange(3600)  # in order of receipt, as stored
        anonymous = rng.random() < 0.2
        who = None if rng.random() < 0.01 else rng.choice(desk)
        history = [event("received", t, who)]
        t += rng.randrange(3600, 3 * 86400)
        if rng.random() < 0.8:
            history.append(event("acknowledged", t, rng.choice(desk)))
            t += rng.randrange(3600, 2 * 86400)
        if rng.random() < 0.9:
            actor = rng.choice(director) if rng.random() < 0.03 else rng.choice(action)
            history.append(event("corrective_action_initiated", t, actor))
            t += rng.randrange(3600, 5 * 86400)
            history.append(event("corrective_action_documented", t, rng.choice(action)))
            t += rng.randrange(3600, 3 * 86400)
        if not anonymous and rng.random() < 0.85:
            actor = rng.choice(director) if rng.random() < 0.03 else rng.choice(answer)
            history.append(event("feedback_given", t, actor))
            t += rng.randrange(3600, 86400)
        if rng.random() < 0.7:
            history.append(event("analysed", t, rng.choice(manager)))
            t += rng.randrange(3600, 86400)
        if rng.random() < 0.15:
            history.append(event("referred", t, rng.choice(answer + director)))
            t += rng.randrange(3600, 86400)
        if rng.random() < 0.85:
            history.append(event("closed", t, rng.choice(answer)))
        values = {
            "id": f"C-{number}",
            "events": tuple(history),
            "lab": None,
            "channel": rng.choice(channels),
            "category": rng.choice(categories),
            "anonymous": anonymous,
            "customer_kind": CustomerKind.EXTERNAL,
            "customer_group": None,
            "severity": Severity.MEDIUM,
            "site": None,
            "summary": "",
            "submitter": None,
            "people_involved": (),
            "wrong_result": False,
            "follow_up_digest": None,
        }
        record = object.__new__(Complaint)
        for name in fields:
            setter(record, name, values[name])
        setter(record, "_facts", None)
        record.history_facts  # noqa: B018 - found once, as a store's decoder does while reading
        made.append(record)
    return made


REFERENCE_DAYS = 2
STOPS = frozenset({"responded", "posted"})


def batch_reference(mail: list[Enquiry], calendar: WorkingCalendar) -> int:
    """The floor for clock rules: one loop picking each enquiry's start and first stop, one
    batch of deadlines (``REFERENCE_DAYS`` working days) through the calendar's batch API, and
    the met ones counted; returns how many were met."""
    starts: list[int] = []
    stops: list[int] = []
    for record in mail:
        events = record.events
        starts.append(int(events[0].at.timestamp()))
        stop = next((e.at for e in events if e.kind in STOPS), None)
        stops.append(int(stop.timestamp()) if stop is not None else -1)
    due = calendar.add_working_days_batch(starts, REFERENCE_DAYS)
    return sum(1 for end, by in zip(stops, due, strict=True) if 0 <= end <= by)


def enquiries(n: int, seed: int = 11) -> list[Enquiry]:
    """``n`` enquiries of every channel the standards cover, with responses, updates, late ones."""
    rng = random.Random(seed)
    staff = actors()[Role.TECHNOLOGIST]
    fields = [a.name for a in Enquiry.__attrs_attrs__ if a.init]  # type: ignore[attr-defined]
    kinds = [
        (Channel.TELEPHONE, False, False),
        (Channel.VOICEMAIL, False, False),
        (Channel.LETTER, True, False),
        (Channel.LETTER, False, False),
        (Channel.EMAIL, False, False),
        (Channel.WEB, False, False),
        (Channel.EMAIL, False, True),
    ]
    made = []
    setter = object.__setattr__
    for number in range(n):
        channel, clinical, foi = rng.choice(kinds)
        t = START + number * SPAN // n + rng.randrange(3600)
        history = [event("received", t, rng.choice(staff))]
        if channel is Channel.VOICEMAIL:
            t += rng.randrange(600, 86400)
            history.append(event("retrieved", t, rng.choice(staff)))
        if foi:
            t += rng.randrange(3600, 3 * 86400)
            history.append(event("acknowledged", t, rng.choice(staff)))
        if rng.random() < 0.3:
            t += rng.randrange(3600, 2 * 86400)
            history.append(event("progress_update", t, rng.choice(staff)))
        t += rng.randrange(3600, (30 if foi else 4) * 86400)
        if t < AT.timestamp() - 86400 or rng.random() < 0.5:
            history.append(event("posted" if clinical else "responded", t, rng.choice(staff)))
        values = {
            "id": f"E-{number}",
            "lab": None,
            "events": tuple(history),
            "channel": channel,
            "subject": "",
            "clinical": clinical,
            "complex": False,
            "freedom_of_information": foi,
            "customer_kind": CustomerKind.EXTERNAL,
            "site": None,
            "enquirer": None,
        }
        record = object.__new__(Enquiry)
        for name in fields:
            setter(record, name, values[name])
        setter(record, "_facts", None)
        record.history_facts  # noqa: B018 - found once, as a store's decoder does while reading
        made.append(record)
    return made


def reference(records: Iterable[Complaint], matrix: list[tuple[frozenset[str], frozenset[Role]]]):
    """The hand-written loop: per complaint, per event, the rules about its kind; counts per rule
    of met, breached and not applicable (the same numbers as the engine's report)."""
    by_kind: dict[str, list[tuple[int, frozenset[Role]]]] = {}
    for index, (kinds, roles) in enumerate(matrix):
        for kind in kinds:
            by_kind.setdefault(kind, []).append((index, roles))
    rules = len(matrix)
    met = [0] * rules
    breached = [0] * rules
    na = [0] * rules
    for record in records:
        seen = [False] * rules
        bad = [False] * rules
        for ev in record.events:
            entries = by_kind.get(ev.kind)
            if entries is None:
                continue
            actor = ev.actor
            for index, roles in entries:
                seen[index] = True
                if actor is None or actor.role not in roles:
                    bad[index] = True
        for index in range(rules):
            if bad[index]:
                breached[index] += 1
            elif seen[index]:
                met[index] += 1
            else:
                na[index] += 1
    return met, breached, na


def timed(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The median wall time of ``repeats`` runs, and the last run's result."""
    times = []
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def reading_cost(check: Callable[[], Any], repeats: int) -> float:
    """The median cost, in µs of processor time a finding, of reading each kept finding's
    message and evidence (made when first read), each of ``repeats`` runs over a fresh report's
    findings, with the garbage collector on, as a program runs. Processor time, not wall time:
    on a shared machine, waiting for a core would be most of so short a span."""
    costs = []
    for _ in range(repeats):
        findings = check().findings
        started = time.process_time()
        for finding in findings:
            finding.message  # noqa: B018 - made when first read
            finding.evidence  # noqa: B018
        costs.append((time.process_time() - started) / max(len(findings), 1) * 1e6)
    return statistics.median(costs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="complaints (1,000,000)")
    parser.add_argument("--enquiries", type=int, default=None, help="enquiries (default: --n)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (3)")
    parser.add_argument(
        "--unstamped",
        action="store_true",
        help="leave recorded_at empty (records built in memory, never stored); by default every "
        "event is stamped five minutes after it happened, as a store stamps it",
    )
    parser.add_argument(
        "--without-numpy",
        action="store_true",
        help="then run part 4 (the clock rules) again in a fresh process where numpy cannot be "
        "imported, as on an install without the fast extra, and compare the rates",
    )
    parser.add_argument(
        "--only-enquiries", action="store_true", help="run part 4 only (the clock rules)"
    )
    args = parser.parse_args()
    n = args.n
    n_enquiries = n if args.enquiries is None else args.enquiries

    if not args.only_enquiries:
        print(f"Python {platform.python_version()} on {platform.machine()}, {n:,} complaints")
    calendar = WorkingCalendar(
        timezone="Europe/London", country="GB", subdivision="ENG", opens="08:00", closes="17:00"
    )
    responsibility = load_ruleset("qse2-responsibility")
    standards = load_ruleset("customer-service-standards")
    both = merge_rulesets(
        "both-shipped", "1", [responsibility, standards]
    )  # one pass over the records for every rule of both rulesets
    matrix_doc = responsibility.to_dict()
    matrix_doc["rules"] = [rule for rule in matrix_doc["rules"] if rule["kind"] == "responsibility"]
    matrix_only = load_ruleset(matrix_doc)
    complaint_rules = [r for r in matrix_only.rules if "complaint" in r.applies_to.record_types]
    matrix = [
        (frozenset(r.params["events"]), frozenset(Role(x) for x in r.params["roles"]))
        for r in complaint_rules
    ]
    for ruleset in (matrix_only, both, standards):
        compile_ruleset(ruleset, calendar=calendar)  # warm the calendar tables
    global STAMP_AFTER
    STAMP_AFTER = None if args.unstamped else timedelta(minutes=5)
    if args.only_enquiries:
        rates = clock_rules(n_enquiries, calendar, standards, args.repeats)
        if args.without_numpy:
            without_numpy(args, n_enquiries, rates)
        return

    base_mib = peak_mib()
    started = time.perf_counter()
    records = complaints(n)
    built = time.perf_counter() - started
    input_mib = peak_mib()
    print(f"built {n:,} complaints in {built:.1f} s; input data: {input_mib - base_mib:.0f} MiB")

    ref_s, (met, breached, na) = timed(lambda: reference(records, matrix), args.repeats)
    checks = n * len(matrix)
    print(f"\nreference loop, {len(matrix)} responsibility rules on complaints:")
    print(f"  {ref_s:.2f} s, {n / ref_s:,.0f} records/s, {checks / ref_s:,.0f} checks/s")

    compiled_matrix = compile_ruleset(matrix_only, calendar=calendar)
    eng_s, report = timed(lambda: compiled_matrix.check(records, at=AT), args.repeats)
    for index, rule in enumerate(complaint_rules):
        counts = report.rule(rule.id).counts
        got = (counts.met, counts.breached, counts.not_applicable)
        if got != (met[index], breached[index], na[index]):
            raise SystemExit(f"{rule.id}: engine {got} != reference {met[index], breached[index]}")
    print("engine, the same rules (same counts as the reference):")
    print(f"  {eng_s:.2f} s, {n / eng_s:,.0f} records/s, {checks / eng_s:,.0f} checks/s")
    print(f"  time per check vs the reference: {eng_s / ref_s:.2f}x (below 1 is faster)")
    kept = len(report.findings) + report.findings_omitted
    print(f"  breached findings: {kept:,} ({len(report.findings):,} kept with their messages)")
    count_s, _ = timed(lambda: compiled_matrix.check(records, at=AT, keep=()), args.repeats)
    print("engine, the same rules, counting only (keep=(): no finding built):")
    print(f"  {count_s:.2f} s, {n / count_s:,.0f} records/s, {checks / count_s:,.0f} checks/s")
    print(f"  time per check vs the reference: {count_s / ref_s:.2f}x")

    compiled_both = compile_ruleset(both, calendar=calendar)
    all_s, report = timed(lambda: compiled_both.check(records, at=AT), args.repeats)
    evaluations = sum(s.counts.total for s in report.rules)
    print(f"\nengine, all of both shipped rulesets ({len(both.rules)} rules), one pass:")
    rate = evaluations / all_s
    print(f"  {all_s:.2f} s, {n / all_s:,.0f} records/s, {rate:,.0f} rule evaluations/s")
    print(f"  ({evaluations:,} rule evaluations: the rules about complaints; the others never run)")
    after_mib = peak_mib()
    print(f"peak memory: {after_mib:.0f} MiB; {after_mib - input_mib:.0f} MiB above the input data")

    if n_enquiries:
        del records
        numpy_rates = clock_rules(n_enquiries, calendar, standards, args.repeats)
        if args.without_numpy:
            without_numpy(args, n_enquiries, numpy_rates)


def clock_rules(
    n_enquiries: int, calendar: WorkingCalendar, standards: Any, repeats: int
) -> tuple[float, float]:
    """Part 4: customer-service-standards over ``n_enquiries`` enquiries; the rates (enquiries a
    second) as ``check`` runs by default and counting only."""
    mail = enquiries(n_enquiries)
    compiled_standards = compile_ruleset(standards, calendar=calendar)
    clock_s, report = timed(lambda: compiled_standards.check(mail, at=AT), repeats)
    evaluations = sum(s.counts.total for s in report.rules)
    decided = sum(s.counts.checked for s in report.rules)
    counting_s, _ = timed(lambda: compiled_standards.check(mail, at=AT, keep=()), repeats)
    reference_s, floor = timed(lambda: batch_reference(mail, calendar), repeats)
    kept = len(report.findings)
    numpy = "with numpy" if numpy_installed() else "without numpy"
    print(
        f"\nengine, customer-service-standards on {n_enquiries:,} enquiries (clock rules, {numpy}):"
    )
    print(
        f"  {clock_s:.2f} s, {n_enquiries / clock_s:,.0f} records/s, "
        f"{evaluations / clock_s:,.0f} rule evaluations/s ({decided:,} clocks run)"
    )
    print(
        f"  counting only (keep=()): {counting_s:.2f} s, {n_enquiries / counting_s:,.0f} "
        f"records/s; a kept finding costs {(clock_s - counting_s) / max(kept, 1) * 1e6:.1f} "
        f"µs ({kept:,} kept)"
    )
    words_us = reading_cost(lambda: compiled_standards.check(mail, at=AT), repeats)
    print(
        f"  reading a kept finding's message and evidence: {words_us:.1f} µs a finding "
        "(processor time)"
    )
    print(
        f"  reference, a hand-written loop over the batch calendar (one {REFERENCE_DAYS}-"
        f"working-day clock an enquiry, {floor:,} met): {reference_s:.2f} s, "
        f"{n_enquiries / reference_s:,.0f} records/s; counting only is "
        f"{counting_s / reference_s:.1f}x its time"
    )
    for summary in report.rules:
        counts = summary.counts
        if counts.checked:
            share = f"{counts.share_met:.1%}" if counts.share_met is not None else "-"
            median = counts.elapsed_median_seconds
            print(
                f"  {summary.rule_id:5} checked {counts.checked:8,} met {share:>6} "
                f"median {median / 3600 if median else 0:6.1f} h ({summary.measure})"
            )
    print(f"peak memory: {peak_mib():.0f} MiB")
    rates = (n_enquiries / clock_s, n_enquiries / counting_s)
    print(f"{RATES} {rates[0]:.1f} {rates[1]:.1f}")
    return rates


RATES = "clock rules, enquiries a second (default, counting):"
"""The line that gives part 4's rates to the run that started this one (``--without-numpy``)."""

HIDE_NUMPY = (
    "import runpy, sys; sys.modules['numpy'] = None; "  # import numpy fails, as without it
    "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def numpy_installed() -> bool:
    """Whether numpy can be imported (``--without-numpy`` hides it in a fresh process)."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        return False
    return True


def without_numpy(args: argparse.Namespace, n_enquiries: int, rates: tuple[float, float]) -> None:
    """Part 4 again in a fresh process where numpy cannot be imported (as on an install without
    the ``fast`` extra), its output shown, and both rates against those with numpy above
    (nothing when numpy is hidden already)."""
    if not numpy_installed():
        return
    command = [sys.executable, "-c", HIDE_NUMPY, __file__, "--only-enquiries"]
    command += ["--enquiries", str(n_enquiries), "--repeats", str(args.repeats)]
    if args.unstamped:
        command.append("--unstamped")
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    found = None
    for line in done.stdout.splitlines():
        if line.startswith(RATES):
            found = tuple(float(value) for value in line[len(RATES) :].split())
        else:
            print(line)
    if found is None:
        raise SystemExit(f"the run without numpy gave no rates:\n{done.stdout}{done.stderr}")
    print(
        f"  without numpy / with numpy: default {found[0] / rates[0]:.2f}x, counting "
        f"{found[1] / rates[1]:.2f}x; against issue 16's filing rates (49 k/s default, 61 k/s "
        f"counting): {found[0] / 49_000:.2f}x and {found[1] / 61_000:.2f}x without numpy, "
        f"{rates[0] / 49_000:.2f}x and {rates[1] / 61_000:.2f}x with it"
    )


if __name__ == "__main__":
    main()
