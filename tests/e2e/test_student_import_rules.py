"""Import rules that need several organizations or a failing database."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from domain.clock import SystemClock
from domain.students.import_students import ImportStudents, ImportStudentsCommand
from infrastructure.db.engine import create_engine
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.siecle.upload_reader import ThreadedSiecleReader
from tests.support.api import admin_of_new_organization, bearer, db_execute, sign_up
from tests.support.siecle_generator import generate_siecle, write_siecle
from tests.support.siecle_samples import first_export, rentree_export

API = "/api/v1"


def upload(client, org_id, token, content, **params):
    return client.post(
        f"{API}/organizations/{org_id}/student-imports",
        params=params,
        files={"file": ("e.xml", content, "text/xml")},
        headers=bearer(token),
    )


def test_a_student_who_changed_school_gets_their_account_back(client, server):
    url = server.settings.database_url
    xml = first_export().xml
    old, old_admin = admin_of_new_organization(
        client, url, "chef@ancien.fr", uai="0751234A", email="ce.0751234a@ac-paris.fr", name="Ancien lycée"
    )
    assert upload(client, old["id"], old_admin, xml).status_code == 201
    alan = sign_up(client, "alan@example.fr")
    camille = sign_up(client, "camille@example.fr")
    db_execute(url, "UPDATE students SET user_id = :u WHERE last_name = 'TURING'", u=alan["id"])
    db_execute(url, "UPDATE students SET user_id = :u WHERE last_name = 'ABBA'", u=camille["id"])
    # Alan left the old school (disabled there); Camille is still active there.
    db_execute(url, "UPDATE students SET disabled_at = updated_at WHERE last_name = 'TURING'")
    new_xml = write_siecle(first_export().students, uai="0759999Z").xml
    new, new_admin = admin_of_new_organization(
        client, url, "chef@nouveau.fr", uai="0759999Z", email="ce.0759999z@ac-paris.fr", name="Nouveau lycée"
    )
    response = upload(client, new["id"], new_admin, new_xml)
    assert response.status_code == 201, response.text
    warnings = [w["code"] for w in response.json()["warnings"]]
    assert warnings.count("ACCOUNT_KEPT_ELSEWHERE") == 1
    rows = db_execute(
        url,
        "SELECT last_name, user_id FROM students WHERE organization_id = :o AND user_id IS NOT NULL",
        o=new["id"],
    )
    assert rows == [("TURING", alan["id"])]


def test_a_database_error_in_the_middle_leaves_the_students_as_they_were(client, server):
    url = server.settings.database_url
    org, admin = admin_of_new_organization(client, url)
    assert upload(client, org["id"], admin, first_export().xml).status_code == 201
    before = db_execute(url, "SELECT id, division, disabled_at, updated_at FROM students ORDER BY id")
    rentree = rentree_export().xml

    class FailingUnitOfWork(SqlUnitOfWork):
        async def __aenter__(self):
            uow = await super().__aenter__()
            original = uow.students.disable_many

            async def disable_then_fail(ids, now):
                await original(ids, now)  # the creates and updates are already written
                await uow.connection.execute(text("SELECT * FROM no_such_table"))

            uow.students.disable_many = disable_then_fail
            return uow

    async def run():
        engine = create_engine(url)
        try:
            use_case = ImportStudents(
                lambda: FailingUnitOfWork(engine), ThreadedSiecleReader(10**8, 10**9), SystemClock(), 0.5
            )
            from io import BytesIO

            viewer_less = None  # the command line's actor
            await use_case(viewer_less, ImportStudentsCommand(org["id"], BytesIO(rentree), "rentree.xml"))
        finally:
            await engine.dispose()

    with pytest.raises(Exception, match="no_such_table"):
        asyncio.run(run())
    assert db_execute(url, "SELECT id, division, disabled_at, updated_at FROM students ORDER BY id") == before
    assert db_execute(url, "SELECT count(*) FROM students WHERE last_name = 'LIDDELL'") == [(0,)]


@pytest.mark.postgresql_only
def test_one_import_at_a_time(client, server):
    url = server.settings.database_url
    org, admin = admin_of_new_organization(client, url)
    xml = generate_siecle(50, uai="0751234A", seed=3)

    async def while_locked():
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                from infrastructure.db.repositories.students import IMPORT_LOCK_CLASS

                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:c, :o)"), {"c": IMPORT_LOCK_CLASS, "o": org["id"]}
                )
                return await asyncio.to_thread(upload, client, org["id"], admin, xml)
        finally:
            await engine.dispose()

    response = asyncio.run(while_locked())
    assert response.status_code == 409
    assert response.json()["code"] == "IMPORT_IN_PROGRESS"
    assert db_execute(url, "SELECT count(*) FROM students") == [(0,)]
    assert upload(client, org["id"], admin, xml).status_code == 201
