"""Small, exact statistics over plain Python numbers: average ranks, Spearman's rho, the median.

Kept free of numpy/pandas so the analysis core is a pure function that imports nothing heavy and is
checked against a hand-computed example (and against scipy / pandas in the tests).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import compress, groupby
from operator import mul


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; ties share the mean of the ranks they span: ``[10, 20, 20, 30] -> [1, 2.5, 2.5, 4]``."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    for _, run in groupby(order, key=values.__getitem__):  # the positions of one value, in rank order
        tied = list(run)
        end = start + len(tied) - 1
        shared = (start + end) / 2 + 1  # the mean of ranks start+1 .. end+1
        for position in tied:
            ranks[position] = shared
        start = end + 1
    return ranks


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r, or None when either side is constant (the coefficient is undefined)."""
    if len(xs) != len(ys):
        raise ValueError("pearson needs two sequences of the same length")
    n = len(xs)
    if n == 0:
        return None
    mean_x = math.fsum(xs) / n
    mean_y = math.fsum(ys) / n
    dx = [x - mean_x for x in xs]
    dy = [y - mean_y for y in ys]
    sxx = math.fsum(map(mul, dx, dx))
    syy = math.fsum(map(mul, dy, dy))
    if sxx == 0 or syy == 0:
        return None
    r = math.fsum(map(mul, dx, dy)) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def spearman(xs: Sequence[float | None], ys: Sequence[float | None], *, min_pairs: int = 3) -> float | None:
    """Spearman's rank correlation with average ranks for ties, over the pairs where both values are
    known. None when fewer than ``min_pairs`` pairs remain or a side is constant."""
    if len(xs) != len(ys):
        raise ValueError("spearman needs two sequences of the same length")
    # x == x is False for NaN alone. A flag per pair rather than a tuple per pair: over a large
    # answer, tuples are allocations the garbage collector then walks.
    known = [x is not None and y is not None and x == x and y == y for x, y in zip(xs, ys, strict=True)]
    if sum(known) < min_pairs:
        return None
    return pearson(average_ranks(list(compress(xs, known))), average_ranks(list(compress(ys, known))))  # type: ignore[arg-type]


def median(values: Sequence[float | None]) -> float | None:
    """The median of the known values (mean of the middle two for an even count), None if none."""
    known = sorted(v for v in values if v is not None and not math.isnan(v))
    if not known:
        return None
    middle = len(known) // 2
    if len(known) % 2:
        return known[middle]
    return (known[middle - 1] + known[middle]) / 2
