"""The lake's answers: budget vs revenue of the best and worst films of a genre, and the HTML report.

Importing this package is cheap: DuckDB, pyarrow and plotly are imported inside the functions that
use them.
"""

from cinelake.analysis.budget_vs_revenue import budget_vs_revenue
from cinelake.analysis.compute import analyze_films
from cinelake.analysis.freshness import DatasetFreshness, Freshness, freshness
from cinelake.analysis.model import Analysis, Definition, Film, FilmRow, GenreResult, GroupSummary, Source
from cinelake.analysis.sources import NoAnalysisData, load_films

__all__ = [
    "Analysis",
    "DatasetFreshness",
    "Definition",
    "Film",
    "FilmRow",
    "Freshness",
    "GenreResult",
    "GroupSummary",
    "NoAnalysisData",
    "Source",
    "analyze_films",
    "budget_vs_revenue",
    "freshness",
    "load_films",
]
