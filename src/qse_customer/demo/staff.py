"""The people of the sample laboratory, each acting in one QSE 2 role."""

from __future__ import annotations

from ..core.roles import Actor, Role

DIRECTOR = Actor("s-okafor", "Dr Amara Okafor", Role.LABORATORY_DIRECTOR)
SUPERVISOR = Actor("s-patel", "Ravi Patel", Role.LABORATORY_SUPERVISOR)
QUALITY_MANAGER = Actor("s-hughes", "Sian Hughes", Role.QUALITY_MANAGER)
LEAD = Actor("s-nowak", "Marta Nowak", Role.LEAD_TECHNOLOGIST)
TECHNOLOGISTS = (
    Actor("s-brown", "Tom Brown", Role.TECHNOLOGIST),
    Actor("s-adeyemi", "Funmi Adeyemi", Role.TECHNOLOGIST),
    Actor("s-clarke", "Jo Clarke", Role.TECHNOLOGIST),
)
MANAGEMENT = Actor("s-reid", "Alison Reid", Role.LABORATORY_MANAGEMENT)
TRUST_CONTRACTS = Actor("c-singh", "Harpreet Singh", Role.RECIPIENT_MANAGEMENT)
RECEPTION = (LEAD, *TECHNOLOGISTS, QUALITY_MANAGER)
"""Who answers the phone and opens the post: anyone allowed to receive a complaint (R-K1)."""
