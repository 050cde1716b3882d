"""A check fed in steps, and the engine's shortcuts about when to settle its clocks and keep its
findings, give the report of one check and of the plain path.

- A feed that leaves no finding to keep leaves its clocks waiting for the next feed's (up to
  ``_HELD`` of them), settled together later, by :meth:`report` at the latest.
- numpy installed but not loaded, a check settles its first ``_IN_LISTS`` clocks in lists and
  only then loads numpy for the rest: the lists and the arrays give the same report and the same
  sketches, even mixed within one check.
- Once a report holds ``max_findings``, the generated loop counts a fused group's findings as
  omitted without calling back into the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer.rules import Status, compile_ruleset, load_ruleset, merge_rulesets
from qse_customer.rules import engine as engine_module
from qse_customer.testing.strategies import complaints
from test_rules_clock_batch import (
    KEEP_ALL_BUT_NOT_APPLICABLE,
    LAB,
    STANDARDS,
    batching,
    enquiries,
    moments,
    sketch_states,
)

BOTH = compile_ruleset(
    merge_rulesets(
        "both",
        "1",
        [load_ruleset(name) for name in ("qse2-responsibility", "customer-service-standards")],
    ),
    calendar=LAB,
)
KEEPS: list[dict[str, Any]] = [
    {},
    {"keep": ()},
    {"keep": KEEP_ALL_BUT_NOT_APPLICABLE, "max_findings": 3},
    {"keep": tuple(Status), "max_findings": 0},
]


@contextmanager
def patched(name: str, value: Any) -> Iterator[None]:
    """``engine_module.<name>`` set to ``value`` for the block."""
    original = getattr(engine_module, name)
    setattr(engine_module, name, value)
    try:
        yield
    finally:
        setattr(engine_module, name, original)


def fed(compiled: Any, batch: list[Any], cuts: list[int], at: datetime, **options: Any) -> Any:
    """The report of ``batch`` fed in the steps ``cuts`` makes, checking after each feed that no
    finding waits (its records are not held) and that fewer than ``_HELD`` clocks do."""
    checking = compiled.checking(at=at, **options)
    run = checking._run
    for low, high in zip([0, *cuts], [*cuts, len(batch)], strict=True):
        checking.feed(batch[low:high])
        assert not run.ordered
        assert sum(len(column.times) for column in run.active) < 3 * engine_module._HELD
    return checking.report().to_dict()


def cut(size: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, size), max_size=5).map(sorted)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(enquiries(), max_size=12).flatmap(lambda batch: st.tuples(st.just(batch), cut(12))),
    moments,
    st.integers(1, 6),
    st.sampled_from(KEEPS),
    st.sampled_from(["arrays", "lists"]),
)
def test_clocks_that_wait_across_feeds_are_settled_as_one_check_settles_them(
    case: tuple[list[Any], list[int]], at: datetime, held: int, options: dict[str, Any], mode: str
) -> None:
    batch, cuts = case
    cuts = [min(point, len(batch)) for point in cuts]
    whole = STANDARDS.check(batch, at=at, engine="plain", **options).to_dict()
    with batching(mode), patched("_HELD", held):
        assert fed(STANDARDS, batch, cuts, at, **options) == whole


@settings(max_examples=60, deadline=None)
@given(
    st.lists(enquiries(), max_size=12).flatmap(lambda batch: st.tuples(st.just(batch), cut(12))),
    moments,
    st.integers(0, 12),
    st.sampled_from(KEEPS),
)
def test_the_first_clocks_settled_in_lists_then_the_rest_in_arrays(
    case: tuple[list[Any], list[int]], at: datetime, in_lists: int, options: dict[str, Any]
) -> None:
    """numpy not loaded (as far as the engine can tell): the clocks up to ``in_lists`` are
    settled in lists, every later batch with numpy; the report and the sketches are those of
    either path alone."""
    batch, cuts = case
    cuts = [min(point, len(batch)) for point in cuts]
    paths: list[tuple[str, int]] = []
    lists, arrays = engine_module._CheckRun._settle_lists, engine_module._CheckRun._settle_arrays

    def spy(path: str, settle: Any) -> Any:
        def settled(run: Any, by_slot: Any) -> None:
            clocks = sum(len(column.times) for columns in by_slot.values() for column in columns)
            # The clocks settled in lists before these.
            paths.append((path, run.listed - clocks // 3 if path == "lists" else run.listed))
            settle(run, by_slot)

        return settled

    states = []
    reports = []
    for mode in ("mixed", "arrays", "lists"):
        loaded = mode != "mixed"
        with (
            batching("arrays" if mode == "mixed" else mode),
            patched("_IN_LISTS", in_lists),
            patched("_numpy_loaded", lambda loaded=loaded: loaded),
            patched("_HELD", 2),
        ):
            engine_module._CheckRun._settle_lists = spy("lists", lists)  # type: ignore[method-assign]
            engine_module._CheckRun._settle_arrays = spy("arrays", arrays)  # type: ignore[method-assign]
            try:
                checking = STANDARDS.checking(at=at, **options)
                for low, high in zip([0, *cuts], [*cuts, len(batch)], strict=True):
                    checking.feed(batch[low:high])
                reports.append(checking.report().to_dict())
            finally:
                engine_module._CheckRun._settle_lists = lists  # type: ignore[method-assign]
                engine_module._CheckRun._settle_arrays = arrays  # type: ignore[method-assign]
            states.append(sketch_states(checking._run))
        if mode == "mixed":
            # Lists while fewer than in_lists clocks were settled in them, then arrays only.
            kinds = [path for path, _ in paths]
            assert kinds == sorted(kinds, key=lambda path: path == "arrays")
            assert all(listed < in_lists for path, listed in paths if path == "lists")
            assert all(listed >= in_lists for path, listed in paths if path == "arrays")
        paths.clear()
    assert reports[0] == reports[1] == reports[2]
    assert states[0] == states[1] == states[2]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(complaints(), min_size=1, max_size=8).flatmap(
        lambda batch: st.tuples(st.just(batch), cut(8))
    ),
    moments,
    st.integers(0, 4),
    st.sampled_from([(Status.BREACHED,), tuple(Status)]),
)
def test_a_full_report_counts_the_fused_findings_it_leaves_out(
    case: tuple[list[Any], list[int]], at: datetime, most: int, keep: tuple[Status, ...]
) -> None:
    batch, cuts = case
    cuts = [min(point, len(batch)) for point in cuts]
    options = {"keep": keep, "max_findings": most}
    plain = BOTH.check(batch, at=at, engine="plain", **options).to_dict()
    assert BOTH.check(batch, at=at, **options).to_dict() == plain
    assert fed(BOTH, batch, cuts, at, **options) == plain
