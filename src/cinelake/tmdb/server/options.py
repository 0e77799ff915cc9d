"""What the offline server can be told to do: enforce a token, rate-limit, add latency, inject faults."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from typing import Any

# Every fault the server can inject, as TMDB (or the network in front of it) would produce it.
FAULT_KINDS = (
    "429",  # rate limited, with Retry-After
    "429_no_retry_after",  # rate limited, no Retry-After header
    "500",
    "502",  # an HTML page from the proxy, as a gateway sends it
    "503",
    "504",
    "reset",  # the TCP connection is reset before any response
    "hang",  # no answer until hang_s has passed (past the client's timeout) or the client leaves
    "truncated",  # a 200 whose body stops half way (Content-Length promises more)
    "not_json",  # a 200 whose body is an HTML page
)
# The default mix leaves out "hang": each one costs the client a whole timeout.
DEFAULT_FAULT_MIX = {kind: 1.0 for kind in FAULT_KINDS if kind != "hang"}


@dataclass
class ServerOptions:
    """Options of the offline TMDB server; all can be changed while it runs (``/__cinelake/config``)."""

    token: str | None = None  # when set, the only accepted Bearer token or api_key
    rate_limit: float | None = None  # requests/s served; more get 429 + status_code 25
    latency_ms: float = 0.0  # added to every /3 response
    fault_rate: float = 0.0  # probability that a /3 request gets a fault from fault_mix
    fault_mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_FAULT_MIX))
    script: list[str] = field(
        default_factory=list
    )  # faults for the next requests, in order, before fault_rate
    # path -> fault answered to every request of that path (``{"/3/movie/tt0114709": "500"}``): an id
    # that fails on every attempt, whatever the retries.
    path_faults: dict[str, str] = field(default_factory=dict)
    retry_after_s: int = 1  # the Retry-After of a "429" fault
    hang_s: float = 30.0  # how long a "hang" fault holds the request
    sudden_401: bool = False  # every /3 request answers 401/7 (credentials revoked mid-run)
    seed: int | None = None  # makes the fault draws reproducible
    log_size: int = 100_000  # how many requests the request log keeps
    # IMDB id -> TMDB TV id of series whose IMDB id the server should know (/find's tv_results, the
    # external_ids append). The packaged TV data has no IMDB ids, so by default the server knows none.
    tv_imdb_ids: dict[str, int] = field(default_factory=dict)
    # The simulated change feed (tmdb/server/changes.py): the fraction of titles edited each day, and
    # the server's day (YYYY-MM-DD; None: today's UTC date). The edits are simulated, not TMDB's.
    changes_per_day: float = 0.0
    today: str | None = None
    # The first day of simulated edits (YYYY-MM-DD; None: every day has its edits).
    changes_from: str | None = None
    # False: /movie/{imdb_id} answers 404, as a TMDB-compatible server that takes only TMDB ids would.
    movie_by_imdb: bool = True

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        unknown = [
            k for k in [*self.fault_mix, *self.script, *self.path_faults.values()] if k not in FAULT_KINDS
        ]
        if unknown:
            raise ValueError(f"unknown fault kind(s) {unknown}; known: {', '.join(FAULT_KINDS)}")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        if self.rate_limit is not None and self.rate_limit < 0:
            raise ValueError("rate_limit must be positive")
        if self.latency_ms < 0:
            raise ValueError("latency_ms must be 0 or more")
        bad = [k for k, v in self.tv_imdb_ids.items() if not isinstance(k, str) or type(v) is not int]
        if bad:
            raise ValueError(f"tv_imdb_ids maps IMDB ids to integer TMDB TV ids; bad entries: {bad[:5]}")
        if not 0.0 <= self.changes_per_day <= 1.0:
            raise ValueError("changes_per_day must be a fraction between 0 and 1")
        for name in ("today", "changes_from"):
            value = getattr(self, name)
            if value is None:
                continue
            try:
                date.fromisoformat(value)
            except (TypeError, ValueError):
                raise ValueError(f"{name} must be a date as YYYY-MM-DD, got {value!r}") from None

    def update(self, changes: dict[str, Any]) -> None:
        names = {f.name for f in fields(self)}
        unknown = set(changes) - names
        if unknown:
            raise ValueError(f"unknown server option(s): {', '.join(sorted(unknown))}")
        replace(self, **changes)  # validated on a copy first: a refused change leaves the options as is
        for name, value in changes.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["token"] = "***" if self.token else None
        return data


def parse_fault_mix(text: str) -> dict[str, float]:
    """``"429=2,503,reset"`` -> ``{"429": 2.0, "503": 1.0, "reset": 1.0}`` (the CLI's --faults)."""
    mix: dict[str, float] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        kind, _, weight = part.partition("=")
        mix[kind.strip()] = float(weight) if weight else 1.0
    unknown = [k for k in mix if k not in FAULT_KINDS]
    if unknown:
        raise ValueError(f"unknown fault kind(s) {unknown}; known: {', '.join(FAULT_KINDS)}")
    return mix
