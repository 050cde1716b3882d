"""Public holidays from the holidays package, fetched once per country, subdivision and years.

The package knows each country's holidays only for some years, and for some countries only part
of some years (India's lunar holidays, for one: it warns). A calendar keeps the longest run of the
years asked for that the package answers completely, and says so in its errors and its
description.
"""

from __future__ import annotations

import warnings
from datetime import date
from functools import lru_cache
from importlib import metadata
from typing import NamedTuple

import holidays


class HolidayData(NamedTuple):
    """One country's (or subdivision's) holidays in the years the package has complete data for."""

    first_year: int  # the years the holidays package has data for, within those asked
    last_year: int
    days: tuple[tuple[date, str], ...]


def _fetch(country: str, subdivision: str | None, years: range) -> tuple[dict[date, str], bool]:
    """Holidays for ``years``, and whether the package warned that its data is incomplete."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = holidays.country_holidays(country, subdiv=subdivision, years=years)
    incomplete = False
    for warning in caught:
        if issubclass(warning.category, UserWarning):
            incomplete = True
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return {day: str(name) for day, name in data.items()}, incomplete


@lru_cache(maxsize=64)
def holiday_data(
    country: str, subdivision: str | None, first_year: int, last_year: int
) -> HolidayData:
    """The holidays of ``country`` (one subdivision, or None) in the years asked that it covers."""
    entity = holidays.country_holidays(country, subdiv=subdivision, years=())
    first, last = max(first_year, entity.start_year), min(last_year, entity.end_year)
    if first > last:
        return HolidayData(first, last, ())
    found, incomplete = _fetch(country, subdivision, range(first, last + 1))
    if incomplete:
        # The package has only part of some years (India's lunar holidays, for one): keep the
        # longest run of years it answers without a warning.
        complete = [
            year
            for year in range(first, last + 1)
            if not _fetch(country, subdivision, range(year, year + 1))[1]
        ]
        runs: list[tuple[int, int]] = []
        for year in complete:
            if runs and runs[-1][1] == year - 1:
                runs[-1] = (runs[-1][0], year)
            else:
                runs.append((year, year))
        first, last = max(runs, key=lambda run: run[1] - run[0]) if runs else (last + 1, last)
    days = tuple(sorted((day, name) for day, name in found.items() if first <= day.year <= last))
    return HolidayData(first, last, days)


def holidays_version() -> str:
    """The installed holidays package's version, as a report names its source."""
    try:
        return metadata.version("holidays")
    except metadata.PackageNotFoundError:  # pragma: no cover - installed without metadata
        return "unknown"
