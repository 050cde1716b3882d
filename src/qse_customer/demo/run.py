"""Running the demo: the sample lab saved to SQLite, checked, and its reports written."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from attrs import frozen

from ..core.record import Record
from ..core.timestamps import wall_clock
from ..core.translation import ENGLISH, Said, Translator, translator
from ..reports._atomic_file import write_text
from ..reports.content import build_report
from ..reports.html import render_html
from ..reports.json_report import render_json
from ..rules.loader import load_ruleset
from ..stores._opening import open_store
from .lab import generate_lab

if TYPE_CHECKING:
    from ..stores.base import StoreBase

SHIPPED = ("qse2-responsibility", "customer-service-standards", "complaints-handling")


@frozen
class DemoRun:
    """Where the demo wrote its store and reports, and the report itself."""

    directory: Path
    store_url: str
    html: Path
    json: Path
    report: dict[str, Any]
    records: int


def as_they_happened(records: Sequence[Record], timezone: str) -> Iterator[tuple[datetime, Record]]:
    """``records`` as a lab would have entered them over the year, day by day: for each day in
    order, each record as it stood at the end of that day (its events up to the last one that
    happened that day), paired with that end of day (midnight after it, in ``timezone``)."""
    zone = ZoneInfo(timezone)
    days: dict[date, list[tuple[int, int]]] = {}
    for number, record in enumerate(records):
        for count, event in enumerate(record.events, start=1):
            days.setdefault(wall_clock(event.at, zone).date(), []).append((number, count))
    # Each record as entered so far: the next day's state appends to it (checking only the new
    # events) rather than building the record again from all of its events.
    entered: dict[int, Record] = {}
    for day in sorted(days):
        close = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
        known = {number: count for number, count in days[day]}
        for number, count in known.items():
            record, before = records[number], entered.get(number)
            if count == len(record.events):
                state = record
            elif before is None:
                state = record.evolve(events=record.events[:count])
            else:
                state = before.with_events(record.events[len(before.events) : count])
            entered[number] = state
            yield close, state


def enter_as_they_happened(store: StoreBase, records: Sequence[Record], timezone: str) -> None:
    """Save ``records`` as a lab would have entered them over the year: day by day, each event
    at the end of the day it happened (stamped so, as if the store's clock read it then), so
    that every event carries a ``recorded_at`` and a report for any past day sees what was known
    then. One transaction: every row, stamp and hash chain is what saving each day as it ended
    would have made."""
    store.save_as_entered(as_they_happened(records, timezone))


def generating_line(t: Translator = ENGLISH) -> str:
    """The demo's progress line of the sample lab being made."""
    return t.gettext("generating a year of Riverside Hospital Laboratory")


def saving_line(count: int, url: str, t: Translator = ENGLISH) -> str:
    """The demo's progress line of ``count`` records being saved to the store at ``url``."""
    return t.ngettext(
        "saving {count} records to {url}", "saving {count} records to {url}", count
    ).format(count=str(count) if t.is_source else t.number(count), url=url)


def writing_line(t: Translator = ENGLISH) -> str:
    """The demo's progress line of the reports being written."""
    return t.gettext("drawing the charts and writing the reports")


def run_demo(
    directory: Path,
    *,
    seed: int = 2026,
    progress: Callable[[str], None] | None = None,
    locale: str = "en",
) -> DemoRun:
    """Generate the sample lab into ``directory/lab.db``, check it with the shipped rulesets
    (responsibility, customer service standards, complaints handling) and its contracts' terms,
    and write ``report.html`` and ``report.json`` next to it, in ``locale`` (``docs/i18n.md``)."""
    t = translator(locale)
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "lab.db"
    url = f"sqlite:///{database}"
    if progress is not None:
        progress(Said(generating_line))
    lab = generate_lab(seed)
    rulesets = [*(load_ruleset(name) for name in SHIPPED), lab.contract_ruleset()]
    with open_store(url) as store:
        if progress is not None:
            progress(Said(partial(saving_line, len(lab.records), url)))
        from ..stores.base import StoreBase

        assert isinstance(store, StoreBase)  # the built-in SQLite store
        enter_as_they_happened(store, lab.records, lab.calendar.timezone)
        report = build_report(
            store.stream,
            rulesets,
            calendar=lab.calendar,
            at=lab.at,
            title=t.gettext("{lab}: customer focus report").format(lab=lab.name),
            source=url,
            progress=progress,
        )
    html, json_path = directory / "report.html", directory / "report.json"
    if progress is not None:
        progress(Said(writing_line))
    # Both rendered before either file is touched; each replaces its file whole or not at all.
    if t.is_source:
        rendered = {html: render_html(report), json_path: render_json(report)}
    else:
        rendered = {html: render_html(report, locale=t), json_path: render_json(report, locale=t)}
    for path, text in rendered.items():
        write_text(path, text)
    return DemoRun(directory, url, html, json_path, report, len(lab.records))
