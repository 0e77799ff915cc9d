"""``getResolvedOptions`` as the AWS Glue developer guide documents it (test double)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


class GlueArgumentError(Exception):
    """A job argument the script asked for is missing: the Glue run fails."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise GlueArgumentError(message)


def getResolvedOptions(args: Sequence[str], options: Sequence[str]) -> dict[str, str]:
    """``--name value`` of each name in ``options`` (all required) from ``args`` (``sys.argv``)."""
    parser = _Parser(add_help=False)
    for name in options:
        parser.add_argument(f"--{name}", required=True)
    known, _others = parser.parse_known_args(list(args[1:]))
    return {name: str(value) for name, value in vars(known).items()}
