"""Import rules that need several organizations or a failing database."""

from __future__ import annotations

import asyncio
from io import BytesIO

import pytest
from sqlalchemy import text

from domain.clock import SystemClock
from domain.students.import_students import ImportStudents, ImportStudentsCommand
from domain.students.ports import Upload
from infrastructure.cpu_work import ThreadedCpuWork
from infrastructure.db.engine import create_engine
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.siecle.upload_reader import StudentUploadReader
from tests.support.api import API, admin_of_new_organization, bearer, db_execute, log_in, sign_up
from tests.support.campaigns import PUPIL_PASSWORD, create_account, create_campaign
from tests.support.siecle_generator import generate_siecle, write_siecle
from tests.support.siecle_samples import first_export, rentree_export


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


def received(content: bytes):
    async def receive() -> Upload:
        return Upload(BytesIO(content), "e.xml")

    return receive


def siecle(uai: str, *students: tuple[str, str, str, str]) -> bytes:
    """A minimal export: (INE, last name, first name, DD/MM/YYYY birthdate), all in class 2NDE1."""
    eleves = "".join(
        f'<ELEVE ELEVE_ID="{i}"><ID_NATIONAL>{ine}</ID_NATIONAL><NOM_DE_FAMILLE>{last}</NOM_DE_FAMILLE>'
        f"<PRENOM>{first}</PRENOM><DATE_NAISS>{born}</DATE_NAISS></ELEVE>"
        for i, (ine, last, first, born) in enumerate(students)
    )
    structures = "".join(
        f'<STRUCTURES_ELEVE ELEVE_ID="{i}"><STRUCTURE><CODE_STRUCTURE>2NDE1</CODE_STRUCTURE>'
        "<TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE>"
        for i in range(len(students))
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><BEE_ELEVES VERSION="3.1"><PARAMETRES><UAJ>{uai}</UAJ>'
        f"</PARAMETRES><DONNEES><ELEVES>{eleves}</ELEVES><STRUCTURES>{structures}</STRUCTURES>"
        "</DONNEES></BEE_ELEVES>"
    ).encode()


ZOE = ("123456789AB", "MARTIN", "Zoé", "01/02/2009")
CLASSMATES = [(f"00000000{i}ZZ", "DURAND", f"Élève{i}", "03/04/2009") for i in range(3)]


def school(client, url, uai: str, n: int):
    return admin_of_new_organization(
        client, url, f"chef{n}@ac-paris.fr", uai=uai, email=f"ce.{uai.lower()}@ac-paris.fr", name=f"Lycée {n}"
    )


def students_of(client, org_id, token):
    response = client.get(f"{API}/organizations/{org_id}/students", headers=bearer(token))
    assert response.status_code == 200, response.text
    return {s["national_student_id"]: s for s in response.json()["items"]}


def test_an_import_never_hands_over_an_account_in_use_at_another_school(client, server):
    url = server.settings.database_url
    a, a_admin = school(client, url, "0751234A", 1)
    assert upload(client, a["id"], a_admin, siecle("0751234A", ZOE, *CLASSMATES)).status_code == 201
    campaign = create_campaign(client, a_admin, a["id"])
    created = create_account(client, campaign["code"], "Zoé", "MARTIN", "2009-02-01")
    assert created.status_code == 201, created.text
    username = created.json()["username"]
    # Zoé leaves school A for school C: the school-changer rule gives her account back at C.
    assert upload(client, a["id"], a_admin, siecle("0751234A", *CLASSMATES)).status_code == 201
    c, c_admin = school(client, url, "0752222C", 2)
    assert upload(client, c["id"], c_admin, siecle("0752222C", ZOE, *CLASSMATES)).status_code == 201
    at_c = students_of(client, c["id"], c_admin)[ZOE[0]]
    assert (at_c["linked"], at_c["username"]) == (True, username)

    # School D imports her while she is active at C: her account stays hers.
    d, d_admin = school(client, url, "0753333D", 3)
    response = client.post(
        f"{API}/organizations/{d['id']}/student-imports",
        files={"file": ("e.xml", siecle("0753333D", ZOE, *CLASSMATES), "text/xml")},
        headers={**bearer(d_admin), "Accept-Language": "en"},
    )
    assert response.status_code == 201, response.text
    [warning] = response.json()["warnings"]
    assert warning["code"] == "ACCOUNT_KEPT_ELSEWHERE"
    assert warning["national_student_id"] == ZOE[0]
    assert warning["detail"].startswith("Line ") and "another school" in warning["detail"]
    at_d = students_of(client, d["id"], d_admin)[ZOE[0]]
    assert (at_d["linked"], at_d["username"]) == (False, None)

    reset = client.post(
        f"{API}/organizations/{d['id']}/students/password-resets",
        json={"student_ids": [at_d["id"]]},
        headers={**bearer(d_admin), "Accept": "application/json"},
    )
    assert reset.json() == {
        "reset": [],
        "not_reset": [{"student_id": at_d["id"], "reason": "STUDENT_NOT_LINKED"}],
    }
    assert log_in(client, username, PUPIL_PASSWORD)["access_token"]


