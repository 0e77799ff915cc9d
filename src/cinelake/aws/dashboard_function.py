"""The dashboard as a Lambda function behind a Function URL (template.yaml, ``Dashboard=true``).

The function serves the very app ``cinelake dashboard`` serves (:func:`cinelake.views.dashboard.create_app`)
over the stack's lake, reading it through DuckDB over S3 with the Trusted and Refined tables found in
the Glue catalog (``CINELAKE_CATALOG_BACKEND=glue``), as the report step does. Mangum, a maintained
ASGI-to-Lambda adapter, turns each Function URL event into an ASGI request and the app's answer into
the function's response; nothing here translates events by hand.

Responses are gzipped when the browser accepts it (every browser does): a Function URL answer is at
most 6 MB, and plotly.js alone is 4.8 MB uncompressed (1.4 MB gzipped).

The Function URL's ``AuthType`` is ``AWS_IAM``: Lambda refuses every request that is not signed (SigV4)
by an identity allowed ``lambda:InvokeFunctionUrl`` on the function, before the function runs. A
browser signs nothing, so people open it through ``cinelake aws dashboard``, a signing proxy on
127.0.0.1 (see docs/dashboard.md).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from mangum import Mangum
from starlette.middleware.gzip import GZipMiddleware

from cinelake.aws.environment import function_lake

# Smaller answers gain nothing from compression.
GZIP_MINIMUM_BYTES = 1024


@cache
def _adapter() -> Mangum:
    """Built once per execution environment: the app keeps each kind's rows for later requests."""
    from cinelake.views.dashboard.app import create_app

    app = create_app(function_lake(), engine="duckdb")
    return Mangum(GZipMiddleware(app, minimum_size=GZIP_MINIMUM_BYTES), lifespan="off")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point: one Function URL request (payload format 2.0) in, its HTTP response out."""
    answer: dict[str, Any] = _adapter()(event, context)
    return answer
