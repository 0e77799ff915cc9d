"""Data files packaged with cinelake (see SOURCE.md here)."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent


def demo_movies_csv() -> Path:
    """The demo's movies file, in the challenge's pipe-separated format (built from the TMDB snapshot)."""
    return DATA_DIR / "demo_movies.csv"
