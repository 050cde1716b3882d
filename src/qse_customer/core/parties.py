"""Who a record is about or from: submitters of complaints and enquiries, references to records."""

from __future__ import annotations

from attrs import field, frozen

from ._checks import nonempty_text, optional_text
from .errors import ValidationError


@frozen
class Submitter:
    """The named person or body behind a complaint or enquiry; never set when anonymous."""

    name: str | None = field(default=None, validator=optional_text)
    contact: str | None = field(default=None, validator=optional_text)
    customer_id: str | None = field(default=None, validator=optional_text)

    def __attrs_post_init__(self) -> None:
        if self.name is None and self.contact is None and self.customer_id is None:
            raise ValidationError.single(
                "$.submitter", "expected at least one of name, contact or customer_id"
            )


def as_submitter(value: Submitter | dict[str, str] | None) -> Submitter | None:
    """A Submitter from a Submitter, a mapping of its fields, or None."""
    if value is None or isinstance(value, Submitter):
        return value
    if isinstance(value, dict):
        return Submitter(**value)
    raise ValidationError.single("$.submitter", "expected a submitter (name, contact, customer_id)")


@frozen
class RecordRef:
    """A pointer to another record by its type tag and id."""

    type: str = field(validator=nonempty_text)
    id: str = field(validator=nonempty_text)

    def __str__(self) -> str:
        return f"{self.type}/{self.id}"
