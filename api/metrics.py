"""Prometheus metrics, served at ``GET /metrics`` to the addresses of ``METRICS_ALLOWED_IPS`` only.

Each app has its own registry (never prometheus-client's global one), so that several apps can
live in one process (tests) and a scrape shows the figures of the app that answers it:

- ``pix_orga_http_requests_total{method, route, status}`` and
  ``pix_orga_http_request_duration_seconds{method, route, status}`` (histogram), fed by the
  request middleware with the route template (``/api/v1/organizations/{org_id}``, ``unmatched``
  for unknown paths), never the path itself, so ids and query strings never become labels;
- ``pix_orga_student_imports_total{outcome}``: imports as they are recorded, ``COMPLETED`` or
  ``FAILED`` (the domain's ``ImportMetrics`` port);
- ``pix_orga_outbox_emails{status}``: outbox rows by status (``QUEUED`` is the queue depth,
  ``FAILED`` the e-mails given up), read from the database at scrape time, and
  ``pix_orga_outbox_up``: 1 when that read succeeded, 0 when the database could not be read (the
  scrape still answers, with the other metrics);
- ``process_*``: the serving process's CPU, memory and file descriptors.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)

from api.client_address import client_address, in_networks
from api.errors import problem_response

logger = logging.getLogger("pix_orga.metrics")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Any other method is counted as ``OTHER``: a client must not be able to create label values."""
IMPORT_OUTCOMES = ("COMPLETED", "FAILED")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
SCRAPE_WAIT_SECONDS = 5.0

QueueDepth = Callable[[], Awaitable[Mapping[str, int]]]


class AppMetrics:
    """The metrics of one app. ``observe_request`` is the request middleware's ``on_request_end``
    hook; ``import_finished`` implements the domain's ``ImportMetrics`` port."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ("method", "route", "status")
        self._requests = Counter(
            "pix_orga_http_requests", "HTTP requests answered.", labels, registry=self.registry
        )
        self._latency = Histogram(
            "pix_orga_http_request_duration_seconds",
            "Time from the request's arrival to the end of its response.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._imports = Counter(
            "pix_orga_student_imports",
            "SIECLE imports recorded, by outcome.",
            ("outcome",),
            registry=self.registry,
        )
        for outcome in IMPORT_OUTCOMES:
            self._imports.labels(outcome)
        self._outbox = Gauge(
            "pix_orga_outbox_emails",
            "Outbox e-mails by status (QUEUED: waiting to be sent; FAILED: given up), read at scrape time.",
            ("status",),
            registry=self.registry,
        )
        self._outbox_up = Gauge(
            "pix_orga_outbox_up",
            "1 when the outbox was read at this scrape, 0 when the database could not be read.",
            registry=self.registry,
        )
        ProcessCollector(registry=self.registry)
        self._scrape_lock = asyncio.Lock()

    def observe_request(self, method: str, route: str, status: int, duration: float) -> None:
        method = method if method in METHODS else "OTHER"
        status_label = str(status)
        self._requests.labels(method, route, status_label).inc()
        self._latency.labels(method, route, status_label).observe(duration)

    def import_finished(self, status: str) -> None:
        self._imports.labels(status if status in IMPORT_OUTCOMES else "OTHER").inc()

    async def exposition(self, queue_depth: QueueDepth, wait_seconds: float = SCRAPE_WAIT_SECONDS) -> bytes:
        """The text exposition, with the outbox read now. A database that fails or does not answer
        within ``wait_seconds`` gives ``pix_orga_outbox_up 0`` and no outbox figures, never an error."""
        async with self._scrape_lock:  # one scrape at a time: the outbox gauges are set, then read
            try:
                depth = await asyncio.wait_for(queue_depth(), wait_seconds)
            except Exception as error:  # any failure of the read: the scrape still answers
                logger.warning("outbox unreadable for metrics", extra={"error_type": type(error).__name__})
                self._outbox.clear()
                self._outbox_up.set(0)
            else:
                self._outbox.clear()
                for status, count in depth.items():
                    self._outbox.labels(status).set(count)
                self._outbox_up.set(1)
            return generate_latest(self.registry)


def install_metrics(
    app: FastAPI, metrics: AppMetrics, queue_depth: QueueDepth, allowed: Sequence[str]
) -> None:
    """``GET /metrics``, outside ``/api/v1`` and the OpenAPI description. The caller's address is
    the peer's, or, behind a trusted proxy, the one it forwards (``client_address``); any other
    caller gets the 404 of an unknown address."""
    allowed_networks = list(allowed)

    @app.get("/metrics", include_in_schema=False)
    async def read_metrics(request: Request) -> Response:
        if not in_networks(client_address(request), allowed_networks):
            return problem_response(request, 404, "NOT_FOUND")
        body = await metrics.exposition(queue_depth)
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
