"""The built-in ``file`` survey backend as a plugin (``qse_customer.file_survey``), registered
exactly as an installed plugin registers its own, its hook marked ``trylast`` so that an installed
plugin named ``file`` wins. :mod:`.file` is imported when the backend is first opened."""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from typing import TYPE_CHECKING

from ..plugins.markers import hookimpl
from .protocol import SurveyBackend, SurveyBackendFactory

if TYPE_CHECKING:
    from ..analysis.instrument_registry import InstrumentRegistry


def open_file(
    *, folder: str | PathLike[str], registry: InstrumentRegistry | None = None
) -> SurveyBackend:
    """A :class:`~qse_customer.survey_backends.file.FileSurveyBackend` on ``folder``."""
    from .file import FileSurveyBackend

    return FileSurveyBackend(folder, registry=registry)


@hookimpl(trylast=True)
def qse_survey_backends() -> Mapping[str, SurveyBackendFactory]:
    """The built-in ``file`` survey backend (an installed plugin named ``file`` wins)."""
    return {"file": open_file}
