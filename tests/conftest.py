"""Shared fixtures and hypothesis profiles."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import qse_customer as qse

# Derandomized: the same examples on every run, so a red CI run means a real regression (the
# soak profile, random and ten times longer, is the one that hunts rare failures).
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
# Ten times CI's examples, to look for rare failures before they turn a CI run red.
settings.register_profile(
    "soak", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# The fast lane, `pytest -m "not slow"`: every property still runs, on a tenth of its examples.
settings.register_profile(
    "fast",
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
FAST_LANE_SHARE = 10  # a property's examples in the fast lane: its own count divided by this
FAST_LANE_LEAST = 3  # ... but at least this many (or its own count, if smaller)


def _fast_lane(config: pytest.Config) -> bool:
    """Whether this run is the fast lane (slow tests deselected, no profile asked for)."""
    chosen = config.getoption("markexpr", default="") or ""
    return "not slow" in chosen and "HYPOTHESIS_PROFILE" not in os.environ


def pytest_configure(config: pytest.Config) -> None:
    if _fast_lane(config):
        settings.load_profile("fast")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In the fast lane, a property with its own example count runs a tenth of them, at least
    three (those without one run the fast profile's ten)."""
    if not _fast_lane(config):
        return
    for item in items:
        test = getattr(item, "obj", None)
        test = getattr(test, "__func__", test)  # a test method: its function holds the settings
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if own is None or own.max_examples <= FAST_LANE_LEAST:
            continue
        fewer = max(FAST_LANE_LEAST, own.max_examples // FAST_LANE_SHARE)
        test._hypothesis_internal_use_settings = settings(own, max_examples=fewer)  # type: ignore[union-attr]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, tuple[str, ...]]:
    """The sample lab's demo, run once for the whole session (about 2 s): its result and the
    progress lines it told. A test that changes the report works on a copy of it."""
    from qse_customer.demo.run import run_demo

    lines: list[str] = []
    result = run_demo(tmp_path_factory.mktemp("demo"), progress=lines.append)
    return result, tuple(lines)


@pytest.fixture
def quality_manager() -> qse.Actor:
    return qse.Actor("qm-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)


@pytest.fixture
def technologist() -> qse.Actor:
    return qse.Actor("tech-1", "Tara Tech", qse.Role.TECHNOLOGIST)


@pytest.fixture
def monday_9am() -> datetime:
    return datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
