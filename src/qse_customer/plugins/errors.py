"""Errors of the plugin system, by what the user must fix; a store's errors are in
:mod:`qse_customer.stores.errors`."""

from __future__ import annotations

from ..core.errors import QSEError


class PluginError(QSEError):
    """A plugin that cannot be used; ``plugin`` names it (its entry-point or registered name)."""

    def __init__(self, message: str, *, plugin: str | None = None) -> None:
        super().__init__(message)
        self.plugin = plugin


class PluginLoadError(PluginError, ImportError):
    """A plugin that fails to import or to register (a hook with the wrong arguments, a hook
    name qse-customer does not have)."""


class PluginConflictError(PluginError):
    """Two plugins that claim the same thing: a URL scheme, a survey backend or a rule kind name."""

    def __init__(self, message: str, *, plugins: tuple[str, ...]) -> None:
        super().__init__(message, plugin=plugins[0] if plugins else None)
        self.plugins = plugins


class PluginResultError(PluginError, TypeError):
    """A plugin whose hook returned something of the wrong type."""


class UnknownBackendError(PluginError, LookupError):
    """A URL scheme or backend name that no installed plugin provides."""
