"""Security headers on every response, CORS for the configured origins only, and the client
address taken from ``X-Forwarded-For`` only when the peer is a trusted proxy."""

from __future__ import annotations

import httpx
import pytest

from tests.support.api import API, PASSWORD, bearer, sign_up, signed_up_token

FRONT = "https://orga.pix.fr"
ELSEWHERE = "https://evil.example"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def security_header_faults(response: httpx.Response) -> list[str]:
    """What is missing from a response's security headers; empty when all is right."""
    faults = [
        f"{name}: {response.headers.get(name)!r}"
        for name, value in SECURITY_HEADERS.items()
        if response.headers.get(name) != value
    ]
    csp = response.headers.get("content-security-policy", "")
    if "frame-ancestors 'none'" not in csp:
        faults.append(f"content-security-policy: {csp!r}")
    if response.request.url.path.startswith("/api/") and response.headers.get("cache-control") != "no-store":
        faults.append(f"cache-control: {response.headers.get('cache-control')!r}")
    if not response.headers.get("x-request-id"):
        faults.append("no x-request-id")
    return faults


def test_security_headers_on_every_kind_of_response(make_server):
    srv = make_server(cors_origins=[FRONT], max_request_bytes=2_000)

    async def crash() -> None:
        raise RuntimeError("a bug")

    srv.app.add_api_route("/api/v1/test-only/crash", crash, methods=["GET"])
    with httpx.Client(base_url=srv.url, timeout=30) as http:
        _, token = signed_up_token(http, "entetes@example.fr")
        responses = {
            "success": http.get(f"{API}/users/me", headers=bearer(token)),
            "created": http.post(
                f"{API}/users",
                json={
                    "first_name": "A",
                    "last_name": "B",
                    "email": "autre@example.fr",
                    "password": PASSWORD,
                    "accept_terms": True,
                },
            ),
            "no content": http.post(f"{API}/users/me/pix-orga-terms-acceptance", headers=bearer(token)),
            "401 problem": http.get(f"{API}/users/me"),
            "404 problem": http.get(f"{API}/organizations/999999", headers=bearer(token)),
            "unknown route": http.get(f"{API}/no-such-thing"),
            "unknown route outside the API": http.get("/no-such-thing"),
            "405": http.delete(f"{API}/users"),
            "400": http.post(f"{API}/users", content=b"{", headers={"Content-Type": "application/json"}),
            "413": http.post(
                f"{API}/users", content=b"x" * 3_000, headers={"Content-Type": "application/json"}
            ),
            "422": http.post(f"{API}/users", json={}),
            "500": http.get(f"{API}/test-only/crash"),
            "health": http.get("/health/live"),
            "docs": http.get("/docs"),
            "docs asset": http.get("/static/swagger-ui/swagger-ui.css"),
            "openapi": http.get("/openapi.json"),
            "metrics": http.get("/metrics"),
            "preflight": http.options(
                f"{API}/users", headers={"Origin": FRONT, "Access-Control-Request-Method": "POST"}
            ),
            "refused preflight": http.options(
                f"{API}/users", headers={"Origin": ELSEWHERE, "Access-Control-Request-Method": "POST"}
            ),
        }
    statuses = {kind: response.status_code for kind, response in responses.items()}
    assert statuses == {
        "success": 200,
        "created": 201,
        "no content": 204,
        "401 problem": 401,
        "404 problem": 404,
        "unknown route": 404,
        "unknown route outside the API": 404,
        "405": 405,
        "400": 400,
        "413": 413,
        "422": 422,
        "500": 500,
        "health": 200,
        "docs": 200,
        "docs asset": 200,
        "openapi": 200,
        "metrics": 200,
        "preflight": 200,
        "refused preflight": 400,
    }
    faults = {kind: f for kind, response in responses.items() if (f := security_header_faults(response))}
    assert faults == {}
    # The API never lets a page embed or run anything; the docs page may run its own scripts.
    assert responses["success"].headers["content-security-policy"].startswith("default-src 'none'")
    assert responses["docs"].headers["content-security-policy"].startswith("default-src 'self'")


