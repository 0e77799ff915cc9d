"""Raw -> Trusted in DuckDB SQL: the same rows, column names and types as the Spark job
(:mod:`cinelake.spark.trusted_tmdb`, :mod:`cinelake.spark.trusted_local`).

Each function returns one ``SELECT`` over a ``raw`` relation the caller defines (the Raw files with
``source_file`` and ``dt``). The equality test (tests/transform/test_engines_agree.py) runs both
engines on the packaged snapshot and on the test data, so the two definitions cannot drift.

Where the dialects differ, the Spark meaning wins: ``trim(x, ' ')`` because Spark's ``trim`` removes
spaces only (DuckDB's would also remove a no-break space); ``name_key`` is Spark's xxhash64.
"""

from __future__ import annotations

from cinelake.catalog.types import duckdb_type, quote_ident
from cinelake.tables.raw_schemas import ARTIST_FIELDS

TOP_CAST = 5
INT_MAX = 2**31 - 1

DATE_FROM_PATH = r"/(\d{4}/\d{2}/\d{2})/[^/]+$"


def _split_top(ddl: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current = ""
    for char in ddl:
        if char == "<":
            depth += 1
        elif char == ">":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def ddl_columns(ddl: str) -> dict[str, str]:
    """A Spark DDL schema (``id BIGINT, genres ARRAY<STRUCT<...>>``) as DuckDB column types."""
    columns: dict[str, str] = {}
    for part in _split_top(ddl):
        name, spark_type = part.split(" ", 1)
        columns[name.strip("`")] = duckdb_type(spark_type.replace("`", "").replace(": ", ":").lower())
    return columns


def columns_arg(columns: dict[str, str]) -> str:
    pairs = ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items())
    return "{" + pairs + "}"


def dt_from_path(path: str) -> str:
    """The processing date of a Raw file, from its ``.../YYYY/MM/DD/<file>`` path."""
    return f"try_strptime(regexp_extract({path}, '{DATE_FROM_PATH}', 1), '%Y/%m/%d')::DATE"


def _blank(column: str) -> str:
    return f"CASE WHEN trim({column}, ' ') <> '' THEN trim({column}, ' ') END"


def _positive(column: str) -> str:
    return f"CASE WHEN {column} > 0 THEN {column} END"


def _date(column: str) -> str:
    return f"try_strptime({_blank(column)}, '%Y-%m-%d')::DATE"


def _names(items: str, field: str = "name") -> str:
    return f"list_transform({items}, lambda x: x.{field})"


def _top_cast() -> str:
    keyed = (
        "list_transform(list_filter(credits.cast, lambda c: c.name IS NOT NULL), "
        f"lambda c: {{'rank': coalesce(c.\"order\", {INT_MAX}), 'id': c.id, 'name': c.name, "
        "'character': c.character, 'order': c.\"order\"})"
    )
    return (
        f"list_transform(list_slice(list_sort({keyed}), 1, {TOP_CAST}), "
        "lambda c: {'id': c.id, 'name': c.name, 'character': c.character, 'order': c.\"order\"})"
    )


def _common() -> list[str]:
    """Columns movies and series share (in the Spark job's order)."""
    return [
        "original_language",
        f"{_blank('overview')} AS overview",
        f"{_blank('tagline')} AS tagline",
        f"{_blank('status')} AS status",
        "popularity",
        "vote_average",
        "vote_count",
        f"{_blank('homepage')} AS homepage",
        f"{_names('genres')} AS genres",
        f"{_names('genres', 'id')} AS genre_ids",
        "list_transform(production_companies, lambda c: "
        "{'id': c.id, 'name': trim(c.name, ' '), 'origin_country': c.origin_country}) "
        "AS production_companies",
        "list_transform(production_countries, lambda c: {'code': c.iso_3166_1, 'name': c.name}) "
        "AS production_countries",
        "list_transform(spoken_languages, lambda c: "
        "{'code': c.iso_639_1, 'name': coalesce(c.english_name, c.name)}) AS spoken_languages",
        "origin_country",
        f"{_top_cast()} AS top_cast",
    ]


def latest(select: str, key: str, within: list[str], order: list[str]) -> str:
    """One row per ``key`` (per ``within``): the first by ``order`` (descending, nulls last)."""
    partition = ", ".join([key, *within])
    ordering = ", ".join(f"{c} DESC NULLS LAST" for c in order)
    window = f"row_number() OVER (PARTITION BY {partition} ORDER BY {ordering})"
    return f"SELECT * FROM ({select}) QUALIFY {window} = 1"


