"""Observability: one structured JSON log line per request with the request id echoed
in ``X-Request-ID``, and ``GET /metrics`` in Prometheus format for the allowed addresses only."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError

from tests.support.api import API, admin_of_new_organization, bearer
from tests.support.live_server import LiveServer
from tests.support.live_server import test_settings as settings_for
from tests.support.logs import captured_logs
from tests.support.smtp import refused_port
from tests.support.students import import_sample

OPENAPI_FILE = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
UNREACHABLE_DATABASE = "postgresql://postgres@127.0.0.1:1/nope"
GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")
SECRET_DETAIL = "secret-internal-detail"
PATH_ID = 918273645
"""An id in a path, which no log line may repeat: longer than any port, process id or timestamp's
digits, where a short one (4242) was found in the server's port (42423) now and then."""


def scrape(http: httpx.Client, **headers: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The samples of ``/metrics``: ``(name, sorted labels) -> value``."""
    response = http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def labels_of(samples: dict, name: str) -> list[dict[str, str]]:
    return [dict(labels) for sample_name, labels in samples if sample_name == name]


# --- the access log ----------------------------------------------------------------------------


def test_one_json_line_per_request_with_the_route_template_and_the_request_id(make_server):
    with captured_logs() as logs:
        srv = make_server()
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            chosen = http.get(
                f"{API}/organizations/{PATH_ID}",
                params={"q": "x"},
                headers={"X-Request-ID": "front-1234-abcd"},
            )
            generated = http.get(f"{API}/organizations/77", headers={"X-Request-ID": "not valid\tid"})
            unknown = http.post(f"/nowhere/{PATH_ID}", json={})
            health = http.get("/health/live")
        srv.stop()  # every access line is written

    assert chosen.headers["x-request-id"] == "front-1234-abcd"
    assert chosen.json()["request_id"] == "front-1234-abcd"
    assert GENERATED_ID.match(generated.headers["x-request-id"])
    lines = [json.loads(line) for line in logs.text.splitlines() if '"pix_orga.access"' in line]
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("GET", "/api/v1/organizations/{org_id}", 401),
        ("GET", "/api/v1/organizations/{org_id}", 401),
        ("POST", "unmatched", 404),
        ("GET", "/health/live", 200),
    ]
    assert [line["request_id"] for line in lines] == [
        response.headers["x-request-id"] for response in (chosen, generated, unknown, health)
    ]
    for line in lines:
        assert line["levelname"] == "INFO"
        assert line["message"] == "request"
        assert isinstance(line["duration_ms"], float | int)
        assert line["duration_ms"] >= 0
    assert str(PATH_ID) not in logs.text
    assert "q=x" not in logs.text


def test_an_error_is_logged_with_its_request_id_and_route_and_without_its_message(make_server):
    with captured_logs() as logs:
        srv = make_server()

        async def crash(item_id: int) -> None:
            raise ValueError(SECRET_DETAIL)  # the traceback shows this line, not the value

        srv.app.add_api_route("/test-only/items/{item_id}", crash, methods=["GET"])
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            response = http.get("/test-only/items/31337")
        srv.stop()

    assert response.status_code == 500
    request_id = response.headers["x-request-id"]
    records = [record for record in logs.records() if record.get("request_id") == request_id]
    assert [record["name"] for record in records] == ["pix_orga.errors", "pix_orga.access"]
    error = records[0]
    assert error["levelname"] == "ERROR"
    assert error["error_type"] == "ValueError"
    assert error["route"] == "/test-only/items/{item_id}"
    assert error["exc_info"].startswith("ValueError\n")  # the type and the stack, for the developer
    assert SECRET_DETAIL not in logs.text
    assert "31337" not in logs.text


# --- /metrics ----------------------------------------------------------------------------------


def test_requests_are_counted_by_method_route_template_and_status(make_server):
    srv = make_server()
    with httpx.Client(base_url=srv.url, timeout=30) as http:
        for org_id in (1, 2, 3):
            http.get(f"{API}/organizations/{org_id}", params={"secret": "x"})
        http.get("/health/live")
        http.request("PROPFIND", "/health/live")
        http.get(f"{API}/nothing/here/12345")
        samples = scrape(http)

    requests = "pix_orga_http_requests_total"
    assert value(samples, requests, method="GET", route="/api/v1/organizations/{org_id}", status="401") == 3
    assert value(samples, requests, method="GET", route="/health/live", status="200") == 1
    assert value(samples, requests, method="OTHER", route="/health/live", status="405") == 1
    assert value(samples, requests, method="GET", route="unmatched", status="404") == 1
    latency = "pix_orga_http_request_duration_seconds_count"
    assert value(samples, latency, method="GET", route="/api/v1/organizations/{org_id}", status="401") == 3
    assert value(
        samples,
        "pix_orga_http_request_duration_seconds_sum",
        method="GET",
        route="/health/live",
        status="200",
    )
    routes = {labels["route"] for labels in labels_of(samples, requests)}
    assert routes == {"/api/v1/organizations/{org_id}", "/health/live", "unmatched"}  # never a raw path
    assert value(samples, "process_resident_memory_bytes") is not None


def test_outbox_depth_and_failures_and_imports_by_outcome(make_server, siecle_samples):
    with refused_port() as port:
        srv = make_server(email_backend="smtp", smtp_url=f"smtp://127.0.0.1:{port}", outbox_max_attempts=1)
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            empty = scrape(http)
            org, admin = admin_of_new_organization(http, srv.settings.database_url)
            # The activation e-mail fails at its only attempt: FAILED. Two more wait: QUEUED.
            assert srv.call(srv.app.state.dispatcher.run_once()) == 1
            invited = http.post(
                f"{API}/organizations/{org['id']}/invitations",
                json={"emails": "a@ac-paris.fr, b@ac-paris.fr"},
                headers=bearer(admin),
            )
            assert invited.status_code == 201
            import_sample(http, admin, org["id"], siecle_samples / "ElevesSansAdresses.xml")
            refused = http.post(
                f"{API}/organizations/{org['id']}/student-imports",
                files={"file": ("bad.xml", (siecle_samples / "erreur-champs.xml").read_bytes())},
                headers=bearer(admin),
            )
            assert refused.status_code == 422
            dry_run = http.post(
                f"{API}/organizations/{org['id']}/student-imports",
                params={"dry_run": "true"},
                files={"file": ("x.xml", (siecle_samples / "ElevesSansAdresses.xml").read_bytes())},
                headers=bearer(admin),
            )
            assert dry_run.status_code == 200  # a preview: not counted
            samples = scrape(http)

    assert value(empty, "pix_orga_outbox_up") == 1
    assert {
        status: value(empty, "pix_orga_outbox_emails", status=status)
        for status in ("QUEUED", "SENT", "FAILED")
    } == {
        "QUEUED": 0,
        "SENT": 0,
        "FAILED": 0,
    }
    assert value(empty, "pix_orga_student_imports_total", outcome="COMPLETED") == 0
    assert value(samples, "pix_orga_outbox_up") == 1
    assert value(samples, "pix_orga_outbox_emails", status="QUEUED") == 2
    assert value(samples, "pix_orga_outbox_emails", status="FAILED") == 1
    assert value(samples, "pix_orga_outbox_emails", status="SENT") == 0
    assert value(samples, "pix_orga_student_imports_total", outcome="COMPLETED") == 1
    assert value(samples, "pix_orga_student_imports_total", outcome="FAILED") == 1


@pytest.fixture
def server_without_database():
    server = LiveServer(settings_for(UNREACHABLE_DATABASE)).start()
    yield server
    server.stop()


def test_a_lost_database_leaves_the_metrics_readable(server_without_database):
    with httpx.Client(base_url=server_without_database.url, timeout=30) as http:
        assert http.get("/health/ready").status_code == 503
        samples = scrape(http)
    assert value(samples, "pix_orga_outbox_up") == 0
    assert labels_of(samples, "pix_orga_outbox_emails") == []
    assert (
        value(samples, "pix_orga_http_requests_total", method="GET", route="/health/ready", status="503") == 1
    )


def test_each_app_has_its_own_registry(make_server):
    first, second = make_server(), make_server()
    with httpx.Client(base_url=first.url, timeout=30) as http:
        http.get("/health/live")
    with httpx.Client(base_url=second.url, timeout=30) as http:
        samples = scrape(http)
    assert (
        value(samples, "pix_orga_http_requests_total", method="GET", route="/health/live", status="200")
        is None
    )


class TestWhoMayReadTheMetrics:
    def assert_hidden(self, response: httpx.Response) -> None:
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "NOT_FOUND"
        assert "pix_orga" not in response.text

    def test_the_default_is_this_machine(self, client):
        assert client.get("/metrics").status_code == 200

    def test_a_cidr_range(self, make_server):
        srv = make_server(metrics_allowed_ips=["127.0.0.0/8"])
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            assert http.get("/metrics").status_code == 200

    def test_another_address_gets_the_404_of_an_unknown_route(self, make_server):
        srv = make_server(metrics_allowed_ips=["10.0.0.0/8"])
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            self.assert_hidden(http.get("/metrics"))
            # Without a trusted proxy, X-Forwarded-For is not believed.
            self.assert_hidden(http.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"}))

    def test_behind_a_trusted_proxy_the_forwarded_address_decides(self, make_server):
        srv = make_server(metrics_allowed_ips=["10.0.0.0/8"], trusted_proxies=["127.0.0.1"])
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            assert http.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"}).status_code == 200
            self.assert_hidden(http.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}))
            # a client writing an allowed address before its own gains nothing
            self.assert_hidden(http.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3, 203.0.113.9"}))
            # the proxy itself, forwarding nobody, is 127.0.0.1: not allowed here
            self.assert_hidden(http.get("/metrics"))

    def test_the_setting_refuses_what_is_not_an_address(self):
        for bad in (["localhost"], ["10.0.0.0/33"], ["*"]):
            with pytest.raises(ValidationError, match="IP address"):
                settings_for("sqlite:///unused.db", metrics_allowed_ips=bad)
            with pytest.raises(ValidationError, match="IP address"):
                settings_for("sqlite:///unused.db", trusted_proxies=bad)


def test_metrics_are_outside_the_openapi_description(server):
    assert "/metrics" not in server.app.openapi()["paths"]
    assert "/metrics" not in json.loads(OPENAPI_FILE.read_text())["paths"]
