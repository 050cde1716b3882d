"""Sending notifications through every notifier, each exactly once per notifier when all goes
well and never lost when a notifier fails.

How delivery is tracked: a notification is first recorded in the store's outbox, pending for each
notifier installed at that moment (by plugin name); then each pending (notification, notifier)
pair is delivered and marked delivered on success. A notifier that raises is logged and its
deliveries stay pending, to be retried on the next run, while the other notifiers' deliveries are
marked done and never repeated. A notifier installed later does not receive older notifications;
one uninstalled keeps its pending deliveries until it is installed again (they are reported as
``waiting``). If the process dies between a notifier returning and the store recording it, that
one delivery is repeated on the next run: delivery is at least once, and ``notification.key``
lets a notifier drop a repeat.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime

from attrs import evolve, frozen

from ..core.calendar import WorkingCalendar
from ..core.errors import ValidationError
from ..core.record import Record
from ..core.timestamps import utc
from ..core.translation import ENGLISH, Translator, translator
from ..plugins.manager import Notifier, QSEPluginManager, get_plugin_manager
from ..rules.engine import CompiledRuleset
from ..rules.findings import Finding
from ..rules.status import Status
from ..rules.versions import Checkable, CompiledVersions, compile_ruleset, evaluate
from ..stores.errors import StoredRecordError
from ..stores.protocol import Store
from .notification import Notification, NotificationKind

logger = logging.getLogger("qse_customer.notifiers.delivery")

_BATCH = 1000
_KINDS = {Status.BREACHED: NotificationKind.BREACHED, Status.AT_RISK: NotificationKind.AT_RISK}


@frozen
class DeliveryFailure:
    """A delivery that failed this run and stays pending: which notification, which notifier,
    and the error (its type and message)."""

    key: str
    notifier: str
    error: str


@frozen
class DeliveryReport:
    """What a run of :func:`send` or :func:`notify_due` did.

    ``new``: notifications recorded for the first time; ``delivered``: (key, notifier) pairs
    delivered now; ``failed``: deliveries that raised (pending for the next run); ``waiting``:
    (key, notifier) pairs pending for a notifier that is not installed now; ``invalid``: stored
    records that no longer validate and were left out of the evaluation.
    """

    new: tuple[Notification, ...] = ()
    delivered: tuple[tuple[str, str], ...] = ()
    failed: tuple[DeliveryFailure, ...] = ()
    waiting: tuple[tuple[str, str], ...] = ()
    invalid: tuple[StoredRecordError, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing failed, nothing waits and no stored record was invalid."""
        return not (self.failed or self.waiting or self.invalid)


def _record(
    store: Store, notifications: Iterable[Notification], notifiers: list[str]
) -> list[Notification]:
    new: list[Notification] = []
    batch: list[Notification] = []
    for notification in notifications:
        batch.append(notification)
        if len(batch) == _BATCH:
            new.extend(store.add_notifications(batch, notifiers=notifiers))
            batch = []
    if batch:
        new.extend(store.add_notifications(batch, notifiers=notifiers))
    return new


def _deliver(
    store: Store, notifiers: dict[str, Notifier], at: datetime, new: list[Notification]
) -> DeliveryReport:
    delivered: list[tuple[str, str]] = []
    failed: list[DeliveryFailure] = []
    waiting: list[tuple[str, str]] = []
    for delivery in store.pending_deliveries():
        key = delivery.notification.key
        notify = notifiers.get(delivery.notifier)
        if notify is None:
            waiting.append((key, delivery.notifier))
            continue
        try:
            notify(delivery.notification)
        except Exception as error:
            logger.error(
                "notifier %r failed to deliver notification %s; it stays pending for the next run",
                delivery.notifier,
                key,
                exc_info=True,
            )
            reason = f"{type(error).__name__}: {error}"
            failed.append(DeliveryFailure(key, delivery.notifier, reason))
            continue
        store.mark_delivered(key, delivery.notifier, at=at)
        delivered.append((key, delivery.notifier))
    return DeliveryReport(
        new=tuple(new), delivered=tuple(delivered), failed=tuple(failed), waiting=tuple(waiting)
    )


