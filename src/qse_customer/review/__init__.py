"""The management review: one period's performance against every standard, complaint trends,
survey results and open referrals, as one packet ready to render (see ``docs/review.md``); the
customer focus report's data, gathered with the packet in one pass over the store
(:func:`customer_focus`); and the referrals that threshold rules raise for process improvement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

# A name that is also its module's name is imported at once: were the module imported first,
# the package would otherwise hand out the module under that name.
from .management_review import management_review

if TYPE_CHECKING:
    from .focus import CustomerFocus
    from .management_review import customer_focus, management_review
    from .packet import PACKET_VERSION, ReviewPacket
    from .referrals import referral_id, referrals_from

# Each name is imported from its module when first used, so importing the package is cheap.
__getattr__ = lazy_exports(
    __name__,
    {
        ".focus": ["CustomerFocus"],
        ".management_review": ["customer_focus", "management_review"],
        ".packet": ["PACKET_VERSION", "ReviewPacket"],
        ".referrals": ["referral_id", "referrals_from"],
    },
)


__all__ = [
    "PACKET_VERSION",
    "CustomerFocus",
    "ReviewPacket",
    "customer_focus",
    "management_review",
    "referral_id",
    "referrals_from",
]
