"""Raw Local CSV (the challenge's '|'-separated movies.csv / series.csv) -> Trusted rows.

The CSV has one row per (title, artist); Trusted has one row per title and ``dt``, with the artists
as an array of structs. ``\\N`` is null; numbers are typed (a value that is not a number is null).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cinelake.errors import InputFileError
from cinelake.spark.compat import try_cast
from cinelake.spark.trusted_tmdb import dt_from_path, latest_per_key
from cinelake.tables.raw_schemas import LOCAL_MOVIES_COLUMNS, LOCAL_SERIES_COLUMNS

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession


def read_raw_csv(spark: SparkSession, paths: Sequence[str], *, series: bool) -> DataFrame:
    """The challenge's CSV files at ``paths`` as strings (``\\N`` -> null), plus ``source_file`` and ``dt``.

    Quoting is off: the format has none, and titles may hold a lone ``"``.
    """
    from pyspark.sql import functions as F

    expected = LOCAL_SERIES_COLUMNS if series else LOCAL_MOVIES_COLUMNS
    frame = (
        spark.read.option("sep", "|")
        .option("header", "true")
        .option("quote", "")
        .option("escape", "")
        .option("nullValue", "\\N")
        .option("encoding", "UTF-8")
        .option("mode", "PERMISSIVE")
        .option("pathGlobFilter", "*.csv")
        .csv(list(paths))
    )
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise InputFileError(
            ", ".join(paths[:3]) + (" ..." if len(paths) > 3 else ""),
            f"not the challenge's {'series' if series else 'movies'} CSV: "
            f"missing columns {', '.join(missing)}",
        )
    path = F.col("_metadata.file_path")
    return frame.select(*expected).withColumn("source_file", path).withColumn("dt", dt_from_path(path))


def _split(column: Column) -> Column:
    from pyspark.sql import functions as F

    return F.filter(F.transform(F.split(column, ","), lambda s: F.trim(s)), lambda s: s != "")


def trusted_local(raw: DataFrame, *, series: bool) -> DataFrame:
    """One row per IMDB id per ``dt``: typed title fields and ``artists`` (sorted by name)."""
    from pyspark.sql import functions as F

    rows = raw.filter(F.col("id").startswith("tt") & F.col("dt").isNotNull()).select(
        F.trim("id").alias("imdb_id"),
        F.col("tituloPincipal").alias("title"),
        F.col("tituloOriginal").alias("original_title"),
        try_cast("anoLancamento", "int").alias("release_year"),
        *([try_cast("anoTermino", "int").alias("end_year")] if series else []),
        try_cast("tempoMinutos", "int").alias("runtime"),
        _split(F.col("genero")).alias("genres"),
        try_cast("notaMedia", "double").alias("imdb_rating"),
        try_cast("numeroVotos", "bigint").alias("imdb_votes"),
        F.struct(
            F.col("nomeArtista").alias("name"),
            F.col("generoArtista").alias("category"),
            F.col("personagem").alias("character"),
            try_cast("anoNascimento", "int").alias("birth_year"),
            try_cast("anoFalecimento", "int").alias("death_year"),
            _split(F.col("profissao")).alias("professions"),
            _split(F.col("titulosMaisConhecidos")).alias("known_for_titles"),
        ).alias("artist"),
        F.col("source_file"),
        F.col("dt"),
    )
    # A title's fields repeat on each of its artist rows; the last file of the day wins if they differ.
    titles = latest_per_key(
        rows.drop("artist"), "imdb_id", within=["dt"], order=["source_file", "imdb_votes", "title"]
    )
    artists = (
        rows.filter(F.col("artist.name").isNotNull())
        .groupBy("imdb_id", "dt")
        .agg(F.array_sort(F.collect_set("artist")).alias("artists"))
    )
    empty = F.array().cast(artists.schema["artists"].dataType)
    joined = titles.join(artists, ["imdb_id", "dt"], "left").withColumn(
        "artists", F.coalesce("artists", empty)
    )
    return joined.select(
        *[c for c in titles.columns if c not in ("source_file", "dt")], "artists", "source_file", "dt"
    )
