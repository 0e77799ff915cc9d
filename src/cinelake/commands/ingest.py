"""`cinelake ingest ...`: move a source into the Raw zone (local CSV files, TMDB)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cinelake.commands.common import DateOption, LakeOption, console, open_lake, parse_date, parse_day

if TYPE_CHECKING:
    from cinelake.lake.store import Lake

app = typer.Typer(help="Move a source into the Raw zone: the local CSV files, TMDB.", no_args_is_help=True)

KindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        help="movies or series (default: from the CSV header; movies for --discover).",
        show_default=False,
    ),
]
TMDBKindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        help="movies, series, or both (--discover only: one run per kind, each in its own Raw folder). "
        "Default: from the CSV header; movies for --discover.",
        show_default=False,
    ),
]


@app.command("local")
def local(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="The challenge's CSV files (movies.csv, series.csv: '|'-separated).", show_default=False
        ),
    ],
    lake: LakeOption = None,
    date: DateOption = None,
    kind: KindOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Copy a file even when its content is that of its last copy.")
    ] = False,
) -> None:
    """Copy movies/series CSV files byte for byte into Raw/Local/CSV/<Kind>/YYYY/MM/DD/.

    Every file is validated first (one streaming pass); if any is invalid, nothing is written. A file
    whose content (sha256) is that of its last copy is not copied again unless --force; the table says
    which files were new, changed or unchanged. Every copy is recorded in Raw/Local/_runs/copies/.
    """
    from rich.table import Table

    from cinelake.ingest.local_csv import copy_summary, ingest_local, parse_kind

    day = parse_day(date)
    wanted = parse_kind(kind)
    store = open_lake(lake)
    done = ingest_local(store, [str(p) for p in paths], day=day, kind=wanted, force=force)
    table = Table(title=f"Raw/Local/CSV in {store.url}", title_justify="left")
    for column in ("in Raw", "kind", "content", "rows", "bytes", "sha256"):
        table.add_column(column, justify="right" if column in ("rows", "bytes") else "left", overflow="fold")
    for item in done:
        table.add_row(
            item.path,
            item.kind.value,
            item.change,
            f"{item.rows:,}",
            f"{item.bytes:,}",
            item.sha256[:12],
        )
    console.print(table)
    for item in done:
        console.print(f"{Path(item.source).name}: {copy_summary(item)}", highlight=False, soft_wrap=True)


@app.command("tmdb")
def tmdb(
    lake: LakeOption = None,
    date: DateOption = None,
    kind: TMDBKindOption = None,
    from_csv: Annotated[
        str | None,
        typer.Option(
            "--from-csv",
            help="The CSV whose IMDB ids to fetch: a local file, a URL, or a path in the lake "
            "(e.g. Raw/Local/CSV/Movies/2026/11/26/movies.csv).",
            show_default=False,
        ),
    ] = None,
    discover: Annotated[
        bool,
        typer.Option(
            "--discover",
            help="List the ids by genre with /discover/movie (movies) or /discover/tv (series), "
            "instead of a CSV.",
        ),
    ] = False,
    genres: Annotated[
        str,
        typer.Option(
            "--genres",
            help="Comma-separated genre names (case-insensitive), or 'all'. --discover resolves them on "
            "TMDB's genre list of the kind (/genre/movie/list, /genre/tv/list).",
            show_default=True,
        ),
    ] = "Comedy,Animation",
    release_from: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="--discover: first release date (series: first air date) YYYY-MM-DD.",
            show_default=False,
        ),
    ] = None,
    release_to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="--discover: last release date (series: first air date) YYYY-MM-DD.",
            show_default=False,
        ),
    ] = None,
    append: Annotated[
        str | None,
        typer.Option(
            "--append",
            help="append_to_response items of the detail requests (comma-separated). Default: "
            "credits,keywords,external_ids,release_dates for movies; "
            "credits,keywords,external_ids,content_ratings for series.",
            show_default=False,
        ),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Fetch everything again instead of resuming the day's run.")
    ] = False,
    incremental: Annotated[
        bool,
        typer.Option(
            "--incremental",
            help="Fetch only the titles new to the lake and the lake's titles that TMDB's change lists "
            "name since the last complete run of the same source started (less a day of overlap; "
            "windows of <= 14 days). With no such run, a full run.",
        ),
    ] = False,
    rate_limit: Annotated[
        float | None,
        typer.Option(
            "--rate-limit",
            help="Client-side requests/s, 0 for no limit (env: CINELAKE_TMDB_RATE_LIMIT; default 40).",
            show_default=False,
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            help="Requests in flight, 1-20 (env: CINELAKE_TMDB_CONCURRENCY; default 20).",
            show_default=False,
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="TMDB API base URL, e.g. the offline server's http://127.0.0.1:PORT/3 (env: TMDB_BASE_URL).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Fetch TMDB details for the CSV's IMDB ids (or a discover query) into Raw/TMDB/JSON/<Kind>/YYYY/MM/DD/.

    Movies go to Raw/TMDB/JSON/Movies/, series (/tv/{id}) to Raw/TMDB/JSON/Series/; --kind both runs a
    discover once per kind. Rerunning the same command on the same day resumes the run and skips what
    is done. The credential is TMDB_READ_ACCESS_TOKEN (or TMDB_API_KEY) from the environment / .env,
    else the one stored in AWS Secrets Manager (TMDB_SECRET_ID) or SSM Parameter Store (TMDB_SSM_PARAMETER).
    """
    import dataclasses

    from cinelake.commands.common import TMDB_NOTICE
    from cinelake.config import get_settings
    from cinelake.credentials import with_tmdb_credentials
    from cinelake.errors import UsageError
    from cinelake.ingest.local_csv import csv_kind, parse_genres, parse_kind
    from cinelake.ingest.progress import ProgressReport, summary_table
    from cinelake.ingest.runs import ingest_kinds, parse_kinds
    from cinelake.ingest.tmdb import IngestResult, TMDBIngestRequest
    from cinelake.lake.layout import Kind

    if from_csv and discover:
        raise UsageError("give either --from-csv or --discover, not both")
    if not from_csv and not discover:
        raise UsageError("say where the ids come from: --from-csv PATH_OR_URL or --discover")
    if rate_limit is not None and rate_limit < 0:
        raise UsageError(f"--rate-limit must be 0 (no limit) or more, got {rate_limit}")
    kinds = parse_kinds(kind) if kind is not None else None
    if kinds is not None and len(kinds) > 1 and from_csv:
        raise UsageError("--kind both needs --discover: a CSV holds one kind (its header says which)")
    wanted = parse_kind(kinds[0]) if kinds is not None else None
    store = open_lake(lake)
    if from_csv and "://" not in from_csv:
        # One spelling per file, so the same CSV always gives the same run id (and the Lambda agrees):
        # a local file by its absolute path, a path inside the lake by its full lake URL.
        local = Path(from_csv).expanduser()
        if local.exists():
            from_csv = str(local.resolve())
        elif not local.is_absolute() and _in_lake(store, from_csv):
            from_csv = store.uri(from_csv)
    request = TMDBIngestRequest(
        kind=wanted or Kind.MOVIES,
        day=parse_day(date),
        source="discover" if discover else "csv",
        csv=from_csv,
        genres=parse_genres(genres),
        release_from=parse_date(release_from, "--from") if release_from else None,
        release_to=parse_date(release_to, "--to") if release_to else None,
        append=tuple(append.split(",")) if append is not None else None,
        refresh=refresh,
        concurrency=concurrency,
        incremental=incremental,
    ).normalized()
    if wanted is None and from_csv:
        request = dataclasses.replace(request, kind=csv_kind(from_csv, lake=store))
    settings = get_settings().with_overrides(
        tmdb_rate_limit=rate_limit,
        tmdb_base_url=base_url.rstrip("/") if base_url else None,
        tmdb_max_connections=min(concurrency, 20) if concurrency else None,
    )
    settings = with_tmdb_credentials(settings)
    results: list[IngestResult] = []
    for each in kinds if kinds is not None and len(kinds) > 1 else (request.kind,):
        with ProgressReport(f"TMDB {each.value} -> {store.url}") as report:
            done = ingest_kinds(store, request, [each], settings, progress=lambda _kind: report.update)
        results.extend(done.values())
        console.print(summary_table(results[-1], each))
    console.print(TMDB_NOTICE)
    if any(result.status != "complete" for result in results):
        raise typer.Exit(1)


def _in_lake(store: Lake, rel: str) -> bool:
    from cinelake.errors import LakePathError

    try:
        return store.exists(rel)
    except LakePathError:
        return False
