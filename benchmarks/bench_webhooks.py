"""Webhooks: 1,000 events delivered to a local receiver by one ``pix-orga worker``.

A throw-away PostgreSQL database, an organization with one endpoint subscribed to ``webhook.test``
pointing at an HTTP receiver on loopback (``tests/support/webhooks.py``, in this process), and
one ``pix-orga worker`` process (``WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true``). Two measures:

- backlog: 1,000 events committed at once (one transaction) while the worker runs; deliveries per
  second from that commit to the last arrival, against a baseline measured in the same run: the same
  1,000 POSTs to the same receiver from a bare httpx loop, 16 at a time (the dispatcher's own
  concurrency), no database, no signing;
- delay: the worker running, 1,000 events committed one by one at half the backlog rate just
  measured (a worker kept busy but not overrun); the delay from each event's commit to its
  arrival at the receiver, p50 and p99. The worker polls every second when it finds nothing due,
  which bounds the delay of a quiet moment.

``uv run python -m benchmarks.bench_webhooks`` (part of ``make bench``). The machine runs the
receiver, the worker and PostgreSQL together: figures are noisy on a shared machine.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx

from benchmarks.harness import ROOT, SECRET_KEY, database
from domain.notifications.webhooks import webhook_test
from domain.organizations.entities import Role
from domain.webhooks.create_webhook_endpoint import new_signing_secret
from domain.webhooks.entities import NewWebhookEndpoint
from infrastructure.db.engine import create_engine
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.webhooks.secrets import FernetSecretCipher
from tests.contract.backends import new_organization, new_user
from tests.support.webhooks import Receiver

EVENTS = 1_000
CONCURRENCY = 16


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def baseline(receiver: Receiver) -> float:
    """The receiver's raw rate: 1,000 POSTs from a bare httpx loop, CONCURRENCY at a time."""
    body = b'{"type":"webhook.test","timestamp":"2026-09-01T08:00:00+00:00","data":{"organization_id":1}}'
    limit = asyncio.Semaphore(CONCURRENCY)
    start = len(receiver.received)
    async with httpx.AsyncClient() as client:

        async def post(n: int) -> None:
            async with limit:
                response = await client.post(receiver.url, content=body, headers={"webhook-id": f"base_{n}"})
                response.raise_for_status()

        began = time.perf_counter()
        await asyncio.gather(*(post(n) for n in range(EVENTS)))
        elapsed = time.perf_counter() - began
    assert len(receiver.received) - start == EVENTS
    return EVENTS / elapsed


async def setup(url: str, receiver_url: str) -> tuple[int, int]:
    engine = create_engine(url)
    async with SqlUnitOfWork(engine) as uow:
        organization = await uow.organizations.add(new_organization())
        admin = await uow.users.add(new_user("admin@ac-paris.fr"))
        await uow.memberships.add(organization.id, admin.id, Role.ADMIN, datetime.now(UTC))
        endpoint = await uow.webhook_endpoints.add(
            NewWebhookEndpoint(
                organization.id,
                receiver_url,
                ("webhook.test",),
                None,
                FernetSecretCipher(SECRET_KEY).encrypt(new_signing_secret()),
                datetime.now(UTC),
            )
        )
        await uow.commit()
    await engine.dispose()
    return organization.id, endpoint.id


async def commit_events(
    url: str, organization_id: int, endpoint_id: int, count: int, rate: float | None
) -> dict[str, float]:
    """``count`` events; one transaction for all when ``rate`` is None, else each in its own at
    ``rate`` a second. Returns ``webhook-id`` -> wall-clock time of its commit."""
    engine = create_engine(url)
    committed: dict[str, float] = {}
    began = time.perf_counter()
    try:
        if rate is None:
            async with SqlUnitOfWork(engine) as uow:
                ids = [
                    await uow.webhook_events.record(
                        webhook_test(organization_id, endpoint_id, datetime.now(UTC))
                    )
                    for _ in range(count)
                ]
                await uow.commit()
            now = time.time()
            return {f"msg_{event_id}": now for event_id in ids}
        for n in range(count):
            async with SqlUnitOfWork(engine) as uow:
                event_id = await uow.webhook_events.record(
                    webhook_test(organization_id, endpoint_id, datetime.now(UTC))
                )
                await uow.commit()
            committed[f"msg_{event_id}"] = time.time()
            await asyncio.sleep(max(0.0, began + (n + 1) / rate - time.perf_counter()))
    finally:
        await engine.dispose()
    return committed


def start_worker(url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ENVIRONMENT": "development",
        "SECRET_KEY": SECRET_KEY,
        "OUTBOX_IN_PROCESS": "false",
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


async def measure(url: str) -> None:
    receiver = await Receiver().start()
    try:
        raw_rate = await baseline(receiver)
        receiver.received.clear()
        organization_id, endpoint_id = await setup(url, receiver.url)
        worker = start_worker(url)
        try:
            # The worker is ready once a first event reached the receiver (not part of any figure).
            await commit_events(url, organization_id, endpoint_id, 1, rate=None)
            await receiver.wait_for(1, timeout=120)
            receiver.received.clear()

            # Backlog: 1,000 events committed at once, delivered by the running worker.
            committed = await commit_events(url, organization_id, endpoint_id, EVENTS, rate=None)
            await receiver.wait_for(EVENTS, timeout=300)
            last = max(r.at for r in receiver.received if r.headers["webhook-id"] in committed)
            backlog_rate = EVENTS / (last - min(committed.values()))
            receiver.received.clear()

            # Delay: events committed one by one at half that rate.
            committed = await commit_events(url, organization_id, endpoint_id, EVENTS, rate=backlog_rate / 2)
            await receiver.wait_for(EVENTS, timeout=300)
        finally:
            stop(worker)
        arrived = {r.headers["webhook-id"]: r.at for r in receiver.received}
        delays = [(arrived[m] - committed[m]) * 1000 for m in committed]
    finally:
        await receiver.stop()

    print(f"webhooks: {EVENTS} events, one pix-orga worker, receiver on loopback (PostgreSQL)")
    print(f"  baseline, bare httpx loop ({CONCURRENCY} at a time): {raw_rate:,.0f} req/s")
    print(
        f"  backlog of {EVENTS} delivered by the worker: {backlog_rate:,.0f} deliveries/s "
        f"({backlog_rate / raw_rate:.2f} of the baseline)"
    )
    print(
        f"  delay commit → delivery at {backlog_rate / 2:,.0f} events/s: "
        f"p50 {statistics.median(delays):.0f} ms, "
        f"p99 {percentile(delays, 0.99):.0f} ms, max {max(delays):.0f} ms"
    )


def main() -> None:
    with database() as url:
        asyncio.run(measure(url))


if __name__ == "__main__":
    main()
