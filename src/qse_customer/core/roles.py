"""Roles of QSE 2 (source 000, "Responsibility") and the actors who hold them."""

from __future__ import annotations

from enum import StrEnum

from attrs import field, frozen

from ._checks import nonempty_text
from .errors import ValidationError


class Role(StrEnum):
    """A role that may perform steps of the QSE 2 processes (domain brief, "Roles")."""

    LABORATORY_DIRECTOR = "laboratory_director"
    LABORATORY_SUPERVISOR = "laboratory_supervisor"
    QUALITY_MANAGER = "quality_manager"
    LEAD_TECHNOLOGIST = "lead_technologist"
    TECHNOLOGIST = "technologist"
    LABORATORY_MANAGEMENT = "laboratory_management"
    RECIPIENT_MANAGEMENT = "recipient_management"
    CUSTOMER = "customer"

    @classmethod
    def parse(cls, value: str | Role, path: str = "$.role") -> Role:
        """The role named by ``value``, or a ValidationError listing the known roles."""
        try:
            return cls(value)
        except ValueError:
            known = ", ".join(role.value for role in cls)
            raise ValidationError.single(
                path, f"unknown role {value!r}; expected one of {known}"
            ) from None


EXTERNAL_ROLES = frozenset({Role.RECIPIENT_MANAGEMENT, Role.CUSTOMER})
"""Roles held by people outside the laboratory: the management of the organisation it serves,
and its customers. An event on an anonymous complaint is never by one of them."""


def as_role(value: Role | str) -> Role:
    """The role named by ``value`` (see :meth:`Role.parse`)."""
    return Role.parse(value)


@frozen
class Actor:
    """Who performed a step: a person (by id and name) acting in one role."""

    id: str = field(validator=nonempty_text)
    name: str = field(validator=nonempty_text)
    role: Role = field(converter=as_role)
