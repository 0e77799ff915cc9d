"""Throughput of the TMDB client against the offline server (in a child process: no shared GIL).

    .venv/bin/python bench/tmdb_client.py [--requests 20000] [--paced-seconds 10]

(a) unthrottled, zero latency: details requests per second (and find + details pairs, the CSV ingest's
    pattern), against a one-connection client in the same run;
(b) client rate limit 40/s, 150 ms server latency: achieved rate as a fraction of 40, the 429s provoked and
    the server's peak requests in any one-second window.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

from cinelake.tmdb.client import TMDBClient
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


async def unthrottled(url: str, ids: list[int], imdb: list[str], count: int) -> None:
    append = ("credits", "keywords", "external_ids", "release_dates")
    async with TMDBClient(url, read_access_token=TOKEN, rate_limit=None) as client:
        await drive(500, 20, lambda i: client.movie_details(ids[i % len(ids)], append))  # warm up
        seconds = await drive(count, 40, lambda i: client.movie_details(ids[i % len(ids)], append))
        rate = count / seconds
        print(f"(a) details, 20 connections : {count} requests in {seconds:.2f}s = {rate:,.0f} req/s")

        async def pair(i: int) -> None:
            found = await client.find_by_imdb(imdb[i % len(imdb)])
            await client.movie_details(found.movie_ids[0], append)

        pairs = count // 2
        seconds = await drive(pairs, 40, pair)
        print(
            f"    find+details pairs      : {pairs} records in {seconds:.2f}s = {pairs / seconds:,.0f} rec/s"
        )
    async with TMDBClient(url, read_access_token=TOKEN, rate_limit=None, max_connections=1) as client:
        sequential = min(count, 2000)
        seconds = await drive(sequential, 1, lambda i: client.movie_details(ids[i % len(ids)], append))
        base = sequential / seconds
        print(f"    one at a time (baseline): {sequential} requests in {seconds:.2f}s = {base:,.0f} req/s")
        print(f"    pooled / one at a time  : {rate / base:.1f}x")


async def paced(url: str, ids: list[int], seconds: float) -> None:
    count = int(40 * seconds)
    async with TMDBClient(url, read_access_token=TOKEN, rate_limit=40) as client:
        elapsed = await drive(count, 20, lambda i: client.movie_details(ids[i % len(ids)], ()))
        stats = client.stats
    achieved = count / elapsed
    server = fetch_stats(url)
    print(
        f"(b) rate limit 40, 150 ms   : {count} requests in {elapsed:.2f}s = {achieved:.1f} req/s "
        f"= {achieved / 40:.3f} of 40; 429s {server['by_status'].get('429', 0)}, "
        f"client retries {stats.retries}, "
        f"server peak {server['peak_per_second']} req in 1 s, peak in flight {server['peak_in_flight']}"
    )
    async with TMDBClient(url, read_access_token=TOKEN, rate_limit=40, max_connections=1) as client:
        few = 20
        elapsed_one = await drive(few, 1, lambda i: client.movie_details(ids[i % len(ids)], ()))
    one = few / elapsed_one
    print(f"    one at a time (baseline): {one:.1f} req/s; pooled / one at a time: {achieved / one:.1f}x")


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
    with serve_in_subprocess(token=TOKEN) as url:
        asyncio.run(unthrottled(url, ids, imdb, args.requests))
        print(
            f"    server: {fetch_stats(url)['requests']} requests, peak in flight "
            f"{fetch_stats(url)['peak_in_flight']}"
        )
    with serve_in_subprocess(token=TOKEN, latency_ms=150) as url:
        reset_stats(url)
        asyncio.run(paced(url, ids, args.paced_seconds))


if __name__ == "__main__":
    main()
