"""The plugin manager: the hook specifications, the built-in plugins, the installed ones, and
typed access to what they provide.

:func:`get_plugin_manager` builds it once per process: it adds the hook specifications, registers
the built-in plugins (modules of this package, their hooks marked ``trylast``), then loads every
installed plugin of the entry-point group ``qse_customer``, then checks that every hook
implementation matches a hook. The built-ins are registered directly (as pluggy's eggsample host
does) rather than through entry points, so they are there even when the package is used from a
source checkout that was never installed.

Set ``QSE_CUSTOMER_DISABLE_PLUGINS=1`` to load no installed plugin, or to a comma-separated list
of plugin names (entry-point names or built-in names such as
``qse_customer.logging_notifier``) to block just those.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from types import MappingProxyType, ModuleType
from typing import Any, Generic, TypeVar

import pluggy
from attrs import frozen

from ..core.errors import QSEError, ValidationError
from ..core.redaction import redact_url, scrub, scrub_error, secrets_in
from ..rules.kind_protocol import RuleKind
from ..rules.kind_registry import BUILTIN_KINDS
from . import (
    file_survey,
    hookspecs,
    logging_notifier,
    memory_store,
    postgres_store,
    sqlite_store,
)
from .errors import (
    PluginConflictError,
    PluginLoadError,
    PluginResultError,
    StoreError,
    UnknownBackendError,
)
from .markers import DISABLE_PLUGINS_ENV, ENTRY_POINT_GROUP, PROJECT_NAME
from .notification import Notification
from .store import Store, StoreFactory
from .survey_backend import SurveyBackend, SurveyBackendFactory

T = TypeVar("T")

BUILTIN_PLUGINS: tuple[tuple[str, ModuleType], ...] = (
    ("qse_customer.memory_store", memory_store),
    ("qse_customer.sqlite_store", sqlite_store),
    ("qse_customer.postgres_store", postgres_store),
    ("qse_customer.logging_notifier", logging_notifier),
    ("qse_customer.file_survey", file_survey),
)
"""The built-in plugins, by the names they are registered under, in registration order."""

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")
_NAME = re.compile(r"[a-z][a-z0-9_.-]*")
_DISABLE_ALL = {"1", "true", "yes", "all", "*"}

Notifier = Callable[[Notification], object]


@frozen
class Provided(Generic[T]):
    """Something a plugin provides under a name (a URL scheme, a backend name, a kind name);
    ``default`` when its hook is marked ``trylast`` (a built-in default that others override)."""

    name: str
    plugin: str
    value: T
    default: bool


def blocked_from_environment(environ: Mapping[str, str] | None = None) -> tuple[bool, list[str]]:
    """Whether ``QSE_CUSTOMER_DISABLE_PLUGINS`` blocks every installed plugin, and which names."""
    raw = (environ if environ is not None else os.environ).get(DISABLE_PLUGINS_ENV, "").strip()
    if raw.lower() in _DISABLE_ALL:
        return True, []
    return False, [name.strip() for name in raw.split(",") if name.strip()]


class QSEPluginManager:
    """A typed wrapper around pluggy's plugin manager for the ``qse_customer`` hooks.

    ``builtins`` registers the built-in plugins; ``entry_points`` loads the installed ones;
    ``blocked`` names plugins never to register. The raw pluggy manager is :attr:`pluggy`.
    """

    def __init__(
        self,
        *,
        builtins: bool = True,
        entry_points: bool = True,
        blocked: Iterable[str] = (),
    ) -> None:
        self.pluggy = pluggy.PluginManager(PROJECT_NAME)
        self.pluggy.add_hookspecs(hookspecs)
        self._builtin_names: set[str] = set()
        self._cache: dict[str, Mapping[str, Provided[Any]]] = {}
        for name in blocked:
            self.pluggy.set_blocked(name)
        if builtins:
            for name, module in BUILTIN_PLUGINS:
                if not self.pluggy.is_blocked(name):
                    self.register(module, name)
                    self._builtin_names.add(name)
        if entry_points:
            self.load_entry_points()
        self.check_pending()

    # -- registration -----------------------------------------------------------------------

    def register(self, plugin: object, name: str) -> str:
        """Register a plugin (a module or an object with hook methods) under a stable ``name``.

        The name is how deliveries to a notifier are tracked across runs, so it must not change
        between runs. A plugin whose hooks have the wrong arguments is a
        :class:`PluginLoadError` naming it.
        """
        if not isinstance(name, str) or not name:
            raise ValidationError.single("$.name", "expected a non-empty plugin name")
        try:
            registered = self.pluggy.register(plugin, name=name)
        except pluggy.PluginValidationError as error:
            raise PluginLoadError(
                f"plugin {name!r} cannot be registered: {error}; fix its hook implementations "
                "to match qse_customer.plugins.hookspecs",
                plugin=name,
            ) from error
        except ValueError as error:
            raise PluginConflictError(
                f"cannot register plugin {name!r}: {error}", plugins=(name,)
            ) from error
        self._cache.clear()
        return registered or name

    def unregister(self, name: str) -> None:
        """Remove the plugin registered under ``name`` (no error if there is none)."""
        plugin = self.pluggy.get_plugin(name)
        if plugin is not None:
            self.pluggy.unregister(plugin, name=name)
            self._builtin_names.discard(name)
            self._cache.clear()

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> list[str]:
        """Load and register every installed plugin of ``group``; return their names.

        A plugin that fails to import is a :class:`PluginLoadError` naming it, its distribution
        and how to block it.
        """
        loaded: list[str] = []
        sources: dict[str, str] = {}
        for entry_point in importlib.metadata.entry_points(group=group):
            name = entry_point.name
            dist = entry_point.dist
            source = f"{dist.name} {dist.version}" if dist is not None else entry_point.value
            if self.pluggy.is_blocked(name):
                continue
            if name in sources or self.pluggy.has_plugin(name):
                if sources.get(name) == source:
                    continue  # the same distribution seen twice on sys.path
                raise PluginConflictError(
                    f"two plugins are named {name!r} ({sources.get(name, 'registered')} and "
                    f"{source}); uninstall one, or block the name with "
                    f"{DISABLE_PLUGINS_ENV}={name}",
                    plugins=(name,),
                )
            try:
                plugin = entry_point.load()
            except Exception as error:
                raise PluginLoadError(
                    f"plugin {name!r} (entry point {entry_point.value!r} from {source}) failed "
                    f"to import: {type(error).__name__}: {error}; fix or uninstall it, or block "
                    f"it with {DISABLE_PLUGINS_ENV}={name}",
                    plugin=name,
                ) from error
            self.register(plugin, name)
            sources[name] = source
            loaded.append(name)
        return loaded

    def check_pending(self) -> None:
        """Refuse hook implementations that match no hook (a typo in a hook name)."""
        try:
            self.pluggy.check_pending()
        except pluggy.PluginValidationError as error:
            name = self.pluggy.get_name(error.plugin) or repr(error.plugin)
            raise PluginLoadError(
                f"plugin {name!r} implements a hook qse-customer does not have: {error}; the "
                f"hooks are {', '.join(self.hook_names())}",
                plugin=name,
            ) from error

    def hook_names(self) -> list[str]:
        """The names of every hook a plugin may implement."""
        return sorted(name for name in vars(hookspecs) if name.startswith("qse_"))

    def plugin_names(self) -> list[str]:
        """The names of every registered plugin, in registration order."""
        # pluggy lists a blocked name with no plugin.
        return [name for name, plugin in self.pluggy.list_name_plugin() if plugin is not None]

    def is_builtin(self, name: str) -> bool:
        """True for a built-in plugin."""
        return name in self._builtin_names

    # -- what plugins provide ---------------------------------------------------------------

    def _impls(self, hook_name: str) -> list[pluggy.HookImpl]:
        caller: pluggy.HookCaller = getattr(self.pluggy.hook, hook_name)
        return list(reversed(caller.get_hookimpls()))  # pluggy's call order

    def _registry(
        self,
        hook_name: str,
        what: str,
        pattern: re.Pattern[str],
        check: Callable[[object], bool],
        expected: str,
    ) -> Mapping[str, Provided[Any]]:
        cached = self._cache.get(hook_name)
        if cached is not None:
            return cached
        claims: dict[str, list[Provided[Any]]] = {}
        for impl in self._impls(hook_name):
            plugin = impl.plugin_name
            if impl.wrapper or impl.hookwrapper:
                raise PluginResultError(
                    f"plugin {plugin!r} implements {hook_name} as a wrapper; implement it as a "
                    "plain function that returns a mapping",
                    plugin=plugin,
                )
            try:
                result = impl.function()
            except QSEError:
                raise
            except Exception as error:
                raise PluginResultError(
                    f"plugin {plugin!r} raised in {hook_name}: {type(error).__name__}: {error}",
                    plugin=plugin,
                ) from error
            if result is None:
                continue
            if not isinstance(result, Mapping):
                raise PluginResultError(
                    f"plugin {plugin!r}: {hook_name} must return a mapping of {what} to "
                    f"{expected}, got {type(result).__name__}",
                    plugin=plugin,
                )
            for key, value in result.items():
                if not isinstance(key, str) or not pattern.fullmatch(key):
                    raise PluginResultError(
                        f"plugin {plugin!r}: {hook_name} returned the {what} {key!r}; expected "
                        f"lower case letters, digits and {pattern.pattern!r}",
                        plugin=plugin,
                    )
                if not check(value):
                    raise PluginResultError(
                        f"plugin {plugin!r}: {hook_name} returned {type(value).__name__} for "
                        f"{what} {key!r}; expected {expected}",
                        plugin=plugin,
                    )
                claims.setdefault(key, []).append(
                    Provided(key, plugin, value, default=bool(impl.trylast))
                )
        chosen = {key: _choose(what, key, claimants) for key, claimants in claims.items()}
        table = MappingProxyType(chosen)
        self._cache[hook_name] = table
        return table

    def storage_providers(self) -> Mapping[str, Provided[StoreFactory]]:
        """Every URL scheme with the store factory and the plugin that provides it."""
        return self._registry(
            "qse_storage_backends", "URL scheme", _SCHEME, callable, "a store factory (callable)"
        )

    def storage_backends(self) -> Mapping[str, StoreFactory]:
        """Every URL scheme and its store factory."""
        return {scheme: p.value for scheme, p in self.storage_providers().items()}

    def survey_providers(self) -> Mapping[str, Provided[SurveyBackendFactory]]:
        """Every survey backend name with its factory and the plugin that provides it."""
        return self._registry(
            "qse_survey_backends",
            "survey backend name",
            _NAME,
            callable,
            "a survey backend factory (callable)",
        )

    def survey_backends(self) -> Mapping[str, SurveyBackendFactory]:
        """Every survey backend name and its factory."""
        return {name: p.value for name, p in self.survey_providers().items()}

    def rule_kind_providers(self) -> Mapping[str, Provided[RuleKind]]:
        """Every extra rule kind with the plugin that provides it."""
        providers = self._registry(
            "qse_rule_kinds",
            "rule kind name",
            _NAME,
            _is_rule_kind,
            "a rule kind (name, params_schema, event_kinds, roles, check_params, compile)",
        )
        for name, provided in providers.items():
            if name in BUILTIN_KINDS:
                raise PluginConflictError(
                    f"plugin {provided.plugin!r} provides the rule kind {name!r}, which is a "
                    "built-in kind; the plugin must choose another name",
                    plugins=(provided.plugin,),
                )
            if provided.value.name != name:
                raise PluginResultError(
                    f"plugin {provided.plugin!r}: qse_rule_kinds returned a kind named "
                    f"{provided.value.name!r} under the name {name!r}; the two must agree",
                    plugin=provided.plugin,
                )
        return providers

    def rule_kinds(self) -> Mapping[str, RuleKind]:
        """Every extra rule kind from plugins, merged: pass it to the rule engine as its extra
        kinds. Two plugins with one name, or a plugin reusing a built-in kind's name, conflict."""
        return {name: p.value for name, p in self.rule_kind_providers().items()}

    def notifiers(self) -> list[tuple[str, Notifier]]:
        """Every notifier (plugin name and its ``qse_notify``), in call order."""
        found: list[tuple[str, Notifier]] = []
        for impl in self._impls("qse_notify"):
            if impl.wrapper or impl.hookwrapper:
                continue
            function = impl.function
            argnames = impl.argnames

            def call(notification: Notification, _f: Any = function, _a: Any = argnames) -> object:
                arguments = {"notification": notification}
                return _f(*[arguments[name] for name in _a])

            found.append((impl.plugin_name, call))
        return found

    # -- opening backends -------------------------------------------------------------------

    def open_store(self, url: str) -> Store:
        """The store for ``url``, from the plugin that provides its scheme.

        Errors name the URL with its password and secret parameters masked
        (:func:`qse_customer.core.redaction.redact_url`), whichever plugin raised them.
        """
        if not isinstance(url, str) or "://" not in url:
            shown = redact_url(url) if isinstance(url, str) else type(url).__name__
            raise ValidationError.single(
                "$.url",
                f"expected a store URL such as 'sqlite:///lab.db' or 'memory://', got {shown!r}",
            )
        secrets = secrets_in(url)
        scheme = url.split("://", 1)[0].lower()
        providers = self.storage_providers()
        provider = providers.get(scheme)
        if provider is None:
            known = ", ".join(f"{s}:// ({p.plugin})" for s, p in sorted(providers.items()))
            raise UnknownBackendError(
                scrub(
                    f"no installed plugin provides the URL scheme {scheme!r} of "
                    f"{redact_url(url)!r}; known schemes: {known or 'none'}; install the plugin "
                    "that provides it",
                    secrets,
                )
            )
        try:
            store = provider.value(url)
        except QSEError as error:
            clean = scrub_error(error, secrets)
            if clean is error:
                raise
            raise clean from None
        except Exception as error:
            raise StoreError(
                scrub(
                    f"plugin {provider.plugin!r} could not open {redact_url(url)!r}: "
                    f"{type(error).__name__}: {error}",
                    secrets,
                )
            ) from (None if secrets else error)
        if not isinstance(store, Store):
            raise PluginResultError(
                f"plugin {provider.plugin!r}: its factory for {scheme}:// returned "
                f"{type(store).__name__}, which is not a store (see qse_customer.Store)",
                plugin=provider.plugin,
            )
        return store

    def open_survey_backend(self, name: str, **options: Any) -> SurveyBackend:
        """The survey backend ``name`` made with ``options`` (``folder=...`` for ``file``)."""
        providers = self.survey_providers()
        provider = providers.get(name)
        if provider is None:
            known = ", ".join(f"{n} ({p.plugin})" for n, p in sorted(providers.items()))
            raise UnknownBackendError(
                f"no installed plugin provides the survey backend {name!r}; known: "
                f"{known or 'none'}"
            )
        backend = provider.value(**options)
        if not isinstance(backend, SurveyBackend):
            raise PluginResultError(
                f"plugin {provider.plugin!r}: its survey backend {name!r} returned "
                f"{type(backend).__name__}, which is not a survey backend",
                plugin=provider.plugin,
            )
        return backend


