"""The plugin manager: the hook specifications, the built-in plugins, the installed ones, and
typed access to what they provide.

:func:`get_plugin_manager` builds it once per process: it adds the hook specifications, registers
the built-in plugins (:data:`BUILTIN_PLUGINS`: the stores, notifiers and survey backends of
:mod:`qse_customer.stores`, :mod:`qse_customer.notifiers` and :mod:`qse_customer.survey_backends`,
their hooks marked ``trylast``), then loads every installed plugin of the entry-point group
``qse_customer``, then checks that every hook implementation matches a hook. The built-ins are
named as an entry point names a plugin (``module:attribute``) and registered directly (as
pluggy's eggsample host does) rather than through entry points, so they are there even when the
package is used from a source checkout that was never installed. A built-in plugin is a small
module or object; the backend behind it (sqlite3, psycopg, smtplib) is imported only when it is
first used, so building the manager costs next to nothing.

Set ``QSE_CUSTOMER_DISABLE_PLUGINS=1`` to load no installed plugin, or to a comma-separated list
of plugin names (entry-point names or built-in names such as
``qse_customer.logging_notifier``) to block just those.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import os
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pluggy
from attrs import frozen

from ..core.errors import QSEError, ValidationError
from ..rules.kind_protocol import RuleKind
from ..rules.kind_registry import BUILTIN_KINDS
from . import hookspecs
from .errors import PluginConflictError, PluginLoadError, PluginResultError
from .markers import DISABLE_PLUGINS_ENV, ENTRY_POINT_GROUP, PROJECT_NAME

if TYPE_CHECKING:
    from ..notifiers.notification import Notification
    from ..stores.protocol import Store, StoreFactory
    from ..survey_backends.protocol import SurveyBackend, SurveyBackendFactory

T = TypeVar("T")

BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = (
    ("qse_customer.memory_store", "qse_customer.stores._builtin:memory"),
    ("qse_customer.sqlite_store", "qse_customer.stores._builtin:sqlite"),
    ("qse_customer.postgres_store", "qse_customer.stores._builtin:postgres"),
    ("qse_customer.logging_notifier", "qse_customer.notifiers.log"),
    ("qse_customer.smtp_notifier", "qse_customer.notifiers._builtin:smtp_from_environment"),
    ("qse_customer.file_survey", "qse_customer.survey_backends._builtin"),
)
"""The built-in plugins: the name each is registered under and where it is, as an entry point
names a plugin (``module`` or ``module:attribute``), in registration order. A target that is a
function is called for the plugin, and returns None when the environment leaves it off (the
SMTP notifier is on only when ``QSE_SMTP_URL`` is set)."""

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*")
_NAME = re.compile(r"[a-z][a-z0-9_.-]*")
_DISABLE_ALL = {"1", "true", "yes", "all", "*"}

Notifier = Callable[["Notification"], object]


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
            for name, target in BUILTIN_PLUGINS:
                if self.pluggy.is_blocked(name):
                    continue
                plugin = _builtin(target)
                if plugin is not None:
                    self.register(plugin, name)
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
        """The store for ``url``, from the plugin that provides its scheme (see
        :func:`qse_customer.stores.open_store`)."""
        from ..stores._opening import open_store_with

        return open_store_with(self, url)

    def open_survey_backend(self, name: str, **options: Any) -> SurveyBackend:
        """The survey backend ``name`` made with ``options`` (see
        :func:`qse_customer.survey_backends.open_survey_backend`)."""
        from ..survey_backends._opening import open_survey_backend_with

        return open_survey_backend_with(self, name, options)


def _builtin(target: str) -> object | None:
    """The built-in plugin at ``target`` (``module`` or ``module:attribute``), or None."""
    module_name, _, attribute = target.partition(":")
    plugin: object = importlib.import_module(module_name)
    if attribute:
        plugin = getattr(plugin, attribute)
    if inspect.isfunction(plugin):
        made: object | None = plugin()
        return made
    return plugin


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
    return QSEPluginManager(builtins=True, entry_points=not disable_all, blocked=blocked)
