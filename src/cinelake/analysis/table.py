"""The titles of one kind as a table of an in-memory DuckDB, and each group of an answer selected,
ranked and counted there: only the best, the worst and the titles a chart draws come back as records.

Over a million titles, selecting and ranking in Python took seconds a view (a record and a comparison
per title); in DuckDB the same selection, the ``ORDER BY ... LIMIT`` of the best and the worst and the
average ranks of the Spearman correlations take a fraction of that. The numbers are the same to the
last digit as the Python definition they replace: the ranks are exact (halves), DuckDB sums their
squares and products as integers and :func:`cinelake.analysis.stats.rank_correlation` divides them,
rounded once; the figures of the best and the worst are computed from their records.

Every value bound into the SQL is a parameter; the text holds only the kind's declared field names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cinelake.analysis.ranking import unique_by_id
from cinelake.analysis.stats import rank_correlation
from cinelake.catalog.types import quote_ident

if TYPE_CHECKING:
    import duckdb

    from cinelake.analysis.kinds import TitleKind
    from cinelake.analysis.model import Definition, Record

TABLE = "titles"
ELIGIBLE = "eligible"
SQL_TYPES = {int: "BIGINT", float: "DOUBLE"}
_ARROW_TYPES = {"BIGINT": "int64", "DOUBLE": "float64", "VARCHAR": "string"}
# Past this many genre names (TMDB has 19 for films, 16 for TV) a selection tests the genres' list.
MAX_GENRE_BITS = 62


@dataclass(frozen=True, eq=False)
class TitleTable:
    """The titles of ``kind``, one row per TMDB id (its first row read): the row's fields, its genres
    as a list of names and the kind's derived values (profit, ROI), in a table of an in-memory DuckDB
    database of their own (no file access) that each answer queries through a cursor of its own.

    ``genre_bits`` gives each genre name a bit of the ``genre_bits`` column (a title's genres as one
    integer, which a selection tests twenty times faster than the list) when the titles carry at most
    :data:`MAX_GENRE_BITS` names; with more it is empty and selections test the list."""

    kind: TitleKind
    database: duckdb.DuckDBPyConnection = field(repr=False)
    genre_names: tuple[str, ...] = ()
    genre_bits: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, kind: TitleKind, rows: Iterable[Record]) -> TitleTable:
        """The table of ``rows`` (records of ``kind``'s row type)."""
        import duckdb

        unique = unique_by_id(rows)
        columns: dict[str, tuple[str, list[Any]]] = {
            name: (sql_type, [getattr(r, name) for r in unique])
            for name, sql_type in (
                ("tmdb_id", "BIGINT"),
                ("imdb_id", "VARCHAR"),
                (kind.name_field, "VARCHAR"),
                (kind.year_field, "BIGINT"),
                ("genres", "VARCHAR[]"),
                *((name, SQL_TYPES[kind_]) for name, kind_ in kind.figures),
            )
        }
        for name, derive in kind.derived.items():  # the kind's one definition of each derived value
            values = [derive(vars(r)) for r in unique]
            columns[name] = (_sql_type_of(values), values)
        names = tuple(sorted({g for r in unique for g in r.genres}))
        bits = {name: 1 << i for i, name in enumerate(names)} if len(names) <= MAX_GENRE_BITS else {}
        if bits:
            columns["genre_bits"] = ("BIGINT", [sum(bits[g] for g in set(r.genres)) for r in unique])
        database = duckdb.connect(config={"enable_external_access": False})
        _create(database, columns)
        return cls(kind, database, names, bits)

    def __len__(self) -> int:
        with self.cursor() as con:
            return _scalar(con, f"SELECT count(*) FROM {TABLE}")

    def has(self, name: str) -> bool:
        """Whether any title has a known ``name``."""
        with self.cursor() as con:
            return _scalar(con, f"SELECT count({quote_ident(name)}) FROM {TABLE}") > 0

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection of its own to the table's database (its temporary tables its own)."""
        con = self.database.cursor()
        try:
            yield con
        finally:
            con.close()


@dataclass(frozen=True)
class Group:
    """A group's answer as the tables give it: the eligible count, the best and the worst as records,
    the Spearman correlations over all eligible titles, and the titles the charts draw."""

    eligible: int
    best: list[Record]
    worst: list[Record]
    correlations: dict[str, float | None]
    titles: list[Record]


def eligible_where(
    definition: Definition, group: tuple[str, ...], genre_bits: Mapping[str, int]
) -> tuple[str, list[Any]]:
    """The SQL condition (and its parameters) of an eligible title of ``group``: selected by genre
    (any or all of the group's, by name: through ``genre_bits`` when given, else the list) and year,
    with enough votes (the ranking's own count), admitted by the kind, and with a known value to
    rank on."""
    kind, selection = definition.kind, definition.selection
    conditions = [f"{quote_ident(definition.votes_field)} >= ?"]
    parameters: list[Any] = [definition.min_votes]
    if not genre_bits:
        conditions.append(
            f"{'list_has_all' if selection.match == 'all' else 'list_has_any'}(genres, ?::VARCHAR[])"
        )
        parameters.append(list(group))
    elif selection.match == "all" and not set(group) <= set(genre_bits):
        conditions.append("FALSE")  # no title has a genre no title carries
    else:
        mask = sum(genre_bits.get(name, 0) for name in set(group))
        conditions.append("(genre_bits & ?) = ?" if selection.match == "all" else "(genre_bits & ?) <> 0")
        parameters += [mask, mask] if selection.match == "all" else [mask]
    year = quote_ident(kind.year_field)
    if selection.year_from is not None:
        conditions.append(f"{year} >= ?")
        parameters.append(selection.year_from)
    if selection.year_to is not None:
        conditions.append(f"{year} <= ?")
        parameters.append(selection.year_to)
    conditions += [f"({kind.admits_sql})", f"{quote_ident(definition.rank_by)} IS NOT NULL"]
    return " AND ".join(conditions), parameters


def group_answer(
    table: TitleTable, definition: Definition, group: tuple[str, ...], chart_points: int | None = None
) -> Group:
    """The eligible titles of ``group`` counted; the first ``top`` by the rank key descending (best)
    and ascending (worst), both tie-broken on the ranking's vote count descending, then TMDB id
    ascending; the kind's correlations over all of them; and the titles for the charts by TMDB id:
    all of them, or with ``chart_points`` the best, the worst and others evenly spaced by TMDB id up
    to that many in all (:func:`chart_sample`)."""
    kind, rank_by, top = definition.kind, definition.rank_by, definition.top
    fields = kind.item_fields(rank_by)
    select = ", ".join(quote_ident(f) for f in fields)
    where, parameters = eligible_where(definition, group, table.genre_bits)
    with table.cursor() as con:
        # The fields the answer reads (not the genres' lists, which the selection alone needs).
        needed = dict.fromkeys(
            (*fields, definition.votes_field, *(f for _, *xy in kind.correlations for f in xy))
        )
        stored = ", ".join(quote_ident(f) for f in needed)
        con.execute(f"CREATE TEMP TABLE {ELIGIBLE} AS SELECT {stored} FROM {TABLE} WHERE {where}", parameters)
        count = _scalar(con, f"SELECT count(*) FROM {ELIGIBLE}")

        def records(sql: str, values: Sequence[Any] = ()) -> list[Record]:
            return [kind.item_of(row, rank_by) for row in con.execute(sql, list(values)).fetchall()]

        ranked, votes = quote_ident(rank_by), quote_ident(definition.votes_field)
        first = f"SELECT {select} FROM {ELIGIBLE} ORDER BY {ranked} {{}}, {votes} DESC, tmdb_id LIMIT ?"
        best, worst = records(first.format("DESC"), [top]), records(first.format("ASC"), [top])
        rhos = {key: spearman(con, ELIGIBLE, x, y) for key, x, y in kind.correlations}
        picked = sorted({t.tmdb_id for t in (*best, *worst)})
        if chart_points is None or count <= chart_points:
            titles = records(f"SELECT {select} FROM {ELIGIBLE} ORDER BY tmdb_id")
        else:
            kept = chart_sample(count - len(picked), chart_points - len(picked))
            titles = records(
                f"""SELECT {select} FROM (
                        SELECT *, row_number() OVER (ORDER BY tmdb_id) - 1 AS position
                        FROM {ELIGIBLE} WHERE NOT list_contains(?::BIGINT[], tmdb_id)
                    ) WHERE position IN (SELECT unnest(?::BIGINT[]))
                    UNION ALL SELECT {select} FROM {ELIGIBLE} WHERE list_contains(?::BIGINT[], tmdb_id)
                    ORDER BY tmdb_id""",
                [picked, kept, picked],
            )
    return Group(count, best, worst, rhos, titles)


def chart_sample(others: int, room: int) -> list[int]:
    """The positions (by TMDB id) of the ``room`` titles a chart draws among ``others`` beside the
    best and the worst: evenly spaced, the first one first."""
    return [k * others // room for k in range(room)] if room > 0 else []


def spearman(
    con: duckdb.DuckDBPyConnection, relation: str, x: str, y: str, *, min_pairs: int = 3
) -> float | None:
    """Spearman's rank correlation of fields ``x`` and ``y`` of ``relation``, with average ranks for
    ties, over the rows where both are known (not NULL, not NaN): None when fewer than ``min_pairs``
    rows remain or a side is constant.

    Pearson's r of the average ranks, computed exactly: twice an average rank is a whole number (the
    titles of smaller values twice, plus the tied count, plus one), and so is twice its distance from
    the mean rank ``(n + 1) / 2``, so DuckDB sums their squares and products as integers without
    rounding; :func:`rank_correlation` divides the sums, rounded once. (DuckDB's ``corr`` rounds as it
    goes, in other digits.) The ranks are those of each distinct value, joined back: far fewer to
    sort than the titles."""
    qx, qy = quote_ident(x), quote_ident(y)
    known = " AND ".join(f"{q} IS NOT NULL AND NOT isnan({q}::DOUBLE)" for q in (qx, qy))
    doubled = [
        f"""r{i} AS (
            SELECT v{i}, 2 * (sum(tied) OVER (ORDER BY v{i}) - tied) + tied + 1 AS d{i}
            FROM (SELECT v{i}, count(*) AS tied FROM pairs GROUP BY v{i})
        )"""
        for i in (0, 1)
    ]
    sql = f"""
        WITH pairs AS (
            SELECT {qx}::DOUBLE AS v0, {qy}::DOUBLE AS v1 FROM {relation} WHERE {known}
        ),
        {", ".join(doubled)},
        centred AS (
            SELECT (d0 - middle)::BIGINT AS a, (d1 - middle)::BIGINT AS b
            FROM pairs JOIN r0 USING (v0) JOIN r1 USING (v1), (SELECT count(*) + 1 AS middle FROM pairs)
        )
        SELECT count(*), sum(a * a), sum(b * b), sum(a * b) FROM centred
    """
    found = con.execute(sql).fetchone()
    if found is None or found[0] < min_pairs:
        return None
    return rank_correlation(int(found[1]), int(found[2]), int(found[3]))


def _sql_type_of(values: Sequence[Any]) -> str:
    """BIGINT when every known value is a whole number (and none is a bool), else DOUBLE."""
    known = [v for v in values if v is not None]
    return "BIGINT" if all(type(v) is int for v in known) else "DOUBLE"


def _create(database: duckdb.DuckDBPyConnection, columns: Mapping[str, tuple[str, list[Any]]]) -> None:
    """The table of ``columns`` (name: SQL type and values), through Arrow where pyarrow is installed
    (a plain install has it: pyiceberg needs it) and through list parameters where it is not (the
    report's and the dashboard's Lambda bundles, which pyarrow's 96 MB would push past 250 MB).
    Both make the same table; Arrow is about seven times faster on a million titles."""
    try:
        import pyarrow as pa
    except ImportError:
        pa = None
    if pa is None:
        selects = ", ".join(
            f"unnest(${i}::{sql_type}[]) AS {quote_ident(name)}"
            for i, (name, (sql_type, _)) in enumerate(columns.items(), start=1)
        )
        database.execute(f"CREATE TABLE {TABLE} AS SELECT {selects}", [v for _, v in columns.values()])
        return
    arrays = {
        name: pa.array(
            values,
            pa.list_(pa.string()) if sql_type == "VARCHAR[]" else getattr(pa, _ARROW_TYPES[sql_type])(),
        )
        for name, (sql_type, values) in columns.items()
    }
    database.register("loaded", pa.table(arrays))
    database.execute(f"CREATE TABLE {TABLE} AS SELECT * FROM loaded")
    database.unregister("loaded")


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
