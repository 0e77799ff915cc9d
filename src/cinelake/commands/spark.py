"""`cinelake spark ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="spark commands.", no_args_is_help=True)
