"""The library's errors: one base, subclasses by what the user must fix."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen


class QSEError(Exception):
    """Base of every error the library raises on purpose."""


@frozen
class FieldError:
    """One bad field: its JSON path (``$.events[0].at``) and what was expected there."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ValidationError(QSEError, ValueError):
    """Input that does not match its schema or the model; lists every failing field."""

    def __init__(self, errors: Iterable[FieldError], what: str = "input") -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        self.what = what
        lines = "\n".join(f"  {error}" for error in self.errors)
        count = len(self.errors)
        super().__init__(
            f"{what} is invalid ({count} problem{'s' if count != 1 else ''}):\n{lines}"
        )

    @classmethod
    def single(cls, path: str, message: str, what: str = "input") -> ValidationError:
        """A validation error with one failing field."""
        return cls([FieldError(path, message)], what)


class TransitionError(QSEError, ValueError):
    """An event that the record's state forbids (out of order, unknown, or on a closed record)."""

    def __init__(self, message: str, path: str = "$") -> None:
        super().__init__(message)
        self.path = path


class PrivacyError(TransitionError):
    """An operation that would attach or reveal the identity of an anonymous submitter."""


class CalendarError(QSEError, ValueError):
    """A calendar that cannot answer: bad settings, a naive datetime, or a date outside its data."""


class CalendarRangeError(CalendarError):
    """A date outside the years the calendar's holiday data covers."""


def json_problem(error: ValueError) -> str:
    """Why a JSON (or YAML) text could not be read, in words for whoever wrote it: the parser's
    own message, except for a number too long for Python to read at all."""
    if "integer string conversion" in str(error):
        return "it holds a number of more than 4,300 digits, longer than any value can be"
    return str(error)
