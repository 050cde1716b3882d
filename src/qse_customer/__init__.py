"""qse-customer: prove a clinical laboratory meets QSE 2, Customer Focus.

Records (complaints, enquiries, contracts, customers, surveys, referrals) are immutable and carry
their history as events; working calendars turn response-time standards into deadlines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ._lazy import lazy_exports
from .analysis import __all__ as _analysis_names

if TYPE_CHECKING:
    from ._version import __version__
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
    from .plugins import (
        PluginConflictError,
        PluginError,
        PluginLoadError,
        PluginResultError,
        UnknownBackendError,
        get_plugin_manager,
        hookimpl,
        hookspec,
    )
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
        RecordNotFoundError,
        Store,
        StoredRecordError,
        StoreError,
        StoreVersionError,
        open_store,
    )

if TYPE_CHECKING:  # the names that moved (see ``moved`` below), still known to type checkers
    from .analysis import Comparison as Comparison
    from .analysis import Instrument as Instrument
    from .analysis import InstrumentRegistry as InstrumentRegistry
    from .analysis import SurveyAnalysis as SurveyAnalysis
    from .analysis import UnknownInstrumentError as UnknownInstrumentError
    from .analysis import analyse_survey as analyse_survey
    from .analysis import anonymous_response as anonymous_response
    from .analysis import compare_means as compare_means
    from .analysis import compare_nps as compare_nps
    from .analysis import compare_periods as compare_periods
    from .analysis import compare_shares as compare_shares
    from .analysis import control_chart as control_chart
    from .analysis import count_complaints as count_complaints
    from .analysis import cronbach_alpha as cronbach_alpha
    from .analysis import csat as csat
    from .analysis import csat_estimate as csat_estimate
    from .analysis import detect_recurrences as detect_recurrences
    from .analysis import instruments as instruments
    from .analysis import load_instrument as load_instrument
    from .analysis import net_promoter_score as net_promoter_score
    from .analysis import nps_estimate as nps_estimate
    from .analysis import pareto as pareto
    from .analysis import register_instrument as register_instrument
    from .analysis import register_instruments as register_instruments
    from .analysis import response_rate as response_rate
    from .analysis import score_psq18 as score_psq18
    from .analysis import score_response as score_response
    from .analysis import summarise as summarise
    from .analysis import unregister_instrument as unregister_instrument
    from .analysis import wilson_interval as wilson_interval
    from .notifiers import Notification as Notification
    from .notifiers import NotificationKind as NotificationKind
    from .notifiers import SMTPDeliveryError as SMTPDeliveryError
    from .notifiers import SMTPNotifier as SMTPNotifier
    from .notifiers import notify_due as notify_due
    from .plugins import QSEPluginManager as QSEPluginManager
    from .review import PACKET_VERSION as PACKET_VERSION
    from .review import ReviewPacket as ReviewPacket
    from .review import management_review as management_review
    from .review import referral_id as referral_id
    from .review import referrals_from as referrals_from
    from .stores import MemoryStore as MemoryStore
    from .stores import Page as Page
    from .stores import SQLiteStore as SQLiteStore
    from .survey_backends import SurveyBackend as SurveyBackend
    from .survey_backends import open_survey_backend as open_survey_backend

MOVED_FROM_THE_ROOT: Final[dict[str, list[str]]] = {
    "qse_customer.analysis": _analysis_names,  # every name it exports moved there
    "qse_customer.review": [
        "PACKET_VERSION",
        "ReviewPacket",
        "management_review",
        "referral_id",
        "referrals_from",
    ],
    "qse_customer.stores": ["MemoryStore", "Page", "SQLiteStore"],
    "qse_customer.notifiers": [
        "Notification",
        "NotificationKind",
        "SMTPDeliveryError",
        "SMTPNotifier",
        "notify_due",
    ],
    "qse_customer.survey_backends": ["SurveyBackend", "open_survey_backend"],
    "qse_customer.plugins": ["QSEPluginManager"],
}
"""Names the package exported before version 0.2 that now live in a sub-package: they still
resolve here, with a DeprecationWarning naming their home, until version 0.3."""

# Each name is imported from its module when first used, so importing the package is cheap.
__getattr__ = lazy_exports(
    __name__,
    {
        "._version": ["__version__"],
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
        ".plugins": [
            "PluginConflictError",
            "PluginError",
            "PluginLoadError",
            "PluginResultError",
            "UnknownBackendError",
            "get_plugin_manager",
            "hookimpl",
            "hookspec",
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
            "RecordNotFoundError",
            "Store",
            "StoreError",
            "StoreVersionError",
            "StoredRecordError",
            "open_store",
        ],
    },
    moved=MOVED_FROM_THE_ROOT,
)


# Backends (a database driver, SMTP, delivery) are imported when first named, so that importing
# the package (and ``qse-customer --help``) does not pay for them.

__all__ = [
    "RECORD_TYPES",
    "Actor",
    "AnonymousDataField",
    "AnyRecord",
    "CalendarError",
    "CalendarRangeError",
    "Channel",
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
    "Measurement",
    "Need",
    "NeedSource",
    "PluginConflictError",
    "PluginError",
    "PluginLoadError",
    "PluginResultError",
    "Priority",
    "PrivacyError",
    "QSEError",
    "Record",
    "RecordNotFoundError",
    "RecordRef",
    "Referral",
    "Report",
    "Role",
    "Rule",
    "Ruleset",
    "RulesetVersions",
    "ServiceTerm",
    "Severity",
    "Status",
    "Store",
    "StoreError",
    "StoreVersionError",
    "StoredRecordError",
    "Submitter",
    "Survey",
    "SurveyResponse",
    "TestRequest",
    "TransitionError",
    "UnknownBackendError",
    "ValidationError",
    "WorkingCalendar",
    "__version__",
    "allow_anonymous_data",
    "anonymous_data_fields",
    "check",
    "compile_ruleset",
    "contract_rules",
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
    "load_ruleset",
    "load_ruleset_versions",
    "merge_rulesets",
    "open_store",
    "revoke_anonymous_data",
    "schema_for",
    "shipped_rulesets",
    "to_dict",
    "to_json",
]
