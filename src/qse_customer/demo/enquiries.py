"""The sample lab's enquiries and correspondence, one channel at a time (standards T-1 to T-6)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from ..core.calendar import WorkingCalendar
from ..core.enquiry import Enquiry
from ..core.parties import Submitter
from ..core.roles import Actor
from ..core.vocabulary import Channel, CustomerKind
from .staff import LEAD, QUALITY_MANAGER, SUPERVISOR, TECHNOLOGISTS
from .timing import Timing

SUBJECTS = {
    Channel.TELEPHONE: ("Result not received", "Sample requirements", "Add-on test request"),
    Channel.VOICEMAIL: ("Please call back about a result", "Query about a collection time"),
    Channel.LETTER: ("Request for copy of results", "Referral letter", "Query about an invoice"),
    Channel.EMAIL: ("Reference range query", "Request for a service user handbook"),
    Channel.WEB: ("Website contact form: opening hours", "Website contact form: parking"),
    Channel.FACE_TO_FACE: ("Walk-in query at reception", "Collecting a sample pot"),
}
BREACH_SHARE = 0.08
"""How often a response in the sample lab misses its standard."""
LAB_NUMBER = "0161 496 0000"
"""The sample lab's telephone number, given on its letters (a number reserved for fiction)."""


class EnquiryDesk:
    """Generates enquiries whose histories meet, breach or still run against their standard."""

    def __init__(self, timing: Timing, at: datetime) -> None:
        self.timing = timing
        self.rng = timing.rng
        self.calendar: WorkingCalendar = timing.calendar
        self.at = at
        self.count = 0

    def _staff(self) -> Actor:
        return self.rng.choice((LEAD, *TECHNOLOGISTS, TECHNOLOGISTS[0]))

    def _share(self) -> float:
        if self.rng.random() < BREACH_SHARE:
            return self.rng.uniform(1.15, 2.5)
        return self.timing.met_share()

    def _new(self, channel: Channel, received: datetime, **fields: object) -> Enquiry:
        self.count += 1
        enquirer = None
        if self.rng.random() < 0.85:
            enquirer = Submitter(name=f"Enquirer {self.count:04d}", contact="on file")
        return Enquiry.receive(
            id=f"ENQ-{received:%Y}-{self.count:04d}",
            at=received,
            by=self._staff() if channel is not Channel.VOICEMAIL else None,
            channel=channel,
            subject=self.rng.choice(SUBJECTS.get(channel, ("General enquiry",))),
            enquirer=enquirer,
            **fields,  # type: ignore[arg-type]
        )

    def _then(self, enquiry: Enquiry, kind: str, at: datetime, by: Actor, **data: str) -> Enquiry:
        """``enquiry`` with one more event, unless it would happen after the demo's moment."""
        if at >= self.at or at < enquiry.last_event_at:
            return enquiry
        return enquiry.add(kind, at=at, by=by, **data)

    def _contact(self, by: Actor) -> dict[str, str]:
        """The contact name and number a letter gives (3.2, 3.3); now and then no number."""
        if self.rng.random() < 0.05:
            return {"contact_name": by.name}
        return {"contact_name": by.name, "contact_number": LAB_NUMBER}

    def _close(self, enquiry: Enquiry) -> Enquiry:
        if enquiry.status != "answered":
            return enquiry
        return self._then(enquiry, "closed", self.timing.after(enquiry.last_event_at, 0.5), LEAD)

    def telephone(self, received: datetime) -> Enquiry:
        """A telephone enquiry not answered at once (T-1); some are complex (no standard)."""
        enquiry = self._new(
            Channel.TELEPHONE, received, complex=self.rng.random() < 0.12, clinical=False
        )
        if self.rng.random() < 0.25:  # a message taken for someone (3.1.2)
            taker, wanted = self._staff(), self.rng.choice((LEAD, SUPERVISOR, QUALITY_MANAGER))
            note = {"details": enquiry.subject, "message_for": wanted.name}
            enquiry = self._then(enquiry, "message_taken", received, taker, **note)
            if self.rng.random() < 0.2:  # the person asked for is away (3.1.3, T-1c)
                away = received + timedelta(minutes=self.rng.randint(10, 60))
                enquiry = self._then(enquiry, "named_person_unavailable", away, taker)
                told = self.timing.after(away, self.rng.uniform(0.2, 2.5))
                if self.rng.random() < 0.15:
                    told = self.timing.after(away, self.rng.uniform(9.5, 12))
                enquiry = self._then(enquiry, "timeframe_advised", told, taker)
        deadline = self.calendar.add_working_days(received, 2)
        if self.rng.random() < 0.15:  # needs longer: the caller is kept informed
            update = self.timing.within(received, deadline, self.timing.met_share())
            enquiry = self._then(enquiry, "progress_update", update, self._staff())
            deadline = self.calendar.add_working_days(update, 2)
            received = update
        done = self.timing.within(received, deadline, self._share())
        enquiry = self._then(enquiry, "responded", done, self._staff())
        return self._close(enquiry)

    def voicemail(self, received: datetime) -> Enquiry:
        """A voicemail message (T-2a, T-2b); about one in three left out of hours."""
        if self.rng.random() < 0.35:
            evening = self.calendar.local(received).replace(hour=19, minute=self.rng.randint(0, 59))
            received = evening.astimezone(received.tzinfo)
        enquiry = self._new(Channel.VOICEMAIL, received)
        opened = self.calendar.next_opening(received)
        late = self.rng.random() < BREACH_SHARE
        hours = self.rng.uniform(4.6, 9.0) if late else self.rng.uniform(0.2, 3.5)
        retrieved = self.timing.after(max(opened, received), hours)
        enquiry = self._then(enquiry, "retrieved", retrieved, self._staff())
        noon = self.calendar.next_working_day_at(received, "12:00")
        reply = retrieved + timedelta(minutes=self.rng.randint(10, 90))
        if not self.calendar.is_open(received) and self.rng.random() < 0.85:
            reply = min(reply, noon - timedelta(minutes=self.rng.randint(5, 120)))
        enquiry = self._then(enquiry, "responded", max(reply, retrieved), self._staff())
        return self._close(enquiry)

    def letter(self, received: datetime) -> Enquiry:
        """Clinical correspondence (T-3: posted within 6 working days) or other letters (T-4)."""
        clinical = self.rng.random() < 0.6
        enquiry = self._new(Channel.LETTER, received, clinical=clinical)
        if clinical:
            deadline = self.calendar.add_working_days(received, 6)
            posted = self.timing.within(received, deadline, self._share())
            typed = self.timing.within(received, posted, 0.5)
            enquiry = self._then(enquiry, "transcribed", typed, self._staff())
            enquiry = self._then(enquiry, "signed", self.timing.within(typed, posted, 0.5), LEAD)
            sender = self._staff()
            enquiry = self._then(enquiry, "posted", posted, sender, **self._contact(sender))
        else:
            deadline = self.calendar.add_working_days(received, 5)
            done = self.timing.within(received, deadline, self._share())
            enquiry = self._then(enquiry, "responded", done, self._staff())
        return self._close(enquiry)

    def email(self, received: datetime, channel: Channel = Channel.EMAIL) -> Enquiry:
        """A non-clinical e-mail or web enquiry (T-5); progress updates when it needs longer."""
        enquiry = self._new(channel, received)
        deadline = self.calendar.add_working_days(received, 2)
        if self.rng.random() < 0.1:
            update = self.timing.within(received, deadline, self.timing.met_share())
            enquiry = self._then(enquiry, "progress_update", update, self._staff())
            received, deadline = update, self.calendar.add_working_days(update, 2)
        done = self.timing.within(received, deadline, self._share())
        enquiry = self._then(enquiry, "responded", done, self._staff())
        return self._close(enquiry)

    def freedom_of_information(self, received: datetime) -> Enquiry:
        """A freedom-of-information request by e-mail (T-6a, T-6b)."""
        enquiry = self._new(
            Channel.EMAIL,
            received,
            freedom_of_information=True,
            customer_kind=CustomerKind.EXTERNAL,
        )
        ack = self.timing.within(received, self.calendar.add_working_days(received, 2), 0.4)
        enquiry = self._then(enquiry, "acknowledged", ack, QUALITY_MANAGER)
        deadline = self.calendar.add_working_days(received, 20)
        done = self.timing.within(received, deadline, self._share())
        enquiry = self._then(enquiry, "responded", done, SUPERVISOR)
        return self._close(enquiry)

    def face_to_face(self, received: datetime) -> Enquiry:
        """A query at reception, answered on the spot (no response-time standard)."""
        enquiry = self._new(Channel.FACE_TO_FACE, received)
        done = received + timedelta(minutes=self.rng.randint(2, 25))
        enquiry = self._then(enquiry, "responded", done, self._staff())
        return self._close(enquiry)


