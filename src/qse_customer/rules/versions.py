"""Several versions of one ruleset, each judging the records of its own time.

A lab changes a standard mid-year (T-4: 5 working days, then 3 from 1 July). Both versions are
one ruleset (the same ``name``, different ``version``), in force one after the other, and a
record is judged by the version in force when its clock started (per rule kind: see
:mod:`~qse_customer.rules._windows`). :class:`RulesetVersions` holds them in order of
``effective_from`` and refuses, as a :class:`~qse_customer.ValidationError` naming the version
by its position in the list given:

- versions of different rulesets (another ``name``), or one version given twice;
- an overlap: two versions taking effect on the same day, or a version whose ``effective_until``
  is on or after the next version's ``effective_from``;
- a gap: a version whose ``effective_until`` ends before the day before the next one's
  ``effective_from``;
- more than one version without ``effective_from`` (only the earliest may leave it out: it is
  then in force from the start).

A version without ``effective_until`` is in force until the day before the next version takes
effect (the next version supersedes it). Records before the first version took effect, or after
the last one's ``effective_until``, are ``not_applicable`` under the first (or last) version.

Each version is compiled as a ruleset of its own and checked over the records, one pass per
version: a sequence of records is read once per version, any other iterable is first held in a
list (give :meth:`CompiledVersions.check_from` a function that streams the records again to keep
memory flat). :func:`merge_reports` then makes one :class:`~qse_customer.rules.report.Report`:
one row per standard (rule id) adding up the versions, with a line per version that judged
something.

:func:`check`, :func:`evaluate` and :func:`compile_ruleset` here accept, besides what the engine's
accept, a list of ruleset sources (read as versions of one ruleset) or a :class:`RulesetVersions`;
they are the ones :mod:`qse_customer.rules` exports.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from itertools import chain, pairwise
from typing import Any, cast
from zoneinfo import ZoneInfo

from attrs import frozen

from ..analysis.periods import Granularity
from ..core.calendar import WorkingCalendar
from ..core.errors import FieldError, ValidationError
from ..core.record import Record
from . import engine
from ._windows import Window
from .engine import Checking, CompiledRuleset, Engine
from .findings import Finding
from .loader import RulesetSource, load_ruleset
from .report import Counts, PeriodSummary, Report, RuleSummary, VersionInForce, VersionSummary
from .ruleset import Rule, Ruleset
from .status import Status

_DEFAULT_KEEP = (Status.BREACHED, Status.AT_RISK)


def _day(value: date) -> str:
    return f"{value:%d %b %Y}"


@frozen
class RulesetVersions:
    """The versions of one ruleset, in the order they took effect (see the module doc)."""

    versions: tuple[Ruleset, ...]

    @classmethod
    def of(cls, rulesets: Sequence[Ruleset]) -> RulesetVersions:
        """Check that ``rulesets`` are versions of one ruleset that neither overlap nor leave a
        gap, and order them; errors name each version by its position in ``rulesets``."""
        if not rulesets:
            raise ValidationError.single(
                "$", "expected at least one version of a ruleset", what="ruleset versions"
            )
        errors: list[FieldError] = []
        name = rulesets[0].name
        seen: dict[str, int] = {}
        for index, ruleset in enumerate(rulesets):
            if ruleset.name != name:
                errors.append(
                    FieldError(
                        f"$[{index}].name",
                        f"{ruleset.name!r} is not a version of {name!r}: a list of rulesets is "
                        "read as versions of one ruleset; check different rulesets one by one "
                        "or merge them with merge_rulesets",
                    )
                )
            elif ruleset.version in seen:
                errors.append(
                    FieldError(
                        f"$[{index}].version",
                        f"version {ruleset.version!r} of {name!r} is given twice (also at "
                        f"$[{seen[ruleset.version]}])",
                    )
                )
            seen.setdefault(ruleset.version, index)
        if errors:
            raise ValidationError(errors, what=f"versions of ruleset {name!r}")
        position = {id(ruleset): index for index, ruleset in enumerate(rulesets)}
        ordered = sorted(rulesets, key=lambda r: r.effective_from or date.min)
        for earlier, later in pairwise(ordered):
            errors.extend(_between(earlier, later, position[id(later)]))
        if errors:
            raise ValidationError(errors, what=f"versions of ruleset {name!r}")
        return cls(tuple(ordered))

    @property
    def name(self) -> str:
        """The ruleset's name."""
        return self.versions[0].name

    @property
    def version(self) -> str:
        """Every version, in order: ``2026.1, 2026.2``."""
        return ", ".join(ruleset.version for ruleset in self.versions)

    @property
    def label(self) -> str:
        """``name versions``, as reports cite it."""
        return f"{self.name} {self.version}"

    @property
    def rules(self) -> tuple[Rule, ...]:
        """One rule per standard: the latest version's rules in its order, then the rules that
        only earlier versions have (each as the latest version having it wrote it)."""
        found: dict[str, Rule] = {}
        for ruleset in reversed(self.versions):
            for rule in ruleset.rules:
                found.setdefault(rule.id, rule)
        return tuple(found.values())

    @property
    def kinds(self) -> Mapping[str, Any]:
        """The rule kinds the versions were validated against."""
        return {key: kind for ruleset in self.versions for key, kind in ruleset.kinds.items()}

    def in_force(self) -> tuple[VersionInForce, ...]:
        """Each version with the local dates it is in force (a version without
        ``effective_until`` ends the day before the next one takes effect)."""
        following = [ruleset.effective_from for ruleset in self.versions[1:]] + [None]
        return tuple(
            VersionInForce(
                ruleset.version,
                ruleset.effective_from,
                ruleset.effective_until or (nxt - timedelta(days=1) if nxt else None),
            )
            for ruleset, nxt in zip(self.versions, following, strict=True)
        )

    def windows(self, zone: ZoneInfo) -> tuple[Window, ...]:
        """When each version is in force, in ``zone``; the first judges what comes before every
        version, the last what comes after."""
        last = len(self.versions) - 1
        return tuple(
            Window.of(
                ruleset,
                zone,
                until=dates.effective_until,
                judges_before=number == 0,
                judges_after=number == last,
            )
            for number, (ruleset, dates) in enumerate(
                zip(self.versions, self.in_force(), strict=True)
            )
        )


