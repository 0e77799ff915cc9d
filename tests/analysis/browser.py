"""Headless Chromium driven by Playwright (through ``executable_path``, never a downloaded browser):
open a page, collect console errors, evaluate JavaScript, change the emulated screen, take
screenshots. Used by the report tests and to make the documentation's screenshot."""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Chromium's own switches for a quiet, offline, headless run (Playwright adds its headless mode).
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Page:
    """One page of a headless Chromium; ``errors`` gathers console errors and uncaught exceptions."""

    def __init__(self, page: Any, devtools: Any) -> None:
        self._page = page
        self._devtools = devtools  # a DevTools session: the emulated screen changes in place
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"exception: {error}"))

    def _console(self, message: Any) -> None:
        if message.type in ("error", "assert"):
            self.errors.append(f"console.{message.type}: {message.text} ({message.location.get('url', '')})")

    def evaluate(self, expression: str) -> Any:
        return self._page.evaluate(expression)

    def viewport(self, width: int, height: int, *, mobile: bool = False, scale: float = 1) -> None:
        """Emulate a screen of ``width`` x ``height`` CSS pixels on the open page, without reloading
        it (a phone: ``mobile`` and ``scale`` 2), as a window resized or a phone turned would."""
        self._devtools.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile},
        )

    def open(self, url: str, timeout: float = 60) -> None:
        self._page.goto(url, wait_until="load", timeout=timeout * 1000)

    def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._page.screenshot(path=str(path), full_page=full_page)
        return path


@contextlib.contextmanager
def chromium_page(binary: str) -> Iterator[Page]:
    """Start the headless Chromium at ``binary`` and yield a page on a fresh profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=binary, args=list(FLAGS))
        try:
            context = browser.new_context()
            page = context.new_page()
            yield Page(page, context.new_cdp_session(page))
        finally:
            browser.close()


# Every Plotly chart of the page: its id, whether its SVG is drawn and how many marks it holds.
CHART_STATE_JS = """
(() => Array.from(document.querySelectorAll('[data-chart]')).map(box => {
  const graph = box.querySelector('.js-plotly-plot');
  const marks = graph ? graph.querySelectorAll(
      '.scatterlayer .points path, .barlayer .point path, .scatterlayer .js-line').length : 0;
  const rect = graph ? graph.getBoundingClientRect() : {width: 0, height: 0};
  return {id: box.dataset.chart, drawn: !!(graph && graph.querySelector('svg.main-svg')),
          marks, labels: graph ? graph.querySelectorAll('.textpoint').length : 0,
          width: rect.width, height: rect.height};
}))()
"""


def main() -> None:
    """``python -m tests.analysis.browser PAGE PNG [--width W] [--height H] [--phone]``: a screenshot."""
    import argparse

    parser = argparse.ArgumentParser(description="Screenshot an HTML page with headless Chromium.")
    parser.add_argument("page", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1600)
    parser.add_argument("--phone", action="store_true", help="emulate a phone (mobile, 2x pixels)")
    args = parser.parse_args()
    binary = find_chromium()
    if binary is None:
        raise SystemExit("no chromium on PATH")
    with chromium_page(binary) as page:
        page.viewport(args.width, args.height, mobile=args.phone, scale=2 if args.phone else 1)
        page.open(args.page.resolve().as_uri())
        time.sleep(0.5)
        page.screenshot(args.png)
        if page.errors:
            raise SystemExit("page errors: " + "; ".join(page.errors))
    print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
