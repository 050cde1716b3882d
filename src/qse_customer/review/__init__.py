"""The management review: one period's performance against every standard, complaint trends,
survey results and open referrals, as one packet ready to render (see ``docs/review.md``); and
the referrals that threshold rules raise for process improvement."""

from __future__ import annotations

from .management_review import management_review
from .packet import PACKET_VERSION, ReviewPacket
from .referrals import referral_id, referrals_from

__all__ = ["PACKET_VERSION", "ReviewPacket", "management_review", "referral_id", "referrals_from"]
