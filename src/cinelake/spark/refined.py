"""Trusted -> Refined: the star schema's tables as DataFrames (pure transformations).

Keys are natural keys, so they are stable across reruns: ``movie_key`` and ``series_key`` are the
TMDB ids, genre, company and network keys their TMDB ids, languages and countries their ISO codes,
dates ``yyyymmdd``. A genre, company or network without an id (some sources give names only) gets a
stable hash of its lower-cased name, always negative so it never meets a real TMDB id; so does a CSV
title TMDB lacks (the hash of its IMDB id) and a person of the CSVs (the hash of ``name|birth_year``:
the CSV has no person id). Films and series share ``dim_genre``, ``dim_language``, ``dim_country`` and
``dim_date``; the people of both CSVs are one ``dim_person``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cinelake.spark.trusted_tmdb import latest_per_key
from cinelake.tables.raw_schemas import ARTIST_FIELDS

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame


def text_key(text: Column) -> Column:
    """A stable negative bigint key for a text (its xxhash64, as it is)."""
    from pyspark.sql import functions as F

    return -F.xxhash64(text).bitwiseAND(F.lit(0x7FFF_FFFF_FFFF_FFFF)) - F.lit(1)


def name_key(name: Column) -> Column:
    """A stable negative bigint key for a name (the :func:`text_key` of the trimmed, lower-cased name)."""
    from pyspark.sql import functions as F

    return text_key(F.lower(F.trim(name)))


def date_key(day: Column) -> Column:
    """``yyyymmdd`` as int (null for a null date)."""
    from pyspark.sql import functions as F

    return (F.year(day) * 10000 + F.month(day) * 100 + F.dayofmonth(day)).cast("int")


def latest_movies(trusted_movies: DataFrame) -> DataFrame:
    """One row per TMDB id: the one from the most recent ``dt``."""
    return latest_per_key(trusted_movies, "tmdb_id", order=["dt"])


def latest_series(trusted_series: DataFrame) -> DataFrame:
    """One row per TMDB TV id: the one from the most recent ``dt``."""
    return latest_per_key(trusted_series, "tmdb_id", order=["dt"])


def latest_local(trusted_local: DataFrame) -> DataFrame:
    """Each CSV title (IMDB id) from its most recent ``dt``: its fields, ratings and artists."""
    return latest_per_key(trusted_local, "imdb_id", order=["dt"])


def fact_movie(movies: DataFrame, local_movies: DataFrame) -> DataFrame:
    """Each TMDB film on its latest day, with the CSV's IMDB rating and votes where the CSV has it."""
    from pyspark.sql import functions as F

    ratings = local_movies.select("imdb_id", "imdb_rating", "imdb_votes")
    frame = movies.join(ratings, "imdb_id", "left")
    known = F.col("budget").isNotNull() & F.col("revenue").isNotNull()
    return frame.select(
        F.col("tmdb_id").alias("movie_key"),
        date_key(F.col("release_date")).alias("release_date_key"),
        F.col("budget"),
        F.col("revenue"),
        F.when(known, F.col("revenue") - F.col("budget")).alias("profit"),
        F.when(known & (F.col("budget") > 0), F.col("revenue") / F.col("budget")).alias("roi"),
        F.col("popularity"),
        F.col("vote_average"),
        F.col("vote_count"),
        F.col("runtime"),
        F.col("imdb_rating"),
        F.col("imdb_votes"),
        F.col("dt").alias("snapshot_date"),
    )


def fact_movie_history(trusted_movies: DataFrame) -> DataFrame:
    """Every title on every collection day (Trusted ``dt``): how its votes, popularity and money moved."""
    from pyspark.sql import functions as F

    return trusted_movies.select(
        F.col("tmdb_id").alias("movie_key"),
        F.col("dt").alias("snapshot_date"),
        F.col("vote_average"),
        F.col("vote_count"),
        F.col("popularity"),
        F.col("budget"),
        F.col("revenue"),
    )


