"""Benchmark of the TMDB ingestion job against the offline server (started in a child process).

    .venv/bin/python bench/ingest.py [--ids 20000] [--throttled-ids 300] [--budget 300]

(a) Server limited to 40 requests/s with 150 ms of latency (a realistic round trip to the API): the
    job's achieved request rate as a fraction of 40 (target >= 0.95, no 429 provoked), and its speed-up
    over a one-request-at-a-time client (the same job with concurrency 1) measured in this same run
    (target >= 5x).
(b) Server unthrottled, no latency: records written per second end to end (target >= 1,000/s) and the
    peak RSS of the ingest process for 20,000 ids (target <= 200 MB). The snapshot holds ~10.8k movies,
    so the 20,000 ids are the snapshot's TMDB ids (listed with /discover/movie) followed by the same ids
    again until 20,000: the run's frozen plan is written with those ids, so the second half are real
    ids the server answers, in other chunks and files. The ingest runs in a child process so that its
    peak RSS is its own (os.wait4).

(c) Server unthrottled, no latency, no faults: requests per found movie in a CSV run of the packaged
    demo CSV's Comedy and Animation titles (target <= 1.10), against the look-up as it was (/find then
    /movie/{tmdb_id} for every id) measured on the same server in this same run.
(d) The offline server's SIMULATED change feed at --changes-per-day (default 0.05): day 1 a full
    pipeline run of the same titles, day 2 an --incremental pipeline run on the same lake, and a full
    refresh of day 2 in a second lake; twice: with the edits beginning on day 2 (that share of the
    titles edited since day 1: the benchmark's case), and with edits on every day (day 2's window, from
    the day before day 1 for the day of overlap, then names about three days of edits). The incremental
    day's TMDB requests as a fraction of the full refresh's (target <= 0.10), and whether the answers
    and the Refined rows are the same. The TMDB requests are counted by the server; the rest of the
    pipeline runs locally.

Each part is bounded in time (--budget seconds for part b, via should_stop); --parts picks some.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from cinelake.config import Settings
from cinelake.ingest.discover import discover_ids
from cinelake.ingest.local_csv import read_imdb_ids
from cinelake.ingest.tmdb import TMDBIngestRequest, ingest_tmdb
from cinelake.ingest.tmdb_runs import TmdbRunBook, TmdbRunPlan
from cinelake.lake.batch import CHUNK_SIZE
from cinelake.lake.layout import Kind
from cinelake.lake.manifest import new_generation, utc_now
from cinelake.lake.store import Lake
from cinelake.tmdb.client import TMDBClient
from cinelake.tmdb.server import configure, fetch_stats, reset_stats, serve_in_subprocess

TOKEN = "bench-token-0123456789"
DAY = date(2026, 11, 26)
DEMO_CSV = Path(__file__).resolve().parents[1] / "src" / "cinelake" / "data" / "demo_movies.csv"
HEADER = (
    "id|tituloPincipal|tituloOriginal|anoLancamento|tempoMinutos|genero|notaMedia|numeroVotos|"
    "generoArtista|personagem|nomeArtista|anoNascimento|anoFalecimento|profissao|titulosMaisConhecidos"
)


def settings(url: str, rate_limit: float) -> Settings:
    return Settings(
        tmdb_base_url=url, tmdb_read_access_token=TOKEN, tmdb_rate_limit=rate_limit, tmdb_max_retries=6
    )


def csv_of(ids: list[str], folder: Path, name: str) -> Path:
    path = folder / name
    rows = [f"{i}|t|t|2000|90|Comedy|7|10|actor|\\N|A|1970|\\N|actor|{i}" for i in ids]
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def arrival_rate(log: list[dict[str, Any]]) -> float:
    """Requests per second as the server saw them arrive, first to last (start-up and tail excluded)."""
    times = sorted(entry["t"] for entry in log)
    return (len(times) - 1) / (times[-1] - times[0])


def throttled(url: str, folder: Path, n_ids: int, client_rates: list[float]) -> dict[str, Any]:
    """Part (a): the job against a server that allows 40 req/s with 150 ms latency."""
    configure(url, rate_limit=40, latency_ms=150)
    ids = read_imdb_ids(DEMO_CSV, "all")[200:]
    concurrent_csv = csv_of(ids[:n_ids], folder, "concurrent.csv")
    sequential_csv = csv_of(ids[n_ids : n_ids + max(20, n_ids // 8)], folder, "sequential.csv")
    runs: list[dict[str, Any]] = []
    for number, client_rate in enumerate(client_rates):
        reset_stats(url)
        lake = Lake(str(folder / f"lake-a{number}"))
        request = TMDBIngestRequest(kind=Kind.MOVIES, day=DAY, csv=str(concurrent_csv), genres=("all",))
        concurrent = ingest_tmdb(lake, request, settings(url, client_rate))
        server = fetch_stats(url, log=True)
        rate = arrival_rate(server["log"])
        runs.append(
            {
                "client_rate": client_rate,
                "wall_rate": concurrent.requests / concurrent.seconds,
                "requests": concurrent.requests,
                "seconds": concurrent.seconds,
                "rate": rate,
                "fraction_of_40": rate / 40.0,
                "server_429": server.get("rate_limited", 0),
                "client_retries": concurrent.stats.get("retries"),
            }
        )
    reset_stats(url)
    one_at_a_time = TMDBIngestRequest(
        kind=Kind.MOVIES, day=DAY, csv=str(sequential_csv), genres=("all",), concurrency=1
    )
    sequential = ingest_tmdb(Lake(str(folder / "lake-seq")), one_at_a_time, settings(url, 40.0))
    sequential_rate = arrival_rate(fetch_stats(url, log=True)["log"])
    return {"runs": runs, "sequential_requests": sequential.requests, "sequential_rate": sequential_rate}


async def bare_client_rate(url: str, ids: list[int], concurrency: int) -> float:
    """Baseline: the TMDB client alone fetching details (no job, no lake), same concurrency."""
    async with TMDBClient.from_settings(
        settings(url, 100_000.0), rate_limit=None, max_connections=concurrency
    ) as client:
        limit = asyncio.Semaphore(concurrency)

        async def one(movie_id: int) -> None:
            async with limit:
                await client.movie_details(movie_id)

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in ids))
        return len(ids) / (time.perf_counter() - started)


async def snapshot_ids(url: str) -> list[int]:
    async with TMDBClient.from_settings(settings(url, 100_000.0), rate_limit=None) as client:
        return sorted(await discover_ids(client, Kind.MOVIES, ["all"], today=DAY))


def child_main(lake_url: str, url: str, budget: float, concurrency: int) -> None:
    """The ingest of part (b), in its own process; prints its result as JSON."""
    deadline = time.monotonic() + budget
    request = TMDBIngestRequest(
        kind=Kind.MOVIES, day=DAY, source="discover", genres=("all",), concurrency=concurrency
    )
    result = ingest_tmdb(
        Lake(lake_url), request, settings(url, 100_000.0), should_stop=lambda: time.monotonic() > deadline
    )
    print(
        orjson.dumps(
            {
                "status": result.status,
                "requested": result.requested,
                "written": result.written,
                "requests": result.requests,
                "seconds": result.seconds,
                "files": len(result.files),
            }
        ).decode()
    )


def unthrottled(url: str, folder: Path, n_ids: int, budget: float, concurrency: int) -> dict[str, Any]:
    """Part (b): throughput and peak RSS for ``n_ids`` ids, the ingest in a child process."""
    configure(url, rate_limit=None, latency_ms=0)
    listed = asyncio.run(snapshot_ids(url))
    ids = [str(listed[i % len(listed)]) for i in range(n_ids)]
    lake_url = str(folder / "lake-b")
    request = TMDBIngestRequest(kind=Kind.MOVIES, day=DAY, source="discover", genres=("all",)).normalized()
    TmdbRunBook(Lake(lake_url), request.run_id).save_plan(
        TmdbRunPlan(
            run=request.run_id,
            generation=new_generation(),
            created_at=utc_now(),
            parameters=request.parameters(),
            chunk_size=CHUNK_SIZE,
            ids=ids,
        )
    )
    command = [sys.executable, __file__, "--child", lake_url, url, str(budget), str(concurrency)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    out = child.stdout.read() if child.stdout else b""
    err = child.stderr.read() if child.stderr else b""
    if status != 0:
        raise SystemExit(f"the ingest child failed: {err.decode()[-2000:]}")
    result: dict[str, Any] = orjson.loads(out.strip().splitlines()[-1])
    # After the ingest, so the server has served (and cached) these ids as it had for the job.
    result["bare_client_rate"] = asyncio.run(bare_client_rate(url, listed[:4000], concurrency))
    result["listed"] = len(listed)
    result["records_per_second"] = result["written"] / result["seconds"]
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux: kilobytes
    cpu = usage.ru_utime + usage.ru_stime
    result["cpu_ms_per_record"] = 1000 * cpu / max(1, result["written"])
    return result


CSV_GENRES = ("Comedy", "Animation")


def requests_per_movie(url: str, folder: Path) -> dict[str, Any]:
    """Part (c): one CSV run with the look-up as it is, one with /find first for every id (baseline)."""
    from unittest import mock

    from cinelake.ingest.lookup import Lookup

    class FindFirst(Lookup):
        """The look-up as it was: /find, then /movie/{tmdb_id}."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.mode = "find"

    configure(url, rate_limit=None, latency_ms=0, changes_per_day=0.0, today=None)
    request = TMDBIngestRequest(kind=Kind.MOVIES, day=DAY, csv=str(DEMO_CSV), genres=CSV_GENRES)
    out: dict[str, Any] = {}
    for name, lookup in (("find first (before)", FindFirst), ("direct (now)", Lookup)):
        with mock.patch("cinelake.ingest.tmdb.Lookup", lookup):
            result = ingest_tmdb(Lake(str(folder / f"lake-c-{lookup.__name__}")), request, settings(url, 0))
        out[name] = {
            "requests": result.requests,
            "written": result.written,
            "not_found": result.not_found,
            "per_found": result.requests / max(1, result.written),
            "mode": result.lookup.get("mode"),
        }
    return out


