"""Two imports of one organization at once: one wins, the other gets 409 ``IMPORT_IN_PROGRESS``.

Two administrators' uploads of different exports (2,500 students each) are sent together. To make
them overlap on every run, the test holds a gate on ``student_imports`` (``tests/support/
gates.py``): the import that takes the organization's lock writes its students and then waits at
the gate, inside its transaction, lock held. The other must be refused at once while the first is
still running; then the gate opens and the first completes. Without the lock, both would write
and wait at the gate, and both would answer 201: the test fails.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.api import API, admin_of_new_organization, bearer, db_execute
from tests.support.gates import table_gate
from tests.support.live_server import LiveServer
from tests.support.siecle_generator import GeneratedSiecle, build_siecle

pytestmark = pytest.mark.postgresql_only

STUDENTS = 2500


def test_two_imports_at_once_one_succeeds_the_other_gets_409_and_the_data_is_the_winners(
    server: LiveServer, client: httpx.Client
) -> None:
    url = server.settings.database_url
    org, admin = admin_of_new_organization(client, url)
    exports = [build_siecle(STUDENTS, seed=seed, all_kept=True) for seed in (21, 22)]
    ids = [{record.national_student_id for record in export.expected_records()} for export in exports]
    assert len(ids[0]) == len(ids[1]) == STUDENTS and not ids[0] & ids[1]

    async def upload(http: httpx.AsyncClient, export: GeneratedSiecle, **params: str) -> httpx.Response:
        return await http.post(
            f"{API}/organizations/{org['id']}/student-imports",
            params=params,
            files={"file": ("ElevesSansAdresses.xml", export.xml, "application/xml")},
            headers=bearer(admin),
        )

    async def race() -> int:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            async with table_gate(url, "student_imports") as gate:
                uploads = [asyncio.create_task(upload(http, export)) for export in exports]
                # One import waits at the gate, lock held, while the other has its answer; two
                # waiting means both got past the lock (the test then fails below).
                waiting = await gate.wait_until(
                    lambda waiting: waiting == 2 or (waiting == 1 and any(task.done() for task in uploads))
                )
                assert waiting == 1, "both imports are writing at once: nothing serialises them"
                refused = next(task for task in uploads if task.done()).result()
                assert refused.status_code == 409, refused.text
                assert refused.headers["content-type"].startswith("application/problem+json")
                assert refused.json()["code"] == "IMPORT_IN_PROGRESS"
                await gate.open()
                responses = await asyncio.gather(*uploads)

            assert sorted(response.status_code for response in responses) == [201, 409]
            winner = next(index for index, response in enumerate(responses) if response.status_code == 201)
            assert responses[winner].json()["counts"]["created"] == STUDENTS

            # The lock went with the winner's transaction: the next import is not refused.
            preview = await upload(http, exports[1 - winner], dry_run="true", confirm_disable="true")
            assert preview.status_code == 200, preview.text
        return winner

    winner = asyncio.run(race())
    stored = db_execute(
        url,
        "SELECT national_student_id FROM students WHERE organization_id = :org AND disabled_at IS NULL",
        org=org["id"],
    )
    assert {row[0] for row in stored} == ids[winner]
    assert db_execute(url, "SELECT count(*) FROM students") == [(STUDENTS,)]
    assert db_execute(url, "SELECT status FROM student_imports") == [("COMPLETED",)]
