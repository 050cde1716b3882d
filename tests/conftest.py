"""Shared fixtures and hypothesis profiles."""

from __future__ import annotations

import os
from datetime import UTC, datetime

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
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def quality_manager() -> qse.Actor:
    return qse.Actor("qm-1", "Quinn Manager", qse.Role.QUALITY_MANAGER)


@pytest.fixture
def technologist() -> qse.Actor:
    return qse.Actor("tech-1", "Tara Tech", qse.Role.TECHNOLOGIST)


@pytest.fixture
def monday_9am() -> datetime:
    return datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