MIX = (
    ("telephone", 150),
    ("voicemail", 70),
    ("letter", 60),
    ("email", 75),
    ("web", 30),
    ("freedom_of_information", 8),
    ("face_to_face", 30),
)
"""How many enquiries of each kind the sample lab receives in its year."""


def enquiries(timing: Timing, start: datetime, at: datetime) -> Iterator[Enquiry]:
    """A year of enquiries of every channel, received between ``start`` and ``at``."""
    desk = EnquiryDesk(timing, at)
    span = (at - start).days
    moments: list[tuple[datetime, str]] = []
    for kind, count in MIX:
        for _ in range(count):
            moments.append((timing.working_moment(start, span), kind))
    # A few in the last days, so that some clocks still run at the demo's moment.
    for kind in ("telephone", "email", "letter", "telephone", "web", "voicemail"):
        moments.append((timing.working_moment(at - timedelta(days=3), 3), kind))
    for received, kind in sorted(moments):
        if received >= at:
            continue
        if kind == "web":
            yield desk.email(received, Channel.WEB)
        else:
            yield getattr(desk, kind)(received)
    yield from _at_risk(desk, at)


def _nearly_due(calendar: WorkingCalendar, at: datetime, days: int, share: float) -> datetime:
    """A moment of receipt from which ``share`` of a ``days`` working-day limit has passed at
    ``at`` (searched backwards in half-hour steps)."""
    received = at
    while received > at - timedelta(days=4 * days + 7):
        received -= timedelta(minutes=30)
        if not calendar.is_open(received):
            continue
        deadline = calendar.add_working_days(received, days)
        used = calendar.working_time_between(received, at)
        if used >= calendar.working_time_between(received, deadline) * share:
            return received
    return received


def _at_risk(desk: EnquiryDesk, at: datetime) -> Iterator[Enquiry]:
    """Enquiries still unanswered at ``at`` with most of their time used: the at-risk list."""
    calendar = desk.calendar
    for channel, days, share in (
        (Channel.TELEPHONE, 2, 0.8),
        (Channel.EMAIL, 2, 0.9),
        (Channel.TELEPHONE, 2, 0.85),
        (Channel.LETTER, 6, 0.8),
    ):
        received = _nearly_due(calendar, at, days, share)
        yield desk._new(channel, received, clinical=channel is Channel.LETTER)