def send(
    store: Store,
    notifications: Iterable[Notification],
    *,
    at: datetime,
    manager: QSEPluginManager | None = None,
) -> DeliveryReport:
    """Record new notifications in the store's outbox and deliver every pending one.

    Notifications already recorded (same key) are not sent again. With no notifier installed
    nothing is recorded, so the notifications are still new when one is.
    """
    moment = utc(at)
    plugins = manager if manager is not None else get_plugin_manager()
    notifiers = dict(plugins.notifiers())
    if not notifiers:
        count = sum(1 for _ in notifications)
        if count:
            logger.warning(
                "%d notification(s) not sent: no notifier is installed (is the logging notifier "
                "blocked?)",
                count,
            )
        return DeliveryReport()
    new = _record(store, notifications, list(notifiers))
    return _deliver(store, notifiers, moment, new)


def notification_for(
    finding: Finding, *, at: datetime, title: str = "", t: Translator | str = ENGLISH
) -> Notification:
    """The notification of a breached or at-risk finding: rule, record, deadline, rule title,
    written in ``t``'s language (a :class:`~qse_customer.core.translation.Translator` or a
    locale such as ``"fr"``). The rule's title is the ruleset's words, in every language, but for
    the titles the library words from a contract's terms, which are worded again in ``t``'s
    language (:func:`~qse_customer.rules.contract_rules.contract_rule_title`).

    Never the finding's message or evidence: those name the staff who did each step. A
    threshold's finding (about a period, not a record) is about record type ``period``.
    """
    t = translator(t, field="t")
    kind = _KINDS.get(Status(finding.status))
    if kind is None:
        raise ValidationError.single(
            "$.status", f"only breached and at-risk findings are notified, not {finding.status}"
        )
    record_type, record_id = finding.record_type or "", finding.record_id
    if record_id is None:
        record_type, record_id = "period", finding.period or "-"
    notification = Notification(
        kind=kind,
        record_type=record_type,
        record_id=record_id,
        at=at,
        rule_id=finding.rule_id,
        due_at=finding.due_at,
        locale=t,
    )
    if title:
        if t.is_source:
            return evolve(notification, message=f"{notification.message}: {title}")
        from ..rules.contract_rules import contract_rule_title

        message = t.gettext("{message}: {title}").format(
            message=notification.message, title=contract_rule_title(title, t)
        )
        return evolve(notification, message=message)
    return notification


def notify_due(
    store: Store,
    ruleset: Checkable | CompiledRuleset | CompiledVersions,
    *,
    calendar: WorkingCalendar,
    at: datetime,
    manager: QSEPluginManager | None = None,
    locale: str | Translator = "en",
) -> DeliveryReport:
    """Check the store's records with ``ruleset`` as of ``at`` and notify every new breach and
    every new at-risk deadline, once per notifier (see the module's documentation).

    The notifications are written in ``locale``'s language (``"en"``, ``"fr"``, ``"fr_FR"``, or
    a :class:`~qse_customer.core.translation.Translator`): their messages, and what the notifiers
    write from them. The language is not part of a notification's key: a breach notified before
    in another language is not notified again.

    Only the record types the ruleset's rules apply to are read, streamed from the store. A stored
    record that no longer validates is left out and listed in ``report.invalid``. Rule kinds from
    plugins are available to the ruleset. The first run notifies every current breach.
    """
    moment = utc(at)
    t = translator(locale)
    plugins = manager if manager is not None else get_plugin_manager()
    compiled = (
        ruleset
        if isinstance(ruleset, CompiledRuleset | CompiledVersions)
        else compile_ruleset(ruleset, calendar=calendar, kinds=dict(plugins.rule_kinds()) or None)
    )
    titles = {rule.id: rule.title for rule in compiled.ruleset.rules}
    types = sorted({tag for rule in compiled.ruleset.rules for tag in rule.applies_to.record_types})
    invalid: list[StoredRecordError] = []

    def records() -> Iterator[Record]:
        for tag in types:
            yield from store.stream(tag, on_invalid=invalid.append)

    findings = (
        compiled.evaluate_from(records, at=moment, statuses=tuple(_KINDS))
        if isinstance(compiled, CompiledVersions)
        else evaluate(records(), compiled, calendar=calendar, at=moment, statuses=tuple(_KINDS))
    )
    notifications = (
        notification_for(finding, at=moment, title=titles.get(finding.rule_id, ""), t=t)
        for finding in findings
    )
    report = send(store, notifications, at=moment, manager=plugins)
    return evolve(report, invalid=tuple(invalid))
