"""Graceful shutdown: SIGTERM to ``pix-orga serve`` lets the request in flight finish.

A large import is sent to a ``pix-orga serve`` process; the test holds it at a gate on
``student_imports`` (``tests/support/gates.py``) so that it is certainly in flight, inside its
transaction, when SIGTERM arrives. The server must stop accepting connections at once while the
import is still running, then let it finish with its normal answer (201 and its report), commit
it, and exit by itself.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.support.api import admin_of_new_organization, bearer, db_execute
from tests.support.gates import table_gate
from tests.support.live_server import LiveServer
from tests.support.processes import running, start_api
from tests.support.siecle_generator import build_siecle

pytestmark = pytest.mark.postgresql_only

STUDENTS = 3000


async def connection_refused(port: int, timeout: float = 10) -> None:
    """Until a new TCP connection to ``port`` is refused (a deadline, not a sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except ConnectionRefusedError:
            return
        writer.close()
        if time.monotonic() > deadline:
            raise AssertionError(f"port {port} still accepts connections {timeout} s after SIGTERM")
        await asyncio.sleep(0.02)


def test_sigterm_lets_the_import_in_flight_finish_and_refuses_new_connections(
    server: LiveServer, client: httpx.Client, tmp_path: Path
) -> None:
    url = server.settings.database_url
    org, admin = admin_of_new_organization(client, url)
    export = build_siecle(STUDENTS, seed=31, all_kept=True)
    api = start_api(url, tmp_path)

    async def import_during_shutdown() -> httpx.Response:
        async with (
            httpx.AsyncClient(base_url=api.url, timeout=60) as http,
            table_gate(url, "student_imports") as gate,
        ):
            upload = asyncio.create_task(
                http.post(
                    f"/api/v1/organizations/{org['id']}/student-imports",
                    files={"file": ("ElevesSansAdresses.xml", export.xml, "application/xml")},
                    headers=bearer(admin),
                )
            )
            await gate.wait_until(lambda waiting: waiting == 1 or upload.done())
            assert not upload.done(), upload.result().text
            api.process.send_signal(signal.SIGTERM)
            await connection_refused(api.port)
            assert not upload.done(), "the import was cut short"
            assert api.process.poll() is None, "the server did not wait for the request in flight"
            await gate.open()
            return await upload

    with running(api):
        api.wait_ready()
        response = asyncio.run(import_during_shutdown())
        assert response.status_code == 201, response.text
        assert response.json()["counts"]["created"] == STUDENTS
        exit_code = api.process.wait(timeout=30)
    # uvicorn re-raises the SIGTERM it caught once shut down: the exit status says so.
    assert exit_code in (0, -signal.SIGTERM), api.output()
    assert "Application shutdown complete." in api.output()
    assert "Traceback" not in api.output()
    assert db_execute(url, "SELECT count(*) FROM students") == [(STUDENTS,)]
    assert db_execute(url, "SELECT status FROM student_imports") == [("COMPLETED",)]
