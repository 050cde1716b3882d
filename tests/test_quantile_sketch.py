"""The engine's sketch of elapsed times: exact quantiles up to its limit, within 0.5% past it, and
adding many values at once the same as adding each in turn."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from qse_customer.rules._quantiles import (
    EXACT_LIMIT,
    ElapsedSketch,
    bucket_counts,
    exact_quantile,
)

seconds = st.one_of(
    st.floats(min_value=-1e3, max_value=3e9, allow_nan=False),
    st.sampled_from([0.0, -0.0, 1.0, 1.01, 86_400.0]),
    st.integers(min_value=-5, max_value=10**9).map(float),
)


def _state(sketch: ElapsedSketch) -> tuple[object, ...]:
    values = None if sketch._values is None else list(sketch._values)
    return sketch.count, values, dict(sketch.buckets()), sketch._zeros


@settings(max_examples=100)
@given(
    before=st.lists(seconds, max_size=EXACT_LIMIT + 40),
    batches=st.lists(
        st.lists(seconds, max_size=EXACT_LIMIT + 200) | st.lists(seconds, max_size=5),
        max_size=4,
    ),
)
def test_adding_many_is_adding_each_in_turn(
    before: list[float], batches: list[list[float]]
) -> None:
    one_by_one, many, counted = ElapsedSketch(), ElapsedSketch(), ElapsedSketch()
    for value in before:
        one_by_one.add(value)
        many.add(value)
        counted.add(value)
    for batch in batches:
        for value in batch:
            one_by_one.add(value)
        many.add_many(batch)
        # Counted once for several sketches (the engine without numpy): the same sketch.
        counted.add_many(batch, None if counted.exact else bucket_counts(batch))
        assert _state(many) == _state(one_by_one)
        assert _state(counted) == _state(one_by_one)
    for q in (0.0, 0.5, 0.9, 1.0):
        assert many.quantile(q) == one_by_one.quantile(q)


@settings(max_examples=100)
@given(st.lists(seconds, min_size=1, max_size=EXACT_LIMIT), st.sampled_from([0.0, 0.5, 0.9, 1.0]))
def test_quantiles_are_exact_up_to_the_limit(values: list[float], q: float) -> None:
    sketch = ElapsedSketch()
    sketch.add_many(values)
    assert sketch.exact
    assert sketch.quantile(q) == exact_quantile(sorted(max(v, 0.0) for v in values), q)


@settings(max_examples=30)
@given(
    st.integers(min_value=0, max_value=2**32),
    st.integers(min_value=EXACT_LIMIT + 1, max_value=4000),
    st.sampled_from([0.5, 0.9]),
)
def test_past_the_limit_a_quantile_is_within_half_a_percent(seed: int, n: int, q: float) -> None:
    draw = random.Random(seed)
    values = [math.exp(draw.uniform(0.0, math.log(3e9))) for _ in range(n)]
    sketch = ElapsedSketch()
    sketch.add_many(values)
    assert not sketch.exact
    ordered = sorted(values)
    # The bucketed quantile is the midpoint of the bucket holding the value of rank q*(n-1).
    truth = ordered[math.floor(q * (len(ordered) - 1))]
    found = sketch.quantile(q)
    assert found is not None
    assert abs(found - truth) <= 0.005 * truth


def test_an_empty_sketch_has_no_quantile() -> None:
    sketch = ElapsedSketch()
    sketch.add_many([])
    assert sketch.quantile(0.5) is None
    assert sketch.count == 0
