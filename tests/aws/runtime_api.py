"""A Lambda Runtime API (and the async Invoke API) on 127.0.0.1, for running the handler as Lambda does.

``awslambdaric`` (the runtime interface client AWS ships in its Python images) polls
``GET /2018-06-01/runtime/invocation/next`` and posts the handler's result or error back. This server
hands it queued events with the headers Lambda sends (request id, deadline, invoked function ARN).

The same server answers the Lambda Invoke API (``POST /2015-03-31/functions/<name>/invocations``):
an ``Event`` invocation is queued and answered 202, as Lambda does. The handler's ``lambda.invoke``
reaches it because the runtime's environment sets ``AWS_ENDPOINT_URL_LAMBDA`` to this server; the
handler code has no test hook. This is the simplest honest stand-in for Lambda's async queue: the
payload really leaves the process, over HTTP, through boto3, and comes back as a new invocation.

Lambda's limits hold here as they do on AWS ("Lambda quotas" and "Troubleshoot invocation issues in
Lambda", AWS Lambda developer guide):

* an invocation still running at its deadline is answered ``Sandbox.Timedout`` and its runtime
  process is killed (the next invocation gets a fresh one, as after a timeout on Lambda);
* a runtime process that exits during an invocation answers it ``Runtime.ExitError`` at once;
* a response over 6 MB is refused (413 to the runtime) and answered ``Function.ResponseSizeTooLarge``.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RUNTIME_PREFIX = "/2018-06-01/runtime"
INVOKE_PREFIX = "/2015-03-31/functions/"
RESPONSE_LIMIT = 6 * 1024 * 1024  # a synchronous invocation's response, in bytes
ACCOUNT = "123456789012"
REGION = "us-east-1"


class _QuietServer(ThreadingHTTPServer):
    """Stopping a runtime drops its pending ``/next`` connection; that is not an error here."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@dataclass
class Invocation:
    request_id: str
    payload: bytes
    origin: str  # "test" or "invoke-api"
    deadline_ms: int = 0
    result: Any = None
    error: Any = None
    done: threading.Event = field(default_factory=threading.Event)


