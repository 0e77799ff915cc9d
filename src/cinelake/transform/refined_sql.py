"""Trusted -> Refined in DuckDB SQL: the star schema of :mod:`cinelake.spark.refined`, table by table.

Every query reads relations the caller defines: ``movies`` and ``series`` (Trusted TMDB movies and
series, each title's latest ``dt``; either may be empty), ``trusted_movies`` (every ``dt``) and
``local_movies`` / ``local_series`` (the Trusted local CSV titles, each IMDB id's latest ``dt``, with
their ``artists``; :func:`latest_local`; empty when there is none). Films and series share
``dim_genre``, ``dim_language``, ``dim_country`` and ``dim_date``; each has its own fact, dimension and
bridges; the people of both CSVs are one ``dim_person``. ``name_key(VARCHAR)`` and ``text_key(VARCHAR)``
are the Spark-compatible hashes (:mod:`cinelake.transform.namekey`), registered by the caller.
"""

from __future__ import annotations

from cinelake.transform.trusted_sql import latest

LATEST_MOVIES = latest("SELECT * FROM trusted_movies", "tmdb_id", [], ["dt"])
LATEST_SERIES = latest("SELECT * FROM trusted_series", "tmdb_id", [], ["dt"])


def latest_local(trusted_local: str) -> str:
    """Each CSV title (IMDB id) from its most recent ``dt``: its fields, ratings and artists."""
    return latest(f"SELECT * FROM {trusted_local}", "imdb_id", [], ["dt"])


def _date_key(day: str) -> str:
    return f"(year({day}) * 10000 + month({day}) * 100 + day({day}))::INTEGER"


FACT_MOVIE = f"""
SELECT m.tmdb_id AS movie_key,
       {_date_key("m.release_date")} AS release_date_key,
       m.budget, m.revenue,
       CASE WHEN m.budget IS NOT NULL AND m.revenue IS NOT NULL THEN m.revenue - m.budget END AS profit,
       CASE WHEN m.budget IS NOT NULL AND m.revenue IS NOT NULL AND m.budget > 0
            THEN m.revenue / m.budget END::DOUBLE AS roi,
       m.popularity, m.vote_average, m.vote_count, m.runtime,
       r.imdb_rating, r.imdb_votes,
       m.dt AS snapshot_date
FROM movies m LEFT JOIN local_movies r ON r.imdb_id = m.imdb_id
"""

FACT_MOVIE_HISTORY = """
SELECT tmdb_id AS movie_key, dt AS snapshot_date, vote_average, vote_count, popularity, budget, revenue
FROM trusted_movies
"""

def _title_dimension(key: str, tmdb: str, local: str, columns: list[tuple[str, str, str]]) -> str:
    """A title dimension: every TMDB title (``m``, keyed by its TMDB id) with its CSV row (``c``)
    where the CSV has its IMDB id, then every CSV title TMDB lacks, keyed ``text_key(imdb_id)``
    (negative, so never a TMDB id). ``columns`` are (name, value on a TMDB row, value on a CSV-only
    row), between the ids and the CSV's genres every title dimension has; ``source`` says which of
    ``tmdb``, ``both`` or ``csv`` the row comes from."""
    columns = [
        ("tmdb_id", "m.tmdb_id", "NULL::BIGINT"),
        ("imdb_id", "m.imdb_id", "c.imdb_id"),
        *columns,
        ("imdb_genres", "c.genres", "c.genres"),
    ]
    tmdb_side = ", ".join(f"{t} AS {name}" for name, t, _ in columns)
    csv_side = ", ".join(f"{c} AS {name}" for name, _, c in columns)
    return f"""
    SELECT m.tmdb_id AS {key}, {tmdb_side}, CASE WHEN c.imdb_id IS NULL THEN 'tmdb' ELSE 'both' END AS source
    FROM {tmdb} m LEFT JOIN {local} c ON c.imdb_id = m.imdb_id
    UNION ALL
    SELECT text_key(c.imdb_id) AS {key}, {csv_side}, 'csv' AS source
    FROM {local} c ANTI JOIN {tmdb} m ON m.imdb_id = c.imdb_id
    """


