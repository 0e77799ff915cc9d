"""The CLI commands: each module is a thin typer shell over a library function of the same name."""