class TestCors:
    @pytest.fixture
    def http(self, make_server):
        srv = make_server(cors_origins=[FRONT])
        with httpx.Client(base_url=srv.url, timeout=30) as client:
            yield client

    def preflight(self, http, origin, method="POST", headers="authorization,content-type"):
        return http.options(
            f"{API}/users/me/password",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": headers,
            },
        )

    def test_a_preflight_from_the_front_end(self, http):
        response = self.preflight(http, FRONT, "PUT")
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == FRONT
        assert "PUT" in response.headers["access-control-allow-methods"]
        allowed_headers = response.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed_headers
        assert "content-type" in allowed_headers
        assert "origin" in response.headers["vary"].lower()
        assert "access-control-allow-credentials" not in response.headers

    def test_a_preflight_from_elsewhere_is_refused_as_a_problem(self, http):
        response = self.preflight(http, ELSEWHERE)
        assert "access-control-allow-origin" not in response.headers
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "BAD_REQUEST"

    @pytest.mark.parametrize(
        "origin",
        [ELSEWHERE, "null", FRONT + ".evil.example", FRONT.replace("https", "http"), FRONT + ":8443"],
    )
    def test_near_misses_are_elsewhere(self, http, origin):
        assert "access-control-allow-origin" not in self.preflight(http, origin).headers
        simple = http.get(f"{API}/users/me", headers={"Origin": origin})
        assert "access-control-allow-origin" not in simple.headers

    def test_a_request_from_the_front_end_can_read_the_answer_and_its_problem(self, http):
        _, token = signed_up_token(http, "cors@example.fr")
        ok = http.get(f"{API}/users/me", headers={"Origin": FRONT, **bearer(token)})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == FRONT
        assert "x-request-id" in ok.headers["access-control-expose-headers"].lower()
        problem = http.get(f"{API}/users/me", headers={"Origin": FRONT})
        assert problem.status_code == 401
        assert problem.headers["access-control-allow-origin"] == FRONT

    def test_a_request_from_elsewhere_gets_no_cors_header(self, http):
        _, token = signed_up_token(http, "cors@example.fr")
        response = http.get(f"{API}/users/me", headers={"Origin": ELSEWHERE, **bearer(token)})
        assert "access-control-allow-origin" not in response.headers
        assert "origin" in response.headers["vary"].lower()  # caches keep the two answers apart

    def test_a_method_the_api_does_not_use_is_refused(self, http):
        response = self.preflight(http, FRONT, "TRACE")
        assert response.status_code == 400
        assert "access-control-allow-origin" not in response.headers


class TestForwardedFor:
    """The failed-login limit per address (2 here) counts per client address: the forwarded one
    behind a trusted proxy, the peer otherwise."""

    A = "203.0.113.7"
    B = "198.51.100.9"

    def fail_twice_then_log_in(self, http, forwarded_for_failures, forwarded_for_login):
        for n in range(2):
            failed = http.post(
                f"{API}/auth/token",
                data={"username": f"nobody{n}@example.fr", "password": "Wrong1234"},
                headers={"X-Forwarded-For": forwarded_for_failures},
            )
            assert failed.status_code == 401, failed.text
        return http.post(
            f"{API}/auth/token",
            data={"username": "ada@example.fr", "password": PASSWORD},
            headers={"X-Forwarded-For": forwarded_for_login},
        )

    def test_behind_a_trusted_proxy_each_client_has_its_own_counter(self, make_server):
        srv = make_server(trusted_proxies=["127.0.0.1"], login_failures_per_address="2/15minutes")
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            sign_up(http, "ada@example.fr")
            other = self.fail_twice_then_log_in(http, self.A, self.B)
            assert other.status_code == 200, other.text
            blocked = http.post(
                f"{API}/auth/token",
                data={"username": "ada@example.fr", "password": PASSWORD},
                headers={"X-Forwarded-For": self.A},
            )
            assert blocked.status_code == 429
            # A client cannot escape its counter by writing its own X-Forwarded-For: the proxy
            # appends the address it saw, and that rightmost address is the one believed.
            spoofed = http.post(
                f"{API}/auth/token",
                data={"username": "ada@example.fr", "password": PASSWORD},
                headers={"X-Forwarded-For": f"{self.B}, {self.A}"},
            )
            assert spoofed.status_code == 429

    def test_a_trusted_network_in_cidr_notation(self, make_server):
        srv = make_server(trusted_proxies=["127.0.0.0/8"], login_failures_per_address="2/15minutes")
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            sign_up(http, "ada@example.fr")
            assert self.fail_twice_then_log_in(http, self.A, self.B).status_code == 200

    def test_without_trusted_proxies_the_header_is_ignored(self, make_server):
        srv = make_server(login_failures_per_address="2/15minutes")
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            sign_up(http, "ada@example.fr")
            # Both failures and the login come from 127.0.0.1, whatever the header says.
            blocked = self.fail_twice_then_log_in(http, self.A, self.B)
            assert blocked.status_code == 429, blocked.text

    def test_a_peer_that_is_not_a_trusted_proxy_is_not_believed(self, make_server):
        srv = make_server(trusted_proxies=["10.0.0.1"], login_failures_per_address="2/15minutes")
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            sign_up(http, "ada@example.fr")
            assert self.fail_twice_then_log_in(http, self.A, self.B).status_code == 429