def _between(earlier: Ruleset, later: Ruleset, index: int) -> list[FieldError]:
    """Overlaps and gaps between two consecutive versions (``later`` at ``$[index]``)."""
    starts = later.effective_from
    if starts is None:
        return [
            FieldError(
                f"$[{index}].effective_from",
                f"versions {earlier.version!r} and {later.version!r} of {later.name!r} both "
                "have no effective_from; only the first version may leave it out (it is then in "
                "force from the start)",
            )
        ]
    if earlier.effective_from == starts:
        return [
            FieldError(
                f"$[{index}].effective_from",
                f"versions {earlier.version!r} and {later.version!r} of {later.name!r} both take "
                f"effect on {_day(starts)}: versions of one ruleset may not overlap",
            )
        ]
    ends = earlier.effective_until
    if ends is None:
        return []
    if ends >= starts:
        return [
            FieldError(
                f"$[{index}].effective_from",
                f"version {later.version!r} of {later.name!r} takes effect on {_day(starts)}, "
                f"but version {earlier.version!r} is in force until {_day(ends)}: versions of "
                f"one ruleset may not overlap; end {earlier.version!r} on "
                f"{_day(starts - timedelta(days=1))}",
            )
        ]
    if ends < starts - timedelta(days=1):
        return [
            FieldError(
                f"$[{index}].effective_from",
                f"version {later.version!r} of {later.name!r} takes effect on {_day(starts)}, "
                f"but version {earlier.version!r} ends on {_day(ends)}: no version is in force "
                f"from {_day(ends + timedelta(days=1))} to {_day(starts - timedelta(days=1))}; "
                "close the gap",
            )
        ]
    return []