def test_the_old_school_re_importing_a_pupil_does_not_get_her_account_back(client, server):
    url = server.settings.database_url
    a, a_admin = school(client, url, "0751234A", 1)
    assert upload(client, a["id"], a_admin, siecle("0751234A", ZOE, *CLASSMATES)).status_code == 201
    campaign = create_campaign(client, a_admin, a["id"])
    created = create_account(client, campaign["code"], "Zoé", "MARTIN", "2009-02-01")
    assert created.status_code == 201, created.text
    username = created.json()["username"]
    assert upload(client, a["id"], a_admin, siecle("0751234A", *CLASSMATES)).status_code == 201
    c, c_admin = school(client, url, "0752222C", 2)
    assert upload(client, c["id"], c_admin, siecle("0752222C", ZOE, *CLASSMATES)).status_code == 201
    assert students_of(client, c["id"], c_admin)[ZOE[0]]["username"] == username

    # School A lists her again while she is active at C: A gets her record back, not her account.
    dry = upload(client, a["id"], a_admin, siecle("0751234A", ZOE, *CLASSMATES), dry_run="true")
    assert [w["code"] for w in dry.json()["warnings"]] == ["ACCOUNT_KEPT_ELSEWHERE"]
    response = upload(client, a["id"], a_admin, siecle("0751234A", ZOE, *CLASSMATES))
    assert response.status_code == 201, response.text
    assert response.json()["counts"]["reactivated"] == 1
    [warning] = response.json()["warnings"]
    assert (warning["code"], warning["national_student_id"]) == ("ACCOUNT_KEPT_ELSEWHERE", ZOE[0])
    at_a = students_of(client, a["id"], a_admin)[ZOE[0]]
    assert (at_a["linked"], at_a["username"]) == (False, None)
    assert students_of(client, c["id"], c_admin)[ZOE[0]]["username"] == username
    reset = client.post(
        f"{API}/organizations/{a['id']}/students/password-resets",
        json={"student_ids": [at_a["id"]]},
        headers={**bearer(a_admin), "Accept": "application/json"},
    )
    assert reset.json() == {
        "reset": [],
        "not_reset": [{"student_id": at_a["id"], "reason": "STUDENT_NOT_LINKED"}],
    }
    assert log_in(client, username, PUPIL_PASSWORD)["access_token"]
    detached = db_execute(
        url,
        "SELECT count(*) FROM audit_events WHERE type = 'STUDENT_DETACHED' AND organization_id = :o",
        o=a["id"],
    )
    assert detached == [(1,)]


def test_a_pupil_coming_back_to_a_school_that_had_her_without_account_gets_her_account(client, server):
    """Reactivated here without an account, she is an arrival: the account she made at the school
    she left is attached to her record here, the one the import re-enables (its stored id)."""
    url = server.settings.database_url
    b, b_admin = school(client, url, "0754444B", 1)
    assert upload(client, b["id"], b_admin, siecle("0754444B", ZOE, *CLASSMATES)).status_code == 201
    assert upload(client, b["id"], b_admin, siecle("0754444B", *CLASSMATES)).status_code == 201
    a, a_admin = school(client, url, "0751234A", 2)
    assert upload(client, a["id"], a_admin, siecle("0751234A", ZOE, *CLASSMATES)).status_code == 201
    campaign = create_campaign(client, a_admin, a["id"])
    created = create_account(client, campaign["code"], "Zoé", "MARTIN", "2009-02-01")
    assert created.status_code == 201, created.text
    assert upload(client, a["id"], a_admin, siecle("0751234A", *CLASSMATES)).status_code == 201

    back = [("111111111CC", "NOUVEAU", "Léo", "05/06/2009"), ZOE, *CLASSMATES]
    response = upload(client, b["id"], b_admin, siecle("0754444B", *back))
    assert response.status_code == 201, response.text
    assert (response.json()["counts"]["reactivated"], response.json()["counts"]["created"]) == (1, 1)
    at_b = students_of(client, b["id"], b_admin)
    assert (at_b[ZOE[0]]["linked"], at_b[ZOE[0]]["username"]) == (True, created.json()["username"])
    assert not at_b["111111111CC"]["linked"]
    attached = db_execute(
        url,
        "SELECT target_id FROM audit_events WHERE type = 'STUDENT_ACCOUNT_ATTACHED' AND organization_id = :o",
        o=b["id"],
    )
    assert attached == [(at_b[ZOE[0]]["id"],)]


