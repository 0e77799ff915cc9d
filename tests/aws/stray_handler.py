"""A handler that breaks the rules the audit checks: it writes into its working folder and imports a
heavy package. It exists to prove the audit can fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def handler(event: Any, context: Any) -> dict[str, Any]:
    Path("stray.txt").write_text("not in /tmp")
    import starlette  # noqa: F401

    return {"wrote": "stray.txt"}
