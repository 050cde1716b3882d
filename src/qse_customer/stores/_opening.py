"""Open a store by URL: the scheme picks the plugin that provides it (``memory://``,
``sqlite:///path`` and ``postgresql://...`` built in, or an installed plugin's)."""

from __future__ import annotations

import inspect

from ..core._checks import lab_name
from ..core.errors import QSEError, ValidationError
from ..core.redaction import redact_url, scrub, scrub_error, secrets_in
from ..plugins.errors import PluginResultError, UnknownBackendError
from ..plugins.manager import QSEPluginManager, get_plugin_manager
from .errors import StoreError
from .protocol import Store


def open_store(url: str, *, lab: str | None = None) -> Store:
    """Open the store at ``url`` (``sqlite:///lab.db``, ``memory://``, or a plugin's scheme).

    ``lab``: the store object sees and writes that lab's records only (docs/labs.md); None,
    the store's default lab, as before labs existed.
    """
    return open_store_with(get_plugin_manager(), url, lab=lab)


def takes_lab(factory: object) -> bool:
    """Whether a plugin's store factory accepts ``lab=`` (a factory written before labs
    existed does not: it opens single-lab stores only)."""
    try:
        parameters = inspect.signature(factory).parameters  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return "lab" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )


def open_store_with(plugins: QSEPluginManager, url: str, *, lab: str | None = None) -> Store:
    """The store for ``url``, from the plugin of ``plugins`` that provides its scheme, for
    ``lab`` (None: the default lab).

    A plugin's factory is called as ``factory(url)`` without a lab, and as
    ``factory(url, lab=lab)`` with one; a factory that takes no ``lab`` is refused for a lab
    with :class:`PluginResultError` naming the plugin (it still opens its stores without one).

    Errors name the URL with its password and secret parameters masked
    (:func:`qse_customer.core.redaction.redact_url`), whichever plugin raised them.
    """
    if not isinstance(url, str) or "://" not in url:
        shown = redact_url(url) if isinstance(url, str) else type(url).__name__
        raise ValidationError.single(
            "$.url",
            f"expected a store URL such as 'sqlite:///lab.db' or 'memory://', got {shown!r}",
        )
    if lab is not None:
        lab_name(lab)
    secrets = secrets_in(url)
    scheme = url.split("://", 1)[0].lower()
    providers = plugins.storage_providers()
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
    if lab is not None and not takes_lab(provider.value):
        raise PluginResultError(
            f"plugin {provider.plugin!r}: its store factory for {scheme}:// takes no lab= "
            f"argument, so it cannot open a store for lab {lab!r}; open it without a lab, or "
            "upgrade the plugin (docs/labs.md says what a store for one lab must do)",
            plugin=provider.plugin,
        )
    try:
        store = provider.value(url) if lab is None else provider.value(url, lab=lab)
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
