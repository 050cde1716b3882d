"""qse-customer: prove a clinical laboratory meets QSE 2, Customer Focus.

Records (complaints, enquiries, contracts, customers, surveys, referrals) are immutable and carry
their history as events; working calendars turn response-time standards into deadlines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

if TYPE_CHECKING:
    from ._version import __version__
    from .analysis.comparisons import Comparison, compare_means, compare_nps, compare_shares
    from .analysis.complaint_trends import (
        control_chart,
        count_complaints,
        detect_recurrences,
        pareto,
    )
    from .analysis.instrument import Instrument
    from .analysis.instrument_registry import (
        InstrumentRegistry,
        UnknownInstrumentError,
        instruments,
        load_instrument,
        register_instrument,
        register_instruments,
        unregister_instrument,
    )
    from .analysis.scoring import csat, net_promoter_score, score_psq18, score_response
    from .analysis.survey_analysis import SurveyAnalysis, analyse_survey, compare_periods
    from .analysis.survey_round import anonymous_response, response_rate
    from .analysis.survey_statistics import (
        cronbach_alpha,
        csat_estimate,
        nps_estimate,
        summarise,
        wilson_interval,
    )
    from .core.anonymous_data import (
        AnonymousDataField,
        allow_anonymous_data,
        anonymous_data_fields,
        revoke_anonymous_data,
    )
    from .core.calendar import WorkingCalendar
    from .core.complaint import Complaint, follow_up_digest
    from .core.contract import Contract, ServiceTerm
    from .core.customer import Customer, Need
    from .core.enquiry import Enquiry
    from .core.errors import (
        CalendarError,
        CalendarRangeError,
        FieldError,
        PrivacyError,
        QSEError,
        TransitionError,
        ValidationError,
    )
    from .core.events import Event
    from .core.export import for_export
    from .core.follow_up import FollowUp, find_by_follow_up, follow_up
    from .core.measurement import Measurement
    from .core.parties import RecordRef, Submitter
    from .core.record import Record
    from .core.record_types import RECORD_TYPES, AnyRecord
    from .core.referral import Referral
    from .core.roles import Actor, Role
    from .core.schema import schema_for
    from .core.serialisation import from_dict, from_json, to_dict, to_json
    from .core.survey import Survey, SurveyResponse
    from .core.test_request import TestRequest
    from .core.vocabulary import (
        Channel,
        CustomerCategory,
        CustomerKind,
        NeedSource,
        Priority,
        Severity,
    )
    from .notifiers import (
        Notification,
        NotificationKind,
        SMTPDeliveryError,
        SMTPNotifier,
        notify_due,
    )
    from .plugins import (
        PluginConflictError,
        PluginError,
        PluginLoadError,
        PluginResultError,
        QSEPluginManager,
        UnknownBackendError,
        get_plugin_manager,
        hookimpl,
        hookspec,
    )
    from .review import PACKET_VERSION, ReviewPacket, management_review, referral_id, referrals_from
    from .rules import (
        CompiledRuleset,
        Finding,
        Report,
        Rule,
        Ruleset,
        RulesetVersions,
        Status,
        check,
        compile_ruleset,
        contract_rules,
        evaluate,
        load_ruleset,
        load_ruleset_versions,
        merge_rulesets,
        shipped_rulesets,
    )
    from .stores import (
        CorruptStoreError,
        ForeignStoreError,
        HistoryRewriteError,
        MemoryStore,
        Page,
        RecordNotFoundError,
        SQLiteStore,
        Store,
        StoredRecordError,
        StoreError,
        StoreVersionError,
        open_store,
    )
    from .survey_backends import SurveyBackend, open_survey_backend

# Each name is imported from its module when first used, so importing the package is cheap.
__getattr__ = lazy_exports(
    __name__,
    {
        "._version": ["__version__"],
        ".analysis.comparisons": ["Comparison", "compare_means", "compare_nps", "compare_shares"],
        ".analysis.complaint_trends": [
            "control_chart",
            "count_complaints",
            "detect_recurrences",
            "pareto",
        ],
        ".analysis.instrument": ["Instrument"],
        ".analysis.instrument_registry": [
            "InstrumentRegistry",
            "UnknownInstrumentError",
            "instruments",
            "load_instrument",
            "register_instrument",
            "register_instruments",
            "unregister_instrument",
        ],
        ".analysis.scoring": ["csat", "net_promoter_score", "score_psq18", "score_response"],
        ".analysis.survey_analysis": ["SurveyAnalysis", "analyse_survey", "compare_periods"],
        ".analysis.survey_round": ["anonymous_response", "response_rate"],
        ".analysis.survey_statistics": [
            "cronbach_alpha",
            "csat_estimate",
            "nps_estimate",
            "summarise",
            "wilson_interval",
        ],
        ".core.anonymous_data": [
            "AnonymousDataField",
            "allow_anonymous_data",
            "anonymous_data_fields",
            "revoke_anonymous_data",
        ],
        ".core.calendar": ["WorkingCalendar"],
        ".core.complaint": ["Complaint", "follow_up_digest"],
        ".core.contract": ["Contract", "ServiceTerm"],
        ".core.customer": ["Customer", "Need"],
        ".core.enquiry": ["Enquiry"],
        ".core.errors": [
            "CalendarError",
            "CalendarRangeError",
            "FieldError",
            "PrivacyError",
            "QSEError",
            "TransitionError",
            "ValidationError",
        ],
        ".core.events": ["Event"],
        ".core.export": ["for_export"],
        ".core.follow_up": ["FollowUp", "find_by_follow_up", "follow_up"],
        ".core.measurement": ["Measurement"],
        ".core.parties": ["RecordRef", "Submitter"],
        ".core.record": ["Record"],
        ".core.record_types": ["AnyRecord", "RECORD_TYPES"],
        ".core.referral": ["Referral"],
        ".core.roles": ["Actor", "Role"],
        ".core.schema": ["schema_for"],
        ".core.serialisation": ["from_dict", "from_json", "to_dict", "to_json"],
        ".core.survey": ["Survey", "SurveyResponse"],
        ".core.test_request": ["TestRequest"],
        ".core.vocabulary": [
            "Channel",
            "CustomerCategory",
            "CustomerKind",
            "NeedSource",
            "Priority",
            "Severity",
        ],
        ".notifiers": [
            "Notification",
            "NotificationKind",
            "SMTPDeliveryError",
            "SMTPNotifier",
            "notify_due",
        ],
        ".plugins": [
            "PluginConflictError",
            "PluginError",
            "PluginLoadError",
            "PluginResultError",
            "QSEPluginManager",
            "UnknownBackendError",
            "get_plugin_manager",
            "hookimpl",
            "hookspec",
        ],
        ".review": [
            "PACKET_VERSION",
            "ReviewPacket",
            "management_review",
            "referral_id",
            "referrals_from",
        ],
        ".rules": [
            "CompiledRuleset",
            "Finding",
            "Report",
            "Rule",
            "Ruleset",
            "RulesetVersions",
            "Status",
            "check",
            "compile_ruleset",
            "contract_rules",
            "evaluate",
            "load_ruleset",
            "load_ruleset_versions",
            "merge_rulesets",
            "shipped_rulesets",
        ],
        ".stores": [
            "CorruptStoreError",
            "ForeignStoreError",
            "HistoryRewriteError",
            "MemoryStore",
            "Page",
            "RecordNotFoundError",
            "SQLiteStore",
            "Store",
            "StoreError",
            "StoreVersionError",
            "StoredRecordError",
            "open_store",
        ],
        ".survey_backends": ["SurveyBackend", "open_survey_backend"],
    },
)


# Backends (a database driver, SMTP, delivery) are imported when first named, so that importing
# the package (and ``qse-customer --help``) does not pay for them.

__all__ = [
    "PACKET_VERSION",
    "RECORD_TYPES",
    "Actor",
    "AnonymousDataField",
    "AnyRecord",
    "CalendarError",
    "CalendarRangeError",
    "Channel",
    "Comparison",
    "CompiledRuleset",
    "Complaint",
    "Contract",
    "CorruptStoreError",
    "Customer",
    "CustomerCategory",
    "CustomerKind",
    "Enquiry",
    "Event",
    "FieldError",
    "Finding",
    "FollowUp",
    "ForeignStoreError",
    "HistoryRewriteError",
    "Instrument",
    "InstrumentRegistry",
    "Measurement",
    "MemoryStore",
    "Need",
    "NeedSource",
    "Notification",
    "NotificationKind",
    "Page",
    "PluginConflictError",
    "PluginError",
    "PluginLoadError",
    "PluginResultError",
    "Priority",
    "PrivacyError",
    "QSEError",
    "QSEPluginManager",
    "Record",
    "RecordNotFoundError",
    "RecordRef",
    "Referral",
    "Report",
    "ReviewPacket",
    "Role",
    "Rule",
    "Ruleset",
    "RulesetVersions",
    "SMTPDeliveryError",
    "SMTPNotifier",
    "SQLiteStore",
    "ServiceTerm",
    "Severity",
    "Status",
    "Store",
    "StoreError",
    "StoreVersionError",
    "StoredRecordError",
    "Submitter",
    "Survey",
    "SurveyAnalysis",
    "SurveyBackend",
    "SurveyResponse",
    "TestRequest",
    "TransitionError",
    "UnknownBackendError",
    "UnknownInstrumentError",
    "ValidationError",
    "WorkingCalendar",
    "__version__",
    "allow_anonymous_data",
    "analyse_survey",
    "anonymous_data_fields",
    "anonymous_response",
    "check",
    "compare_means",
    "compare_nps",
    "compare_periods",
    "compare_shares",
    "compile_ruleset",
    "contract_rules",
    "control_chart",
    "count_complaints",
    "cronbach_alpha",
    "csat",
    "csat_estimate",
    "detect_recurrences",
    "evaluate",
    "find_by_follow_up",
    "follow_up",
    "follow_up_digest",
    "for_export",
    "from_dict",
    "from_json",
    "get_plugin_manager",
    "hookimpl",
    "hookspec",
    "instruments",
    "load_instrument",
    "load_ruleset",
    "load_ruleset_versions",
    "management_review",
    "merge_rulesets",
    "net_promoter_score",
    "notify_due",
    "nps_estimate",
    "open_store",
    "open_survey_backend",
    "pareto",
    "referral_id",
    "referrals_from",
    "register_instrument",
    "register_instruments",
    "response_rate",
    "revoke_anonymous_data",
    "schema_for",
    "score_psq18",
    "score_response",
    "shipped_rulesets",
    "summarise",
    "to_dict",
    "to_json",
    "unregister_instrument",
    "wilson_interval",
]
