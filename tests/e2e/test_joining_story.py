"""Step 5 of the activation guide over HTTP, on the Lycée Pix sample export: a teacher creates a
campaign, pupils find themselves in the imported list, create their accounts (username or e-mail)
and participate; a teacher cannot pose as a pupil but can preview; a second attempt at a pupil's
identity is told which account holds it; support detaches and the pupil attaches again."""

from __future__ import annotations

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
    match,
    participate,
)
from tests.support.students import import_sample

ALAN = ("Alan", "Turing", "2002-06-23")
CAMILLE = ("Camille", "Abba", "2006-02-25")


def test_step_5_on_the_sample_file(client, server, siecle_samples):
    database_url = server.settings.database_url
    org, teacher = admin_of_new_organization(client, database_url)
    report = import_sample(client, teacher, org["id"], siecle_samples / "ElevesSansAdresses.xml")
    assert report["counts"]["created"] == 30

    # The teacher creates a campaign; a pupil types its code as they read it.
    campaign = create_campaign(client, teacher, org["id"], name="Rentrée 2nde")
    code = campaign["code"]
    landing = client.get(f"{API}/campaigns/ {code.lower()} ")
    assert landing.status_code == 200, landing.text
    assert landing.json() == {
        "code": code,
        "name": "Rentrée 2nde",
        "type": "ASSESSMENT",
        "organization": {"name": org["name"], "type": "SCO"},
        "is_restricted": True,
        "is_archived": False,
    }

    # Alan Turing is found and gets the username built from the imported record.
    found = match(client, code, "alan", "TURING", "2002-06-23")
    assert found.status_code == 200, found.text
    assert found.json() == {"username_suggestion": "alan.turing2306"}
    created = create_account(client, code, *ALAN)
    assert created.status_code == 201, created.text
    alan = created.json()
    assert alan["username"] == "alan.turing2306"
    assert alan["user"]["email"] is None
    assert alan["user"]["first_name"] == "Alan"
    started = participate(client, code, alan["access_token"])
    assert started.status_code == 201, started.text
    again = participate(client, code, alan["access_token"])
    assert again.status_code == 200
    assert again.json() == started.json()
    assert started.json()["campaign_code"] == code
    assert started.json()["is_preview"] is False
    # Phones capitalise the first letter: the login is case-insensitive.
    assert log_in(client, "Alan.Turing2306", PUPIL_PASSWORD)["access_token"]

    # Camille Abba signs up with her e-mail address.
    camille = create_account(client, code, *CAMILLE, email="Camille.Abba@example.fr")
    assert camille.status_code == 201, camille.text
    assert camille.json()["username"] is None
    assert camille.json()["user"]["email"] == "camille.abba@example.fr"
    camille_token = log_in(client, "camille.abba@example.fr", PUPIL_PASSWORD)["access_token"]
    assert participate(client, code, camille_token).status_code == 201

    # The teacher's own account is refused on the restricted campaign, but can preview it.
    problem(participate(client, code, teacher), 403, "NOT_A_STUDENT_OF_ORGANIZATION")
    problem(link(client, code, teacher, identity(*ALAN)), 403, "ORGANIZATION_MEMBER_CANNOT_LINK")
    preview = participate(client, code, teacher, preview=True)
    assert preview.status_code == 201, preview.text
    assert preview.json()["is_preview"] is True
    assert participate(client, code, teacher, preview=True).json() == preview.json()

    # A second attempt at Alan's identity is told which account holds it, obfuscated.
    second = problem(
        create_account(client, code, *ALAN, password="Autre2024x"), 409, "STUDENT_ALREADY_LINKED"
    )
    assert second["meta"] == {"reason_code": "S52", "login_hint": "a***.t***6"}
    matched = problem(match(client, code, *ALAN), 409, "STUDENT_ALREADY_LINKED")
    assert matched["meta"] == {"reason_code": "R32", "login_hint": "a***.t***6"}
    by_email = problem(match(client, code, *CAMILLE), 409, "STUDENT_ALREADY_LINKED")
    assert by_email["meta"] == {"reason_code": "R31", "login_hint": "c***@example.fr"}
    users = db_execute(database_url, "SELECT count(*) FROM users WHERE username LIKE 'alan.turing%'")
    assert users[0][0] == 1

    # The list counts the two pupils, not the preview.
    listed = client.get(f"{API}/organizations/{org['id']}/campaigns", headers=bearer(teacher)).json()
    assert [(c["code"], c["participations_count"]) for c in listed["items"]] == [(code, 2)]
    participations = client.get(
        f"{API}/organizations/{org['id']}/campaigns/{campaign['id']}/participations", headers=bearer(teacher)
    ).json()
    assert participations["total"] == 3
    students = {p["student"]["last_name"] if p["student"] else None for p in participations["items"]}
    assert students == {"TURING", "ABBA", None}

    # Support detaches Alan's account; Alan attaches it again, logged in.
    support = support_token(client, database_url)
    found_students = client.get(
        f"{API}/admin/students", params={"query": "turing", "uai": "0751234a"}, headers=bearer(support)
    ).json()
    assert found_students["total"] == 1
    alan_student = found_students["items"][0]
    assert alan_student["user"] == {"id": alan["user"]["id"], "username": "alan.turing2306", "email": None}
    detached = client.delete(f"{API}/admin/students/{alan_student['id']}/user-link", headers=bearer(support))
    assert detached.status_code == 204, detached.text
    # Free again: a new account would get other digits, alan.turing2306 being Alan's existing login.
    suggestion = match(client, code, *ALAN).json()["username_suggestion"]
    assert suggestion.startswith("alan.turing")
    assert suggestion != "alan.turing2306"
    alan_token = log_in(client, "alan.turing2306", PUPIL_PASSWORD)["access_token"]
    attached = link(client, code, alan_token, identity(*ALAN))
    assert attached.status_code == 201, attached.text
    assert attached.json() == {"student_id": alan_student["id"], "organization_id": org["id"]}
    assert link(client, code, alan_token, identity(*ALAN)).status_code == 200
    assert participate(client, code, alan_token).status_code == 200

    # Every attachment and detachment is in the audit trail, without names.
    events = client.get(
        f"{API}/admin/audit-events", params={"organization_id": org["id"]}, headers=bearer(support)
    ).json()["items"]
    types = [e["type"] for e in events]
    assert types.count("STUDENT_ATTACHED") == 3
    assert "STUDENT_DETACHED" in types
    assert "STUDENT_ACCOUNT_CREATED" in types
    assert "turing" not in str(events).lower()

    # Every matching decision is recorded with its rule and distances, never the typed names.
    decisions = db_execute(
        database_url,
        "SELECT endpoint, outcome, rule, reason_code FROM identity_match_decisions ORDER BY id",
    )
    assert ("student-matches", "MATCHED", "exact:first_name", None) in decisions
    assert ("student-accounts", "CONFLICT", "exact:first_name", "S52") in decisions
    assert ("student-links", "MATCHED", "exact:first_name", None) in decisions
