"""The kinds of title the analysis answers for, each one declaration: its fields, what it may rank on,
what makes a title eligible, its figures and correlations, the columns and charts that show it, its
words, and what it reads from the lake.

Everything else (:mod:`cinelake.analysis.compute`, :mod:`cinelake.analysis.answer`, the report, the
terminal tables and the dashboard) is one code path over a :class:`TitleKind`: adding a kind is adding
a declaration here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from cinelake.analysis import charts, plotting, reading
from cinelake.analysis.loader import KindQueries, number
from cinelake.analysis.model import Record, record_type
from cinelake.lake.layout import Kind

if TYPE_CHECKING:
    from cinelake.analysis.model import Definition, GenreResult

# Below these, TMDB's budget and revenue mean "unknown" (0 above all), not a real amount.
MIN_BUDGET = 1_000
MIN_REVENUE = 1_000
# The Comedy and Animation series of the packaged 2019 sample have vote_count quartiles 57 / 195 / 642
# (films of the same genres: thousands). Below 50 sit 9 series with 0 to 34 votes, whose averages move
# a point with a vote (2.4 from 7 votes, 8.8 from 18); 50 keeps 27 Comedy and 24 Animation series,
# enough for a best five and a worst five that do not overlap. See docs/analysis.md.
SERIES_MIN_VOTES = 50
FILMS_MIN_VOTES = 100
NO_MONEY = (
    "TMDB's TV endpoints have no budget or revenue: the series answer has no money figures, and "
    "popularity is compared with vote_average, seasons and episodes instead"
)


@dataclass(frozen=True)
class Column:
    """A column a table shows: its header, the title's field and how the value is written
    (:func:`cell_text`; ``title`` and ``money`` are the renderer's own)."""

    header: str
    field: str
    format: str


@dataclass(frozen=True)
class Figure:
    """A summary figure of a group: ``count`` of titles, ``median`` or ``total`` of a field."""

    key: str
    reduce: str
    field: str = ""


@dataclass(frozen=True)
class Tile:
    """A figure the dashboard shows first: ``eligible`` (the count), ``pair`` (a summary figure of the
    best / of the worst, written as ``format`` says) or ``rho`` (a correlation), under ``label``."""

    key: str
    label: str
    shows: str
    figure: str = ""
    format: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart of one genre's answer: ``key`` names it in element ids, ``build`` draws it."""

    key: str
    build: Callable[[GenreResult], plotting.Figure]
    label: str
    wide: bool = False


@dataclass(frozen=True)
class TitleKind:
    """One kind of title, declared."""

    kind: Kind
    singular: str  # "film"
    plural: str  # "films"
    in_both: tuple[str, str]  # how one title / several "are in both" lists
    name_field: str  # the title's name in the answer ("title", "name")
    year_field: str  # its year in the answer ("release_year", "first_air_year")
    genre_words: str  # "TMDB genres"
    year_words: str  # "release year"
    genre_what: str  # what an unknown genre is called in the error ("genre", "TV genre")
    tmdb_genres: tuple[str, ...]  # TMDB's list: a genre named here is known even without titles
    # The row's values after its genres, in the loader's order, each (name, int or float).
    figures: tuple[tuple[str, type], ...]
    # Values computed from the row's (profit, ROI), by name.
    derived: Mapping[str, Callable[[Mapping[str, Any]], Any]]
    # An eligible title's fields after tmdb_id, imdb_id, name and year, in the answer's order.
    shown: tuple[str, ...]
    rank_keys: tuple[str, ...]
    default_min_votes: int
    # The kind's own eligibility beyond the selection and the vote count (a DuckDB condition over its
    # fields, no values from outside), and how the definition says it.
    admits_sql: str
    admits_words: str
    thresholds: Mapping[str, int]  # the numbers ``admits_sql`` uses, as the definition's JSON states them
    statements_after: tuple[tuple[str, str], ...]  # the definition's statements after best and worst
    correlations: tuple[tuple[str, str, str], ...]  # (key, x field, y field), in the answer's order
    correlations_words: str
    summary: tuple[Figure, ...]
    differences: tuple[str, ...]  # summary keys whose best-minus-worst difference is stated
    page_columns: tuple[Column, ...]
    terminal_columns: tuple[Column, ...]
    summary_rows: tuple[tuple[str, str, str], ...]  # (label, summary key, format), for people
    charts: tuple[Chart, ...]
    tiles: tuple[Tile, ...]
    reading: Callable[[GenreResult, str], str]
    queries: KindQueries
    report_title: str  # the report's heading when the kind leads the page ({genres}, {rank_by})
    no_money: str | None = None  # why the kind has no money figures, when it has none
    table_class: str = "films"
    genre_heading: str = "{genre}"  # a genre's heading in the report and on the terminal
    report_anchor: str = "genre"  # the report's section ids: "<anchor>-<genre>"
    chart_prefix: str = ""  # the report's chart ids: "chart-<prefix><genre>-<chart>"
    # Rank keys that carry their own vote count (min_votes and the tie-break use it); an answer ranked
    # by one shows it and its count beside ``shown``, in these columns, and says what it is in words.
    own_votes: Mapping[str, str] = field(default_factory=dict)
    own_columns: Mapping[str, tuple[Column, ...]] = field(default_factory=dict)
    own_words: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The kind's name on the command line and in URLs: ``movies``, ``series``."""
        return self.kind.value.lower()

    def noun(self, count: int) -> str:
        return self.singular if count == 1 else self.plural

    @cached_property
    def row_type(self) -> type[Record]:
        """One title as read from the lake: the fields the definition needs, nothing derived."""
        head: list[tuple[str, Any, bool]] = [("tmdb_id", int, False), ("imdb_id", str | None, False)]
        head += [(self.name_field, str | None, False), (self.year_field, int | None, False)]
        head += [("genres", tuple[str, ...], False)]
        required = [(name, kind | None, False) for name, kind in self.figures if name not in self.optional]
        optional = [(name, kind | None, True) for name, kind in self.figures if name in self.optional]
        return record_type(f"{self.singular.title()}Row", head + required + optional)

    @property
    def optional(self) -> set[str]:
        """The figures a row may leave out (those of a rank key with its own vote count)."""
        return set(self.own_votes) | set(self.own_votes.values())

    def item_fields(self, rank_by: str) -> tuple[str, ...]:
        """An eligible title's fields in the answer when ranked by ``rank_by``."""
        own = (rank_by, self.own_votes[rank_by]) if rank_by in self.own_votes else ()
        return ("tmdb_id", "imdb_id", self.name_field, self.year_field, *self.shown, *own)

    @cached_property
    def _item_types(self) -> dict[str, type[Record]]:
        types: dict[str, Any] = {"tmdb_id": int, "imdb_id": str | None, "genres": tuple[str, ...]}
        types |= {self.name_field: str | None, self.year_field: int | None}
        types |= {name: kind | None for name, kind in self.figures} | {name: Any for name in self.derived}
        found = {}
        for rank_by in self.rank_keys:
            columns = [(name, types[name], False) for name in self.item_fields(rank_by)]
            found[rank_by] = record_type(self.singular.title(), columns)
        return found

    def item_of(self, values: tuple[Any, ...], rank_by: str) -> Record:
        """The eligible title of ``values``, given in the order of :meth:`item_fields` of ``rank_by``."""
        return self._item_types[rank_by](*values)

    def row(self, values: tuple[Any, ...]) -> Record:
        """A row from the loader's values: ``tmdb_id, imdb_id, name, year, genres, *figures``."""
        tmdb_id, imdb_id, name, year, genres, *figures = values
        converted = {
            figure: None if value is None else (int(value) if kind is int else number(value))
            for (figure, kind), value in zip(self.figures, figures, strict=False)
        }
        fields: dict[str, Any] = {"tmdb_id": int(tmdb_id), "imdb_id": imdb_id, self.name_field: name}
        fields[self.year_field] = None if year is None else int(year)
        fields["genres"] = tuple(g for g in (genres or []) if g is not None)
        return self.row_type(**fields, **converted)

    def page_columns_for(self, rank_by: str) -> tuple[Column, ...]:
        """The report's and the dashboard's columns of an answer ranked by ``rank_by``."""
        return (*self.page_columns, *self.own_columns.get(rank_by, ()))

    def terminal_columns_for(self, rank_by: str) -> tuple[Column, ...]:
        """The terminal's columns of an answer ranked by ``rank_by``."""
        return (*self.terminal_columns, *self.own_columns.get(rank_by, ()))

    def votes_of(self, rank_by: str) -> str:
        """The vote count ``min_votes`` and the tie-break use when ranking by ``rank_by``."""
        return self.own_votes.get(rank_by, "vote_count")

    def statements(self, d: Definition) -> dict[str, str]:
        """The definition ``d`` in words."""
        order = f"then {d.votes_field} descending, then TMDB id ascending; the first {d.top}"
        return {
            "eligible": (
                f"a {self.singular} {d.selection.words(self.genre_words, self.year_words)}, with "
                f"{self.admits_words}{d.votes_field} >= {d.min_votes:,} and a known {d.rank_by}"
            ),
            "best": f"sorted by {d.rank_by} descending, {order}",
            "worst": f"sorted by {d.rank_by} ascending, {order}",
            **({d.rank_by: self.own_words[d.rank_by]} if d.rank_by in self.own_words else {}),
            **dict(self.statements_after),
            "correlations": self.correlations_words,
        }


def _refined_sql(
    fact: str,
    dim: str,
    key: str,
    name: str,
    year: str,
    figures: tuple[str, ...],
    missing: tuple[str, ...] = (),
) -> str:
    """Portable SQL (DuckDB and Athena/Trino) over a kind's Refined fact and dimension: ``key``, the
    ids, the name (the original name where the title has none), the year, the ``figures`` (those
    ``missing`` from the fact read as NULL) and the snapshot date. The fact may hold one row per title
    and snapshot: the newest snapshot is the answer; a title of the dimension without a fact row (a CSV
    title TMDB lacks) is not read."""
    inner = ", ".join(f for f in figures if f not in missing)
    outer = ", ".join("NULL" if f in missing else f"f.{f}" for f in figures)
    return f"""
SELECT f.{key}, d.tmdb_id, d.imdb_id, coalesce(nullif(d.{name}, ''), d.original_{name}), d.{year},
       {outer}, f.snapshot_date
FROM (
    SELECT {key}, {inner}, snapshot_date,
           row_number() OVER (PARTITION BY {key} ORDER BY snapshot_date DESC NULLS LAST) AS newest
    FROM {fact}
) f
JOIN {dim} d ON d.{key} = f.{key}
WHERE f.newest = 1
ORDER BY d.tmdb_id
"""


def _refined(
    fact: str, dim: str, key: str, name: str, year: str, figures: tuple[tuple[str, type], ...]
) -> dict[str, Any]:
    """A kind's Refined queries of its rows: over today's fact, and over a fact written before it
    carried IMDB's figures (read as null there)."""
    names = tuple(n for n, _ in figures)
    return {
        "refined_sql": _refined_sql(fact, dim, key, name, year, names),
        "older_refined_sql": _refined_sql(fact, dim, key, name, year, names, IMDB_COLUMNS),
        "fact_table": fact,
        "newer_columns": IMDB_COLUMNS,
    }


def _words(refined: str, raw: str, raw_plural: str, tables: tuple[str, ...]) -> dict[str, str]:
    """What a kind's read is called in errors and in the answer's source: ``refined`` names its Refined
    tables ("" or "series "), ``raw`` / ``raw_plural`` its Raw TMDB records."""
    return {
        "refined_what": f"the Refined {refined}tables",
        "genres_what": f"the Refined {refined}genres",
        "raw_what": f"the Raw TMDB {raw_plural}",
        "refined_description": f"the Refined star schema ({', '.join(tables)})",
        "raw_description": (
            f"the Raw TMDB {raw} JSON Lines (the Refined {refined}tables are not there yet); "
            "for an id ingested on several days the newest record is used"
        ),
    }


def _genres_sql(bridge: str, key: str) -> str:
    return f"""
SELECT DISTINCT b.{key}, g.name
FROM {bridge} b JOIN dim_genre g ON g.genre_key = b.genre_key
WHERE g.name IS NOT NULL
"""


def _raw_select(imdb_id: str, name: str, date: str, figures: str) -> str:
    """DuckDB's select list over a kind's Raw TMDB records: the row's values in order, genres included."""
    return rf"""id, nullif({imdb_id}, ''), coalesce(nullif({name}, ''), original_{name}),
               CASE WHEN regexp_matches({date}, '^\d{{4}}-') THEN CAST(left({date}, 4) AS INTEGER) END,
               coalesce(list_sort(list_distinct(list_transform(genres, lambda g: g.name))), []),
               {figures}"""


def _queries(**words: Any) -> KindQueries:
    return KindQueries(**words)


GENRES_TYPE = "STRUCT(id BIGINT, name VARCHAR)[]"
# IMDB's rating and vote count, from the local CSV (notaMedia, numeroVotos) of the titles TMDB knows: the
# facts carry them; Raw TMDB has none (the Raw fallback reads them as null).
IMDB_FIGURES: tuple[tuple[str, type], ...] = (("imdb_rating", float), ("imdb_votes", int))
IMDB_RAW = "NULL::DOUBLE, NULL::BIGINT"
# A fact table written before the facts carried IMDB's figures reads them as null.
IMDB_COLUMNS: tuple[str, ...] = tuple(name for name, _ in IMDB_FIGURES)
IMDB_OWN: dict[str, Any] = {
    "own_votes": {"imdb_rating": "imdb_votes"},
    "own_columns": {
        "imdb_rating": (
            Column("IMDb rating", "imdb_rating", "vote"),
            Column("IMDb votes", "imdb_votes", "count"),
        )
    },
    "own_words": {
        "imdb_rating": (
            "IMDB's rating and vote count (imdb_votes, which --min-votes applies to) from the local CSV "
            "(notaMedia, numeroVotos), for the titles TMDB knows; a CSV title TMDB lacks is not ranked "
            "(it has no TMDB id, figures or history)"
        )
    },
}

FILM_FIGURES: tuple[tuple[str, type], ...] = (
    ("budget", int),
    ("revenue", int),
    ("popularity", float),
    ("vote_average", float),
    ("vote_count", int),
    *IMDB_FIGURES,
)
SERIES_FIGURES: tuple[tuple[str, type], ...] = (
    ("popularity", float),
    ("vote_average", float),
    ("vote_count", int),
    ("seasons", int),
    ("episodes", int),
    *IMDB_FIGURES,
)
FILMS = TitleKind(
    kind=Kind.MOVIES,
    singular="film",
    plural="films",
    report_title="Budget vs revenue of the best and worst {genres} films",
    in_both=("film is", "films are"),
    name_field="title",
    year_field="release_year",
    genre_words="TMDB genres",
    year_words="release year",
    genre_what="genre",
    # TMDB's movie genre list (/genre/movie/list).
    tmdb_genres=(
        "Action",
        "Adventure",
        "Animation",
        "Comedy",
        "Crime",
        "Documentary",
        "Drama",
        "Family",
        "Fantasy",
        "History",
        "Horror",
        "Music",
        "Mystery",
        "Romance",
        "Science Fiction",
        "TV Movie",
        "Thriller",
        "War",
        "Western",
    ),
    figures=FILM_FIGURES,
    derived={
        "profit": lambda v: int(v["revenue"] or 0) - int(v["budget"] or 0),
        # Unknown (None) without a budget or a revenue; eligible films have both (>= 1,000).
        "roi": lambda v: v["revenue"] / v["budget"] if v["budget"] and v["revenue"] is not None else None,
    },
    shown=("vote_average", "vote_count", "budget", "revenue", "profit", "roi", "popularity"),
    rank_keys=("vote_average", "vote_count", "popularity", "roi", "profit", "revenue", "imdb_rating"),
    default_min_votes=FILMS_MIN_VOTES,
    admits_sql=f"budget >= {MIN_BUDGET} AND revenue >= {MIN_REVENUE}",
    admits_words=(
        f"budget >= {MIN_BUDGET:,} and revenue >= {MIN_REVENUE:,} (smaller values, 0 above all, are "
        "TMDB's 'unknown'), "
    ),
    thresholds={"min_budget": MIN_BUDGET, "min_revenue": MIN_REVENUE},
    statements_after=(("profit", "revenue - budget"), ("roi", "revenue / budget")),
    correlations=(
        ("budget_revenue", "budget", "revenue"),
        ("popularity_budget", "popularity", "budget"),
        ("popularity_revenue", "popularity", "revenue"),
        ("popularity_roi", "popularity", "roi"),
        ("popularity_vote_average", "popularity", "vote_average"),
    ),
    correlations_words=(
        "Spearman rank correlation (average ranks for ties) over all eligible films of the genre "
        "with both values known; null with fewer than 3 films or a constant column"
    ),
    summary=(
        Figure("count", "count"),
        Figure("median_roi", "median", "roi"),
        Figure("total_budget", "total", "budget"),
        Figure("total_revenue", "total", "revenue"),
        Figure("median_popularity", "median", "popularity"),
        Figure("median_vote_average", "median", "vote_average"),
    ),
    differences=("median_popularity",),
    page_columns=(
        Column("title", "title", "title"),
        Column("year", "release_year", "year"),
        Column("vote avg", "vote_average", "vote"),
        Column("votes", "vote_count", "count"),
        Column("budget", "budget", "money"),
        Column("revenue", "revenue", "money"),
        Column("profit", "profit", "money"),
        Column("ROI", "roi", "roi"),
        Column("popularity", "popularity", "figure"),
        Column("TMDB / IMDb", "tmdb_id", "ids"),
    ),
    terminal_columns=(
        Column("title", "title", "title"),
        Column("vote", "vote_average", "vote"),
        Column("votes", "vote_count", "count"),
        Column("budget", "budget", "money"),
        Column("revenue", "revenue", "money"),
        Column("ROI", "roi", "roi"),
        Column("pop.", "popularity", "figure"),
    ),
    summary_rows=(
        ("films", "count", "plain"),
        ("median ROI", "median_roi", "roi"),
        ("total budget (US$)", "total_budget", "money"),
        ("total revenue (US$)", "total_revenue", "money"),
        ("median popularity", "median_popularity", "figure"),
        ("median vote average", "median_vote_average", "vote"),
    ),
    charts=(
        Chart(
            "budget-revenue",
            charts.budget_revenue_scatter,
            "Budget against revenue, log scales, with the break-even line",
            wide=True,
        ),
        Chart("roi", charts.roi_bars, "ROI of the best and the worst"),
        Chart("popularity-roi", charts.popularity_roi_scatter, "Popularity against ROI"),
    ),
    tiles=(
        Tile("eligible", "Eligible films", "eligible"),
        Tile("budget", "Total budget, best / worst", "pair", "total_budget", "dollars"),
        Tile("revenue", "Total revenue, best / worst", "pair", "total_revenue", "dollars"),
        Tile("roi", "Median ROI, best / worst", "pair", "median_roi", "roi"),
        Tile("rho-budget-revenue", "Spearman ρ budget ~ revenue", "rho", "budget_revenue"),
        Tile("rho-popularity-roi", "Spearman ρ popularity ~ ROI", "rho", "popularity_roi"),
    ),
    reading=reading.genre_reading,
    **IMDB_OWN,
    queries=_queries(
        kind=Kind.MOVIES,
        refined_tables=("fact_movie", "dim_movie", "bridge_movie_genre", "dim_genre"),
        **_refined("fact_movie", "dim_movie", "movie_key", "title", "release_year", FILM_FIGURES),
        genres_sql=_genres_sql("bridge_movie_genre", "movie_key"),
        known_sql="SELECT DISTINCT name FROM dim_genre WHERE name IS NOT NULL",
        raw_columns={
            "id": "BIGINT",
            "imdb_id": "VARCHAR",
            "title": "VARCHAR",
            "original_title": "VARCHAR",
            "release_date": "VARCHAR",
            "genres": GENRES_TYPE,
            "budget": "BIGINT",
            "revenue": "BIGINT",
            "popularity": "DOUBLE",
            "vote_average": "DOUBLE",
            "vote_count": "BIGINT",
        },
        raw_select=_raw_select(
            "imdb_id",
            "title",
            "release_date",
            f"budget, revenue, popularity, vote_average, vote_count, {IMDB_RAW}",
        ),
        **_words("", "movie", "movies", ("fact_movie", "dim_movie", "bridge_movie_genre", "dim_genre")),
        neither="the Refined tables nor Raw TMDB movies",
        ingest_hint="ingest TMDB first",
        athena_names_workgroup=True,
    ),
)

_series_genres_sql = _genres_sql("bridge_series_genre", "series_key")

SERIES = TitleKind(
    kind=Kind.SERIES,
    singular="series",
    plural="series",
    report_title="The best and worst {genres} series by {rank_by}, and popularity",
    in_both=("series", "series"),
    name_field="name",
    year_field="first_air_year",
    genre_words="TMDB TV genres",
    year_words="first-air year",
    genre_what="TV genre",
    # TMDB's TV genre list (/genre/tv/list).
    tmdb_genres=(
        "Action & Adventure",
        "Animation",
        "Comedy",
        "Crime",
        "Documentary",
        "Drama",
        "Family",
        "Kids",
        "Mystery",
        "News",
        "Reality",
        "Sci-Fi & Fantasy",
        "Soap",
        "Talk",
        "War & Politics",
        "Western",
    ),
    figures=SERIES_FIGURES,
    derived={},
    shown=("vote_average", "vote_count", "popularity", "seasons", "episodes"),
    # What series may rank on: the fields a TV record carries (no money), and IMDB's rating.
    rank_keys=("vote_average", "popularity", "imdb_rating"),
    default_min_votes=SERIES_MIN_VOTES,
    admits_sql="vote_average IS NOT NULL",
    admits_words="",
    thresholds={},
    statements_after=(("money", NO_MONEY),),
    correlations=(
        ("popularity_vote_average", "popularity", "vote_average"),
        ("popularity_seasons", "popularity", "seasons"),
        ("popularity_episodes", "popularity", "episodes"),
    ),
    correlations_words=(
        "Spearman rank correlation (average ranks for ties) of popularity with vote_average, "
        "seasons and episodes over all eligible series of the genre with both values known; "
        "null with fewer than 3 series or a constant column"
    ),
    summary=(
        Figure("count", "count"),
        Figure("median_popularity", "median", "popularity"),
        Figure("median_vote_average", "median", "vote_average"),
        Figure("median_seasons", "median", "seasons"),
        Figure("median_episodes", "median", "episodes"),
    ),
    differences=(),
    page_columns=(
        Column("series", "name", "title"),
        Column("first aired", "first_air_year", "year"),
        Column("vote avg", "vote_average", "vote"),
        Column("votes", "vote_count", "count"),
        Column("popularity", "popularity", "figure"),
        Column("seasons", "seasons", "count_or_na"),
        Column("episodes", "episodes", "count_or_na"),
        Column("TMDB id", "tmdb_id", "plain"),
    ),
    terminal_columns=(
        Column("series", "name", "title"),
        Column("vote", "vote_average", "vote"),
        Column("votes", "vote_count", "count"),
        Column("pop.", "popularity", "figure"),
        Column("seasons", "seasons", "count_or_na"),
        Column("episodes", "episodes", "count_or_na"),
    ),
    summary_rows=(
        ("series", "count", "plain"),
        ("median vote average", "median_vote_average", "vote"),
        ("median popularity", "median_popularity", "figure"),
        ("median seasons", "median_seasons", "vote"),
        ("median episodes", "median_episodes", "vote"),
    ),
    charts=(
        Chart(
            "popularity-vote", charts.popularity_vote_scatter, "Popularity against vote average", wide=True
        ),
    ),
    tiles=(
        Tile("eligible", "Eligible series", "eligible"),
        Tile("popularity", "Median popularity, best / worst", "pair", "median_popularity", "figure"),
        Tile("vote", "Median vote, best / worst", "pair", "median_vote_average", "vote"),
        Tile("rho-popularity-vote", "Spearman ρ popularity ~ vote", "rho", "popularity_vote_average"),
        Tile("rho-popularity-episodes", "Spearman ρ popularity ~ episodes", "rho", "popularity_episodes"),
    ),
    reading=reading.series_reading,
    queries=_queries(
        kind=Kind.SERIES,
        refined_tables=("fact_series", "dim_series", "bridge_series_genre", "dim_genre"),
        **_refined("fact_series", "dim_series", "series_key", "name", "first_air_year", SERIES_FIGURES),
        genres_sql=_series_genres_sql,
        known_sql=_series_genres_sql.replace("b.series_key, g.name", "g.name"),
        raw_columns={
            "id": "BIGINT",
            "name": "VARCHAR",
            "original_name": "VARCHAR",
            "first_air_date": "VARCHAR",
            "genres": GENRES_TYPE,
            "popularity": "DOUBLE",
            "vote_average": "DOUBLE",
            "vote_count": "BIGINT",
            "number_of_seasons": "INTEGER",
            "number_of_episodes": "INTEGER",
            "external_ids": "STRUCT(imdb_id VARCHAR)",
        },
        raw_select=_raw_select(
            "external_ids.imdb_id",
            "name",
            "first_air_date",
            "popularity, vote_average, vote_count, "
            "CASE WHEN number_of_seasons > 0 THEN number_of_seasons END, "
            f"CASE WHEN number_of_episodes > 0 THEN number_of_episodes END, {IMDB_RAW}",
        ),
        **_words(
            "series ", "series", "series", ("fact_series", "dim_series", "bridge_series_genre", "dim_genre")
        ),
        neither="Refined series nor Raw TMDB series",
        ingest_hint="ingest them first (cinelake ingest tmdb --discover --kind series)",
        # A lake whose Refined tables predate series has them empty: its Raw series are the answer.
        raw_when_refined_empty=True,
    ),
    no_money=NO_MONEY,
    **IMDB_OWN,
    table_class="films series",
    genre_heading="{genre} series",
    report_anchor="series",
    chart_prefix="series-",
)

KINDS: Mapping[str, TitleKind] = {k.key: k for k in (FILMS, SERIES)}


def kind_of(name: str) -> TitleKind:
    """The declaration of the kind named ``name`` (``movies``, ``series``)."""
    return KINDS[name]


def cell_text(format: str, value: Any) -> str:
    """A table cell's text for ``value`` written as ``format`` says (every renderer's common formats)."""
    if format == "plain":
        return str(value)
    if format == "year":
        return str(value or "")
    if format == "vote":
        return "n/a" if value is None else f"{value:.1f}"
    if format == "figure":
        return "n/a" if value is None else f"{value:.2f}"
    if format in ("count", "money"):
        return f"{value:,}"
    if format == "roi":
        return "n/a" if value is None else f"{value:.2f}×"
    if format == "count_or_na":
        return "n/a" if value is None else str(value)
    raise ValueError(f"unknown cell format {format!r}")