DIM_MOVIE = _title_dimension(
    "movie_key",
    "movies",
    "local_movies",
    [
        ("title", "m.title", "c.title"),
        ("original_title", "m.original_title", "c.original_title"),
        ("original_language", "m.original_language", "NULL::VARCHAR"),
        ("release_date", "m.release_date", "NULL::DATE"),
        ("release_year", "m.release_year", "c.release_year"),
        ("status", "m.status", "NULL::VARCHAR"),
        ("director", "m.director", "NULL::VARCHAR"),
        ("collection_name", "m.collection_name", "NULL::VARCHAR"),
    ],
)

DIM_DATE = f"""
WITH days AS (
    SELECT release_date AS d FROM movies UNION ALL SELECT dt AS d FROM movies
    UNION ALL SELECT first_air_date AS d FROM series UNION ALL SELECT last_air_date AS d FROM series
    UNION ALL SELECT dt AS d FROM series
),
span AS (SELECT min(d) AS first, max(d) AS last FROM days),
every AS (
    SELECT unnest(generate_series(first::TIMESTAMP, last::TIMESTAMP, INTERVAL 1 DAY))::DATE AS date
    FROM span WHERE first IS NOT NULL
)
SELECT {_date_key("date")} AS date_key, date,
       year(date)::INTEGER AS year, quarter(date)::INTEGER AS quarter, month(date)::INTEGER AS month,
       day(date)::INTEGER AS day, isodow(date)::INTEGER AS day_of_week
FROM every
"""


def _resolved(rows: str, id_column: str, name_column: str) -> str:
    """Fill a missing id from another row that gives the same name (case-insensitive) an id."""
    norm = f"lower(trim({name_column}, ' '))"
    return f"""
    WITH rows AS ({rows}),
    known AS (
        SELECT {norm} AS _norm, min({id_column}) AS _known_id FROM rows
        WHERE {id_column} IS NOT NULL AND {name_column} IS NOT NULL GROUP BY 1
    )
    SELECT rows.* REPLACE (coalesce(rows.{id_column}, known._known_id) AS {id_column})
    FROM rows LEFT JOIN known ON known._norm = {norm}
    """


_GENRES_KEYED = f"""
WITH paired AS (
    SELECT 'movie' AS kind, tmdb_id AS title_key,
           unnest(list_transform(genres, lambda name, i: {{'id': genre_ids[i], 'name': name}})) AS g
    FROM movies
    UNION ALL
    SELECT 'series' AS kind, tmdb_id AS title_key,
           unnest(list_transform(genres, lambda name, i: {{'id': genre_ids[i], 'name': name}})) AS g
    FROM series
),
named AS ({
    _resolved(
        "SELECT kind, title_key, g.id AS genre_id, g.name AS name FROM paired "
        "WHERE g.name IS NOT NULL OR g.id IS NOT NULL",
        "genre_id",
        "name",
    )
})
SELECT kind, title_key, coalesce(genre_id, name_key(name)) AS genre_key, genre_id, name FROM named
"""

# One genre dimension for films and series: TV genre ids (10759 "Action & Adventure" ...) land here
# with their TV names; ids both lists share (16 Animation, 35 Comedy ...) are one row.
DIM_GENRE = (
    f"SELECT genre_key, max(genre_id) AS genre_id, max(name) AS name FROM ({_GENRES_KEYED}) GROUP BY 1"
)
BRIDGE_MOVIE_GENRE = (
    f"SELECT DISTINCT title_key AS movie_key, genre_key FROM ({_GENRES_KEYED}) WHERE kind = 'movie'"
)
BRIDGE_SERIES_GENRE = (
    f"SELECT DISTINCT title_key AS series_key, genre_key FROM ({_GENRES_KEYED}) WHERE kind = 'series'"
)

