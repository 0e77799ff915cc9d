"""Raw TMDB JSON Lines -> Trusted rows: typed, cleaned, one row per TMDB id per ``dt``.

Pure DataFrame transformations (no Python UDFs): every function takes and returns a DataFrame, so
each is testable on a tiny local session and runs unchanged on Glue/EMR.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cinelake.spark.compat import try_to_date

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

TOP_CAST = 5
"""How many cast members (by billing order) Trusted keeps per title."""

_DATE_FROM_PATH = r"/(\d{4})/(\d{2})/(\d{2})/[^/]+$"


def dt_from_path(path: Column) -> Column:
    """The processing date of a Raw file, from its ``.../YYYY/MM/DD/<file>`` path."""
    from pyspark.sql import functions as F

    parts = [F.regexp_extract(path, _DATE_FROM_PATH, i) for i in (1, 2, 3)]
    return try_to_date(F.concat_ws("-", *parts), "yyyy-MM-dd")


def read_raw_json(spark: SparkSession, paths: Sequence[str], ddl: str) -> DataFrame:
    """Raw JSON Lines at ``paths`` (files or day folders) with an explicit schema, plus ``source_file``
    and ``dt`` (the Raw folder's date). Malformed lines become rows with a null ``id``."""
    from pyspark.sql import functions as F

    frame = (
        spark.read.schema(ddl)  # a DDL string: Spark 3.5 and 4 both take it
        .option("mode", "PERMISSIVE")
        .option("pathGlobFilter", "*.json")
        .json(list(paths))
    )
    path = F.col("_metadata.file_path")
    return frame.withColumn("source_file", path).withColumn("dt", dt_from_path(path))


def _blank_to_null(column: Column) -> Column:
    from pyspark.sql import functions as F

    return F.when(F.trim(column) != "", F.trim(column))


def _positive(column: Column) -> Column:
    """TMDB writes 0 for an unknown budget, revenue or runtime: read it as unknown."""
    from pyspark.sql import functions as F

    return F.when(column > 0, column)


def _names(items: Column, field: str = "name") -> Column:
    from pyspark.sql import functions as F

    return F.transform(items, lambda item: item[field])


def _top_cast(credits: Column) -> Column:
    """The first :data:`TOP_CAST` cast members by billing ``order`` (missing order last)."""
    from pyspark.sql import functions as F

    keyed = F.transform(
        F.filter(credits["cast"], lambda c: c["name"].isNotNull()),
        lambda c: F.struct(
            F.coalesce(c["order"], F.lit(2**31 - 1)).alias("rank"),
            c["id"].alias("id"),
            c["name"].alias("name"),
            c["character"].alias("character"),
            c["order"].alias("order"),
        ),
    )
    ranked = F.slice(F.array_sort(keyed), 1, TOP_CAST)
    return F.transform(
        ranked,
        lambda c: F.struct(
            c["id"].alias("id"),
            c["name"].alias("name"),
            c["character"].alias("character"),
            c["order"].alias("order"),
        ),
    )


def _common(frame: DataFrame) -> list[Column]:
    """Columns movies and series share."""
    from pyspark.sql import functions as F

    return [
        F.col("original_language"),
        _blank_to_null(F.col("overview")).alias("overview"),
        _blank_to_null(F.col("tagline")).alias("tagline"),
        _blank_to_null(F.col("status")).alias("status"),
        F.col("popularity"),
        F.col("vote_average"),
        F.col("vote_count"),
        _blank_to_null(F.col("homepage")).alias("homepage"),
        _names(F.col("genres")).alias("genres"),
        _names(F.col("genres"), "id").alias("genre_ids"),
        F.transform(
            F.col("production_companies"),
            lambda c: F.struct(
                c["id"].alias("id"),
                F.trim(c["name"]).alias("name"),
                c["origin_country"].alias("origin_country"),
            ),
        ).alias("production_companies"),
        F.transform(
            F.col("production_countries"),
            lambda c: F.struct(c["iso_3166_1"].alias("code"), c["name"].alias("name")),
        ).alias("production_countries"),
        F.transform(
            F.col("spoken_languages"),
            lambda c: F.struct(
                c["iso_639_1"].alias("code"), F.coalesce(c["english_name"], c["name"]).alias("name")
            ),
        ).alias("spoken_languages"),
        F.col("origin_country"),
        _top_cast(F.col("credits")).alias("top_cast"),
    ]


def latest_per_key(
    frame: DataFrame, key: str, *, within: Sequence[str] = (), order: Sequence[str]
) -> DataFrame:
    """One row per ``key`` (per ``within`` group): the first by ``order`` (column names, descending)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    window = Window.partitionBy(key, *within).orderBy(*[F.col(c).desc_nulls_last() for c in order])
    return frame.withColumn("_rank", F.row_number().over(window)).filter("_rank = 1").drop("_rank")


def trusted_movies(raw: DataFrame) -> DataFrame:
    """Trusted TMDB movies from :func:`read_raw_json` rows: typed, 0 -> null, one row per id per dt.

    Among copies of one id on one day the one from the last file (by name) wins.
    """
    from pyspark.sql import functions as F

    directors = _names(F.filter(F.col("credits.crew"), lambda c: c["job"] == "Director"))
    release = try_to_date(_blank_to_null(F.col("release_date")), "yyyy-MM-dd")
    typed = raw.filter(F.col("id").isNotNull() & F.col("dt").isNotNull()).select(
        F.col("id").alias("tmdb_id"),
        F.coalesce(_blank_to_null(F.col("imdb_id")), _blank_to_null(F.col("external_ids.imdb_id"))).alias(
            "imdb_id"
        ),
        _blank_to_null(F.col("title")).alias("title"),
        _blank_to_null(F.col("original_title")).alias("original_title"),
        release.alias("release_date"),
        F.year(release).alias("release_year"),
        _positive(F.col("budget")).alias("budget"),
        _positive(F.col("revenue")).alias("revenue"),
        _positive(F.col("runtime")).alias("runtime"),
        F.col("adult"),
        *_common(raw),
        F.col("belongs_to_collection.id").alias("collection_id"),
        F.col("belongs_to_collection.name").alias("collection_name"),
        F.get(directors, 0).alias("director"),
        directors.alias("directors"),
        _names(F.col("keywords.keywords")).alias("keywords"),
        F.col("source_file"),
        F.col("dt"),
    )
    return latest_per_key(typed, "tmdb_id", within=["dt"], order=["source_file"])


def trusted_series(raw: DataFrame) -> DataFrame:
    """Trusted TMDB series (``/tv/{id}`` objects): the same cleaning as movies, series fields."""
    from pyspark.sql import functions as F

    first_air = try_to_date(_blank_to_null(F.col("first_air_date")), "yyyy-MM-dd")
    typed = raw.filter(F.col("id").isNotNull() & F.col("dt").isNotNull()).select(
        F.col("id").alias("tmdb_id"),
        _blank_to_null(F.col("external_ids.imdb_id")).alias("imdb_id"),
        _blank_to_null(F.col("name")).alias("title"),
        _blank_to_null(F.col("original_name")).alias("original_title"),
        first_air.alias("first_air_date"),
        F.year(first_air).alias("first_air_year"),
        try_to_date(_blank_to_null(F.col("last_air_date")), "yyyy-MM-dd").alias("last_air_date"),
        F.col("in_production"),
        _blank_to_null(F.col("type")).alias("type"),
        _positive(F.col("number_of_seasons")).alias("number_of_seasons"),
        _positive(F.col("number_of_episodes")).alias("number_of_episodes"),
        _positive(F.get(F.col("episode_run_time"), 0)).alias("runtime"),
        *_common(raw),
        F.transform(
            F.col("networks"), lambda c: F.struct(c["id"].alias("id"), F.trim(c["name"]).alias("name"))
        ).alias("networks"),
        F.col("languages"),  # TV's own list of ISO 639-1 codes (series have no spoken_languages here)
        _names(F.col("created_by")).alias("creators"),
        _names(F.col("keywords.results")).alias("keywords"),
        F.col("source_file"),
        F.col("dt"),
    )
    return latest_per_key(typed, "tmdb_id", within=["dt"], order=["source_file"])
