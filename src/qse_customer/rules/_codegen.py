"""The engine's hot loop, generated as Python source once per compiled ruleset.

Two pieces:

- :class:`EventProgram`: the ``responsibility`` rules and the ``required_step`` rules without a
  ``within`` limit of one record type, whose outcomes depend only on the kinds, order and actors'
  roles of the record's events. Every rule gets a few bits of one integer (responsibility: *seen*
  and *breached*; required_step: *triggered* and one bit per required step). A table from event
  kind and role to the bits that event sets is built once, so a record's signature is the OR of
  its events' entries, made in one walk over the events; a required step counts only before the
  rule's first trigger (the trigger clears that rule's step bits from the mask of live bits).
  The engine counts signatures and decodes each distinct one once.
- :func:`scan_function`: one function, generated with every plan's tables, masks and
  ``applies_to`` tests as constants, that walks the records once: it dispatches on the record's
  class, cuts events after ``at``, finds the period only when a record leaves the previous one,
  runs each plan's event program inline, counts its signature, and calls back into the engine
  only for findings to keep, for rules of other kinds, and for aggregates.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from .._generated import run_source
from ..core.events import Event
from ..core.record import Record
from ..core.roles import Role
from ._applies_to import compile_where
from .kind_protocol import listed
from .ruleset import Rule
from .status import BREACHED, MET, NOT_APPLICABLE

RESPONSIBILITY = "responsibility"
REQUIRED_STEP = "required_step"

_MISSING = object()


def fusable(rule: Rule) -> bool:
    """Whether ``rule`` can run in an :class:`EventProgram` (built-in kinds only)."""
    if rule.kind == RESPONSIBILITY:
        return True
    return rule.kind == REQUIRED_STEP and "within" not in rule.params


class EventProgram:
    """The event-only rules of one record type as bits of one signature (see the module doc)."""

    def __init__(self, rules: Sequence[Rule], label: str = "rules") -> None:
        self.rules = tuple(rules)
        self.label = label
        self.count = len(self.rules)
        bit = 0
        # Per rule: its kind, its bits, and for required_step the bits of its steps.
        layout: list[tuple[str, int, int, tuple[int, ...]]] = []
        table: dict[str, dict[Role | None, int]] = {}
        kill: dict[str, int] = {}
        roles: tuple[Role | None, ...] = (*Role, None)

        def entry(kind: str) -> dict[Role | None, int]:
            return table.setdefault(kind, dict.fromkeys(roles, 0))

        for rule in self.rules:
            params = rule.params
            if rule.kind == RESPONSIBILITY:
                seen, bad = 1 << bit, 1 << (bit + 1)
                bit += 2
                allowed = set(params["roles"])
                required = bool(params.get("actor_required", True))
                for kind in params["events"]:
                    by_role = entry(kind)
                    for role in roles:
                        by_role[role] |= seen
                        if (role is None and required) or (
                            role is not None and role.value not in allowed
                        ):
                            by_role[role] |= bad
                layout.append((RESPONSIBILITY, seen | bad, seen, (bad,)))
            else:
                trigger = 1 << bit
                bit += 1
                step_bits = []
                for step in params["requires"]:
                    step_bit = 1 << bit
                    bit += 1
                    step_bits.append(step_bit)
                    for kind in listed(step):
                        for role in roles:
                            entry(kind)[role] |= step_bit
                steps = sum(step_bits)
                for kind in params["when"]:
                    for role in roles:
                        entry(kind)[role] |= trigger
                    kill[kind] = kill.get(kind, 0) | steps
                layout.append((REQUIRED_STEP, trigger | steps, trigger, tuple(step_bits)))
        self.bits = bit
        self.every = (1 << bit) - 1
        self.layout = tuple(layout)
        self.table = table
        # Per trigger kind: the mask of live bits after it (its rules' step bits cleared).
        self.kill = {kind: self.every & ~bits for kind, bits in kill.items()}
        self.triggers = sum(trigger for kind, _, trigger, _ in layout if kind == REQUIRED_STEP)
        self.masks = tuple(bits for _, bits, _, _ in layout)
        self._walk: Callable[[Record, Sequence[Event]], int] | None = None

    def decode(self, signature: Hashable) -> tuple[int, ...]:
        """One status code per rule, in the order of :attr:`rules`."""
        assert isinstance(signature, int)
        codes = []
        for kind, _, first, rest in self.layout:
            if not signature & first:
                codes.append(NOT_APPLICABLE)
            elif kind == RESPONSIBILITY:
                codes.append(BREACHED if signature & rest[0] else MET)
            else:
                codes.append(MET if all(signature & bit for bit in rest) else BREACHED)
        return tuple(codes)

    def lines(self, name: str, namespace: dict[str, Any]) -> list[str]:
        """Source lines that set ``s`` to the signature of ``record`` with ``events``; the
        constants they use go into ``namespace`` under names starting with ``name``."""
        namespace[f"{name}_get"] = self.table.get
        out = ["s = 0"]
        if self.kill:
            namespace[f"{name}_kill"] = self.kill
            out += [
                f"live = {self.every}",
                "for ev in events:",
                f"    x = {name}_get(ev.kind)",
                "    if x is not None:",
                "        a = ev.actor",
                "        v = x[a.role] if a is not None else x[None]",
                f"        if v & {self.triggers}:",
                f"            live &= {name}_kill[ev.kind]",
                "        s |= v & live",
            ]
        else:
            out += [
                "for ev in events:",
                f"    x = {name}_get(ev.kind)",
                "    if x is not None:",
                "        a = ev.actor",
                "        s |= x[a.role] if a is not None else x[None]",
            ]
        for number, rule in enumerate(self.rules):
            test = _condition_source(rule.applies_to.where, f"{name}_p{number}", namespace)
            if test is not None:
                out += [f"if not ({test}):", f"    s &= {self.every & ~self.masks[number]}"]
        return out

    def walk(self, record: Record, events: Sequence[Event]) -> int:
        """The signature of one record (the same lines as the generated loop runs)."""
        if self._walk is None:
            namespace: dict[str, Any] = {"MISSING": _MISSING, "getattr": getattr}
            body = "\n".join("    " + line for line in self.lines("w", namespace))
            source = f"def walk(record, events):\n{body}\n    return s\n"
            run_source(source, f"event program for {self.label}", namespace)
            self._walk = namespace["walk"]
        return self._walk(record, events)


def _condition_source(where: Mapping[str, Any], name: str, namespace: dict[str, Any]) -> str | None:
    """A Python expression testing ``applies_to.where`` on ``record``: booleans and None inline
    (``is``), anything else through the compiled predicate (the same semantics)."""
    if not where:
        return None
    parts = []
    rest = {}
    for field_name, condition in where.items():
        if "." not in field_name and (isinstance(condition, bool) or condition is None):
            parts.append(f"getattr(record, {field_name!r}, MISSING) is {condition!r}")
        else:
            rest[field_name] = condition
    predicate = compile_where(rest)
    if predicate is not None:
        namespace[name] = predicate
        parts.append(f"{name}(record)")
    return " and ".join(parts)


class PlanCode:
    """What the generated loop needs to know about one record type's plan."""

    def __init__(
        self,
        program: EventProgram | None,
        program_group: int,
        has_rest: bool,
        has_aggregates: bool,
    ) -> None:
        self.program = program
        self.program_group = program_group
        self.has_rest = has_rest
        self.has_aggregates = has_aggregates