_SPOKEN = """
SELECT movie_key, language_key, name FROM (
    SELECT tmdb_id AS movie_key, lower(trim(item.code, ' ')) AS language_key, item.name AS name
    FROM (SELECT tmdb_id, unnest(spoken_languages) AS item FROM movies)
) WHERE language_key IS NOT NULL AND language_key <> ''
"""
# A series' languages are TV's ``languages`` (ISO 639-1 codes, no names); names come from any
# ``spoken_languages`` (films', or a series' where the response has them).
_SERIES_LANGUAGES = """
SELECT DISTINCT series_key, language_key FROM (
    SELECT tmdb_id AS series_key, lower(trim(code, ' ')) AS language_key
    FROM (SELECT tmdb_id, unnest(languages) AS code FROM series)
) WHERE language_key IS NOT NULL AND language_key <> ''
"""
_SERIES_SPOKEN = """
SELECT language_key, name FROM (
    SELECT lower(trim(item.code, ' ')) AS language_key, item.name AS name
    FROM (SELECT unnest(spoken_languages) AS item FROM series)
) WHERE language_key IS NOT NULL AND language_key <> ''
"""
DIM_LANGUAGE = f"""
SELECT language_key, max(name) AS name FROM (
    SELECT language_key, name FROM ({_SPOKEN})
    UNION ALL
    SELECT lower(trim(original_language, ' ')) AS language_key, NULL::VARCHAR AS name FROM movies
    WHERE lower(trim(original_language, ' ')) IS NOT NULL AND lower(trim(original_language, ' ')) <> ''
    UNION ALL
    SELECT language_key, name FROM ({_SERIES_SPOKEN})
    UNION ALL
    SELECT language_key, NULL::VARCHAR AS name FROM ({_SERIES_LANGUAGES})
    UNION ALL
    SELECT lower(trim(original_language, ' ')) AS language_key, NULL::VARCHAR AS name FROM series
    WHERE lower(trim(original_language, ' ')) IS NOT NULL AND lower(trim(original_language, ' ')) <> ''
) GROUP BY 1
"""
BRIDGE_MOVIE_LANGUAGE = f"SELECT DISTINCT movie_key, language_key FROM ({_SPOKEN})"
BRIDGE_SERIES_LANGUAGE = _SERIES_LANGUAGES

_COUNTRIES = """
SELECT movie_key, country_key, name FROM (
    SELECT tmdb_id AS movie_key, upper(trim(item.code, ' ')) AS country_key, item.name AS name
    FROM (SELECT tmdb_id, unnest(production_countries) AS item FROM movies)
) WHERE country_key IS NOT NULL AND country_key <> ''
"""
# A series' countries are TV's ``origin_country`` (ISO 3166-1 codes, no names); names come from any
# ``production_countries`` (films', or a series' where the response has them).
_SERIES_COUNTRIES = """
SELECT DISTINCT series_key, country_key FROM (
    SELECT tmdb_id AS series_key, upper(trim(code, ' ')) AS country_key
    FROM (SELECT tmdb_id, unnest(origin_country) AS code FROM series)
) WHERE country_key IS NOT NULL AND country_key <> ''
"""
_SERIES_PRODUCTION_COUNTRIES = """
SELECT country_key, name FROM (
    SELECT upper(trim(item.code, ' ')) AS country_key, item.name AS name
    FROM (SELECT unnest(production_countries) AS item FROM series)
) WHERE country_key IS NOT NULL AND country_key <> ''
"""
DIM_COUNTRY = f"""
SELECT country_key, max(name) AS name FROM (
    SELECT country_key, name FROM ({_COUNTRIES})
    UNION ALL
    SELECT country_key, name FROM ({_SERIES_PRODUCTION_COUNTRIES})
    UNION ALL
    SELECT country_key, NULL::VARCHAR AS name FROM ({_SERIES_COUNTRIES})
) GROUP BY 1
"""
BRIDGE_MOVIE_COUNTRY = f"SELECT DISTINCT movie_key, country_key FROM ({_COUNTRIES})"
BRIDGE_SERIES_COUNTRY = _SERIES_COUNTRIES