def load_ruleset_versions(
    sources: Sequence[RulesetSource] | RulesetVersions,
    *,
    kinds: Mapping[str, Any] | None = None,
) -> RulesetVersions:
    """The versions of one ruleset from shipped names, paths, mappings or rulesets (see the
    module doc for what is refused)."""
    if isinstance(sources, RulesetVersions):
        if kinds is None:
            return sources
        sources = sources.versions
    if isinstance(sources, str | bytes | os.PathLike | Mapping) or not isinstance(
        sources, Sequence
    ):
        raise ValidationError.single(
            "$",
            "expected a list of versions of one ruleset (shipped names, paths, mappings)",
            what="ruleset versions",
        )
    return RulesetVersions.of([load_ruleset(source, kinds=kinds) for source in sources])


class CompiledVersions:
    """The versions of a ruleset, each compiled against the calendar for its own window."""

    def __init__(self, versions: RulesetVersions, calendar: WorkingCalendar) -> None:
        if not isinstance(calendar, WorkingCalendar):
            raise ValidationError.single(
                "calendar", f"expected a WorkingCalendar, got {type(calendar).__name__}"
            )
        self.versions = versions
        self.calendar = calendar
        windows = versions.windows(ZoneInfo(calendar.timezone))
        self.compiled = tuple(
            CompiledRuleset(ruleset, calendar, in_force=window)
            for ruleset, window in zip(versions.versions, windows, strict=True)
        )

    @property
    def ruleset(self) -> RulesetVersions:
        """The versions (``rules``, ``name``: one per standard, as for a compiled ruleset)."""
        return self.versions

    def evaluate(
        self,
        records: Iterable[Record],
        *,
        at: datetime,
        statuses: Iterable[Status | str] | None = None,
        period: Granularity = "month",
    ) -> Iterator[Finding]:
        """Every version's findings (each record under the version in force for it), version
        after version."""
        held = _replayable(records)
        return self.evaluate_from(lambda: held, at=at, statuses=statuses, period=period)

    def evaluate_from(
        self,
        stream: Callable[[], Iterable[Record]],
        *,
        at: datetime,
        statuses: Iterable[Status | str] | None = None,
        period: Granularity = "month",
    ) -> Iterator[Finding]:
        """:meth:`evaluate`, calling ``stream()`` once per version for the records."""
        wanted = None if statuses is None else tuple(statuses)
        return chain.from_iterable(
            compiled.evaluate(stream(), at=at, statuses=wanted, period=period)
            for compiled in self.compiled
        )

    def check(
        self,
        records: Iterable[Record],
        *,
        at: datetime,
        period: Granularity = "month",
        keep: Iterable[Status | str] = _DEFAULT_KEEP,
        max_findings: int = 10_000,
        engine: Engine = "fast",
    ) -> Report:
        """Check every version over ``records`` and merge the reports (see the module doc)."""
        held = _replayable(records)
        return self.check_from(
            lambda: held,
            at=at,
            period=period,
            keep=keep,
            max_findings=max_findings,
            engine=engine,
        )

    def checking(
        self,
        *,
        at: datetime,
        period: Granularity = "month",
        keep: Iterable[Status | str] = _DEFAULT_KEEP,
        max_findings: int = 10_000,
        engine: Engine = "fast",
    ) -> VersionsChecking:
        """:meth:`check` fed its records in steps (as
        :meth:`~qse_customer.rules.CompiledRuleset.checking`): every version sees every batch."""
        wanted = tuple(keep)
        parts = [
            compiled.checking(
                at=at, period=period, keep=wanted, max_findings=max_findings, engine=engine
            )
            for compiled in self.compiled
        ]
        return VersionsChecking(self.versions, parts, max_findings)

    def check_from(
        self,
        stream: Callable[[], Iterable[Record]],
        *,
        at: datetime,
        period: Granularity = "month",
        keep: Iterable[Status | str] = _DEFAULT_KEEP,
        max_findings: int = 10_000,
        engine: Engine = "fast",
    ) -> Report:
        """:meth:`check`, calling ``stream()`` once per version for the records."""
        wanted = tuple(keep)
        reports = [
            compiled.check(
                stream(),
                at=at,
                period=period,
                keep=wanted,
                max_findings=max_findings,
                engine=engine,
            )
            for compiled in self.compiled
        ]
        return merge_reports(self.versions, reports, max_findings=max_findings)


