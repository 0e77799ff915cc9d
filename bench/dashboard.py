"""The dashboard in headless Chromium: control-change redraw (p95 over 50 changes) and first paint.

    .venv/bin/python bench/dashboard.py [--lake L] [--records 0] [--generated G] [--changes 50] [--loads 5]
                                        [--dir DIR]

(a) the demo's lake (``cinelake demo --days 2``, built here unless ``--lake`` is given);
(b) with ``--records N``, a generated lake of N films (the snapshot's real records repeated with new
    ids, as bench/transform.py generates them) in the Refined tables; ``--generated G`` measures the
    one an earlier run built under ``--dir`` (``G`` = DIR/generated/lake) instead of writing it again.

For each lake, with `cinelake dashboard` serving it on 127.0.0.1 and Debian's Chromium driven by
Playwright: the first paint of a shared link (first-contentful-paint, and until the charts are drawn) in
a fresh browser context, ``--loads`` times; then ``--changes`` control changes (N, the genres, the match,
the rank key, in turn) timed from the change event until the view and its charts are redrawn. Baselines
in the same run: the same view's `/view` request again as the browser fetches it (the server keeps a
rendered view, so this is the transport and JSON floor of a redraw), and the static report of
`cinelake report` over the same lake opened from disk (a page with the same charts and no server).
Absolute figures are printed too; the targets are <= 300 ms redraw p95 and <= 1 s first paint on the
demo's lake, <= 2 s redraw on 1M records.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

# The test suite's lake writer and dashboard process are reused: the repository's root on the path
# lets `python bench/dashboard.py` find them from any folder.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync",
        "--disable-dev-shm-usage"]  # fmt: skip
LINK = "kind=movies&genre=Comedy&genre=Animation&match=any&min_votes=100&n=5&rank_by=vote_average"
# The controls changed in turn (N, a genre, the match, the rank key); returns the time of the change
# event, after which the page redraws.
CHANGE = """i => {
  const form = document.getElementById('controls');
  let target;
  if (i % 4 === 0) { target = form.elements.n; target.value = String(1 + (Number(target.value) % 20)); }
  if (i % 4 === 1) {
    target = form.elements.genre;
    const option = target.options[(3 * i) % target.options.length];
    option.selected = !option.selected;
    if (![...target.options].some(o => o.selected)) target.options[0].selected = true;
  }
  if (i % 4 === 2) {
    target = document.querySelector('input[name=match]:not(:checked)');
    target.checked = true;
  }
  if (i % 4 === 3) { target = form.elements.rank_by; target.selectedIndex = (target.selectedIndex + 1) % 2; }
  const started = performance.now();
  target.dispatchEvent(new Event('change', {bubbles: true}));
  return started;
}"""


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def build_demo_lake(root: Path) -> Path:
    from cinelake.lake.store import Lake
    from cinelake.pipeline import run_demo

    lake = root / "demo" / "lake"
    started = time.perf_counter()
    run_demo(Lake(str(lake)), day=date(2026, 11, 27), days=2, out_dir=root / "demo" / "reports")
    print(f"demo lake built in {time.perf_counter() - started:.1f} s: {lake}")
    return lake


def build_generated_lake(root: Path, records: int) -> Path:
    """``records`` movies (the snapshot's real records repeated with new ids, bench/transform.py's
    scheme) written straight into the Refined tables by the test suite's writer, 100,000 a part: on
    this machine raw-to-trusted over a million records runs out of DuckDB memory (1 and 2 GB), and the
    dashboard reads Refined the same way whoever wrote it."""
    from bench.transform import ID_STRIDE, snapshot_movies
    from tests.analysis.lakes import write_refined

    from cinelake.lake.store import Lake

    lake = root / "generated" / "lake"
    movies = snapshot_movies()
    started = time.perf_counter()
    for part, start in enumerate(range(0, records, 100_000)):
        chunk = [
            {
                **movies[n % len(movies)],
                "id": int(str(movies[n % len(movies)]["id"])) + (n // len(movies)) * ID_STRIDE,
            }
            for n in range(start, min(start + 100_000, records))
        ]
        write_refined(Lake(str(lake)), chunk, date(2026, 11, 27), part=f"part-{part:05d}")
    print(f"generated lake: {records:,} films in Refined in {time.perf_counter() - started:.1f} s")
    return lake


def write_report(lake: Path, out: Path) -> Path:
    command = [sys.executable, "-m", "cinelake.cli", "report", "--lake", str(lake), "--out", str(out),
               "--genres", "Comedy,Animation"]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    return out / "report.html"


@contextmanager
def dashboard(lake: Path) -> Iterator[str]:
    """The dashboard over ``lake`` (the tests' subprocess), its rows read before anything is timed."""
    from tests.views.conftest import dashboard_process

    with dashboard_process(str(lake), wait=120, stop=60) as url:
        started = time.perf_counter()
        with urllib.request.urlopen(f"{url}api/answer?{LINK}", timeout=1800) as answer:  # reads the rows
            answer.read()
        print(f"  the dashboard read the lake's rows and answered its first view in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        yield url


DRAWN = "() => document.body.dataset.ready === location.search.slice(1) && document.body.dataset.ready !== ''"
CHARTS = "() => [...document.querySelectorAll('.plot')].every(p => p.querySelector('.main-svg'))"


def first_paints(browser: Any, url: str, loads: int) -> tuple[list[float], list[float]]:
    """(first-contentful-paint ms, until the charts are drawn ms) of ``loads`` fresh loads."""
    paints, drawn = [], []
    for _ in range(loads):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_function(CHARTS, timeout=120_000)
        drawn.append((time.perf_counter() - started) * 1000)
        fcp = page.evaluate(
            "() => (performance.getEntriesByName('first-contentful-paint')[0] || {startTime: -1}).startTime"
        )
        paints.append(float(fcp))
        context.close()
    return paints, drawn


def redraws(browser: Any, url: str, changes: int) -> tuple[list[float], list[float]]:
    """(redraw ms, the /view fetch alone ms) for ``changes`` control changes, in one page."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{url}?{LINK}")
    page.wait_for_function(DRAWN, timeout=120_000)
    times, fetches = [], []
    for i in range(changes):
        started = page.evaluate(CHANGE, i)
        page.wait_for_function(DRAWN, timeout=120_000)
        page.wait_for_function(CHARTS, timeout=120_000)
        times.append(page.evaluate("() => window.cinelakeRedrawn") - started)
        fetches.append(
            page.evaluate(
                "async () => { const t0 = performance.now();"
                " const r = await fetch('/view' + location.search);"
                " await r.json(); return performance.now() - t0; }"
            )
        )
    context.close()
    return times, fetches


def report_paint(browser: Any, report: Path, loads: int) -> list[float]:
    found = []
    for _ in range(loads):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        started = time.perf_counter()
        page.goto(report.as_uri())
        page.wait_for_function("() => document.querySelectorAll('.main-svg').length > 0", timeout=120_000)
        found.append((time.perf_counter() - started) * 1000)
        context.close()
    return found


def measure(
    name: str, lake: Path, work: Path, changes: int, loads: int, baseline: dict[str, float] | None = None
) -> dict[str, float]:
    """Print the lake's figures; the first lake's baseline is its static report, a later lake's (the
    generated one: its report would draw every eligible point) the first lake's figures of this run."""
    from playwright.sync_api import sync_playwright

    report = write_report(lake, work / f"report-{name.replace(' ', '-')}") if baseline is None else None
    with dashboard(lake) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            redraw, fetch = redraws(browser, url, changes)
            paints, drawn = first_paints(browser, f"{url}?{LINK}", loads)
            static = report_paint(browser, report, loads) if report is not None else []
        finally:
            browser.close()
    found = {"redraw_p95": p95(redraw), "fcp": statistics.median(paints), "drawn": statistics.median(drawn)}
    print(f"\n{name}: {lake}")
    print(f"  redraw after a control change, {changes} changes: p95 {p95(redraw):.0f} ms, "
          f"median {statistics.median(redraw):.0f} ms, max {max(redraw):.0f} ms")  # fmt: skip
    print(f"  baseline, the same view's /view request again (the server keeps it): p95 {p95(fetch):.0f} ms,"
          f" median {statistics.median(fetch):.0f} ms; redraw p95 / request p95 = "
          f"{p95(redraw) / p95(fetch):.1f}")  # fmt: skip
    print(f"  first paint of a shared link, {loads} fresh loads: first-contentful-paint median "
          f"{found['fcp']:.0f} ms (max {max(paints):.0f}); charts drawn median "
          f"{found['drawn']:.0f} ms (max {max(drawn):.0f})")  # fmt: skip
    if static:
        print(f"  baseline, the static report of the same lake opened from disk: charts drawn median "
              f"{statistics.median(static):.0f} ms; dashboard / report = "
              f"{found['drawn'] / statistics.median(static):.2f}")  # fmt: skip
    if baseline is not None:
        ratio = found["redraw_p95"] / baseline["redraw_p95"]
        print(f"  against the first lake of this run: redraw p95 x{ratio:.1f},"
              f" first-contentful-paint x{found['fcp'] / baseline['fcp']:.1f},"
              f" charts drawn x{found['drawn'] / baseline['drawn']:.1f}")  # fmt: skip
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--lake", help="an existing lake to measure instead of building the demo's")
    parser.add_argument("--records", type=int, default=0, help="also a generated lake of this many records")
    parser.add_argument("--generated", help="an earlier run's generated lake, measured with --records")
    parser.add_argument("--changes", type=int, default=50, help="control changes timed (default 50)")
    parser.add_argument("--loads", type=int, default=5, help="fresh page loads timed (default 5)")
    parser.add_argument("--dir", help="work folder (default: a temporary one, removed at the end)")
    args = parser.parse_args()
    if not Path(CHROMIUM).is_file():
        raise SystemExit(f"no {CHROMIUM}: apt-get install chromium (scripts/system-deps.sh)")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    try:
        lake = Path(args.lake) if args.lake else build_demo_lake(work)
        first = measure("demo lake" if not args.lake else "lake", lake, work, args.changes, args.loads)
        if args.records:
            generated = Path(args.generated) if args.generated else build_generated_lake(work, args.records)
            measure(f"generated lake of {args.records:,} records", generated, work, args.changes, args.loads,
                    baseline=first)  # fmt: skip
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