_COMPANIES_KEYED = f"""
WITH named AS ({
    _resolved(
        "SELECT movie_key, item.id AS id, item.name AS name, item.origin_country AS origin_country "
        "FROM (SELECT tmdb_id AS movie_key, unnest(production_companies) AS item FROM movies) "
        "WHERE item.id IS NOT NULL OR trim(item.name, ' ') <> ''",
        "id",
        "name",
    )
})
SELECT movie_key, coalesce(id, name_key(name)) AS company_key, name, origin_country FROM named
"""
DIM_COMPANY = (
    "SELECT company_key, max(name) AS name, max(origin_country) AS origin_country "
    f"FROM ({_COMPANIES_KEYED}) GROUP BY 1"
)
BRIDGE_MOVIE_COMPANY = f"SELECT DISTINCT movie_key, company_key FROM ({_COMPANIES_KEYED})"

FACT_SERIES = f"""
SELECT s.tmdb_id AS series_key,
       {_date_key("s.first_air_date")} AS first_air_date_key,
       s.vote_average, s.vote_count, s.popularity,
       s.number_of_seasons AS seasons, s.number_of_episodes AS episodes,
       coalesce(s.runtime, c.runtime) AS runtime, c.imdb_rating, c.imdb_votes,
       s.dt AS snapshot_date
FROM series s LEFT JOIN local_series c ON c.imdb_id = s.imdb_id
"""

DIM_SERIES = _title_dimension(
    "series_key",
    "series",
    "local_series",
    [
        ("name", "m.title", "c.title"),
        ("original_name", "m.original_title", "c.original_title"),
        ("original_language", "m.original_language", "NULL::VARCHAR"),
        ("first_air_date", "m.first_air_date", "NULL::DATE"),
        ("first_air_year", "m.first_air_year", "c.release_year"),
        ("last_air_date", "m.last_air_date", "NULL::DATE"),
        ("last_air_year", "year(m.last_air_date)::INTEGER", "NULL::INTEGER"),
        ("status", "m.status", "NULL::VARCHAR"),
        ("type", "m.type", "NULL::VARCHAR"),
        ("in_production", "m.in_production", "NULL::BOOLEAN"),
        ("seasons", "m.number_of_seasons", "NULL::INTEGER"),
        ("episodes", "m.number_of_episodes", "NULL::INTEGER"),
        ("networks", "list_transform(m.networks, lambda n: n.name)", "NULL::VARCHAR[]"),
        ("languages", "m.languages", "NULL::VARCHAR[]"),
        ("countries", "m.origin_country", "NULL::VARCHAR[]"),
        ("end_year", "c.end_year", "c.end_year"),
    ],
)

_NETWORKS_KEYED = f"""
WITH named AS ({
    _resolved(
        "SELECT series_key, item.id AS id, item.name AS name "
        "FROM (SELECT tmdb_id AS series_key, unnest(networks) AS item FROM series) "
        "WHERE item.id IS NOT NULL OR trim(item.name, ' ') <> ''",
        "id",
        "name",
    )
})
SELECT series_key, coalesce(id, name_key(name)) AS network_key, name FROM named
"""
DIM_NETWORK = f"SELECT network_key, max(name) AS name FROM ({_NETWORKS_KEYED}) GROUP BY 1"
BRIDGE_SERIES_NETWORK = f"SELECT DISTINCT series_key, network_key FROM ({_NETWORKS_KEYED})"


def _credits(kind: str, local: str, dimension: str, key: str) -> str:
    """One row per CSV title (its key in ``dimension``) and artist."""
    return f"""
    SELECT '{kind}' AS kind, d.{key} AS title_key, a.name AS name, a.birth_year AS birth_year,
           a.death_year AS death_year, a.category AS category, a.character AS character,
           a.professions AS professions, a.known_for_titles AS known_for_titles
    FROM (SELECT imdb_id, unnest(artists) AS a FROM {local}) x
    JOIN ({dimension}) d ON d.imdb_id = x.imdb_id AND d.source <> 'tmdb'
    """