class VersionsChecking:
    """One check of every version of a ruleset fed its records in steps (see
    :meth:`CompiledVersions.checking`)."""

    def __init__(
        self, versions: RulesetVersions, parts: Sequence[Checking], max_findings: int
    ) -> None:
        self._versions = versions
        self._parts = parts
        self._max_findings = max_findings

    def feed(self, records: Iterable[Record]) -> None:
        """Check the next ``records`` under every version."""
        held = _replayable(records)
        for part in self._parts:
            part.feed(held)

    def report(self) -> Report:
        """The versions' reports merged (see :func:`merge_reports`)."""
        reports = [part.report() for part in self._parts]
        return merge_reports(self._versions, reports, max_findings=self._max_findings)


def _replayable(records: Iterable[Record]) -> Sequence[Record]:
    if isinstance(records, Sequence) and not isinstance(records, str | bytes):
        return records
    if not isinstance(records, Iterable):
        raise ValidationError.single(
            "$.records", f"expected an iterable of records, got {type(records).__name__}"
        )
    return list(records)


def merge_reports(
    versions: RulesetVersions, reports: Sequence[Report], *, max_findings: int = 10_000
) -> Report:
    """One report from one report per version (in the order of ``versions.versions``)."""
    if len(reports) != len(versions.versions):
        raise ValidationError.single(
            "$.reports", f"expected {len(versions.versions)} reports, one per version"
        )
    in_force = versions.in_force()
    lines: dict[str, list[tuple[RuleSummary, VersionInForce]]] = {}
    for report, version in zip(reports, in_force, strict=True):
        for summary in report.rules:
            if summary.counts.total:
                lines.setdefault(summary.rule_id, []).append((summary, version))
    latest: dict[str, RuleSummary] = {}
    for report in reversed(reports):
        for summary in report.rules:
            latest.setdefault(summary.rule_id, summary)
    rows = tuple(
        _row(latest[rule.id], lines.get(rule.id, []))
        for rule in versions.rules
        if rule.id in latest
    )
    findings = [finding for report in reports for finding in report.findings]
    omitted = sum(report.findings_omitted for report in reports)
    first = reports[0]
    return Report(
        ruleset=versions.name,
        ruleset_version=versions.version,
        at=first.at,
        period=first.period,
        timezone=first.timezone,
        calendar=first.calendar,
        records=max(report.records for report in reports),
        rules=rows,
        findings=tuple(findings[:max_findings]),
        kept=first.kept,
        findings_omitted=omitted + max(0, len(findings) - max_findings),
        versions=in_force,
        # Every version reads every record: these are the same in each (the largest, to be safe).
        unstamped_records=max(report.unstamped_records for report in reports),
        backdated_events=max(report.backdated_events for report in reports),
        backdated_after=first.backdated_after,
    )


def _row(latest: RuleSummary, lines: list[tuple[RuleSummary, VersionInForce]]) -> RuleSummary:
    """A standard's row: the versions' counts added up, the latest wording, a line each."""
    keys = sorted({period.period for summary, _ in lines for period in summary.periods})
    periods = tuple(
        PeriodSummary(key, _added([summary.period(key) for summary, _ in lines])) for key in keys
    )
    return RuleSummary(
        rule_id=latest.rule_id,
        title=latest.title,
        kind=latest.kind,
        source=latest.source,
        severity=latest.severity,
        measure=latest.measure,
        counts=_added([summary.counts for summary, _ in lines]),
        periods=periods,
        versions=tuple(
            VersionSummary(
                version=version.version,
                effective_from=version.effective_from,
                effective_until=version.effective_until,
                title=summary.title,
                source=summary.source,
                counts=summary.counts,
                periods=summary.periods,
            )
            for summary, version in lines
        ),
    )


