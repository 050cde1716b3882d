"""What is computed from records but is not a rule: survey instruments and scoring, survey
statistics, survey rounds, complaint trends and reporting periods.

Imports only :mod:`qse_customer.core`; the rules (a ``threshold`` over survey scores or
recurrences), the management review and the reports build on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .comparisons import Comparison, compare_means, compare_nps, compare_shares
    from .complaint_trends import control_chart, count_complaints, detect_recurrences, pareto
    from .instrument import Instrument
    from .instrument_registry import (
        InstrumentRegistry,
        UnknownInstrumentError,
        instruments,
        load_instrument,
        register_instrument,
        register_instruments,
        unregister_instrument,
    )
    from .scoring import csat, net_promoter_score, score_psq18, score_response
    from .survey_analysis import SurveyAnalysis, analyse_survey, compare_periods
    from .survey_round import anonymous_response, response_rate
    from .survey_statistics import (
        cronbach_alpha,
        csat_estimate,
        nps_estimate,
        summarise,
        wilson_interval,
    )

# Each name is imported from its module when first used: ``rules`` reads ``analysis.periods``
# without loading the survey statistics.
__getattr__ = lazy_exports(
    __name__,
    {
        ".comparisons": ["Comparison", "compare_means", "compare_nps", "compare_shares"],
        ".complaint_trends": ["control_chart", "count_complaints", "detect_recurrences", "pareto"],
        ".instrument": ["Instrument"],
        ".instrument_registry": [
            "InstrumentRegistry",
            "UnknownInstrumentError",
            "instruments",
            "load_instrument",
            "register_instrument",
            "register_instruments",
            "unregister_instrument",
        ],
        ".scoring": ["csat", "net_promoter_score", "score_psq18", "score_response"],
        ".survey_analysis": ["SurveyAnalysis", "analyse_survey", "compare_periods"],
        ".survey_round": ["anonymous_response", "response_rate"],
        ".survey_statistics": [
            "cronbach_alpha",
            "csat_estimate",
            "nps_estimate",
            "summarise",
            "wilson_interval",
        ],
    },
)

__all__ = [
    "Comparison",
    "Instrument",
    "InstrumentRegistry",
    "SurveyAnalysis",
    "UnknownInstrumentError",
    "analyse_survey",
    "anonymous_response",
    "compare_means",
    "compare_nps",
    "compare_periods",
    "compare_shares",
    "control_chart",
    "count_complaints",
    "cronbach_alpha",
    "csat",
    "csat_estimate",
    "detect_recurrences",
    "instruments",
    "load_instrument",
    "net_promoter_score",
    "nps_estimate",
    "pareto",
    "register_instrument",
    "register_instruments",
    "response_rate",
    "score_psq18",
    "score_response",
    "summarise",
    "unregister_instrument",
    "wilson_interval",
]
