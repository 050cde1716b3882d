"""The plugin system: the hooks, their markers, the plugin manager and entry-point loading.

Write a plugin: mark functions named like the hooks in :mod:`.hookspecs` with
:data:`hookimpl` and declare the module in your package's ``pyproject.toml``::

    [project.entry-points.qse_customer]
    myplugin = "my_package.plugin"

The built-in backends are plugins of exactly this kind, each in its own package:
:mod:`qse_customer.stores`, :mod:`qse_customer.notifiers` and :mod:`qse_customer.survey_backends`.
See ``docs/plugins.md``.
"""

from __future__ import annotations

from .errors import (
    PluginConflictError,
    PluginError,
    PluginLoadError,
    PluginResultError,
    UnknownBackendError,
)
from .manager import BUILTIN_PLUGINS, Provided, QSEPluginManager, get_plugin_manager
from .markers import DISABLE_PLUGINS_ENV, ENTRY_POINT_GROUP, PROJECT_NAME, hookimpl, hookspec

__all__ = [
    "BUILTIN_PLUGINS",
    "DISABLE_PLUGINS_ENV",
    "ENTRY_POINT_GROUP",
    "PROJECT_NAME",
    "PluginConflictError",
    "PluginError",
    "PluginLoadError",
    "PluginResultError",
    "Provided",
    "QSEPluginManager",
    "UnknownBackendError",
    "get_plugin_manager",
    "hookimpl",
    "hookspec",
]
