"""The dashboard's ASGI app (Starlette): read-only GET routes over one lake.

- ``/`` the dashboard for the view in the query (server-rendered, so a shared link shows its view);
- ``/view`` the same view as JSON (``html`` of the view, ``charts``, ``query``) for the controls' redraw;
- ``/api/answer`` the analysis of the view, exactly the object of ``cinelake analyze --format json``;
- ``/title/{kind}/{tmdb_id}`` a title's page; ``/assets/...`` the stylesheet, script and plotly.js.

A bad parameter is HTTP 400 with one line (in the page, or ``{"error": ...}``); a lake that cannot be
read is HTTP 503 with one line; anything else is HTTP 500 with one line, the details in the server's log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from cinelake.analysis.loader import NoAnalysisData
from cinelake.analysis.plotting import PLOTLY_JS
from cinelake.errors import CinelakeError, UsageError
from cinelake.lake.store import Lake
from cinelake.views.dashboard import render
from cinelake.views.dashboard.data import REFRESH_SECONDS, LakeAnswers
from cinelake.views.dashboard.params import KINDS, ViewParams, parse_view

log = logging.getLogger(__name__)
ASSET_DIR = Path(__file__).parent / "assets"
ASSET_TYPES = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
# Everything the page loads comes from the app itself; Plotly sets inline styles on its elements.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _failure(exc: Exception) -> tuple[int, str]:
    """The HTTP status and the one line a failure shows."""
    if isinstance(exc, NoAnalysisData):
        return 404, _one_line(exc)
    if isinstance(exc, UsageError):
        return 400, _one_line(exc)
    if isinstance(exc, CinelakeError):
        return 503, f"the lake cannot be read: {_one_line(exc)}"
    log.exception("dashboard request failed")
    return 500, f"internal error ({type(exc).__name__}); the server's log has the details"


def create_app(
    lake: Lake, *, engine: str = "duckdb", refresh_seconds: float = REFRESH_SECONDS
) -> Starlette:
    """The dashboard over ``lake``, reading through ``engine`` (duckdb or athena)."""
    answers = LakeAnswers(lake, engine=engine, refresh_seconds=refresh_seconds)

    def view_of(request: Request) -> ViewParams:
        query = {key: request.query_params.getlist(key) for key in request.query_params}
        return parse_view(query)

    def rendered(view: ViewParams) -> tuple[str, dict[str, Any]]:
        link = render.title_link(view.kind, view.query())
        return answers.rendered(
            view, lambda answer: render.view_content(view, answer, link), chart_points=render.CHART_POINTS
        )

    def page_or_error(build: Callable[[], str], back: str = "") -> Response:
        try:
            return HTMLResponse(build(), headers=SECURITY_HEADERS)
        except Exception as exc:  # every failure is one line in the page, never a stack trace
            status, message = _failure(exc)
            return HTMLResponse(
                render.error_page(message, back), status_code=status, headers=SECURITY_HEADERS
            )

    def json_or_error(build: Callable[[], dict[str, Any]]) -> Response:
        try:
            return JSONResponse(build(), headers=SECURITY_HEADERS)
        except Exception as exc:
            status, message = _failure(exc)
            return JSONResponse({"error": message}, status_code=status, headers=SECURITY_HEADERS)

    def home(request: Request) -> Response:
        def build() -> str:
            view = view_of(request)
            content, charts = rendered(view)
            facts = None
            try:
                facts = answers.freshness()
            except CinelakeError as exc:  # the answer is there; the dataset dates are a detail
                log.warning("freshness not read: %s", _one_line(exc))
            freshness = render.freshness_line(answers.source(view.kind), facts)
            genres, ranks = answers.genres(view.kind), answers.rank_keys(view.kind)
            return render.dashboard_page(view, genres, content, charts, freshness, ranks)

        return page_or_error(build)

    def view_json(request: Request) -> Response:
        def build() -> dict[str, Any]:
            view = view_of(request)
            content, charts = rendered(view)
            return {"query": view.query(), "html": content, "charts": charts}

        return json_or_error(build)

    def answer_json(request: Request) -> Response:
        # The JSON answer has no chart titles: none but the best and the worst are made records.
        return json_or_error(lambda: answers.answer(view_of(request), chart_points=0).to_dict())

    def title(request: Request) -> Response:
        kind = request.path_params["kind"]
        text = request.path_params["tmdb_id"]
        try:
            back = view_of(request).query()
        except UsageError:
            back = ""

        def build() -> str:
            if kind not in KINDS:
                raise UsageError(f"unknown kind {kind!r}: choose movies or series")
            if not text.isdigit() or len(text) > 12:
                raise UsageError(f"a TMDB id is a positive whole number, not {text[:40]!r}")
            return render.title_page(answers.title(kind, int(text)), kind, back)

        return page_or_error(build, back)

    def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name == "plotly.min.js":
            path, media = PLOTLY_JS, "text/javascript"
        elif name in ASSET_TYPES:
            path, media = ASSET_DIR / name, ASSET_TYPES[name]
        else:
            return Response("not found", status_code=404, media_type="text/plain")
        headers = {**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"}
        return FileResponse(path, media_type=media, headers=headers)

    routes = [
        Route("/", home, methods=["GET", "HEAD"]),
        Route("/view", view_json, methods=["GET"]),
        Route("/api/answer", answer_json, methods=["GET"]),
        Route("/title/{kind}/{tmdb_id}", title, methods=["GET", "HEAD"]),
        Route("/assets/{name}", asset, methods=["GET", "HEAD"]),
        Route("/favicon.ico", lambda request: Response(status_code=204), methods=["GET", "HEAD"]),
    ]
    return Starlette(routes=routes)