def _choose(what: str, key: str, claimants: list[Provided[Any]]) -> Provided[Any]:
    installed = [p for p in claimants if not p.default]
    contenders = installed or claimants
    if len(contenders) > 1:
        names = tuple(p.plugin for p in contenders)
        raise PluginConflictError(
            f"the {what} {key!r} is claimed by more than one plugin: {', '.join(names)}; "
            f"uninstall one, or block one with {DISABLE_PLUGINS_ENV}=<name>",
            plugins=names,
        )
    return contenders[0]


def _is_rule_kind(value: object) -> bool:
    return isinstance(value, RuleKind)


@cache
def get_plugin_manager() -> QSEPluginManager:
    """The process's plugin manager: built-ins and installed plugins, loaded once.

    ``get_plugin_manager.cache_clear()`` forgets it (tests do, after installing a plugin).
    """
    disable_all, blocked = blocked_from_environment()
    manager = QSEPluginManager(builtins=True, entry_points=not disable_all, blocked=blocked)
    # The e-mail notifier is opt-in: QSE_SMTP_URL turns it on without code.
    from .smtp_notifier import register_from_environment

    register_from_environment(manager)
    return manager


def open_store(url: str) -> Store:
    """Open the store at ``url`` (``sqlite:///lab.db``, ``memory://``, or a plugin's scheme)."""
    return get_plugin_manager().open_store(url)


def open_survey_backend(name: str, **options: Any) -> SurveyBackend:
    """Open the survey backend ``name`` (``file`` built in) with its options."""
    return get_plugin_manager().open_survey_backend(name, **options)
