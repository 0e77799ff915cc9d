"""Headless Chromium driven over the DevTools protocol: open a page, collect console errors, evaluate
JavaScript, take screenshots. Used by the report tests and to make the documentation's screenshot."""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Page:
    """One DevTools page session; ``errors`` gathers console errors and uncaught exceptions."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._ids = itertools.count(1)
        self.errors: list[str] = []
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, timeout: float = 60) -> dict[str, Any]:
        call_id = next(self._ids)
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self._ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self._event(message)

    def wait_for(self, method: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self._ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if "id" not in message:
                self._event(message)
                if message.get("method") == method:
                    return dict(message.get("params", {}))

    def _event(self, message: dict[str, Any]) -> None:
        method = message.get("method", "")
        params = message.get("params", {})
        self.events.append(message)
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append(f"exception: {details.get('exception', {}).get('description') or details}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            texts = [str(a.get("value", a.get("description", ""))) for a in params.get("args", [])]
            self.errors.append("console.error: " + " ".join(texts))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.errors.append(f"log: {params['entry'].get('text')} ({params['entry'].get('url', '')})")

    def evaluate(self, expression: str, timeout: float = 60) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluation failed: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def viewport(self, width: int, height: int, *, mobile: bool = False, scale: float = 1) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile},
        )

    def open(self, url: str, timeout: float = 60) -> None:
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired", timeout=timeout)

    def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            metrics = self.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        data = self.send("Page.captureScreenshot", params)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


@contextlib.contextmanager
def chromium_page(binary: str, *, timeout: float = 30) -> Iterator[Page]:
    """Start a headless Chromium with a fresh profile on 127.0.0.1 and yield a page session on it."""
    from websockets.sync.client import connect

    profile = tempfile.mkdtemp(prefix="cinelake-chromium-")
    process = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if process.poll() is not None:
                raise RuntimeError(f"chromium exited with {process.returncode} before listening")
            if time.monotonic() > deadline:
                raise RuntimeError("chromium did not open its DevTools port in time")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=timeout) as answer:
            targets = json.load(answer)
        target = next(t for t in targets if t.get("type") == "page")
        with connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=timeout) as ws:
            page = Page(ws)
            for domain in ("Page", "Runtime", "Log"):
                page.send(f"{domain}.enable")
            yield page
            with contextlib.suppress(Exception):
                page.send("Browser.close", timeout=5)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


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