class RuntimeAPI:
    """The server; ``timeout_ms`` is the function's timeout, so each deadline is now + timeout_ms."""

    def __init__(self, function_name: str = "cinelake-ingest", timeout_ms: int = 900_000) -> None:
        self.function_name = function_name
        self.function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"
        self.timeout_ms = timeout_ms
        self.pending: queue.Queue[Invocation] = queue.Queue()
        self.invocations: list[Invocation] = []
        self.completed: queue.Queue[Invocation] = queue.Queue()
        self.init_errors: list[Any] = []
        self._by_id: dict[str, Invocation] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        # One runtime process at a time: a generation per process, and an optional cap on how many
        # invocations one process gets (1 emulates a cold start for every invocation).
        self.max_per_process: int | None = None
        self._generation = 0
        self._handed_out = 0
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="runtime-api", daemon=True)
        # The process serving invocations (set by RuntimeProcess.start), watched by the watchdog.
        self.process: RuntimeProcess | None = None
        self._in_flight: dict[str, Invocation] = {}
        self._watchdog = threading.Thread(target=self._watch, name="runtime-watchdog", daemon=True)

    # -- life cycle --------------------------------------------------------------------------------

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def __enter__(self) -> RuntimeAPI:
        self._thread.start()
        self._watchdog.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        self._watchdog.join(5)

    def _watch(self) -> None:
        """End an invocation at its deadline (killing its process) or when its process has died."""
        while not self._stopping.wait(0.05):
            with self._lock:
                in_flight = list(self._in_flight.values())
            process = self.process
            now_ms = time.time() * 1000
            for invocation in in_flight:
                if now_ms >= invocation.deadline_ms:
                    seconds = self.timeout_ms / 1000
                    if process is not None:
                        process.kill()
                    self._finish(
                        invocation.request_id,
                        error={
                            "errorType": "Sandbox.Timedout",
                            "errorMessage": f"RequestId: {invocation.request_id} Error: Task timed out "
                            f"after {seconds:.2f} seconds",
                        },
                    )
                elif process is not None and (code := process.exit_code()) is not None:
                    self._finish(
                        invocation.request_id,
                        error={
                            "errorType": "Runtime.ExitError",
                            "errorMessage": f"RequestId: {invocation.request_id} Error: Runtime exited "
                            f"with error: exit status {code}",
                        },
                    )

    # -- the test side -----------------------------------------------------------------------------

    def enqueue(self, event: Any, origin: str = "test") -> Invocation:
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        invocation = Invocation(str(uuid.uuid4()), body, origin)
        with self._lock:
            self.invocations.append(invocation)
            self._by_id[invocation.request_id] = invocation
        self.pending.put(invocation)
        return invocation

    def new_process(self) -> None:
        """A new runtime process is about to poll: requests of the previous one get nothing more."""
        with self._lock:
            self._generation += 1
            self._handed_out = 0

    def outstanding(self) -> int:
        """Invocations queued or in flight (not answered yet)."""
        with self._lock:
            return sum(1 for i in self.invocations if not i.done.is_set())

    def wait_completed(self, timeout: float) -> Invocation:
        try:
            return self.completed.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no invocation completed within {timeout} s") from None

    # -- the HTTP side -----------------------------------------------------------------------------

    def _next(self) -> Invocation | None:
        with self._lock:
            generation = self._generation
        while not self._stopping.is_set():
            with self._lock:
                if generation != self._generation:
                    return None  # this poll belongs to a process that has been stopped
                capped = self.max_per_process is not None and self._handed_out >= self.max_per_process
                invocation = None
                if not capped:
                    try:
                        invocation = self.pending.get_nowait()
                    except queue.Empty:
                        invocation = None
                if invocation is not None:
                    self._handed_out += 1
                    invocation.deadline_ms = int(time.time() * 1000) + self.timeout_ms
                    self._in_flight[invocation.request_id] = invocation
                    return invocation
            time.sleep(0.02)
        return None

    def _finish(self, request_id: str, *, result: Any = None, error: Any = None) -> bool:
        with self._lock:
            invocation = self._by_id.get(request_id)
            # Answered once: a response after the timeout (or a second one) is refused, as on Lambda.
            if invocation is None or self._in_flight.pop(request_id, None) is None:
                return False
        invocation.result, invocation.error = result, error
        invocation.done.set()
        self.completed.put(invocation)
        return True

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _reply(
                self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None
            ) -> None:
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def do_GET(self) -> None:
                if self.path != f"{RUNTIME_PREFIX}/invocation/next":
                    self._reply(404, b'{"errorType":"NotFound"}')
                    return
                invocation = api._next()
                if invocation is None:
                    self._reply(500, b'{"errorType":"ShuttingDown"}')
                    return
                self._reply(
                    200,
                    invocation.payload,
                    {
                        "Content-Type": "application/json",
                        "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                        "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                        "Lambda-Runtime-Invoked-Function-Arn": api.function_arn,
                        "Lambda-Runtime-Trace-Id": f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}",
                    },
                )

            def do_POST(self) -> None:
                body = self._body()
                if self.path.startswith(INVOKE_PREFIX):
                    self._invoke(body)
                    return
                parts = self.path.split("/")
                if self.path == f"{RUNTIME_PREFIX}/init/error":
                    api.init_errors.append(json.loads(body or b"null"))
                    self._reply(202, b"{}")
                elif len(parts) == 6 and parts[4] and parts[5] == "response" and len(body) > RESPONSE_LIMIT:
                    api._finish(
                        parts[4],
                        error={
                            "errorType": "Function.ResponseSizeTooLarge",
                            "errorMessage": f"Response payload size ({len(body)} bytes) exceeded maximum "
                            f"allowed payload size ({RESPONSE_LIMIT} bytes).",
                        },
                    )
                    self._reply(413, b'{"errorType":"RequestEntityTooLarge"}')
                elif len(parts) == 6 and parts[4] and parts[5] in ("response", "error"):
                    payload = json.loads(body) if body else None
                    found = (
                        api._finish(parts[4], result=payload)
                        if parts[5] == "response"
                        else api._finish(parts[4], error=payload)
                    )
                    self._reply(202 if found else 400, b"{}")
                else:
                    self._reply(404, b'{"errorType":"NotFound"}')

            def _invoke(self, body: bytes) -> None:
                name = self.path[len(INVOKE_PREFIX) :].split("/")[0]
                from urllib.parse import unquote

                if unquote(name) not in (api.function_arn, api.function_name):
                    self._reply(
                        404,
                        b'{"Type":"User","message":"Function not found"}',
                        {"x-amzn-ErrorType": "ResourceNotFoundException", "Content-Type": "application/json"},
                    )
                    return
                kind = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
                invocation = api.enqueue(body, origin="invoke-api")
                if kind == "Event":
                    self._reply(202, b"", {"x-amzn-RequestId": invocation.request_id})
                    return
                invocation.done.wait(300)
                result = json.dumps(invocation.result if invocation.error is None else invocation.error)
                self._reply(200, result.encode(), {"x-amzn-RequestId": invocation.request_id})

        return Handler


