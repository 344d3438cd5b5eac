"""The metrics adapter alone: labels it accepts, and a scrape that survives the outbox's database."""

from __future__ import annotations

import asyncio

from prometheus_client.parser import text_string_to_metric_families

from api.metrics import AppMetrics


def samples(exposition: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(exposition.decode())
        for sample in family.samples
    }


async def depth() -> dict[str, int]:
    return {"QUEUED": 3, "SENT": 10, "FAILED": 1}


async def unreachable() -> dict[str, int]:
    raise ConnectionRefusedError("the database is gone")


async def hanging() -> dict[str, int]:
    await asyncio.Event().wait()  # never answers
    return {}


async def test_requests_and_imports_are_counted() -> None:
    metrics = AppMetrics()
    metrics.observe_request("GET", "/api/v1/organizations/{org_id}", 200, 0.012)
    metrics.observe_request("GET", "/api/v1/organizations/{org_id}", 200, 0.3)
    metrics.observe_request("M-SEARCH", "unmatched", 405, 0.001)
    metrics.import_finished("COMPLETED")
    metrics.import_finished("FAILED")
    metrics.import_finished("FAILED")

    found = samples(await metrics.exposition(depth))

    route = (("method", "GET"), ("route", "/api/v1/organizations/{org_id}"), ("status", "200"))
    assert found[("pix_orga_http_requests_total", route)] == 2
    bucket = tuple(sorted((*route, ("le", "0.025"))))
    assert found[("pix_orga_http_request_duration_seconds_bucket", bucket)] == 1  # 12 ms, not 300 ms
    assert found[
        ("pix_orga_http_requests_total", (("method", "OTHER"), ("route", "unmatched"), ("status", "405")))
    ]
    assert found[("pix_orga_student_imports_total", (("outcome", "COMPLETED"),))] == 1
    assert found[("pix_orga_student_imports_total", (("outcome", "FAILED"),))] == 2
    assert found[("pix_orga_outbox_emails", (("status", "QUEUED"),))] == 3
    assert found[("pix_orga_outbox_emails", (("status", "FAILED"),))] == 1
    assert found[("pix_orga_outbox_up", ())] == 1


async def test_a_failing_or_silent_database_gives_outbox_up_zero() -> None:
    metrics = AppMetrics()
    await metrics.exposition(depth)

    for read in (unreachable, hanging):
        found = samples(await metrics.exposition(read, wait_seconds=0.05))
        assert found[("pix_orga_outbox_up", ())] == 0
        assert not [name for name, _ in found if name == "pix_orga_outbox_emails"]  # no stale figures

    found = samples(await metrics.exposition(depth))
    assert found[("pix_orga_outbox_up", ())] == 1


def test_registries_are_not_shared() -> None:
    first, second = AppMetrics(), AppMetrics()
    first.observe_request("GET", "/health/live", 200, 0.001)
    assert (
        second.registry.get_sample_value(
            "pix_orga_http_requests_total", {"method": "GET", "route": "/health/live", "status": "200"}
        )
        is None
    )