def trusted_movies(raw: str = "raw") -> str:
    directors = "list_transform(list_filter(credits.crew, lambda c: c.job = 'Director'), lambda c: c.name)"
    release = _date("release_date")
    columns = [
        "id AS tmdb_id",
        f"coalesce({_blank('imdb_id')}, {_blank('external_ids.imdb_id')}) AS imdb_id",
        f"{_blank('title')} AS title",
        f"{_blank('original_title')} AS original_title",
        f"{release} AS release_date",
        f"year({release})::INTEGER AS release_year",
        f"{_positive('budget')} AS budget",
        f"{_positive('revenue')} AS revenue",
        f"{_positive('runtime')} AS runtime",
        "adult",
        *_common(),
        "belongs_to_collection.id AS collection_id",
        "belongs_to_collection.name AS collection_name",
        f"({directors})[1] AS director",
        f"{directors} AS directors",
        f"{_names('keywords.keywords')} AS keywords",
        "source_file",
        "dt",
    ]
    select = f"SELECT {', '.join(columns)} FROM {raw} WHERE id IS NOT NULL AND dt IS NOT NULL"
    return latest(select, "tmdb_id", ["dt"], ["source_file"])


def trusted_series(raw: str = "raw") -> str:
    first_air = _date("first_air_date")
    columns = [
        "id AS tmdb_id",
        f"{_blank('external_ids.imdb_id')} AS imdb_id",
        f"{_blank('name')} AS title",
        f"{_blank('original_name')} AS original_title",
        f"{first_air} AS first_air_date",
        f"year({first_air})::INTEGER AS first_air_year",
        f"{_date('last_air_date')} AS last_air_date",
        "in_production",
        f"{_blank('type')} AS type",
        f"{_positive('number_of_seasons')} AS number_of_seasons",
        f"{_positive('number_of_episodes')} AS number_of_episodes",
        f"{_positive('episode_run_time[1]')} AS runtime",
        *_common(),
        "list_transform(networks, lambda c: {'id': c.id, 'name': trim(c.name, ' ')}) AS networks",
        "languages",
        f"{_names('created_by')} AS creators",
        f"{_names('keywords.results')} AS keywords",
        "source_file",
        "dt",
    ]
    select = f"SELECT {', '.join(columns)} FROM {raw} WHERE id IS NOT NULL AND dt IS NOT NULL"
    return latest(select, "tmdb_id", ["dt"], ["source_file"])


def _split(column: str) -> str:
    return (
        f"list_filter(list_transform(string_split({column}, ','), lambda s: trim(s, ' ')), lambda s: s <> '')"
    )


def _int(column: str, kind: str = "INTEGER") -> str:
    return f"TRY_CAST({quote_ident(column)} AS {kind})"


def trusted_local(raw: str = "raw", *, series: bool) -> str:
    """One row per IMDB id per ``dt``: typed title fields and ``artists`` (sorted)."""
    title_columns = [
        "trim(id, ' ') AS imdb_id",
        '"tituloPincipal" AS title',
        '"tituloOriginal" AS original_title',
        f"{_int('anoLancamento')} AS release_year",
        *([f"{_int('anoTermino')} AS end_year"] if series else []),
        f"{_int('tempoMinutos')} AS runtime",
        f"{_split(quote_ident('genero'))} AS genres",
        f"{_int('notaMedia', 'DOUBLE')} AS imdb_rating",
        f"{_int('numeroVotos', 'BIGINT')} AS imdb_votes",
    ]
    names = [c.rsplit(" AS ", 1)[1] for c in title_columns]
    artist = (
        "{'name': \"nomeArtista\", 'category': \"generoArtista\", 'character': \"personagem\", "
        f"'birth_year': {_int('anoNascimento')}, 'death_year': {_int('anoFalecimento')}, "
        f"'professions': {_split(quote_ident('profissao'))}, "
        f"'known_for_titles': {_split(quote_ident('titulosMaisConhecidos'))}}} AS artist"
    )
    rows = (
        f"SELECT {', '.join(title_columns)}, {artist}, source_file, dt FROM {raw} "
        "WHERE starts_with(id, 'tt') AND dt IS NOT NULL"
    )
    titles = latest(
        "SELECT * EXCLUDE (artist) FROM rows", "imdb_id", ["dt"], ["source_file", "imdb_votes", "title"]
    )
    # Sorted as Spark's array_sort sorts structs: field by field, a null field first.
    order = ", ".join(f"artist.{field} NULLS FIRST" for field in ARTIST_FIELDS)
    artists = (
        f"SELECT imdb_id, dt, list(artist ORDER BY {order}) AS artists FROM "
        "(SELECT DISTINCT imdb_id, dt, artist FROM rows WHERE artist.name IS NOT NULL) GROUP BY imdb_id, dt"
    )
    picked = ", ".join(f"t.{n}" for n in names)
    return (
        f"WITH rows AS ({rows}), titles AS ({titles}), artists AS ({artists}) "
        f"SELECT {picked}, coalesce(a.artists, []) AS artists, t.source_file, t.dt "
        "FROM titles t LEFT JOIN artists a ON a.imdb_id = t.imdb_id AND a.dt = t.dt"
    )
