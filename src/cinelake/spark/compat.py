"""Expressions that differ between Spark 4 (pip's pyspark, ANSI mode on) and Spark 3.5 (Glue 5.0).

Spark 4 fails a query on a bad cast or date under ANSI mode unless the ``try_`` forms are used;
Spark 3.5 has no ``try_to_date`` in Python but returns null for bad input with ANSI off (its default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import Column


def try_to_date(column: Column, fmt: str = "yyyy-MM-dd") -> Column:
    """The date in ``column`` (a string in ``fmt``), or null when it is not one."""
    from pyspark.sql import functions as F

    if hasattr(F, "try_to_date"):
        return F.try_to_date(column, fmt)
    return F.to_date(column, fmt)


def try_cast(name: str, sql_type: str) -> Column:
    """Column ``name`` cast to ``sql_type``, or null where it does not convert (Spark 3.2+ SQL)."""
    from pyspark.sql import functions as F

    return F.expr(f"try_cast(`{name}` AS {sql_type})")
