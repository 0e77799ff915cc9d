"""SQL over the lake: DuckDB views over the catalog tables, or Amazon Athena."""

from cinelake.query.athena import AthenaQueryFailed, run_athena
from cinelake.query.duck import connect, view_sql
from cinelake.query.guard import ReadOnlyError, check_read_only
from cinelake.query.result import FORMATS, QueryResult, to_csv, to_json, to_rich
from cinelake.query.run import ENGINES, run_sql

__all__ = [
    "ENGINES",
    "FORMATS",
    "AthenaQueryFailed",
    "QueryResult",
    "ReadOnlyError",
    "check_read_only",
    "connect",
    "run_athena",
    "run_sql",
    "to_csv",
    "to_json",
    "to_rich",
    "view_sql",
]