def title_dimension(
    key: str, tmdb: DataFrame, local: DataFrame, columns: list[tuple[str, Column, Column]]
) -> DataFrame:
    """A title dimension: every TMDB title (``m``, keyed by its TMDB id) with its CSV row (``c``) where
    the CSV has its IMDB id, then every CSV title TMDB lacks, keyed :func:`text_key` of its IMDB id
    (negative, so never a TMDB id). ``columns`` are (name, value on a TMDB row, value on a CSV-only
    row), between the ids and the CSV's genres every title dimension has; ``source`` says which of
    ``tmdb``, ``both`` or ``csv`` the row comes from."""
    from pyspark.sql import functions as F

    columns = [
        ("tmdb_id", F.col("m.tmdb_id"), _null("bigint")),
        ("imdb_id", F.col("m.imdb_id"), F.col("c.imdb_id")),
        *columns,
        ("imdb_genres", F.col("c.genres"), F.col("c.genres")),
    ]
    m, c = tmdb.alias("m"), local.alias("c")
    matched = m.join(c, F.col("m.imdb_id") == F.col("c.imdb_id"), "left").select(
        F.col("m.tmdb_id").alias(key),
        *[on_tmdb.alias(name) for name, on_tmdb, _ in columns],
        F.when(F.col("c.imdb_id").isNull(), F.lit("tmdb")).otherwise(F.lit("both")).alias("source"),
    )
    only_csv = c.join(m, F.col("m.imdb_id") == F.col("c.imdb_id"), "left_anti").select(
        text_key(F.col("c.imdb_id")).alias(key),
        *[on_csv.alias(name) for name, _, on_csv in columns],
        F.lit("csv").alias("source"),
    )
    return matched.unionByName(only_csv)


def _null(kind: str) -> Column:
    from pyspark.sql import functions as F

    return F.lit(None).cast(kind)