def scan_function(
    plans: Sequence[PlanCode], groups: int, late: Any, label: str = "rules"
) -> Callable[..., int]:
    """The generated loop over records (see the module doc): ``scan(records, run)`` returns the
    records seen, where ``run`` is the engine's run of one check and gives:

    ``at``, the moment of the check; ``classes``, record class to plan number (filled by
    ``resolve(record)``, -1: no rule is about its type); ``switch(first)``, the ``(key, low, high,
    table)`` of the period of an instant; ``entry(group, signature)``, a new ``[count, slots to
    report]``; ``emit(record, events, slots, key)``, the findings of a group's rules, called
    while ``findings`` holds fewer than ``max_findings`` (then each is only added to
    ``omitted``); ``rests[p](record, events, table, key)`` and ``observe(p, record, events,
    first)``, plan ``p``'s other rules and aggregates; ``view``, ``multi`` and ``tally`` as
    below; ``zero``, an instant before every record.

    A record takes the plain path unless something about its history needs a closer look (known
    from its :attr:`~qse_customer.Record.history_facts` without walking its events): an event
    after ``at`` or recorded after it, a correction, an erasure or a reopening, or an event
    recorded more than ``late`` after it happened (a back-dated entry, counted exactly in
    ``view``). Then ``view(record, at)`` gives its judged history as cycles (``None``: nothing
    known by then), and a record of several cycles, or with corrections or erasures, goes to
    ``multi(record, cycles, table, key, p)``. ``tally[0]`` counts records with events recorded
    before stamping.
    """
    namespace: dict[str, Any] = {"MISSING": _MISSING, "getattr": getattr, "LATE": late}
    lines = [
        "def scan(records, run):",
        "    at_moment = run.at",
        "    view = run.view",
        "    switch = run.switch",
        "    entry = run.entry",
        "    emit = run.emit",
        "    resolve = run.resolve",
        "    multi = run.multi",
        "    tally = run.tally",
        "    classes_get = run.classes.get",
        "    findings = run.findings",
        "    max_findings = run.max_findings",
        "    seen = 0",
        "    low = high = run.zero",
        "    key = None",
        "    table = None",
        *(f"    g{n} = None" for n in range(groups)),
        *(f"    rest{p} = run.rests[{p}]" for p, plan in enumerate(plans) if plan.has_rest),
        "    observe = run.observe",
        "    for record in records:",
        "        p = classes_get(record.__class__)",
        "        if p is None:",
        "            p = resolve(record)",
        "        if p < 0:",
        "            continue",
        "        facts = record._facts",
        "        if facts is None:",
        "            facts = record.history_facts",
        "        if facts[2]:",
        "            tally[0] += 1",
        "        if facts[0] or facts[3] > at_moment or facts[1] > LATE:",
        "            cycles = view(record, at_moment)",
        "            if cycles is None:",
        "                continue",
        "            events = cycles[0]",
        "        else:",
        "            cycles = None",
        "            events = record.events",
        "        seen += 1",
        "        first = events[0].at",
        "        if not low <= first < high:",
        "            key, low, high, table = switch(first)",
        *(f"            g{n} = table.signatures[{n}]" for n in range(groups)),
    ]
    lines += [
        "        if cycles is not None and not cycles.simple:",
        "            multi(record, cycles, table, key, p)",
        "            continue",
    ]
    for p, plan in enumerate(plans):
        lines.append(f"        {'if' if p == 0 else 'elif'} p == {p}:")
        body: list[str] = []
        if plan.program is not None:
            group = plan.program_group
            body += plan.program.lines(f"t{p}", namespace)
            body += [
                f"e = g{group}.get(s)",
                "if e is None:",
                f"    e = g{group}[s] = entry({group}, s)",
                "e[0] += 1",
                "if e[1]:",
                "    if len(findings) < max_findings:",
                "        emit(record, events, e[1], key)",
                "    else:  # the report is full: its findings are only counted",
                "        run.omitted += len(e[1])",
            ]
        if plan.has_rest:
            body.append(f"rest{p}(record, events, table, key)")
        if plan.has_aggregates:
            body.append(f"observe({p}, record, events, first)")
        if not body:
            body.append("pass")
        lines += ["            " + line for line in body]
    lines.append("    return seen")
    source = "\n".join(lines) + "\n"
    run_source(source, f"check for {label}", namespace)
    scan: Callable[..., int] = namespace["scan"]
    return scan
