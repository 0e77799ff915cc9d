"""`cinelake tmdb ...`: the offline TMDB-compatible server and the credentials check."""

from __future__ import annotations

from typing import Annotated

import typer

from cinelake.commands.common import TMDB_NOTICE, console, err_console
from cinelake.errors import UsageError

app = typer.Typer(
    help="TMDB: run the offline TMDB-compatible server, check your TMDB credentials.", no_args_is_help=True
)


@app.command("serve")
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Interface to listen on (keep 127.0.0.1 unless you mean it).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on; 0 picks a free one.")] = 0,
    rate_limit: Annotated[
        float | None,
        typer.Option(
            "--rate-limit", help="Requests/s served; more get 429 (status_code 25) with Retry-After."
        ),
    ] = None,
    latency_ms: Annotated[
        float, typer.Option("--latency-ms", help="Added to every /3 response, in ms.")
    ] = 0.0,
    fault_rate: Annotated[
        float, typer.Option("--fault-rate", help="Probability (0..1) that a request gets an injected fault.")
    ] = 0.0,
    faults: Annotated[
        str | None,
        typer.Option(
            "--faults",
            help="Fault mix as kind[=weight],...: 429, 429_no_retry_after, 500, 502, 503, 504, reset, hang, "
            "truncated, not_json (default: all but hang, equal weights).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for reproducible fault draws.")] = None,
    changes_per_day: Annotated[
        float,
        typer.Option(
            "--changes-per-day",
            help="SIMULATED edits: the fraction (0..1) of titles edited each day, a deterministic set per "
            "day. /movie/changes and /tv/changes list them and the edited titles' popularity, vote_count "
            "and vote_average change. Not TMDB's real edits. Default 0: no edits.",
        ),
    ] = 0.0,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            help="The server's day for the simulated change feed, YYYY-MM-DD (default: today, UTC).",
            show_default=False,
        ),
    ] = None,
    changes_from: Annotated[
        str | None,
        typer.Option(
            "--changes-from",
            help="The first day of the SIMULATED edits, YYYY-MM-DD: before it the snapshot's values stand "
            "and no change is listed (default: edits on every day).",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Accept only this Bearer token / api_key (401 otherwise; default: any non-empty one).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve TMDB v3 paths under /3 from the packaged snapshot (movies and series) until Ctrl-C.

    Point cinelake at it with TMDB_BASE_URL=<the printed URL> and any TMDB_READ_ACCESS_TOKEN.
    """
    from cinelake.tmdb.server import parse_fault_mix
    from cinelake.tmdb.server import serve as serve_offline

    options: dict[str, object] = {
        "token": token,
        "rate_limit": rate_limit,
        "latency_ms": latency_ms,
        "fault_rate": fault_rate,
        "seed": seed,
        "changes_per_day": changes_per_day,
        "today": today,
        "changes_from": changes_from,
    }
    try:
        if faults:
            options["fault_mix"] = parse_fault_mix(faults)
        from cinelake.tmdb.server import ServerOptions

        ServerOptions(**options)  # type: ignore[arg-type]
    except ValueError as exc:
        raise UsageError(str(exc)) from None

    def ready(url: str) -> None:
        console.print(f"Offline TMDB server on {url}", highlight=False)
        console.print(f"  export TMDB_BASE_URL={url}", highlight=False)
        if not token:
            console.print(
                "  export TMDB_READ_ACCESS_TOKEN=offline   (any non-empty token is accepted)", highlight=False
            )
        if changes_per_day > 0:
            from cinelake.tmdb.server.changes import period_of

            console.print(
                f"  change feed: SIMULATED edits, {1 / period_of(changes_per_day):.1%} of the titles a day "
                f"(each title every {period_of(changes_per_day)} days), day {today or 'today (UTC)'}"
                f"{f', edits from {changes_from}' if changes_from else ''}; these are not TMDB's edits",
                highlight=False,
            )
        console.print(TMDB_NOTICE, highlight=False)
        err_console.print("Press Ctrl-C to stop.", highlight=False)

    serve_offline(host, port, on_ready=ready, **options)


@app.command("check")
def check(
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="TMDB API base URL (env: TMDB_BASE_URL; default: TMDB's own).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check the TMDB credentials: TMDB_READ_ACCESS_TOKEN or TMDB_API_KEY from the environment / .env,
    else the one stored in AWS Secrets Manager (TMDB_SECRET_ID) or SSM (TMDB_SSM_PARAMETER)."""
    from cinelake.config import get_settings
    from cinelake.credentials import command_credentials
    from cinelake.tmdb.check import check as check_credentials
    from cinelake.tmdb.errors import TMDBAuthError

    settings = get_settings()
    credentials = command_credentials(settings)
    result = check_credentials(credentials.apply(settings), base_url=base_url)
    if credentials.origin != "environment":
        where = credentials.origin
    else:
        where = "TMDB_READ_ACCESS_TOKEN" if result.auth_method == "bearer" else "TMDB_API_KEY"
    what = f"Bearer token ({where})" if result.auth_method == "bearer" else f"api_key ({where})"
    if not result.ok:
        raise TMDBAuthError(result.message, status=result.status, tmdb_code=result.tmdb_code)
    console.print(f"TMDB credentials work: {result.base_url} accepted the {what}.", highlight=False)
