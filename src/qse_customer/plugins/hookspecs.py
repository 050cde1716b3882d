"""The hooks a qse-customer plugin implements.

A plugin is a module or an object with functions named like the hooks below, each marked with
``@qse_customer.hookimpl``; it is found through the entry-point group ``qse_customer`` or
registered with :meth:`QSEPluginManager.register`. Implement only the hooks you need, with only
the arguments you use (pluggy passes arguments by name). The built-in backends are plugins of
exactly this kind, marked ``trylast`` so that an installed plugin providing the same thing wins.

The registry hooks (storage backends, survey backends, rule kinds) are called once per plugin
when the plugin manager first needs them; each plugin's answer is checked and any problem is
reported with the plugin's name. ``qse_notify`` is called on each notifier separately, so one
failing notifier never stops the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from .markers import hookspec

if TYPE_CHECKING:  # the backends import the plugin system, not the other way round
    from ..notifiers.notification import Notification
    from ..rules.kind_protocol import RuleKind
    from ..stores.protocol import StoreFactory
    from ..survey_backends.protocol import SurveyBackendFactory

# -- storage ---------------------------------------------------------------------------------


@hookspec
def qse_storage_backends() -> Mapping[str, StoreFactory]:  # type: ignore[empty-body]
    """Provide storage backends by URL scheme.

    Called once, the first time :func:`qse_customer.open_store` (or
    :meth:`QSEPluginManager.storage_backends`) needs the table of schemes.

    :return: a mapping of URL scheme (lower case, e.g. ``"jsondir"`` for ``jsondir://...``) to a
        factory called with the full URL that returns an object implementing
        :class:`qse_customer.Store`. The built-ins provide ``memory`` and ``sqlite``.

    A scheme claimed by two installed plugins is a :class:`PluginConflictError` naming both; a
    scheme an installed plugin shares with a built-in goes to the installed plugin. Returning
    something other than a mapping of strings to callables is a :class:`PluginResultError`
    naming the plugin; an exception raised here propagates, wrapped in a
    :class:`PluginResultError` that names the plugin.
    """


# -- notification ----------------------------------------------------------------------------


@hookspec
def qse_notify(notification: Notification) -> None:
    """Deliver one notification (a new breach, an at-risk deadline, a complaint received,
    feedback due).

    Called by :func:`qse_customer.notify_due` (and :func:`qse_customer.notifiers.send`) once for
    each notifier and each notification not yet delivered to it, after the notification was
    recorded in the store's outbox.

    :param notification: a :class:`qse_customer.Notification`; it holds no personal data, so
        it is safe to log or send anywhere.
    :return: nothing; returning normally means delivered, and it is recorded so.

    If it raises, it was not delivered: the error is logged with the notifier's name, the other
    notifiers still run, and the notification stays pending for this notifier until a later run
    delivers it. Delivery is at least once: if the process dies after this hook returns and
    before the store records it, the next run calls it again with the same ``notification.key``.
    """


# -- surveys ---------------------------------------------------------------------------------


@hookspec
def qse_survey_backends() -> Mapping[str, SurveyBackendFactory]:  # type: ignore[empty-body]
    """Provide survey backends by name.

    Called once, the first time :func:`qse_customer.survey_backends.open_survey_backend` (or
    :meth:`QSEPluginManager.survey_backends`) needs them.

    :return: a mapping of backend name (e.g. ``"file"``) to a factory called with keyword
        options that returns an object implementing :class:`qse_customer.SurveyBackend`.

    Conflicts and wrong types are reported as for :func:`qse_storage_backends`; an exception
    raised here is wrapped in a :class:`PluginResultError` naming the plugin.
    """


# -- rules -----------------------------------------------------------------------------------


@hookspec
def qse_rule_kinds() -> Mapping[str, RuleKind]:  # type: ignore[empty-body]
    """Provide extra rule kinds for rulesets, by kind name.

    Called once, the first time :meth:`QSEPluginManager.rule_kinds` is asked (the rule engine
    receives the merged table as its extra kinds).

    :return: a mapping of kind name (as written in a ruleset's ``kind`` field) to an object of
        the rule engine's :class:`qse_customer.rules.kind_protocol.RuleKind` protocol whose
        ``name`` is that same name (subclass ``qse_customer.rules.kind_protocol.BaseRuleKind``).

    A name claimed by two plugins, or by a plugin and a built-in kind, is a
    :class:`PluginConflictError` naming the plugin(s); a wrong type, or a name that disagrees
    with the kind's own, is a :class:`PluginResultError` naming the plugin, and so is an
    exception raised here.
    """
