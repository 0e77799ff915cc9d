"""The read-only guard: a query may only read (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN)."""

from __future__ import annotations

import re

from cinelake.errors import UsageError

READ_KEYWORDS = ("select", "with", "show", "describe", "explain")
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_WORD = re.compile(r"[A-Za-z_]+")


class ReadOnlyError(UsageError):
    """A statement that would change something, refused because the query runs read-only."""


def strip_comments(sql: str) -> str:
    return _COMMENTS.sub(" ", sql)


def leading_keyword(sql: str) -> str:
    text = strip_comments(sql).lstrip().lstrip("(").lstrip()
    match = _WORD.match(text)
    return match[0].lower() if match else ""


def check_read_only(sql: str) -> None:
    """Refuse, with one clear message, anything but a single SELECT/WITH/SHOW/DESCRIBE/EXPLAIN."""
    text = strip_comments(sql).strip().rstrip(";").strip()
    if not text:
        raise UsageError("the SQL statement is empty")
    keyword = leading_keyword(text)
    if keyword not in READ_KEYWORDS:
        raise ReadOnlyError(
            f"refused {keyword.upper() or 'this statement'}: queries are read-only "
            "(SELECT, WITH, SHOW, DESCRIBE or EXPLAIN only)"
        )
    if keyword == "explain":
        rest = re.sub(r"^\s*\(?\s*explain\s+(analyze\s+)?", "", text, flags=re.IGNORECASE)
        if leading_keyword(rest) not in ("select", "with", "from", "values"):
            raise ReadOnlyError("refused EXPLAIN of a statement that writes: queries are read-only")
