"""The sample laboratory behind ``qse-customer demo``: a realistic, seeded year of records."""

from __future__ import annotations

from .lab import DEMO_AT, LAB_NAME, SampleLab, generate_lab, lab_calendar

__all__ = ["DEMO_AT", "LAB_NAME", "SampleLab", "generate_lab", "lab_calendar"]
