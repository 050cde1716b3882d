"""Which event kinds a record type knows, which open and close its history, and its status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from attrs import field, frozen

ADMINISTRATIVE_KINDS: frozenset[str] = frozenset({"corrected", "erased"})
"""Event kinds every record type knows and accepts at any time, even closed: they change what
the history says about the past (a correction, a data-protection erasure), never the status."""


def _kinds(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _with_administrative(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value) | ADMINISTRATIVE_KINDS


@frozen
class Lifecycle:
    """The event kinds of one record type and the status each one leads to.

    A history must start with an ``opening`` kind; after a ``closing`` kind only a ``reopening``
    kind (or an administrative one: ``corrected``, ``erased``) may follow. ``status_after`` maps
    a kind to the status it sets; kinds not in it leave the status as it was (a note, a progress
    update).
    """

    opening: frozenset[str] = field(converter=_kinds)
    kinds: frozenset[str] = field(converter=_with_administrative)
    status_after: Mapping[str, str]
    closing: frozenset[str] = field(converter=_kinds, default=frozenset({"closed"}))
    reopening: frozenset[str] = field(converter=_kinds, default=frozenset({"reopened"}))

    def __attrs_post_init__(self) -> None:
        unknown = (
            self.opening | self.closing | self.reopening | set(self.status_after)
        ) - self.kinds
        if unknown:
            raise ValueError(f"lifecycle names kinds it does not list: {sorted(unknown)}")
        if any(self.status_after.get(kind) != "closed" for kind in self.closing):
            raise ValueError("every closing kind must set the status 'closed'")
        if ADMINISTRATIVE_KINDS & (self.opening | self.closing | set(self.status_after)):
            raise ValueError("corrected and erased never open, close or set a status")

    def status(self, kinds: list[str] | tuple[str, ...]) -> str:
        """The status after a history with these event kinds, in order."""
        for kind in reversed(kinds):
            status = self.status_after.get(kind)
            if status is not None:
                return status
        return "new"
