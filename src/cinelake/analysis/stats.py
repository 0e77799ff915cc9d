"""Small, exact statistics over plain Python numbers: the median, and Pearson's r of exact sums.

The Spearman correlations rank in DuckDB (:func:`cinelake.analysis.table.spearman`), which sums the
centred ranks exactly; the coefficient of those sums, rounded once, is :func:`rank_correlation`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def rank_correlation(sxx: int, syy: int, sxy: int) -> float | None:
    """Pearson's r of centred values from the exact sums of their squares (``sxx``, ``syy``) and of
    their products (``sxy``), all at the same power-of-two scale (which changes no rounding); None
    when a side is constant (the coefficient is undefined). Each sum is rounded to a float once, as an
    exactly rounded sum (:func:`math.fsum`) of the terms would be."""
    if sxx == 0 or syy == 0:
        return None
    r = float(sxy) / math.sqrt(float(sxx) * float(syy))
    return max(-1.0, min(1.0, r))


def median(values: Sequence[float | None]) -> float | None:
    """The median of the known values (mean of the middle two for an even count), None if none."""
    known = sorted(v for v in values if v is not None and not math.isnan(v))
    if not known:
        return None
    middle = len(known) // 2
    if len(known) % 2:
        return known[middle]
    return (known[middle - 1] + known[middle]) / 2
