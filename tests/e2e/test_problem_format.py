"""No endpoint answers an error outside the RFC 9457 problem format (docs/rules.md, "Errors"): every
route with each of its methods and the others, a crash, unknown routes, wrong
methods, languages, oversized and malformed bodies, and a lost database."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from api.messages import MESSAGES
from tests.support.live_server import LiveServer
from tests.support.live_server import test_settings as settings_for

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_FIELDS = ("type", "title", "status", "detail", "code", "request_id")
PATH_PARAMETER = re.compile(r"\{[^}]+\}")
WRONG_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# A PostgreSQL server that is not there: the same URL serves both legs (a SQLite URL in a
# directory that cannot be created fails earlier, when the app builds its engine).
UNREACHABLE_DATABASE = "postgresql://postgres@127.0.0.1:1/nope"
SIGN_UP = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada.lovelace@example.fr",
    "password": "Motdepasse1",
    "accept_terms": True,
}


def problem_errors(response: httpx.Response) -> list[str]:
    """What is wrong with an error response, as a problem; empty when all is right."""
    status = response.status_code
    wrong = []
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith(PROBLEM_MEDIA_TYPE):
        wrong.append(f"content-type is {content_type!r}")
    try:
        body = response.json()
    except ValueError:
        return [*wrong, "the body is not JSON"]
    if not isinstance(body, dict):
        return [*wrong, "the body is not a JSON object"]
    missing = [field for field in PROBLEM_FIELDS if not body.get(field)]
    if missing:
        wrong.append(f"missing {missing}")
    if body.get("status") != status:
        wrong.append(f"body status {body.get('status')!r} differs from the HTTP status")
    if body.get("request_id") != response.headers.get("x-request-id"):
        wrong.append("request_id differs from the X-Request-ID header")
    if status == 405 and "allow" not in response.headers:
        wrong.append("405 without an Allow header")
    if status == 429 and "retry-after" not in response.headers:
        wrong.append("429 without a Retry-After header")
    return wrong


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert problem_errors(response) == [], response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def calls_of(app: FastAPI) -> Iterator[tuple[str, str]]:
    """``(method, path)`` for every route: each of its methods, then each method it does not take.

    ``app.routes`` holds included routers as lazy wrappers (FastAPI 0.137+); ``iter_route_contexts``
    gives every route with its full path."""
    for route in iter_route_contexts(app.routes):
        assert route.path is not None, f"a route without a path: {route!r}"
        path = PATH_PARAMETER.sub("999999", route.path)
        if isinstance(route.original_route, Mount):
            path, methods = f"{path}/999999", {"GET"}
        else:
            methods = set(route.methods or {"GET"})
        for method in sorted(methods):
            yield method, path
        for method in WRONG_METHODS:
            if method not in methods:
                yield method, path


def test_every_route_answers_errors_as_problems(server: LiveServer, client: httpx.Client) -> None:
    calls = list(calls_of(server.app))
    assert len(calls) >= 10, calls
    outside = []
    for method, path in calls:
        response = client.request(method, path)
        if response.status_code >= 400 and (wrong := problem_errors(response)):
            outside.append(f"{method} {path} → {response.status_code} {wrong}: {response.text[:300]}")
    assert outside == [], "responses outside the problem format:\n" + "\n".join(outside)


def test_a_crash_is_a_500_problem_with_the_request_id(make_server: Callable[..., LiveServer]) -> None:
    server = make_server()

    async def crash() -> None:
        raise RuntimeError("boom: secret-internal-detail")

    server.app.add_api_route("/test-only/crash", crash, methods=["GET"])
    with httpx.Client(base_url=server.url, timeout=30) as client:
        response = client.get("/test-only/crash")

    body = assert_problem(response, 500, "INTERNAL_ERROR")
    assert body["request_id"] == response.headers["x-request-id"]
    for leak in ("secret-internal-detail", "RuntimeError", "Traceback", "boom"):
        assert leak not in response.text, f"the 500 body gives away {leak!r}: {response.text}"


def test_an_unknown_route_is_404_not_found(client: httpx.Client) -> None:
    assert_problem(client.get("/api/v1/no-such-thing"), 404, "NOT_FOUND")
    assert_problem(client.post("/nowhere", json={}), 404, "NOT_FOUND")


def test_a_wrong_method_is_405_with_the_allowed_ones(client: httpx.Client) -> None:
    response = client.delete("/api/v1/users")
    assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert "POST" in response.headers["allow"]


def test_detail_is_french_by_default_and_english_on_request(client: httpx.Client) -> None:
    french, english = MESSAGES["NOT_FOUND"]
    default = assert_problem(client.get("/api/v1/no-such-thing"), 404, "NOT_FOUND")
    asked_en = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "en"})
    asked_fr = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert default["detail"] == french
    assert assert_problem(asked_en, 404, "NOT_FOUND")["detail"] == english
    assert asked_en.headers["content-language"] == "en"
    assert assert_problem(asked_fr, 404, "NOT_FOUND")["detail"] == french


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        chunk = b"a" * min(size, total - sent)
        sent += len(chunk)
        yield chunk


@pytest.mark.parametrize("transfer", ["content-length", "chunked"])
@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/api/v1/users", "application/json"), ("/api/v1/auth/token", "application/x-www-form-urlencoded")],
)
def test_a_body_over_the_cap_is_413(
    server: LiveServer, client: httpx.Client, path: str, content_type: str, transfer: str
) -> None:
    size = server.settings.max_request_bytes + 1
    body: bytes | Iterator[bytes] = b"a" * size if transfer == "content-length" else _chunks(size)
    response = client.post(path, content=body, headers={"Content-Type": content_type})
    assert_problem(response, 413, "REQUEST_TOO_LARGE")
    sent_as = "content-length" if transfer == "content-length" else "transfer-encoding"
    assert sent_as in response.request.headers


def test_malformed_json_is_400(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/users", content=b'{"first_name": "Ada", ', headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400, "MALFORMED_JSON")


@pytest.fixture
def server_without_database() -> Iterator[LiveServer]:
    # Built here: ``make_server`` cannot override ``database_url`` (it passes its own).
    server = LiveServer(settings_for(UNREACHABLE_DATABASE)).start()
    yield server
    server.stop()


def test_a_lost_database_is_503(server_without_database: LiveServer) -> None:
    server = server_without_database
    with httpx.Client(base_url=server.url, timeout=30) as client:
        ready = client.get("/health/ready")
        sign_up = client.post("/api/v1/users", json=SIGN_UP)
    assert_problem(ready, 503, "SERVICE_UNAVAILABLE")
    assert_problem(sign_up, 503, "SERVICE_UNAVAILABLE")
