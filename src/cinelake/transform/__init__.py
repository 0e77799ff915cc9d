"""The DuckDB engine of the transformations: Raw -> Trusted (:mod:`.duck_trusted`) and Trusted ->
Refined (:mod:`.duck_refined`) as DuckDB SQL, committed through :mod:`cinelake.tables`.

Choose an engine with :mod:`cinelake.engines` (``raw_to_trusted(lake, engine="duckdb"|"spark")``).
"""