def test_a_member_cannot_reset_the_password_of_an_account_in_use_at_another_school(client, server):
    url = server.settings.database_url
    a, a_admin = school(client, url, "0751234A", 1)
    assert upload(client, a["id"], a_admin, siecle("0751234A", ZOE, *CLASSMATES)).status_code == 201
    campaign = create_campaign(client, a_admin, a["id"])
    created = create_account(client, campaign["code"], "Zoé", "MARTIN", "2009-02-01")
    assert created.status_code == 201, created.text
    c, c_admin = school(client, url, "0752222C", 2)
    assert upload(client, c["id"], c_admin, siecle("0752222C", ZOE, *CLASSMATES)).status_code == 201
    # A state no import leaves any more (written by hand): one account, active pupils at A and C.
    [(user_id,)] = db_execute(url, "SELECT user_id FROM students WHERE user_id IS NOT NULL")
    db_execute(
        url,
        "UPDATE students SET user_id = :u WHERE organization_id = :c AND last_name = 'MARTIN'",
        u=user_id,
        c=c["id"],
    )
    at_a = students_of(client, a["id"], a_admin)[ZOE[0]]
    reset = client.post(
        f"{API}/organizations/{a['id']}/students/password-resets",
        json={"student_ids": [at_a["id"]]},
        headers={**bearer(a_admin), "Accept": "application/json"},
    )
    assert reset.json() == {
        "reset": [],
        "not_reset": [{"student_id": at_a["id"], "reason": "ACCOUNT_IN_USE_ELSEWHERE"}],
    }
    assert log_in(client, created.json()["username"], PUPIL_PASSWORD)["access_token"]


@pytest.mark.postgresql_only
def test_two_schools_importing_a_returning_student_at_once_cannot_both_take_her_account(client, server):
    url = server.settings.database_url
    a, a_admin = school(client, url, "0751234A", 1)
    assert upload(client, a["id"], a_admin, siecle("0751234A", ZOE, *CLASSMATES)).status_code == 201
    campaign = create_campaign(client, a_admin, a["id"])
    assert create_account(client, campaign["code"], "Zoé", "MARTIN", "2009-02-01").status_code == 201
    assert upload(client, a["id"], a_admin, siecle("0751234A", *CLASSMATES)).status_code == 201
    schools = [school(client, url, uai, n) for n, uai in ((2, "0752222C"), (3, "0753333D"))]

    async def import_both() -> None:
        engine = create_engine(url)
        try:
            cpu = ThreadedCpuWork(max_parallel=2)
            use_case = ImportStudents(
                lambda: SqlUnitOfWork(engine),
                StudentUploadReader(10**8, 10**9, 20_000),
                cpu,
                SystemClock(),
                0.5,
            )
            await asyncio.gather(
                *(
                    use_case(None, ImportStudentsCommand(org["id"], received(siecle(org["uai"], ZOE))))
                    for org, _ in schools
                )
            )
        finally:
            await engine.dispose()

    for _ in range(3):
        db_execute(
            url,
            "DELETE FROM students WHERE organization_id IN (:c, :d)",
            c=schools[0][0]["id"],
            d=schools[1][0]["id"],
        )
        asyncio.run(import_both())
        rows = db_execute(
            url, "SELECT count(*) FROM students WHERE user_id IS NOT NULL AND disabled_at IS NULL"
        )
        assert rows == [(1,)]


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

            async def disable_then_fail(organization_id, ids, now):
                await original(organization_id, ids, now)  # the creates and updates are already written
                await uow.connection.execute(text("SELECT * FROM no_such_table"))

            uow.students.disable_many = disable_then_fail
            return uow

    async def run():
        engine = create_engine(url)
        try:
            cpu = ThreadedCpuWork(max_parallel=2)
            use_case = ImportStudents(
                lambda: FailingUnitOfWork(engine),
                StudentUploadReader(10**8, 10**9, 20_000),
                cpu,
                SystemClock(),
                0.5,
            )

            viewer_less = None  # the command line's actor
            await use_case(viewer_less, ImportStudentsCommand(org["id"], received(rentree)))
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
                valid = await asyncio.to_thread(upload, client, org["id"], admin, xml)
                broken = await asyncio.to_thread(upload, client, org["id"], admin, xml[: len(xml) // 2])
                return valid, broken
        finally:
            await engine.dispose()

    response, broken = asyncio.run(while_locked())
    assert response.status_code == 409
    assert response.json()["code"] == "IMPORT_IN_PROGRESS"
    # The file's errors are told first, as when the lock was taken once the file was read.
    assert broken.status_code == 422
    assert broken.json()["code"] == "INVALID_SIECLE_FILE"
    assert db_execute(url, "SELECT count(*) FROM students") == [(0,)]
    assert db_execute(url, "SELECT status FROM student_imports") == [("FAILED",)]
    assert upload(client, org["id"], admin, xml).status_code == 201