def _added(parts: Sequence[Counts]) -> Counts:
    """Counts added up. Elapsed-time percentiles cannot be added: they are kept when one part
    has elapsed times, and left empty when several have (each version's line keeps its own)."""
    timed = [part for part in parts if part.elapsed_count]
    single = timed[0] if len(timed) == 1 else None
    return Counts(
        met=sum(part.met for part in parts),
        breached=sum(part.breached for part in parts),
        at_risk=sum(part.at_risk for part in parts),
        pending=sum(part.pending for part in parts),
        not_applicable=sum(part.not_applicable for part in parts),
        elapsed_median_seconds=single.elapsed_median_seconds if single else None,
        elapsed_p90_seconds=single.elapsed_p90_seconds if single else None,
        elapsed_count=sum(part.elapsed_count for part in timed),
        elapsed_exact=all(part.elapsed_exact for part in timed) and len(timed) <= 1,
    )


# -- the entry points, with versions ---------------------------------------------------------------

Checkable = RulesetSource | Sequence[RulesetSource] | RulesetVersions
"""What :func:`check` accepts besides a compiled ruleset: one ruleset, or versions of one."""


def _is_versions(ruleset: object) -> bool:
    return isinstance(ruleset, RulesetVersions) or (
        isinstance(ruleset, Sequence) and not isinstance(ruleset, str | bytes)
    )


def compile_ruleset(
    ruleset: Checkable, *, calendar: WorkingCalendar, kinds: Mapping[str, Any] | None = None
) -> CompiledRuleset | CompiledVersions:
    """Compile a ruleset, or the versions of one (a list, or :class:`RulesetVersions`),
    against ``calendar``, once."""
    if isinstance(ruleset, RulesetVersions) or _is_versions(ruleset):
        versions = cast(Sequence[RulesetSource] | RulesetVersions, ruleset)
        return CompiledVersions(load_ruleset_versions(versions, kinds=kinds), calendar)
    # Anything else goes to the loader, which names what it expected.
    return engine.compile_ruleset(cast(RulesetSource, ruleset), calendar=calendar, kinds=kinds)


def _compiled(
    ruleset: Checkable | CompiledRuleset | CompiledVersions,
    calendar: WorkingCalendar,
    kinds: Mapping[str, Any] | None,
) -> CompiledRuleset | CompiledVersions:
    if isinstance(ruleset, CompiledRuleset | CompiledVersions):
        if ruleset.calendar != calendar:
            raise ValidationError.single(
                "calendar",
                "the ruleset was compiled with another calendar; compile it again with this one",
            )
        return ruleset
    return compile_ruleset(ruleset, calendar=calendar, kinds=kinds)


def evaluate(
    records: Iterable[Record],
    ruleset: Checkable | CompiledRuleset | CompiledVersions,
    *,
    calendar: WorkingCalendar,
    at: datetime,
    kinds: Mapping[str, Any] | None = None,
    statuses: Iterable[Status | str] | None = None,
    period: Granularity = "month",
) -> Iterator[Finding]:
    """Stream one finding per record and rule (and per period for thresholds), as of ``at``;
    versions of a ruleset one after the other."""
    compiled = _compiled(ruleset, calendar, kinds)
    return compiled.evaluate(records, at=at, statuses=statuses, period=period)


def check(
    records: Iterable[Record],
    ruleset: Checkable | CompiledRuleset | CompiledVersions,
    *,
    calendar: WorkingCalendar,
    at: datetime,
    kinds: Mapping[str, Any] | None = None,
    period: Granularity = "month",
    keep: Iterable[Status | str] = _DEFAULT_KEEP,
    max_findings: int = 10_000,
    engine: Engine = "fast",
) -> Report:
    """Check ``records`` against a ruleset (or the versions of one) as of ``at`` and summarise
    per rule and period; see :func:`qse_customer.rules.engine.check`."""
    compiled = _compiled(ruleset, calendar, kinds)
    return compiled.check(
        records, at=at, period=period, keep=keep, max_findings=max_findings, engine=engine
    )
