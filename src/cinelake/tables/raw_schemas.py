"""Explicit read schemas of the Raw zone.

Raw TMDB JSON is read with these schemas instead of inferring one: a field a source never sends (the
offline snapshot has no company ids, no characters, no ``release_dates``) becomes a null column rather
than a missing one that breaks the job, and a day whose files hold only some fields reads the same as
any other day. Fields the jobs do not use are left out (Spark skips them while parsing).
"""

from __future__ import annotations

from cinelake.ingest.local_csv import MOVIES_COLUMNS, SERIES_COLUMNS

# Spark DDL strings keep the schemas readable and compare equal to what Spark prints.
_NAMED = "STRUCT<id: BIGINT, name: STRING>"
_GENRES = f"ARRAY<{_NAMED}>"
_COMPANIES = "ARRAY<STRUCT<id: BIGINT, name: STRING, origin_country: STRING>>"
_COUNTRIES = "ARRAY<STRUCT<iso_3166_1: STRING, name: STRING>>"
_LANGUAGES = "ARRAY<STRUCT<iso_639_1: STRING, english_name: STRING, name: STRING>>"
_CREDITS = (
    "STRUCT<cast: ARRAY<STRUCT<id: BIGINT, name: STRING, character: STRING, `order`: INT>>, "
    "crew: ARRAY<STRUCT<id: BIGINT, name: STRING, job: STRING, department: STRING>>>"
)
_KEYWORDS_MOVIE = "STRUCT<keywords: ARRAY<STRUCT<id: BIGINT, name: STRING>>>"
_KEYWORDS_TV = "STRUCT<results: ARRAY<STRUCT<id: BIGINT, name: STRING>>>"
_EXTERNAL_IDS = "STRUCT<imdb_id: STRING>"

TMDB_MOVIE_DDL = ", ".join(
    [
        "id BIGINT",
        "imdb_id STRING",
        "title STRING",
        "original_title STRING",
        "original_language STRING",
        "overview STRING",
        "tagline STRING",
        "status STRING",
        "release_date STRING",
        "adult BOOLEAN",
        "budget BIGINT",
        "revenue BIGINT",
        "runtime INT",
        "popularity DOUBLE",
        "vote_average DOUBLE",
        "vote_count BIGINT",
        "homepage STRING",
        f"belongs_to_collection {_NAMED}",
        f"genres {_GENRES}",
        f"production_companies {_COMPANIES}",
        f"production_countries {_COUNTRIES}",
        f"spoken_languages {_LANGUAGES}",
        "origin_country ARRAY<STRING>",
        f"credits {_CREDITS}",
        f"keywords {_KEYWORDS_MOVIE}",
        f"external_ids {_EXTERNAL_IDS}",
    ]
)

TMDB_SERIES_DDL = ", ".join(
    [
        "id BIGINT",
        "name STRING",
        "original_name STRING",
        "original_language STRING",
        "overview STRING",
        "tagline STRING",
        "status STRING",
        "type STRING",
        "first_air_date STRING",
        "last_air_date STRING",
        "in_production BOOLEAN",
        "number_of_seasons INT",
        "number_of_episodes INT",
        "episode_run_time ARRAY<INT>",
        "popularity DOUBLE",
        "vote_average DOUBLE",
        "vote_count BIGINT",
        "homepage STRING",
        f"genres {_GENRES}",
        f"networks {_COMPANIES}",
        f"production_companies {_COMPANIES}",
        f"production_countries {_COUNTRIES}",
        f"spoken_languages {_LANGUAGES}",
        "origin_country ARRAY<STRING>",
        "languages ARRAY<STRING>",
        "created_by ARRAY<STRUCT<id: BIGINT, name: STRING>>",
        f"credits {_CREDITS}",
        f"keywords {_KEYWORDS_TV}",
        f"external_ids {_EXTERNAL_IDS}",
    ]
)

# The challenge's CSV headers: one definition, shared with the ingestion that validates them.
LOCAL_MOVIES_COLUMNS = MOVIES_COLUMNS
LOCAL_SERIES_COLUMNS = SERIES_COLUMNS
# The Raw CSV as Spark reads it (every column a string): the columns of a Trusted local dataset with no
# rows, for a lake without one.
LOCAL_MOVIES_DDL = ", ".join(f"{column} STRING" for column in LOCAL_MOVIES_COLUMNS)
LOCAL_SERIES_DDL = ", ".join(f"{column} STRING" for column in LOCAL_SERIES_COLUMNS)
# The fields of a Trusted ``artists`` element, in order (both engines build the struct so).
ARTIST_FIELDS = (
    "name",
    "category",
    "character",
    "birth_year",
    "death_year",
    "professions",
    "known_for_titles",
)
