"""TMDB's terms: every place that shows TMDB data shows this notice."""

TMDB_NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."
