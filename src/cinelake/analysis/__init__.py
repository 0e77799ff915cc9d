"""The lake's answers: the best and worst titles of a genre (films: budget vs revenue; series: votes,
seasons and episodes), and the HTML report. One code path serves every kind declared in
:mod:`cinelake.analysis.kinds`.

Importing this package is cheap: DuckDB and pyarrow are imported inside the functions that use them,
and the charts are plain dicts for the plotly.js the package ships (:mod:`cinelake.analysis.plotting`).
"""

from cinelake.analysis.answer import answer, budget_vs_revenue, load_titles
from cinelake.analysis.compute import analyze, analyze_films
from cinelake.analysis.freshness import DatasetFreshness, Freshness, freshness
from cinelake.analysis.kinds import FILMS, KINDS, SERIES, TitleKind
from cinelake.analysis.loader import NoAnalysisData
from cinelake.analysis.model import Analysis, Definition, GenreResult, Source, Summary

__all__ = [
    "FILMS",
    "KINDS",
    "SERIES",
    "Analysis",
    "DatasetFreshness",
    "Definition",
    "Freshness",
    "GenreResult",
    "NoAnalysisData",
    "Source",
    "Summary",
    "TitleKind",
    "analyze",
    "analyze_films",
    "answer",
    "budget_vs_revenue",
    "freshness",
    "load_titles",
]
