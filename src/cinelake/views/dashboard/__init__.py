"""The dashboard: a small ASGI app (Starlette) serving server-rendered pages with Plotly charts over a
lake, its whole state in the URL query. ``create_app`` builds it, ``serve`` runs it on 127.0.0.1."""

from cinelake.views.dashboard.app import create_app
from cinelake.views.dashboard.server import serve, serve_asgi

__all__ = ["create_app", "serve", "serve_asgi"]
