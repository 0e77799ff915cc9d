"""`cinelake tmdb ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="tmdb commands.", no_args_is_help=True)
