"""Pure ASGI middleware: request id, access log, security headers, body caps, crash safety net."""

from __future__ import annotations

import logging
import re
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any, TextIO

from pythonjsonlogger.json import JsonFormatter
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import BodyTooLarge, problem_response
from api.request_context import current_request_id, set_request_id

access_logger = logging.getLogger("pix_orga.access")
error_logger = logging.getLogger("pix_orga.errors")

REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/static/")


def _security_headers(path: str) -> list[tuple[bytes, bytes]]:
    csp = DOCS_CSP if path.startswith(DOCS_PATHS) else API_CSP
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
        (b"content-security-policy", csp.encode()),
    ]
    if path.startswith("/api/"):
        headers.append((b"cache-control", b"no-store"))
    return headers


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class RequestContextMiddleware:
    """Outermost layer: gives each request an id, logs one line when it ends (route template,
    never the path or query string), adds security headers, and turns any crash that escaped
    the error handlers into a 500 problem with the request id."""

    def __init__(
        self, app: ASGIApp, on_request_end: Callable[[str, str, int, float], None] | None = None
    ) -> None:
        self.app = app
        self.on_request_end = on_request_end

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if REQUEST_ID_PATTERN.match(incoming) else uuid.uuid4().hex
        set_request_id(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(_security_headers(scope["path"]))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as error:
            error_logger.exception(
                "unhandled error",
                extra={"error_type": type(error).__name__, "route": route_template(scope)},
            )
            if not response_started:
                response = problem_response(Request(scope), 500, "INTERNAL_ERROR")
                await response(scope, receive, send_wrapper)
        finally:
            duration = time.perf_counter() - started
            template = route_template(scope)
            access_logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": template,
                    "status": status,
                    "duration_ms": round(duration * 1000, 2),
                    "request_id": request_id,
                },
            )
            if self.on_request_end is not None:
                self.on_request_end(scope["method"], template, status, duration)


class BodyLimitMiddleware:
    """Refuses bodies over their cap while they stream in, never buffering more than the cap.

    Uploads (paths matching ``upload_pattern``) have their own, larger cap and their own code.
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, upload_pattern: re.Pattern[str], max_upload_bytes: int
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_pattern = upload_pattern
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        if self.upload_pattern.match(scope["path"]):
            limit, code = self.max_upload_bytes, "FILE_TOO_LARGE"
        else:
            limit, code = self.max_bytes, "REQUEST_TOO_LARGE"
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = problem_response(Request(scope), 413, code, meta={"limit_bytes": limit})
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(code, limit)
            return message

        await self.app(scope, limited_receive, send)


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, except that a refused preflight (an origin, method or header that is not
    allowed) answers a 400 ``BAD_REQUEST`` problem like every other error, instead of plain text.
    It carries no ``Access-Control-Allow-Origin``, so the browser blocks the request."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            headers = Headers(scope=scope)
            if "origin" in headers and "access-control-request-method" in headers:
                response = self.preflight_response(request_headers=headers)
                if response.status_code == 400:
                    vary = response.headers.get("vary")
                    response = problem_response(
                        Request(scope), 400, "BAD_REQUEST", headers={"Vary": vary} if vary else None
                    )
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


class JsonLogFormatter(JsonFormatter):
    """One JSON object per line. Exceptions are logged by type and stack only: their messages
    can quote data (a database error repeats the duplicate e-mail address), so they are left out."""

    def formatException(self, ei: Any) -> str:
        exc_type, _, tb = ei
        name = exc_type.__name__ if exc_type else "Exception"
        return name + "\n" + "".join(traceback.format_tb(tb))


class RequestIdFilter(logging.Filter):
    """Gives every record logged while a request is served that request's id (an error logged
    by a handler, a warning of a library), so that a 500 can be found from the id its problem
    shows."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None and (request_id := current_request_id()):
            record.request_id = request_id
        return True


# Libraries whose verbose levels can quote SQL parameters (e-mails, names) or form fields: kept at
# WARNING whatever the root level, so that lowering it to debug never logs personal data.
# httpx and httpcore log each request with its URL: a webhook URL may hold a token.
QUIET_LOGGERS = (
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "python_multipart",
    "multipart",
    "aiosmtplib",
    "httpx",
    "httpcore",
)


def json_log_handler(stream: TextIO | None = None) -> logging.Handler:
    """The handler of the service's log: one JSON object per line, with the request id."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", timestamp=False))
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    root.handlers[:] = [json_log_handler()]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # uvicorn's access log prints paths and query strings: ours logs route templates instead.
    logging.getLogger("uvicorn.access").disabled = True
