"""Fixtures of the dashboard tests: the demo's lake (two collection days), the dashboard serving it from
the real command in a subprocess, and headless Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cinelake.cli import app
from cinelake.lake.store import Lake

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "views"


@pytest.fixture(scope="module")
def demo_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    """The demo's lake over two days (the second after the offline server's simulated edits), so the
    history table has titles with two collection days."""
    from cinelake.pipeline import run_demo

    root = tmp_path_factory.mktemp("dashboard")
    lake = Lake(str(root / "lake"))
    run_demo(lake, day=date(2026, 11, 27), days=2, out_dir=root / "reports")
    return lake


@contextmanager
def dashboard_process(lake: str, *, wait: float = 60, stop: float = 10) -> Iterator[str]:
    """`cinelake dashboard --lake L --port 0` in a subprocess (with this process' import path); its URL
    from the line it prints. Also used by bench/dashboard.py."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "cinelake.cli", "dashboard", "--lake", lake, "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], wait)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("dashboard: http://127.0.0.1:"):
            raise RuntimeError(f"the dashboard did not start: {line!r} (exit {process.poll()})")
        yield line.split()[1]
    finally:
        process.terminate()
        try:
            process.wait(timeout=stop)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def dashboard_url(demo_lake: Lake) -> Iterator[str]:
    with dashboard_process(demo_lake.url) as url:
        yield url


@pytest.fixture(scope="module")
def browser(dashboard_url: str) -> Iterator[Any]:
    """Chromium, started after the lake and the server: Playwright's sync API keeps an event loop
    running in this thread, where the demo's asyncio.run could not start another."""
    if not Path(CHROMIUM).is_file() or shutil.which("chromium") is None:
        pytest.skip(
            "no Debian chromium at /usr/bin/chromium (apt-get install chromium; scripts/system-deps.sh)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def page(dashboard_url: str, browser: Any) -> Iterator[Any]:
    """A fresh 1280x800 page; the test fails on a console error or a request that leaves 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on(
        "request",
        lambda request: None if request.url.startswith(dashboard_url) else outside.append(request.url),
    )
    tab.errors = errors
    yield tab
    context.close()
    assert not outside, f"requests outside the dashboard: {outside}"


def analyze_json(lake: Lake, *args: str) -> dict[str, Any]:
    """What `cinelake analyze --format json` prints for ``args``."""
    result = CliRunner().invoke(app, ["analyze", "--lake", lake.url, "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def wait_drawn(page: Any) -> None:
    """Until the page has drawn the view its URL names (the script sets ``body[data-ready]`` to the
    view's query once the view and its charts are in place)."""
    page.wait_for_function(
        "() => document.body.dataset.ready !== undefined && document.body.dataset.ready !== '' "
        "&& document.body.dataset.ready === location.search.slice(1)",
        timeout=30_000,
    )


def ranked_ids(page: Any) -> list[tuple[str, int]]:
    """The (rank, TMDB id) of each best/worst row of the page, in page order."""
    rows = page.eval_on_selector_all(
        "tr[data-tmdb-id]", "rows => rows.map(r => [r.dataset.rank, Number(r.dataset.tmdbId)])"
    )
    return [(str(rank), int(tmdb_id)) for rank, tmdb_id in rows]


def expected_ids(answer: dict[str, Any]) -> list[tuple[str, int]]:
    """The same from an analyze answer of one group."""
    (group,) = answer["genres"].values()
    best = [(f"B{i}", item["tmdb_id"]) for i, item in enumerate(group["best"], 1)]
    worst = [(f"W{i}", item["tmdb_id"]) for i, item in enumerate(group["worst"], 1)]
    return best + worst
