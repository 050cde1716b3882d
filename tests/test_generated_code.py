"""Generated code you can debug: a traceback through any of the three generators (the engine's
check loop, an event program, the record codec) shows the generated line, and the source is
forgotten once the generated functions are."""

from __future__ import annotations

import gc
import linecache
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

import qse_customer as qse
from qse_customer.rules import compile_ruleset
from qse_customer.rules._codegen import EventProgram
from qse_customer.stores._codegen import generate

CALENDAR = qse.WorkingCalendar(timezone="Europe/London", opens="08:00", closes="17:00")
MONDAY = datetime(2026, 1, 5, 9, tzinfo=UTC)
STAFF = qse.Actor("tech-1", "Ada Tester", qse.Role.TECHNOLOGIST)


def traceback_of(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))


def generated_files() -> set[str]:
    return {name for name in linecache.cache if name.startswith("<qse-customer generated")}


def test_a_traceback_through_the_check_loop_shows_its_line() -> None:
    complaint = qse.Complaint.receive(
        id="c-1", at=MONDAY, by=STAFF, channel="email", category="turnaround"
    )

    def records() -> Iterator[Any]:
        yield complaint
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError) as caught:
        qse.check(records(), "qse2-responsibility", calendar=CALENDAR, at=MONDAY)
    shown = traceback_of(caught.value)
    assert "<qse-customer generated check for ruleset qse2-responsibility" in shown
    assert "    for record in records:" in shown


def test_a_traceback_through_an_event_program_shows_its_line() -> None:
    ruleset = qse.load_ruleset("qse2-responsibility")
    rules = [rule for rule in ruleset.rules if rule.kind == "responsibility"]
    program = EventProgram(rules, "complaint records in ruleset qse2-responsibility")
    with pytest.raises(AttributeError) as caught:
        program.walk(None, [object()])  # type: ignore[arg-type,list-item]
    shown = traceback_of(caught.value)
    assert "<qse-customer generated event program for complaint records" in shown
    assert "x = w_get(ev.kind)" in shown


def test_a_traceback_through_the_record_codec_shows_its_line() -> None:
    build, _ = generate(qse.Complaint, "complaint")
    with pytest.raises(KeyError) as caught:
        build({})
    shown = traceback_of(caught.value)
    assert "<qse-customer generated codec for complaint records" in shown
    assert "d['id']" in shown


def test_the_source_goes_with_the_generated_functions() -> None:
    gc.collect()
    before = generated_files()
    compiled = compile_ruleset("customer-service-standards", calendar=CALENDAR)
    assert len(generated_files() - before) == 1
    del compiled
    gc.collect()
    assert generated_files() <= before