# A person is a name and a birth year (the CSV has no person id): the key hashes "name|birth_year"
# (an unknown year is empty), so it is the same on every run and in either engine.
_CREDITS = f"""
SELECT kind, title_key, text_key(name || '|' || coalesce(CAST(birth_year AS VARCHAR), '')) AS person_key,
       name, birth_year, death_year, category, character, professions, known_for_titles
FROM ({_credits("movie", "local_movies", DIM_MOVIE, "movie_key")}
      UNION ALL {_credits("series", "local_series", DIM_SERIES, "series_key")})
"""

DIM_PERSON = f"""
SELECT person_key, name, birth_year, max(death_year) AS death_year,
       coalesce(list_sort(list_distinct(flatten(list(professions) FILTER (WHERE professions IS NOT NULL)))),
                []::VARCHAR[]) AS professions
FROM ({_CREDITS}) GROUP BY person_key, name, birth_year
"""


def _bridge_person(kind: str, key: str) -> str:
    """Each (title, person, category, character) of ``kind`` once, with the person's professions."""
    return f"""
    SELECT c.title_key AS {key}, c.person_key, c.category, c.character, p.professions
    FROM (
        SELECT DISTINCT title_key, person_key, category, character FROM ({_CREDITS}) WHERE kind = '{kind}'
    ) c
    JOIN ({DIM_PERSON}) p ON p.person_key = c.person_key
    """


BRIDGE_MOVIE_PERSON = _bridge_person("movie", "movie_key")
BRIDGE_SERIES_PERSON = _bridge_person("series", "series_key")

BRIDGE_PERSON_KNOWN_FOR = f"""
WITH known AS (
    SELECT DISTINCT person_key, imdb_id
    FROM (SELECT person_key, unnest(known_for_titles) AS imdb_id FROM ({_CREDITS}))
)
SELECT k.person_key, k.imdb_id, m.movie_key, s.series_key
FROM known k
LEFT JOIN (SELECT movie_key, imdb_id FROM ({DIM_MOVIE})) m ON m.imdb_id = k.imdb_id
LEFT JOIN (SELECT series_key, imdb_id FROM ({DIM_SERIES})) s ON s.imdb_id = k.imdb_id
"""

TABLES: dict[str, str] = {
    "fact_movie": FACT_MOVIE,
    "fact_movie_history": FACT_MOVIE_HISTORY,
    "dim_movie": DIM_MOVIE,
    "dim_date": DIM_DATE,
    "dim_genre": DIM_GENRE,
    "bridge_movie_genre": BRIDGE_MOVIE_GENRE,
    "dim_language": DIM_LANGUAGE,
    "bridge_movie_language": BRIDGE_MOVIE_LANGUAGE,
    "dim_country": DIM_COUNTRY,
    "bridge_movie_country": BRIDGE_MOVIE_COUNTRY,
    "dim_company": DIM_COMPANY,
    "bridge_movie_company": BRIDGE_MOVIE_COMPANY,
    "fact_series": FACT_SERIES,
    "dim_series": DIM_SERIES,
    "bridge_series_genre": BRIDGE_SERIES_GENRE,
    "dim_network": DIM_NETWORK,
    "bridge_series_network": BRIDGE_SERIES_NETWORK,
    "bridge_series_language": BRIDGE_SERIES_LANGUAGE,
    "bridge_series_country": BRIDGE_SERIES_COUNTRY,
    "dim_person": DIM_PERSON,
    "bridge_movie_person": BRIDGE_MOVIE_PERSON,
    "bridge_series_person": BRIDGE_SERIES_PERSON,
    "bridge_person_known_for": BRIDGE_PERSON_KNOWN_FOR,
}