@dataclass
class RuntimeProcess:
    """``python -m awslambdaric <handler>`` against a :class:`RuntimeAPI`, its logs in ``log_path``."""

    api: RuntimeAPI
    env: dict[str, str]
    cwd: Path
    log_path: Path
    handler: str = "cinelake.aws.lambda_handler.handler"
    launcher: list[str] | None = None  # replaces ``python -m awslambdaric`` (e.g. an audit wrapper)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        command = [*(self.launcher or [sys.executable, "-m", "awslambdaric"]), self.handler]
        env = {**self.env, "AWS_LAMBDA_RUNTIME_API": self.api.address}
        self.api.process = self
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                command, cwd=self.cwd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self.starts += 1

    def exit_code(self) -> int | None:
        """The exit code of a process that has ended on its own, else None."""
        proc = self.proc
        return None if proc is None else proc.poll()

    def kill(self) -> None:
        """End the process at once (Lambda's timeout: the environment is not reused)."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(errors="replace").splitlines() if self.log_path.exists() else []


def run_until_idle(
    runtime: RuntimeProcess, *, cold: bool, limit: int, timeout: float = 120.0
) -> list[Invocation]:
    """Serve invocations until none is queued or in flight; ``cold`` gives each one a fresh process.

    A self-invocation is queued before the handler returns, so when a result arrives the queue already
    holds whatever the handler started.
    """
    api = runtime.api
    api.max_per_process = 1 if cold else None
    done: list[Invocation] = []
    api.new_process()
    runtime.start()

    def fresh_process() -> None:
        runtime.stop()
        api.new_process()
        runtime.start()

    try:
        while len(done) < limit:
            waited = 0.0
            while True:  # a process that died (a timeout, a crash) is replaced while work is queued
                try:
                    done.append(api.wait_completed(min(0.5, timeout - waited)))
                    break
                except TimeoutError:
                    waited += 0.5
                    if waited >= timeout:
                        raise TimeoutError(f"no invocation completed within {timeout} s") from None
                    if runtime.exit_code() is not None and api.outstanding():
                        fresh_process()
            if api.outstanding() == 0:
                break
            if cold:
                fresh_process()
    finally:
        runtime.stop()
    return done


def base_env(extra: Mapping[str, str]) -> dict[str, str]:
    """A clean environment for the runtime: no developer credentials, no inherited TMDB settings."""
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "AWS_LAMBDA_FUNCTION_NAME": "cinelake-ingest",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/cinelake-ingest",
            "AWS_LAMBDA_LOG_STREAM_NAME": "test",
        }
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def runtime_api(timeout_ms: int) -> Iterator[RuntimeAPI]:
    with RuntimeAPI(timeout_ms=timeout_ms) as api:
        yield api
