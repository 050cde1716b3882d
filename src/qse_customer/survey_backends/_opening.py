"""Open a survey backend by name (``file`` built in, or an installed plugin's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..plugins.errors import PluginResultError, UnknownBackendError
from ..plugins.manager import QSEPluginManager, get_plugin_manager
from .protocol import SurveyBackend


def open_survey_backend(name: str, **options: Any) -> SurveyBackend:
    """Open the survey backend ``name`` (``file`` built in) with its options."""
    return open_survey_backend_with(get_plugin_manager(), name, options)


def open_survey_backend_with(
    plugins: QSEPluginManager, name: str, options: Mapping[str, Any]
) -> SurveyBackend:
    """The survey backend ``name`` from the plugin of ``plugins`` that provides it, made with
    ``options`` (``folder=...`` for ``file``)."""
    providers = plugins.survey_providers()
    provider = providers.get(name)
    if provider is None:
        known = ", ".join(f"{n} ({p.plugin})" for n, p in sorted(providers.items()))
        raise UnknownBackendError(
            f"no installed plugin provides the survey backend {name!r}; known: {known or 'none'}"
        )
    backend = provider.value(**options)
    if not isinstance(backend, SurveyBackend):
        raise PluginResultError(
            f"plugin {provider.plugin!r}: its survey backend {name!r} returned "
            f"{type(backend).__name__}, which is not a survey backend",
            plugin=provider.plugin,
        )
    return backend
