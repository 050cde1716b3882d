"""The pluggy markers and names of qse-customer's plugin system.

A plugin marks its hook functions with :data:`hookimpl`; the specifications in
:mod:`qse_customer.plugins.hookspecs` are marked with :data:`hookspec`.
"""

from __future__ import annotations

import pluggy

PROJECT_NAME = "qse_customer"
"""pluggy's project name: the markers below only match hooks of this project."""

ENTRY_POINT_GROUP = "qse_customer"
"""The entry-point group of installed plugins (``[project.entry-points.qse_customer]``)."""

DISABLE_PLUGINS_ENV = "QSE_CUSTOMER_DISABLE_PLUGINS"
"""Environment variable: ``1`` blocks every installed plugin, or a comma-separated list of names."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
"""Marks a hook specification (used by :mod:`qse_customer.plugins.hookspecs` only)."""

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a function or method as an implementation of a qse-customer hook."""