def dim_movie(movies: DataFrame, local_movies: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    m, c = "m.{}".format, "c.{}".format
    return title_dimension(
        "movie_key",
        movies,
        local_movies,
        [
            ("title", F.col(m("title")), F.col(c("title"))),
            ("original_title", F.col(m("original_title")), F.col(c("original_title"))),
            ("original_language", F.col(m("original_language")), _null("string")),
            ("release_date", F.col(m("release_date")), _null("date")),
            ("release_year", F.col(m("release_year")), F.col(c("release_year"))),
            ("status", F.col(m("status")), _null("string")),
            ("director", F.col(m("director")), _null("string")),
            ("collection_name", F.col(m("collection_name")), _null("string")),
        ],
    )


def dim_date(movies: DataFrame, series: DataFrame) -> DataFrame:
    """Every day from the earliest to the latest release, air (or snapshot) date; ``day_of_week`` is
    ISO (Monday = 1 ... Sunday = 7)."""
    from pyspark.sql import functions as F

    days = (
        movies.select(F.col("release_date").alias("d"))
        .unionByName(movies.select(F.col("dt").alias("d")))
        .unionByName(series.select(F.col("first_air_date").alias("d")))
        .unionByName(series.select(F.col("last_air_date").alias("d")))
        .unionByName(series.select(F.col("dt").alias("d")))
    )
    span = days.agg(F.min("d").alias("first"), F.max("d").alias("last"))
    every = span.filter(F.col("first").isNotNull()).select(
        F.explode(F.sequence("first", "last", F.expr("INTERVAL 1 DAY"))).alias("date")
    )
    return every.select(
        date_key(F.col("date")).alias("date_key"),
        F.col("date"),
        F.year("date").alias("year"),
        F.quarter("date").alias("quarter"),
        F.month("date").alias("month"),
        F.dayofmonth("date").alias("day"),
        ((F.dayofweek("date") + 5) % 7 + 1).alias("day_of_week"),
    )


def resolve_ids(rows: DataFrame, id_column: str, name_column: str) -> DataFrame:
    """Fill a missing ``id_column`` from another row that gives the same name (case-insensitive) an id,
    so a company named with its id on one source and by name only on another is one key."""
    from pyspark.sql import functions as F

    norm = F.lower(F.trim(F.col(name_column)))
    known = (
        rows.filter(F.col(id_column).isNotNull() & F.col(name_column).isNotNull())
        .groupBy(norm.alias("_norm"))
        .agg(F.min(id_column).alias("_known_id"))
    )
    joined = rows.withColumn("_norm", norm).join(known, "_norm", "left")
    return joined.withColumn(id_column, F.coalesce(F.col(id_column), F.col("_known_id"))).drop(
        "_norm", "_known_id"
    )


def _exploded(movies: DataFrame, column: str) -> DataFrame:
    from pyspark.sql import functions as F

    return movies.select(F.col("tmdb_id").alias("movie_key"), F.explode(column).alias("item"))


def _genre_pairs(titles: DataFrame, kind: str) -> DataFrame:
    from pyspark.sql import functions as F

    return titles.select(
        F.lit(kind).alias("kind"),
        F.col("tmdb_id").alias("title_key"),
        F.explode(
            F.transform(
                "genres",
                lambda name, i: F.struct(F.get(F.col("genre_ids"), i).alias("id"), name.alias("name")),
            )
        ).alias("g"),
    )


def genres(movies: DataFrame, series: DataFrame) -> tuple[DataFrame, DataFrame, DataFrame]:
    """(dim_genre, bridge_movie_genre, bridge_series_genre). ``genres`` and ``genre_ids`` are parallel
    arrays in Trusted. One dimension for both: TV genre ids (10759 "Action & Adventure" ...) land in
    it with their TV names; ids both lists share (16 Animation, 35 Comedy ...) are one row."""
    from pyspark.sql import functions as F

    paired = (
        _genre_pairs(movies, "movie")
        .unionByName(_genre_pairs(series, "series"))
        .filter(F.col("g.name").isNotNull() | F.col("g.id").isNotNull())
    )
    named = resolve_ids(
        paired.select("kind", "title_key", F.col("g.id").alias("genre_id"), F.col("g.name").alias("name")),
        "genre_id",
        "name",
    )
    keyed = named.select(
        "kind",
        "title_key",
        F.coalesce(F.col("genre_id"), name_key(F.col("name"))).alias("genre_key"),
        "genre_id",
        "name",
    )
    dim = keyed.groupBy("genre_key").agg(F.max("genre_id").alias("genre_id"), F.max("name").alias("name"))

    def bridge(kind: str, key: str) -> DataFrame:
        rows = keyed.filter(F.col("kind") == kind)
        return rows.select(F.col("title_key").alias(key), "genre_key").distinct()

    return dim, bridge("movie", "movie_key"), bridge("series", "series_key")


def _codes(series: DataFrame, column: str, case: Callable[[Column], Column], key: str) -> DataFrame:
    """``series_key`` and each trimmed code of an array of ISO codes (TV's ``languages``,
    ``origin_country``), empty ones left out, each pair once."""
    from pyspark.sql import functions as F

    rows = series.select(F.col("tmdb_id").alias("series_key"), F.explode(column).alias("code"))
    rows = rows.select("series_key", case(F.trim("code")).alias(key))
    return rows.filter(F.col(key).isNotNull() & (F.col(key) != "")).distinct()


def languages(movies: DataFrame, series: DataFrame) -> tuple[DataFrame, DataFrame, DataFrame]:
    """(dim_language, bridge_movie_language, bridge_series_language): films' spoken languages, series'
    TV ``languages`` (codes only; names come from any ``spoken_languages``); original languages join
    the dimension too, so every ``original_language`` has a row."""
    from pyspark.sql import functions as F

    spoken = _exploded(movies, "spoken_languages").select(
        "movie_key", F.lower(F.trim("item.code")).alias("language_key"), F.col("item.name").alias("name")
    )
    spoken = spoken.filter(F.col("language_key").isNotNull() & (F.col("language_key") != ""))

    def original(titles: DataFrame) -> DataFrame:
        return titles.select(
            F.lower(F.trim("original_language")).alias("language_key"),
            F.lit(None).cast("string").alias("name"),
        ).filter(F.col("language_key").isNotNull() & (F.col("language_key") != ""))

    series_spoken = (
        series.select(F.explode("spoken_languages").alias("item"))
        .select(F.lower(F.trim("item.code")).alias("language_key"), F.col("item.name").alias("name"))
        .filter(F.col("language_key").isNotNull() & (F.col("language_key") != ""))
    )
    series_bridge = _codes(series, "languages", F.lower, "language_key")
    dim = (
        spoken.select("language_key", "name")
        .unionByName(original(movies))
        .unionByName(series_spoken)
        .unionByName(series_bridge.select("language_key", F.lit(None).cast("string").alias("name")))
        .unionByName(original(series))
        .groupBy("language_key")
        .agg(F.max("name").alias("name"))
    )
    return dim, spoken.select("movie_key", "language_key").distinct(), series_bridge


def countries(movies: DataFrame, series: DataFrame) -> tuple[DataFrame, DataFrame, DataFrame]:
    """(dim_country, bridge_movie_country, bridge_series_country): films' production countries, series'
    TV ``origin_country`` (codes only; names come from any ``production_countries``)."""
    from pyspark.sql import functions as F

    rows = _exploded(movies, "production_countries").select(
        "movie_key", F.upper(F.trim("item.code")).alias("country_key"), F.col("item.name").alias("name")
    )
    rows = rows.filter(F.col("country_key").isNotNull() & (F.col("country_key") != ""))
    series_named = (
        series.select(F.explode("production_countries").alias("item"))
        .select(F.upper(F.trim("item.code")).alias("country_key"), F.col("item.name").alias("name"))
        .filter(F.col("country_key").isNotNull() & (F.col("country_key") != ""))
    )
    series_bridge = _codes(series, "origin_country", F.upper, "country_key")
    dim = (
        rows.select("country_key", "name")
        .unionByName(series_named)
        .unionByName(series_bridge.select("country_key", F.lit(None).cast("string").alias("name")))
        .groupBy("country_key")
        .agg(F.max("name").alias("name"))
    )
    return dim, rows.select("movie_key", "country_key").distinct(), series_bridge


def companies(movies: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(dim_company, bridge_movie_company): the TMDB company id (also for a name-only mention when any
    row names that company with its id), else a hash of the name."""
    from pyspark.sql import functions as F

    rows = _exploded(movies, "production_companies").filter(
        F.col("item.id").isNotNull() | (F.trim(F.col("item.name")) != "")
    )
    named = resolve_ids(
        rows.select(
            "movie_key",
            F.col("item.id").alias("id"),
            F.col("item.name").alias("name"),
            F.col("item.origin_country").alias("origin_country"),
        ),
        "id",
        "name",
    )
    keyed = named.select(
        "movie_key",
        F.coalesce(F.col("id"), name_key(F.col("name"))).alias("company_key"),
        "name",
        "origin_country",
    )
    dim = keyed.groupBy("company_key").agg(
        F.max("name").alias("name"), F.max("origin_country").alias("origin_country")
    )
    return dim, keyed.select("movie_key", "company_key").distinct()


def fact_series(series: DataFrame, local_series: DataFrame) -> DataFrame:
    """Each TMDB series' votes, popularity, seasons and episodes on its latest collection day, with the
    CSV's IMDB rating and votes (and its runtime where TMDB gives none) where the CSV has it."""
    from pyspark.sql import functions as F

    s, c = series.alias("s"), local_series.alias("c")
    return s.join(c, F.col("s.imdb_id") == F.col("c.imdb_id"), "left").select(
        F.col("s.tmdb_id").alias("series_key"),
        date_key(F.col("s.first_air_date")).alias("first_air_date_key"),
        F.col("s.vote_average"),
        F.col("s.vote_count"),
        F.col("s.popularity"),
        F.col("s.number_of_seasons").alias("seasons"),
        F.col("s.number_of_episodes").alias("episodes"),
        F.coalesce(F.col("s.runtime"), F.col("c.runtime")).alias("runtime"),
        F.col("c.imdb_rating"),
        F.col("c.imdb_votes"),
        F.col("s.dt").alias("snapshot_date"),
    )


def dim_series(series: DataFrame, local_series: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    m, c = "m.{}".format, "c.{}".format
    return title_dimension(
        "series_key",
        series,
        local_series,
        [
            ("name", F.col(m("title")), F.col(c("title"))),
            ("original_name", F.col(m("original_title")), F.col(c("original_title"))),
            ("original_language", F.col(m("original_language")), _null("string")),
            ("first_air_date", F.col(m("first_air_date")), _null("date")),
            ("first_air_year", F.col(m("first_air_year")), F.col(c("release_year"))),
            ("last_air_date", F.col(m("last_air_date")), _null("date")),
            ("last_air_year", F.year(m("last_air_date")), _null("int")),
            ("status", F.col(m("status")), _null("string")),
            ("type", F.col(m("type")), _null("string")),
            ("in_production", F.col(m("in_production")), _null("boolean")),
            ("seasons", F.col(m("number_of_seasons")), _null("int")),
            ("episodes", F.col(m("number_of_episodes")), _null("int")),
            ("networks", F.transform(m("networks"), lambda n: n["name"]), _null("array<string>")),
            ("languages", F.col(m("languages")), _null("array<string>")),
            ("countries", F.col(m("origin_country")), _null("array<string>")),
            ("end_year", F.col(c("end_year")), F.col(c("end_year"))),
        ],
    )


def networks(series: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(dim_network, bridge_series_network): the TMDB network id, else a hash of the name."""
    from pyspark.sql import functions as F

    rows = series.select(F.col("tmdb_id").alias("series_key"), F.explode("networks").alias("item"))
    rows = rows.filter(F.col("item.id").isNotNull() | (F.trim(F.col("item.name")) != ""))
    named = resolve_ids(
        rows.select("series_key", F.col("item.id").alias("id"), F.col("item.name").alias("name")),
        "id",
        "name",
    )
    keyed = named.select(
        "series_key", F.coalesce(F.col("id"), name_key(F.col("name"))).alias("network_key"), "name"
    )
    dim = keyed.groupBy("network_key").agg(F.max("name").alias("name"))
    return dim, keyed.select("series_key", "network_key").distinct()


def _credits(kind: str, local: DataFrame, dimension: DataFrame, key: str) -> DataFrame:
    """One row per CSV title (its key in ``dimension``) and artist."""
    from pyspark.sql import functions as F

    rows = local.select("imdb_id", F.explode("artists").alias("a"))
    titles = dimension.filter(F.col("source") != "tmdb").select("imdb_id", F.col(key).alias("title_key"))
    return rows.join(titles, "imdb_id").select(
        F.lit(kind).alias("kind"),
        "title_key",
        *[F.col(f"a.{field}").alias(field) for field in ARTIST_FIELDS],
    )




def people(
    dim_movie: DataFrame, dim_series: DataFrame, local_movies: DataFrame, local_series: DataFrame
) -> tuple[DataFrame, DataFrame, DataFrame, DataFrame]:
    """(dim_person, bridge_movie_person, bridge_series_person, bridge_person_known_for) from the CSVs'
    artists. A person is a name and a birth year (the CSV has no person id): ``person_key`` is the
    :func:`text_key` of ``name|birth_year`` (an unknown year is empty), so it is the same on every run
    and in either engine. A person's professions are every profession their rows give, sorted; a
    bridge row is each (title, person, category, character) once; a known-for title carries its
    ``movie_key`` / ``series_key`` where the lake has that IMDB id, null otherwise."""
    from pyspark.sql import functions as F

    year = F.coalesce(F.col("birth_year").cast("string"), F.lit(""))
    credits = (
        _credits("movie", local_movies, dim_movie, "movie_key")
        .unionByName(_credits("series", local_series, dim_series, "series_key"))
        .withColumn("person_key", text_key(F.concat(F.col("name"), F.lit("|"), year)))
    )
    dim = credits.groupBy("person_key", "name", "birth_year").agg(
        F.max("death_year").alias("death_year"),
        F.array_sort(F.array_distinct(F.flatten(F.collect_list("professions")))).alias("professions"),
    )
    professions = dim.select("person_key", "professions")

    def bridge(kind: str, key: str) -> DataFrame:
        rows = credits.filter(F.col("kind") == kind)
        rows = rows.select("title_key", "person_key", "category", "character").distinct()
        return rows.join(professions, "person_key").select(
            F.col("title_key").alias(key), "person_key", "category", "character", "professions"
        )

    known = credits.select("person_key", F.explode("known_for_titles").alias("imdb_id")).distinct()
    movie_keys = dim_movie.filter(F.col("imdb_id").isNotNull()).select("imdb_id", "movie_key")
    series_keys = dim_series.filter(F.col("imdb_id").isNotNull()).select("imdb_id", "series_key")
    known_for = (
        known.join(movie_keys, "imdb_id", "left")
        .join(series_keys, "imdb_id", "left")
        .select("person_key", "imdb_id", "movie_key", "series_key")
    )
    return dim, bridge("movie", "movie_key"), bridge("series", "series_key"), known_for


def star_schema(
    movies: DataFrame,
    local_movies: DataFrame,
    history: DataFrame | None = None,
    *,
    series: DataFrame,
    local_series: DataFrame,
) -> dict[str, DataFrame]:
    """Every Refined table, by name, from the latest Trusted TMDB movies (:func:`latest_movies`) and
    series (:func:`latest_series`), the latest local CSV movies and series (:func:`latest_local`;
    either may be empty) and every day of Trusted TMDB movies (``history``, for
    ``fact_movie_history``)."""
    dim_genre, bridge_genre, bridge_series_genre = genres(movies, series)
    dim_language, bridge_language, bridge_series_language = languages(movies, series)
    dim_country, bridge_country, bridge_series_country = countries(movies, series)
    dim_company, bridge_company = companies(movies)
    dim_network, bridge_series_network = networks(series)
    movie_dimension = dim_movie(movies, local_movies)
    series_dimension = dim_series(series, local_series)
    dim_person, bridge_movie_person, bridge_series_person, known_for = people(
        movie_dimension, series_dimension, local_movies, local_series
    )
    return {
        "fact_movie": fact_movie(movies, local_movies),
        **({"fact_movie_history": fact_movie_history(history)} if history is not None else {}),
        "dim_movie": movie_dimension,
        "dim_date": dim_date(movies, series),
        "dim_genre": dim_genre,
        "bridge_movie_genre": bridge_genre,
        "dim_language": dim_language,
        "bridge_movie_language": bridge_language,
        "dim_country": dim_country,
        "bridge_movie_country": bridge_country,
        "dim_company": dim_company,
        "bridge_movie_company": bridge_company,
        "fact_series": fact_series(series, local_series),
        "dim_series": series_dimension,
        "bridge_series_genre": bridge_series_genre,
        "dim_network": dim_network,
        "bridge_series_network": bridge_series_network,
        "bridge_series_language": bridge_series_language,
        "bridge_series_country": bridge_series_country,
        "dim_person": dim_person,
        "bridge_movie_person": bridge_movie_person,
        "bridge_series_person": bridge_series_person,
        "bridge_person_known_for": known_for,
    }