def incremental_day(url: str, folder: Path, fraction: float, edits_from_day2: bool) -> dict[str, Any]:
    """Part (d): day 1 full, day 2 incremental, day 2 full refresh elsewhere; all through run_pipeline.

    ``edits_from_day2``: the simulated edits begin on day 2 (``fraction`` of the titles edited since day
    1); otherwise every day has its edits, and day 2's window (from the day before day 1, the day of
    overlap) names three days of them.
    """
    import duckdb

    from cinelake.pipeline import run_pipeline

    day1, day2 = DAY, date.fromordinal(DAY.toordinal() + 1)
    out: dict[str, Any] = {}
    analyses: dict[str, Any] = {}

    def day(name: str, lake_dir: Path, when: date, incremental: bool) -> None:
        configure(
            url,
            rate_limit=None,
            latency_ms=0,
            changes_per_day=fraction,
            today=when.isoformat(),
            changes_from=day2.isoformat() if edits_from_day2 else None,
        )
        reset_stats(url)
        started = time.perf_counter()
        result = run_pipeline(
            Lake(str(lake_dir)),
            [DEMO_CSV],
            settings=settings(url, 0),
            day=when,
            genres=CSV_GENRES,
            out_dir=folder / "reports",
            incremental=incremental,
        )
        ingest = next(step for step in result.steps if step.name == "ingest tmdb")
        out[name] = {
            "requests": fetch_stats(url)["requests"],
            "ingest_s": ingest.seconds,
            "pipeline_s": time.perf_counter() - started,
            "summary": ingest.summary,
        }
        assert result.analysis is not None
        analyses[name] = result.analysis.to_dict()["genres"]

    variant = "from-day2" if edits_from_day2 else "every-day"
    daily, full = folder / f"lake-d-daily-{variant}", folder / f"lake-d-full-{variant}"
    day("day 1 full", daily, day1, False)
    day("day 2 incremental", daily, day2, True)
    day("day 2 full refresh", full, day2, False)

    def rows(lake_dir: Path, table: str, drop: str = "") -> list[Any]:
        exclude = f"EXCLUDE ({drop})" if drop else ""
        query = (
            f"SELECT * {exclude} FROM read_parquet('{lake_dir}/Refined/{table}/**/*.parquet') ORDER BY ALL"
        )
        return duckdb.sql(query).fetchall()

    out["same_analysis"] = analyses["day 2 incremental"] == analyses["day 2 full refresh"]
    out["same_fact_movie"] = rows(daily, "fact_movie", "snapshot_date") == rows(
        full, "fact_movie", "snapshot_date"
    )
    out["same_dim_movie"] = rows(daily, "dim_movie") == rows(full, "dim_movie")
    out["fact_rows"] = len(rows(full, "fact_movie"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ids", type=int, default=20_000, help="ids of part (b)")
    parser.add_argument("--throttled-ids", type=int, default=300, help="ids of part (a): 2 requests each")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds allowed to part (b)")
    parser.add_argument(
        "--client-rates",
        type=lambda text: [float(x) for x in text.split(",")],
        default=[40.0],
        help="client-side rate limits to try in part (a), comma-separated (default 40; try 40,38)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=8,
        help="requests in flight in part (b): with no latency 8 keep the server busy, and httpcore's pool "
        "costs more CPU per request with more connections",
    )
    parser.add_argument("--parts", default="abcd", help="which parts to run, e.g. 'cd' (default: abcd)")
    parser.add_argument(
        "--changes-per-day",
        type=float,
        default=0.05,
        help="part (d): the share of titles the server's simulated feed edits each day",
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    # One warning line per retried request would bury the figures; the retries are counted instead.
    logging.getLogger("cinelake.tmdb").setLevel(logging.ERROR)
    if args.child:
        child_main(args.child[0], args.child[1], float(args.child[2]), int(args.child[3]))
        return
    print(f"cpus: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp, serve_in_subprocess(token=TOKEN) as url:
        folder = Path(tmp)
        show = print
        if "a" in args.parts:
            part_a(url, folder, args)
        if "b" in args.parts:
            part_b(url, folder, args)
        if "c" in args.parts:
            c = requests_per_movie(url, folder)
            show("(c) server unthrottled, no faults; CSV run of the demo CSV's Comedy and Animation titles")
            for name, run in c.items():
                show(
                    f"    {name:20} requests {run['requests']:,} for {run['written']:,} found "
                    f"({run['not_found']:,} not found): {run['per_found']:.3f} per found movie"
                )
            now, before = c["direct (now)"], c["find first (before)"]
            show(f"    requests per found movie    {now['per_found']:.3f}   (target <= 1.10)")
            show(f"    now / before                {now['requests'] / before['requests']:.3f}")
        for edits_from_day2 in (True, False) if "d" in args.parts else ():
            d = incremental_day(url, folder, args.changes_per_day, edits_from_day2)
            share = f"{args.changes_per_day:.0%} of the titles edited"
            when = "since day 1 (--changes-from day 2)" if edits_from_day2 else "on every day"
            show(f"(d) simulated change feed, {share} {when}; the pipeline on the demo CSV's titles")
            for name in ("day 1 full", "day 2 incremental", "day 2 full refresh"):
                run = d[name]
                show(
                    f"    {name:20} TMDB requests {run['requests']:,}; ingest {run['ingest_s']:.1f} s, "
                    f"pipeline {run['pipeline_s']:.1f} s"
                )
                show(f"        {run['summary']}")
            ratio = d["day 2 incremental"]["requests"] / d["day 2 full refresh"]["requests"]
            show(f"    incremental / full refresh  {ratio:.3f}   (target <= 0.10)")
            show(f"    same analysis               {d['same_analysis']}")
            facts = f"fact_movie {d['same_fact_movie']} ({d['fact_rows']:,} rows, snapshot_date aside)"
            show(f"    same Refined rows           {facts}, dim_movie {d['same_dim_movie']}")
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def part_a(url: str, folder: Path, args: argparse.Namespace) -> None:
    show = print
    a = throttled(url, folder, args.throttled_ids, args.client_rates)
    show("(a) server --rate-limit 40 --latency-ms 150, CSV mode (/movie/{imdb_id} per id), concurrency 20")
    seq = a["sequential_rate"]
    show(f"    one request at a time: {seq:.2f} req/s ({a['sequential_requests']} requests)")
    for run in a["runs"]:
        show(f"    client rate limit {run['client_rate']:g} req/s:")
        overall = f"{run['wall_rate']:.1f} req/s overall"
        show(f"      requests {run['requests']} in {run['seconds']:.1f} s ({overall})")
        show(f"      rate at the server        {run['rate']:.1f} req/s (first to last arrival)")
        show(f"      achieved rate / 40        {run['fraction_of_40']:.3f}   (target >= 0.95)")
        show(f"      429 from the server       {run['server_429']}   (target 0)")
        show(f"      client retries            {run['client_retries']}")
        show(f"      speed-up over 1 at a time {run['rate'] / seq:.1f}x   (target >= 5x)")


def part_b(url: str, folder: Path, args: argparse.Namespace) -> None:
    show = print
    b = unthrottled(url, folder, args.ids, args.budget, args.concurrency)
    show(f"(b) server unthrottled, no latency; {args.ids:,} ids ({b['listed']:,} snapshot ids, repeated)")
    show(f"    concurrency {args.concurrency}")
    show(f"    status {b['status']}: {b['written']:,} records in {b['files']} files")
    show(f"    requests {b['requests']:,} in {b['seconds']:.1f} s")
    show(f"    records written per second  {b['records_per_second']:,.0f}   (target >= 1,000)")
    bare = b["bare_client_rate"]
    show(f"    bare client, same server    {bare:,.0f} details/s (no job, no lake; 4,000 requests)")
    show(f"    job / bare client           {b['records_per_second'] / bare:.2f}")
    show(f"    ingest CPU per record       {b['cpu_ms_per_record']:.2f} ms (user + system)")
    show(f"    ingest peak RSS             {b['peak_rss_mb']:.0f} MB   (target <= 200)")


if __name__ == "__main__":
    main()
