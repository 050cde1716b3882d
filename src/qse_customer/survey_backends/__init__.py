"""Survey backends: what a survey backend is (:class:`SurveyBackend`: distribute a survey to
recipients, collect the responses), the built-in ``file`` backend and
:func:`open_survey_backend`, which picks a backend by name.

Named ``survey_backends`` rather than ``surveys``: the survey itself (:class:`qse_customer.Survey`,
its responses) is a record of :mod:`qse_customer.core`, and its scoring and statistics are
analysis; this package only moves surveys to recipients and responses back. The built-in ``file``
backend is a plugin (:mod:`.builtin`) and :mod:`.file` is imported when it is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from ._opening import open_survey_backend
from .protocol import Collection, Invitation, RejectedResponse, SurveyBackend, SurveyBackendFactory

if TYPE_CHECKING:
    from .file import FileSurveyBackend

__getattr__ = lazy_exports(__name__, {".file": ["FileSurveyBackend"]})

__all__ = [
    "Collection",
    "FileSurveyBackend",
    "Invitation",
    "RejectedResponse",
    "SurveyBackend",
    "SurveyBackendFactory",
    "open_survey_backend",
]
