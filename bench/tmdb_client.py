"""Throughput of the TMDB client against the offline server (in a child process: no shared GIL).

    .venv/bin/python bench/tmdb_client.py [--requests 20000] [--paced-seconds 10]

(a) server without rate limit or latency: details requests per second with 20 and with 4 connections,
    find + details pairs (the CSV ingest's pattern), against a one-connection client in the same run;
(b) server with --rate-limit 40 --latency-ms 150, client at its default 40 req/s: the achieved rate as a
    fraction of 40, the 429s provoked, the server's peak requests in one second, and the speed-up over a
    one-request-at-a-time client in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

from cinelake.tmdb.client import DEFAULT_APPEND, TMDBClient
from cinelake.tmdb.server import fetch_stats, reset_stats, serve_in_subprocess
from cinelake.tmdb.snapshot import load_snapshot

TOKEN = "bench-token"


async def drive(count: int, workers: int, job: Callable[[int], Awaitable[object]]) -> float:
    """Run ``count`` jobs through ``workers`` tasks; returns the elapsed seconds."""
    queue = iter(range(count))

    async def worker() -> None:
        for i in queue:
            await job(i)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - started


async def details_rate(url: str, ids: list[int], count: int, connections: int) -> tuple[float, float]:
    """Requests/s and client CPU microseconds per request."""
    async with TMDBClient(
        url, read_access_token=TOKEN, rate_limit=None, max_connections=connections
    ) as client:
        await drive(200, connections, lambda i: client.movie_details(ids[i], DEFAULT_APPEND))  # warm up
        cpu = time.process_time()
        seconds = await drive(count, 2 * connections, lambda i: client.movie_details(ids[i % len(ids)]))
        cpu = time.process_time() - cpu
    return count / seconds, cpu / count * 1e6


async def pairs_rate(url: str, imdb: list[str], count: int, connections: int) -> float:
    async with TMDBClient(
        url, read_access_token=TOKEN, rate_limit=None, max_connections=connections
    ) as client:

        async def pair(i: int) -> None:
            found = await client.find_by_imdb(imdb[i % len(imdb)])
            await client.movie_details(found.movie_ids[0])

        seconds = await drive(count, 2 * connections, pair)
    return count / seconds


async def unthrottled(url: str, ids: list[int], imdb: list[str], count: int) -> None:
    one, one_cpu = await details_rate(url, ids, min(count, 2000), 1)
    print(f"    1 connection (baseline)  : {one:7,.0f} req/s  ({one_cpu:,.0f} us client CPU per request)")
    for connections in (20, 4):
        rate, cpu = await details_rate(url, ids, count, connections)
        print(
            f"    {connections:2d} connections           : {rate:7,.0f} req/s  ({cpu:,.0f} us client CPU per "
            f"request) = {rate / one:.1f}x the baseline"
        )
    for connections in (20, 4):
        records = await pairs_rate(url, imdb, count // 2, connections)
        print(
            f"    find+details, {connections:2d} conn.   : {records:7,.0f} records/s "
            f"({2 * records:,.0f} req/s)"
        )


async def paced(url: str, ids: list[int], seconds: float) -> None:
    count = int(40 * seconds)
    async with TMDBClient(url, read_access_token=TOKEN) as client:  # the default client: 40 req/s
        elapsed = await drive(count, 40, lambda i: client.movie_details(ids[i % len(ids)]))
        stats = client.stats
    achieved = count / elapsed
    server = fetch_stats(url)
    print(
        f"    pooled client            : {count} requests in {elapsed:.2f}s = {achieved:.1f} req/s "
        f"= {achieved / 40:.3f} of 40"
    )
    print(
        f"    429s provoked {server['by_status'].get('429', 0)}, client retries {stats.retries}, server peak "
        f"{server['peak_per_second']} requests in 1 s, peak {server['peak_in_flight']} in flight"
    )
    async with TMDBClient(url, read_access_token=TOKEN, max_connections=1) as client:
        few = 20
        elapsed_one = await drive(few, 1, lambda i: client.movie_details(ids[i % len(ids)]))
    one = few / elapsed_one
    print(f"    one at a time (baseline) : {one:.1f} req/s; pooled / one at a time = {achieved / one:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=20_000, help="details requests in (a)")
    parser.add_argument("--paced-seconds", type=float, default=10.0, help="how long (b) runs")
    args = parser.parse_args()
    snapshot = load_snapshot()
    ids = sorted(snapshot.movies)
    imdb = sorted(snapshot.by_imdb)
    print(f"(a) server: no rate limit, no latency; {args.requests:,} details requests (with 4 appends)")
    with serve_in_subprocess(token=TOKEN) as url:
        asyncio.run(unthrottled(url, ids, imdb, args.requests))
    print("(b) server: --rate-limit 40 --latency-ms 150; client: default (40 req/s, 20 connections)")
    with serve_in_subprocess(token=TOKEN, rate_limit=40, latency_ms=150) as url:
        reset_stats(url)
        asyncio.run(paced(url, ids, args.paced_seconds))


if __name__ == "__main__":
    main()
