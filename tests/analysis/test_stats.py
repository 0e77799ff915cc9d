"""Spearman (ranked in DuckDB) and the median against hand-computed values and an independent library."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cinelake.analysis.stats import median, rank_correlation
from cinelake.analysis.table import spearman as spearman_in


def spearman(xs: list[float | None], ys: list[float | None]) -> float | None:
    """Spearman's rho of the pairs, as the analysis computes it over a DuckDB relation."""
    import duckdb

    with duckdb.connect() as con:
        con.execute("CREATE TABLE pairs (x DOUBLE, y DOUBLE)")
        con.executemany("INSERT INTO pairs VALUES (?, ?)", list(zip(xs, ys, strict=True)))
        return spearman_in(con, "pairs", "x", "y")


def test_spearman_with_ties_matches_the_hand_computation() -> None:
    # ranks x = [1, 2.5, 2.5, 4, 5], ranks y = [1, 2, 3.5, 3.5, 5]; both centred on 3:
    # sum(dx*dy) = 4 + 0.5 - 0.25 + 0.5 + 4 = 8.75, sum(dx^2) = sum(dy^2) = 9.5 -> rho = 8.75 / 9.5 = 35/38
    assert spearman([1, 2, 2, 3, 4], [10, 20, 30, 30, 50]) == pytest.approx(35 / 38, abs=1e-12)


def test_spearman_is_null_when_undefined() -> None:
    assert spearman([1, 2], [3, 4]) is None  # fewer than 3 pairs
    assert spearman([1, 1, 1, 1], [1, 2, 3, 4]) is None  # constant column
    assert spearman([1, 2, None, 4], [4, 3, 2, None]) is None  # only 2 complete pairs remain
    assert spearman([1, 2, 3, float("nan"), 5], [5, 4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3, 4], [4, 3, None, 1]) == -1.0  # the pair with a null is left out


def test_spearman_perfect_monotone_relations() -> None:
    assert spearman([1, 2, 3, 4], [1, 8, 27, 64]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1.0)


def test_rank_correlation_of_exact_sums() -> None:
    # the doubled centred ranks of the hand computation above: sums 4 * 9.5, 4 * 9.5, 4 * 8.75
    assert rank_correlation(38, 38, 35) == 35 / 38
    assert rank_correlation(0, 38, 0) is None


def test_median() -> None:
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5
    assert median([None, 5.0]) == 5.0
    assert median([]) is None


def _reference_spearman(xs: list[float], ys: list[float]) -> float | None:
    """scipy when installed, else pandas' rank-based Spearman (DataFrame.corr, no scipy needed)."""
    try:
        from scipy.stats import spearmanr
    except ImportError:
        import pandas as pd

        value = pd.DataFrame({"x": xs, "y": ys}).corr(method="spearman").loc["x", "y"]
    else:
        value = spearmanr(xs, ys).statistic
    return None if value is None or math.isnan(value) else float(value)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=6), st.integers(min_value=-3, max_value=3)),
        min_size=3,
        max_size=25,
    )
)
def test_spearman_agrees_with_a_reference_implementation(pairs: list[tuple[int, int]]) -> None:
    xs = [float(x) for x, _ in pairs]
    ys = [float(y) for _, y in pairs]
    expected = _reference_spearman(xs, ys)
    got = spearman(xs, ys)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-9)
