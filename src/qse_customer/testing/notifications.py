"""Hypothesis strategies for notifications, for testing notifiers."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from ..notifiers.notification import Notification, NotificationKind
from .strategies import STRATEGIES, aware_datetimes, identifiers


def notifications(locales: Sequence[str] = ("en",)) -> st.SearchStrategy[Notification]:
    """Notifications of every kind, about any record type, with or without rule and deadline,
    written in one of ``locales`` (English unless told: ``("en", "fr")`` for both)."""
    return st.builds(
        Notification,
        kind=st.sampled_from(NotificationKind),
        record_type=st.sampled_from(sorted(STRATEGIES)),
        record_id=identifiers,
        at=aware_datetimes(),
        rule_id=st.none() | st.from_regex(r"[A-Z]-[A-Z0-9]{1,3}", fullmatch=True),
        due_at=st.none() | aware_datetimes(),
        locale=st.sampled_from(tuple(locales)),
    )
