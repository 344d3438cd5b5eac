"""Teachers' and support's tools over HTTP: the bulk password reset (CSV and JSON), detaching an
account, and support's search, attach and detach, each with its errors."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.api import (
    API,
    admin_of_new_organization,
    bearer,
    db_execute,
    log_in,
    problem,
    support_token,
)
from tests.support.campaigns import (
    PUPIL_PASSWORD,
    create_account,
    create_campaign,
    identity,
    link,
    member_token,
    participate,
)
from tests.support.students import insert_student

ALAN = ("Alan", "Turing", "2002-06-23")
ADA = ("Ada", "Lovelace", "2003-12-10")
GRACE = ("Grace", "Hopper", "2004-12-09")


@pytest.fixture
def school(client, server):
    """Alan (username account), Ada (e-mail account), Grace (no account), Zoé (disabled)."""
    db = server.settings.database_url
    org, admin = admin_of_new_organization(client, db)
    code = create_campaign(client, admin, org["id"])["code"]
    ids = {
        "alan": insert_student(db, org["id"], division="TG2"),
        "ada": insert_student(
            db,
            org["id"],
            first_name="Ada",
            last_name="LOVELACE",
            birthdate=date(2003, 12, 10),
            division="1G1",
        ),
        "grace": insert_student(
            db, org["id"], first_name="Grace", last_name="HOPPER", birthdate=date(2004, 12, 9)
        ),
        "zoe": insert_student(
            db,
            org["id"],
            first_name="Zoé",
            last_name="=CMD()",
            birthdate=date(2005, 1, 1),
            disabled_at=datetime.now(UTC),
        ),
    }
    alan = create_account(client, code, *ALAN)
    ada = create_account(client, code, *ADA, email="ada@example.net")
    assert alan.status_code == ada.status_code == 201
    teacher = member_token(client, db, org["id"], admin, "prof@ac-paris.fr")
    return {
        "db": db,
        "org": org,
        "admin": admin,
        "teacher": teacher,
        "code": code,
        "ids": ids,
        "alan": alan.json(),
    }


def reset(client, school, student_ids, token=None, **headers):
    return client.post(
        f"{API}/organizations/{school['org']['id']}/students/password-resets",
        json={"student_ids": student_ids},
        headers={**bearer(token or school["teacher"]), **headers},
    )


class TestPasswordReset:
    def test_json_lists_who_was_reset_and_why_the_others_were_not(self, client, school):
        ids = school["ids"]
        response = reset(
            client,
            school,
            [ids["alan"], ids["ada"], ids["grace"], ids["zoe"], 999999],
            Accept="application/json",
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert [(r["student_id"], r["username"], r["division"]) for r in body["reset"]] == [
            (ids["alan"], "alan.turing2306", "TG2")
        ]
        assert body["not_reset"] == [
            {"student_id": ids["ada"], "reason": "EMAIL_ACCOUNT"},
            {"student_id": ids["grace"], "reason": "STUDENT_NOT_LINKED"},
            {"student_id": ids["zoe"], "reason": "STUDENT_NOT_FOUND"},
            {"student_id": 999999, "reason": "STUDENT_NOT_FOUND"},
        ]
        temporary = body["reset"][0]["temporary_password"]
        assert len(temporary) == 8
        # The e-mail account keeps its password.
        assert log_in(client, "ada@example.net", PUPIL_PASSWORD)
        # The username account logs in with the temporary password only, and must change it.
        assert (
            client.post(
                f"{API}/auth/token", data={"username": "alan.turing2306", "password": PUPIL_PASSWORD}
            ).status_code
            == 401
        )
        tokens = log_in(client, "alan.turing2306", temporary)
        assert tokens["must_change_password"] is True
        problem(participate(client, school["code"], tokens["access_token"]), 403, "PASSWORD_CHANGE_REQUIRED")
        changed = client.put(
            f"{API}/users/me/password",
            json={"current_password": temporary, "new_password": "Nouveau2024x"},
            headers=bearer(tokens["access_token"]),
        )
        assert changed.status_code == 204, changed.text
        assert log_in(client, "alan.turing2306", "Nouveau2024x")["must_change_password"] is False
        # Reset, then audited without the password.
        support = support_token(client, school["db"])
        events = client.get(
            f"{API}/admin/audit-events", params={"type": "STUDENT_PASSWORD_RESET"}, headers=bearer(support)
        ).json()["items"]
        assert [(e["target_id"], e["details"]) for e in events] == [
            (ids["alan"], {"user_id": school["alan"]["user"]["id"]})
        ]
        assert temporary not in str(events)

    def test_csv_is_utf8_with_bom_and_semicolons(self, client, school):
        insert_student(
            school["db"],
            school["org"]["id"],
            first_name="Maëlys",
            last_name="CŒURDEROI",
            birthdate=date(2008, 1, 1),
            division="1G1",
        )
        created = create_account(client, school["code"], "Maelys", "Coeurderoi", "2008-01-01")
        maelys = created.json()["user"]["id"]
        student = db_execute(school["db"], "SELECT id FROM students WHERE user_id = :u", u=maelys)[0][0]
        response = reset(client, school, [school["ids"]["alan"], student, school["ids"]["ada"]])
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        raw = response.content
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == ["Classe", "Nom", "Prénom", "Identifiant", "Mot de passe temporaire"]
        assert [row[:4] for row in rows[1:]] == [
            ["1G1", "CŒURDEROI", "Maëlys", "maelys.coeurderoi0101"],
            ["TG2", "TURING", "Alan", "alan.turing2306"],
        ]
        assert all(len(row) == 5 and len(row[4]) == 8 for row in rows[1:])
        english = reset(client, school, [school["ids"]["alan"]], **{"Accept-Language": "en"})
        assert (
            english.content.decode("utf-8-sig").splitlines()[0]
            == "Division;Last name;First name;Username;Temporary password"
        )

    def test_csv_cells_are_never_formulas(self, client, school):
        db_execute(
            school["db"],
            "UPDATE students SET disabled_at = NULL, last_name = '=HYPERLINK(1)' WHERE id = :i",
            i=school["ids"]["zoe"],
        )
        db_execute(school["db"], "UPDATE students SET user_id = NULL WHERE id = :i", i=school["ids"]["alan"])
        db_execute(
            school["db"],
            "UPDATE students SET user_id = (SELECT id FROM users WHERE username = 'alan.turing2306') "
            "WHERE id = :i",
            i=school["ids"]["zoe"],
        )
        text = reset(client, school, [school["ids"]["zoe"]]).content.decode("utf-8-sig")
        assert ";'=HYPERLINK(1);" in text

    def test_errors(self, client, school):
        other, other_admin = admin_of_new_organization(
            client,
            school["db"],
            admin_email="autre@ac-paris.fr",
            uai="0759999Z",
            email="ce.0759999z@ac-paris.fr",
        )
        problem(reset(client, school, []), 422, "VALIDATION_ERROR")
        problem(reset(client, school, ["a"]), 422, "VALIDATION_ERROR")
        # At most a page of the list (200) a request: each one reset costs a password hash.
        problem(reset(client, school, list(range(1, 202))), 422, "VALIDATION_ERROR")
        assert reset(client, school, list(range(1, 201))).status_code == 200
        problem(
            client.post(
                f"{API}/organizations/{school['org']['id']}/students/password-resets",
                json={"student_ids": [1]},
            ),
            401,
            "UNAUTHENTICATED",
        )
        problem(
            reset(client, school, [school["ids"]["alan"]], token=other_admin), 404, "ORGANIZATION_NOT_FOUND"
        )
        # Another organization's administrator cannot reach these students through their own organization.
        body = client.post(
            f"{API}/organizations/{other['id']}/students/password-resets",
            json={"student_ids": [school["ids"]["alan"]]},
            headers={**bearer(other_admin), "Accept": "application/json"},
        ).json()
        assert body == {
            "reset": [],
            "not_reset": [{"student_id": school["ids"]["alan"], "reason": "STUDENT_NOT_FOUND"}],
        }

    def test_an_expired_temporary_password_no_longer_logs_in(self, client, school):
        temporary = reset(client, school, [school["ids"]["alan"]], Accept="application/json").json()["reset"][
            0
        ]["temporary_password"]
        expires = db_execute(
            school["db"], "SELECT temporary_password_expires_at FROM users WHERE username = 'alan.turing2306'"
        )[0][0]
        expires = expires if isinstance(expires, datetime) else datetime.fromisoformat(str(expires))
        expires = expires.replace(tzinfo=UTC) if expires.tzinfo is None else expires
        assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
        db_execute(
            school["db"],
            "UPDATE users SET temporary_password_expires_at = :t WHERE username = 'alan.turing2306'",
            t=datetime.now(UTC) - timedelta(seconds=1),
        )
        response = client.post(
            f"{API}/auth/token", data={"username": "alan.turing2306", "password": temporary}
        )
        problem(response, 401, "INVALID_CREDENTIALS")


class TestDetachByAdministrator:
    def test_detach(self, client, school):
        url = f"{API}/organizations/{school['org']['id']}/students/{school['ids']['alan']}/user-link"
        problem(client.delete(url, headers=bearer(school["teacher"])), 403, "FORBIDDEN")
        assert client.delete(url, headers=bearer(school["admin"])).status_code == 204
        assert client.delete(url, headers=bearer(school["admin"])).status_code == 204
        assert db_execute(
            school["db"], "SELECT user_id FROM students WHERE id = :i", i=school["ids"]["alan"]
        ) == [(None,)]
        # The account still exists and attaches again.
        token = log_in(client, "alan.turing2306", PUPIL_PASSWORD)["access_token"]
        assert link(client, school["code"], token, identity(*ALAN)).status_code == 201

    def test_a_student_of_another_organization_is_not_found(self, client, school):
        other, other_admin = admin_of_new_organization(
            client,
            school["db"],
            admin_email="autre@ac-paris.fr",
            uai="0759999Z",
            email="ce.0759999z@ac-paris.fr",
        )
        url = f"{API}/organizations/{other['id']}/students/{school['ids']['alan']}/user-link"
        problem(client.delete(url, headers=bearer(other_admin)), 404, "STUDENT_NOT_FOUND")
        problem(
            client.delete(
                f"{API}/organizations/{other['id']}/students/999999/user-link", headers=bearer(other_admin)
            ),
            404,
            "STUDENT_NOT_FOUND",
        )


class TestSupport:
    def test_search_attach_and_detach(self, client, school):
        support = support_token(client, school["db"])
        users = client.get(
            f"{API}/admin/users", params={"query": "ADA@example"}, headers=bearer(support)
        ).json()
        ada_user = users["items"][0]
        assert (users["total"], ada_user["email"]) == (1, "ada@example.net")
        by_ine = client.get(
            f"{API}/admin/students", params={"query": "123456789ad"}, headers=bearer(support)
        ).json()
        assert by_ine["total"] == 0
        students = client.get(
            f"{API}/admin/students", params={"query": "Hopper grace"}, headers=bearer(support)
        ).json()
        assert [s["id"] for s in students["items"]] == [school["ids"]["grace"]]
        assert students["items"][0]["organization"] == {
            "id": school["org"]["id"],
            "name": "Lycée Pix",
            "uai": "0751234A",
        }
        everyone = client.get(
            f"{API}/admin/students", params={"uai": "0751234A"}, headers=bearer(support)
        ).json()
        assert everyone["total"] == 4
        assert [s["disabled"] for s in everyone["items"]].count(True) == 1
        nobody = client.get(
            f"{API}/admin/students", params={"uai": "0000000X"}, headers=bearer(support)
        ).json()
        assert nobody["total"] == 0

        # Ada's account is attached to Ada: it cannot also take Grace in the same school.
        url = f"{API}/admin/students/{school['ids']['grace']}/user-link"
        body = problem(
            client.put(url, json={"user_id": ada_user["id"]}, headers=bearer(support)),
            409,
            "USER_ALREADY_LINKED_IN_ORGANIZATION",
        )
        assert body["meta"] == {"reason_code": "R70"}
        # Detach it from Ada, then attach it to Grace.
        ada_url = f"{API}/admin/students/{school['ids']['ada']}/user-link"
        assert client.delete(ada_url, headers=bearer(support)).status_code == 204
        assert client.delete(ada_url, headers=bearer(support)).status_code == 204
        attached = client.put(url, json={"user_id": ada_user["id"]}, headers=bearer(support))
        assert attached.status_code == 200, attached.text
        assert attached.json()["user"] == {"id": ada_user["id"], "username": None, "email": "ada@example.net"}
        again = client.put(url, json={"user_id": ada_user["id"]}, headers=bearer(support))
        assert again.json() == attached.json()
        # Re-attach: another account replaces Grace's.
        alan_id = school["alan"]["user"]["id"]
        problem(
            client.put(url, json={"user_id": alan_id}, headers=bearer(support)),
            409,
            "USER_ALREADY_LINKED_IN_ORGANIZATION",
        )

        events = client.get(
            f"{API}/admin/audit-events",
            params={"organization_id": school["org"]["id"]},
            headers=bearer(support),
        ).json()["items"]
        by_support = [
            (e["type"], e["target_id"], e["details"])
            for e in events
            if e["actor"]["label"] == "support" and e["type"].startswith("STUDENT_")
        ]
        assert by_support == [
            (
                "STUDENT_ATTACHED",
                school["ids"]["grace"],
                {"user_id": ada_user["id"], "previous_user_id": None, "via": "support"},
            ),
            ("STUDENT_DETACHED", school["ids"]["ada"], {"user_id": ada_user["id"], "by": "support"}),
        ]

    def test_errors(self, client, school):
        support = support_token(client, school["db"])
        problem(
            client.put(
                f"{API}/admin/students/999999/user-link", json={"user_id": 1}, headers=bearer(support)
            ),
            404,
            "STUDENT_NOT_FOUND",
        )
        problem(
            client.delete(f"{API}/admin/students/999999/user-link", headers=bearer(support)),
            404,
            "STUDENT_NOT_FOUND",
        )
        problem(
            client.put(
                f"{API}/admin/students/{school['ids']['grace']}/user-link",
                json={"user_id": 999999},
                headers=bearer(support),
            ),
            404,
            "USER_NOT_FOUND",
        )
        problem(
            client.put(
                f"{API}/admin/students/{school['ids']['grace']}/user-link",
                json={"user_id": "1"},
                headers=bearer(support),
            ),
            422,
            "VALIDATION_ERROR",
        )
        for call in (
            lambda t: client.get(f"{API}/admin/users", headers=bearer(t)),
            lambda t: client.get(f"{API}/admin/students", headers=bearer(t)),
            lambda t: client.put(f"{API}/admin/students/1/user-link", json={"user_id": 1}, headers=bearer(t)),
            lambda t: client.delete(f"{API}/admin/students/1/user-link", headers=bearer(t)),
        ):
            problem(call(school["admin"]), 403, "FORBIDDEN")
