"""Joining a campaign by code, over HTTP: every error of the four joining endpoints with its status,
the reason codes and login hints, the automatic attach, participations and previews."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.support.api import (
    API,
    admin_of_new_organization,
    bearer,
    db_execute,
    log_in,
    problem,
    queued_invitation_code,
    signed_up_token,
    support_token,
)
from tests.support.campaigns import (
    PUPIL_PASSWORD,
    create_account,
    create_campaign,
    identity,
    link,
    match,
    member_token,
    participate,
)
from tests.support.students import insert_student

ALAN = ("Alan", "Turing", "2002-06-23")


@pytest.fixture
def school(client, server):
    """A school managing students, its administrator, a campaign, and Alan Turing imported."""
    database_url = server.settings.database_url
    org, admin = admin_of_new_organization(client, database_url)
    campaign = create_campaign(client, admin, org["id"])
    alan = insert_student(database_url, org["id"], national_student_id="123456789AD")
    return {
        "db": database_url,
        "org": org,
        "admin": admin,
        "code": campaign["code"],
        "campaign": campaign,
        "alan": alan,
    }


def other_school(client, database_url, *, uai="0759999Z", managing=True, admin_email="chef2@ac-paris.fr"):
    organization = {"uai": uai, "name": "Collège Autre", "is_managing_students": managing}
    if not managing:
        organization.update(type="SUP", uai=None)
    org, admin = admin_of_new_organization(
        client, database_url, admin_email=admin_email, email=f"ce.{uai.lower()}@ac-paris.fr", **organization
    )
    return org, admin, create_campaign(client, admin, org["id"])["code"]


def pupil_token(client, code, first, last, birthdate, **kwargs):
    created = create_account(client, code, first, last, birthdate, **kwargs)
    assert created.status_code == 201, created.text
    return created.json()["access_token"], created.json()["user"]


ENDPOINTS = ["student-matches", "student-accounts"]


class TestCampaignCode:
    @pytest.mark.parametrize("code", ["NOPE", "ABCDEF234", "999999"])
    def test_an_unknown_code_is_404_everywhere(self, client, school, code):
        _, token = signed_up_token(client)
        problem(client.get(f"{API}/campaigns/{code}"), 404, "CAMPAIGN_NOT_FOUND")
        problem(match(client, code, *ALAN), 404, "CAMPAIGN_NOT_FOUND")
        problem(create_account(client, code, *ALAN), 404, "CAMPAIGN_NOT_FOUND")
        problem(link(client, code, token, identity(*ALAN)), 404, "CAMPAIGN_NOT_FOUND")
        problem(participate(client, code, token), 404, "CAMPAIGN_NOT_FOUND")

    def test_an_archived_campaign_refuses_joining_but_keeps_participations(self, client, school):
        token, _ = pupil_token(client, school["code"], *ALAN)
        first = participate(client, school["code"], token)
        assert first.status_code == 201
        archived = client.post(
            f"{API}/organizations/{school['org']['id']}/campaigns/{school['campaign']['id']}/archive",
            headers=bearer(school["admin"]),
        )
        assert archived.status_code == 200
        assert client.get(f"{API}/campaigns/{school['code']}").json()["is_archived"] is True
        problem(match(client, school["code"], *ALAN), 409, "CAMPAIGN_ARCHIVED")
        problem(create_account(client, school["code"], *ALAN), 409, "CAMPAIGN_ARCHIVED")
        problem(link(client, school["code"], token, identity(*ALAN)), 409, "CAMPAIGN_ARCHIVED")
        assert participate(client, school["code"], token).json() == first.json()
        _, stranger = signed_up_token(client)
        problem(participate(client, school["code"], stranger), 409, "CAMPAIGN_ARCHIVED")

    def test_a_campaign_of_an_organization_without_students_has_no_matching(self, client, school):
        _, _, code = other_school(client, school["db"], managing=False)
        landing = client.get(f"{API}/campaigns/{code}").json()
        assert landing["is_restricted"] is False
        assert landing["organization"]["type"] == "SUP"
        _, token = signed_up_token(client)
        problem(match(client, code, *ALAN), 422, "CAMPAIGN_NOT_RESTRICTED")
        problem(create_account(client, code, *ALAN), 422, "CAMPAIGN_NOT_RESTRICTED")
        problem(link(client, code, token, identity(*ALAN)), 422, "CAMPAIGN_NOT_RESTRICTED")
        # Anyone may take part in it.
        started = participate(client, code, token)
        assert started.status_code == 201, started.text


class TestStudentNotFound:
    @pytest.mark.parametrize(
        ("first", "last", "birthdate", "why"),
        [
            ("Alan", "Turing", "2002-06-24", "another birthdate"),
            ("Alan", "Turing", "2002-23-06", "day and month swapped is not a date"),
            ("Alan", "Turing", "2002-06-22", "a day off"),
            ("Alan", "Tarong", "2002-06-23", "two typos in six letters"),
            ("Ada", "Lovelace", "2002-06-23", "somebody else"),
        ],
    )
    def test_not_found(self, client, school, first, last, birthdate, why):
        response = match(client, school["code"], first, last, birthdate)
        if "not a date" in why:
            problem(response, 422, "VALIDATION_ERROR")
            return
        body = problem(response, 404, "STUDENT_NOT_FOUND")
        assert "meta" not in body  # never which part failed
        problem(create_account(client, school["code"], first, last, birthdate), 404, "STUDENT_NOT_FOUND")

    def test_day_and_month_swapped_when_it_is_a_date(self, client, school):
        insert_student(
            school["db"], school["org"]["id"], first_name="Léa", last_name="ROUX", birthdate=date(2008, 3, 4)
        )
        problem(match(client, school["code"], "Léa", "Roux", "2008-04-03"), 404, "STUDENT_NOT_FOUND")
        assert match(client, school["code"], "Lea", "ROUX", "2008-03-04").status_code == 200

    def test_a_disabled_student_is_not_found(self, client, school):
        db_execute(school["db"], "UPDATE students SET disabled_at = :now", now=datetime.now(UTC))
        problem(match(client, school["code"], *ALAN), 404, "STUDENT_NOT_FOUND")

    def test_a_student_of_another_organization_is_not_found(self, client, school):
        _, _, code = other_school(client, school["db"])
        problem(match(client, code, *ALAN), 404, "STUDENT_NOT_FOUND")

    def test_two_students_matching_is_not_found(self, client, school):
        for first in ("Allan", "Alian"):
            insert_student(
                school["db"],
                school["org"]["id"],
                first_name=first,
                last_name="DUPONT",
                birthdate=date(2008, 3, 12),
            )
        problem(match(client, school["code"], "Alxan", "Dupont", "2008-03-12"), 404, "STUDENT_NOT_FOUND")
        assert match(client, school["code"], "Alian", "Dupont", "2008-03-12").status_code == 200
        decisions = db_execute(
            school["db"], "SELECT outcome, student_id FROM identity_match_decisions ORDER BY id"
        )
        assert decisions[0] == ("AMBIGUOUS", None)

    def test_typed_names_normalising_to_nothing_are_invalid(self, client, school):
        problem(match(client, school["code"], "---", "Turing", "2002-06-23"), 422, "VALIDATION_ERROR")
        problem(match(client, school["code"], "Alan", "\u200b", "2002-06-23"), 422, "VALIDATION_ERROR")
        problem(match(client, school["code"], "", "Turing", "2002-06-23"), 422, "VALIDATION_ERROR")

    def test_french_names_are_found(self, client, school):
        insert_student(
            school["db"],
            school["org"]["id"],
            first_name="Jean-Éric",
            middle_name="Noël",
            last_name="DE LA FONTAINE",
            birthdate=date(2009, 11, 5),
        )
        found = match(client, school["code"], "jean eric", "Fontaine", "2009-11-05")
        assert found.json() == {"username_suggestion": "jeaneric.delafontaine0511"}
        assert match(client, school["code"], "Noel", "de la fontaine", "2009-11-05").status_code == 200
        assert match(client, school["code"], "Jean-Eric", "Fontane", "2009-11-05").status_code == 200


class TestAccountCreation:
    def test_input_errors(self, client, school):
        code = school["code"]
        problem(create_account(client, code, *ALAN, password="short"), 422, "INVALID_PASSWORD")
        problem(create_account(client, code, *ALAN, accept_terms=False), 422, "TERMS_NOT_ACCEPTED")
        problem(create_account(client, code, *ALAN, login="email"), 422, "INVALID_EMAIL")
        problem(create_account(client, code, *ALAN, email="not-an-address"), 422, "INVALID_EMAIL")
        problem(create_account(client, code, *ALAN, login="phone"), 422, "VALIDATION_ERROR")
        problem(create_account(client, code, *ALAN, accept_terms="yes"), 422, "VALIDATION_ERROR")
        # Nothing was created, and the student is still free.
        assert match(client, code, *ALAN).status_code == 200

    def test_an_email_already_used_changes_nothing(self, client, school):
        signed_up_token(client, "pris@example.fr")
        problem(
            create_account(client, school["code"], *ALAN, email="PRIS@example.fr"), 409, "EMAIL_ALREADY_USED"
        )
        assert match(client, school["code"], *ALAN).status_code == 200
        decisions = db_execute(school["db"], "SELECT endpoint, outcome FROM identity_match_decisions")
        assert ("student-accounts", "MATCHED") in decisions

    def test_a_taken_username_gets_four_other_digits(self, client, school):
        other = insert_student(
            school["db"],
            school["org"]["id"],
            first_name="ALAN",
            last_name="Turing",
            birthdate=date(2003, 6, 23),
        )
        first = create_account(client, school["code"], *ALAN).json()
        suggestion = match(client, school["code"], "Alan", "Turing", "2003-06-23").json()[
            "username_suggestion"
        ]
        second = create_account(client, school["code"], "Alan", "Turing", "2003-06-23").json()
        assert first["username"] == "alan.turing2306"
        assert second["username"] == suggestion
        assert second["username"] != first["username"]
        assert len(second["username"]) == len("alan.turing2306")
        assert (
            db_execute(school["db"], "SELECT user_id FROM students WHERE id = :id", id=other)[0][0]
            == second["user"]["id"]
        )

    def test_the_account_can_log_in_and_is_attached(self, client, school):
        token, user = pupil_token(client, school["code"], *ALAN)
        me = client.get(f"{API}/users/me", headers=bearer(token)).json()
        assert me["username"] == "alan.turing2306"
        assert me["memberships"] == []
        rows = db_execute(school["db"], "SELECT user_id FROM students WHERE id = :id", id=school["alan"])
        assert rows[0][0] == user["id"]


class TestReasonCodes:
    def test_same_ine_attached_in_another_school(self, client, school):
        """The pupil changed school and has an account from there: R12/S62 (username), R11/S61 (e-mail)."""
        org2, _, code2 = other_school(client, school["db"])
        insert_student(school["db"], org2["id"], national_student_id="123456789AD")
        # Alan made his account at the first school.
        token, _ = pupil_token(client, school["code"], *ALAN)
        matched = problem(match(client, code2, *ALAN), 409, "STUDENT_ALREADY_LINKED")
        assert matched["meta"] == {"reason_code": "R12", "login_hint": "a***.t***6"}
        created = problem(create_account(client, code2, *ALAN), 409, "STUDENT_ALREADY_LINKED")
        assert created["meta"] == {"reason_code": "S62", "login_hint": "a***.t***6"}
        # Logged in with that account, he attaches it, by hand or automatically.
        attached = link(client, code2, token)
        assert attached.status_code == 201, attached.text
        assert participate(client, code2, token).status_code == 201

    def test_same_ine_attached_elsewhere_with_an_email(self, client, school):
        org2, _, code2 = other_school(client, school["db"])
        insert_student(school["db"], org2["id"], national_student_id="123456789AD")
        pupil_token(client, school["code"], *ALAN, email="alan@example.net")
        matched = problem(match(client, code2, *ALAN), 409, "STUDENT_ALREADY_LINKED")
        assert matched["meta"] == {"reason_code": "R11", "login_hint": "a***@example.net"}
        created = problem(create_account(client, code2, *ALAN), 409, "STUDENT_ALREADY_LINKED")
        assert created["meta"] == {"reason_code": "S61", "login_hint": "a***@example.net"}
        _, stranger = signed_up_token(client)
        linked = problem(link(client, code2, stranger, identity(*ALAN)), 409, "STUDENT_ALREADY_LINKED")
        assert linked["meta"]["reason_code"] == "R11"

    def test_email_wins_over_username_in_the_hint(self, client, school):
        _, user = pupil_token(client, school["code"], *ALAN)
        db_execute(school["db"], "UPDATE users SET email = 'alan@example.net' WHERE id = :id", id=user["id"])
        body = problem(match(client, school["code"], *ALAN), 409, "STUDENT_ALREADY_LINKED")
        assert body["meta"] == {"reason_code": "R31", "login_hint": "a***@example.net"}
        body = problem(create_account(client, school["code"], *ALAN), 409, "STUDENT_ALREADY_LINKED")
        assert body["meta"] == {"reason_code": "S51", "login_hint": "a***@example.net"}

    def test_another_account_linking_an_attached_student(self, client, school):
        pupil_token(client, school["code"], *ALAN)
        _, stranger = signed_up_token(client)
        body = problem(link(client, school["code"], stranger, identity(*ALAN)), 409, "STUDENT_ALREADY_LINKED")
        assert body["meta"] == {"reason_code": "R32", "login_hint": "a***.t***6"}

    def test_an_account_attached_to_another_student_of_the_school(self, client, school):
        insert_student(
            school["db"],
            school["org"]["id"],
            first_name="Ada",
            last_name="LOVELACE",
            birthdate=date(2002, 12, 10),
        )
        token, _ = pupil_token(client, school["code"], *ALAN)
        body = problem(
            link(client, school["code"], token, identity("Ada", "Lovelace", "2002-12-10")),
            409,
            "USER_ALREADY_LINKED_IN_ORGANIZATION",
        )
        assert body["meta"] == {"reason_code": "R70"}

    def test_an_account_of_somebody_else_elsewhere(self, client, school):
        org2, _, code2 = other_school(client, school["db"])
        insert_student(
            school["db"], org2["id"], first_name="Ada", last_name="LOVELACE", birthdate=date(2002, 12, 10)
        )
        token, _ = pupil_token(client, school["code"], *ALAN)
        body = problem(
            link(client, code2, token, identity("Ada", "Lovelace", "2002-12-10")),
            422,
            "ACCOUNT_BELONGS_TO_ANOTHER_STUDENT",
        )
        assert body["meta"] == {"reason_code": "R90"}
        # The same birthdate (an INE typed wrong at one school): the same person, attached.
        insert_student(
            school["db"], org2["id"], first_name="Alan", last_name="TURING", national_student_id="999999999XX"
        )
        assert link(client, code2, token, identity(*ALAN)).status_code == 201

    def test_a_member_cannot_link_but_a_former_member_can(self, client, school):
        teacher = member_token(client, school["db"], school["org"]["id"], school["admin"], "prof@ac-paris.fr")
        problem(
            link(client, school["code"], teacher, identity(*ALAN)), 403, "ORGANIZATION_MEMBER_CANNOT_LINK"
        )
        problem(link(client, school["code"], teacher), 403, "ORGANIZATION_MEMBER_CANNOT_LINK")
        members = client.get(
            f"{API}/organizations/{school['org']['id']}/memberships", headers=bearer(school["admin"])
        ).json()["items"]
        membership = next(m for m in members if m["user"]["email"] == "prof@ac-paris.fr")
        removed = client.delete(
            f"{API}/organizations/{school['org']['id']}/memberships/{membership['id']}",
            headers=bearer(school["admin"]),
        )
        assert removed.status_code == 204
        assert link(client, school["code"], teacher, identity(*ALAN)).status_code == 201

    def test_decisions_record_reasons_and_no_names(self, client, school):
        pupil_token(client, school["code"], *ALAN)
        problem(create_account(client, school["code"], *ALAN), 409, "STUDENT_ALREADY_LINKED")
        problem(match(client, school["code"], "Grace", "Hopper", "2002-06-23"), 404, "STUDENT_NOT_FOUND")
        rows = db_execute(
            school["db"],
            "SELECT endpoint, outcome, rule, student_id, first_name_distance, last_name_distance, "
            "reason_code FROM identity_match_decisions ORDER BY id",
        )
        assert rows == [
            ("student-accounts", "MATCHED", "exact:first_name", school["alan"], 0.0, 0.0, None),
            ("student-accounts", "CONFLICT", "exact:first_name", school["alan"], 0.0, 0.0, "S52"),
            ("student-matches", "NOT_FOUND", "no_match", None, rows[2][4], rows[2][5], None),
        ]


class TestLinks:
    def test_an_existing_account_attaches_by_its_identity(self, client, school):
        _, token = signed_up_token(client, "alan@example.net")
        first = link(client, school["code"], token, identity("ALAN", "turing", "2002-06-23"))
        assert first.status_code == 201, first.text
        assert link(client, school["code"], token, identity(*ALAN)).status_code == 200
        assert link(client, school["code"], token).status_code == 200  # automatic: already attached here
        assert participate(client, school["code"], token).status_code == 201

    def test_a_body_must_be_all_three_fields_or_none(self, client, school):
        _, token = signed_up_token(client)
        problem(link(client, school["code"], token, {"first_name": "Alan"}), 422, "VALIDATION_ERROR")
        problem(link(client, school["code"], token, {}), 404, "STUDENT_NOT_FOUND")
        problem(client.post(f"{API}/campaigns/{school['code']}/student-links"), 401, "UNAUTHENTICATED")

    def test_automatic_attach_by_ine_and_birthdate(self, client, school):
        """The pupil changed school: the new school's student of the same INE and birthdate."""
        token, user = pupil_token(client, school["code"], *ALAN)
        org2, _, code2 = other_school(client, school["db"])
        problem(link(client, code2, token), 404, "STUDENT_NOT_FOUND")  # not imported there yet
        insert_student(
            school["db"], org2["id"], national_student_id="123456789AD", birthdate=date(2002, 6, 24)
        )
        problem(link(client, code2, token), 404, "STUDENT_NOT_FOUND")  # same INE, another birthdate
        db_execute(
            school["db"],
            "UPDATE students SET birthdate = :d WHERE organization_id = :o",
            d=date(2002, 6, 23),
            o=org2["id"],
        )
        attached = link(client, code2, token)
        assert attached.status_code == 201, attached.text
        rows = db_execute(
            school["db"], "SELECT user_id FROM students WHERE organization_id = :o", o=org2["id"]
        )
        assert rows == [(user["id"],)]
        decisions = db_execute(
            school["db"],
            "SELECT rule, outcome FROM identity_match_decisions WHERE endpoint = 'student-links'",
        )
        assert decisions[-1] == ("automatic:national_student_id", "MATCHED")

    def test_an_account_with_a_temporary_password_must_change_it_first(self, client, school):
        token, user = pupil_token(client, school["code"], *ALAN)
        db_execute(school["db"], "UPDATE users SET must_change_password = true WHERE id = :id", id=user["id"])
        problem(participate(client, school["code"], token), 403, "PASSWORD_CHANGE_REQUIRED")
        problem(link(client, school["code"], token), 403, "PASSWORD_CHANGE_REQUIRED")


class TestParticipations:
    def test_not_a_student_of_the_organization(self, client, school):
        _, token = signed_up_token(client)
        problem(participate(client, school["code"], token), 403, "NOT_A_STUDENT_OF_ORGANIZATION")
        problem(participate(client, school["code"], token, preview=True), 403, "FORBIDDEN")

    def test_a_disabled_student_cannot_start_a_participation(self, client, school):
        token, _ = pupil_token(client, school["code"], *ALAN)
        campaign2 = create_campaign(client, school["admin"], school["org"]["id"], name="Deux")["code"]
        db_execute(school["db"], "UPDATE students SET disabled_at = :now", now=datetime.now(UTC))
        problem(participate(client, campaign2, token), 403, "NOT_A_STUDENT_OF_ORGANIZATION")

    def test_previews_are_for_members_and_left_out_of_counts(self, client, school):
        teacher = member_token(client, school["db"], school["org"]["id"], school["admin"], "prof@ac-paris.fr")
        assert participate(client, school["code"], teacher, preview=True).status_code == 201
        assert participate(client, school["code"], school["admin"], preview=True).status_code == 201
        campaigns = client.get(
            f"{API}/organizations/{school['org']['id']}/campaigns", headers=bearer(teacher)
        ).json()
        assert campaigns["items"][0]["participations_count"] == 0

    def test_a_pupil_who_joins_the_team_then_only_previews(self, client, school):
        token, _ = pupil_token(client, school["code"], *ALAN)
        started = participate(client, school["code"], token)
        assert started.status_code == 201, started.text
        invited = client.post(
            f"{API}/organizations/{school['org']['id']}/invitations",
            json={"emails": "alan.prof@ac-paris.fr"},
            headers=bearer(school["admin"]),
        )
        assert invited.status_code == 201, invited.text
        invitation_id, code = queued_invitation_code(school["db"], "alan.prof@ac-paris.fr")
        accepted = client.post(
            f"{API}/organization-invitations/{invitation_id}/accept",
            json={"code": code},
            headers=bearer(token),
        )
        assert accepted.status_code == 201, accepted.text
        # The participation started as a pupil is not resumed, nor a new one started in another campaign.
        problem(participate(client, school["code"], token), 403, "ORGANIZATION_MEMBER_CANNOT_PARTICIPATE")
        other = create_campaign(client, school["admin"], school["org"]["id"], name="Deux")["code"]
        body = problem(participate(client, other, token), 403, "ORGANIZATION_MEMBER_CANNOT_PARTICIPATE")
        assert "prévisualisation" in body["detail"]
        preview = participate(client, other, token, preview=True)
        assert preview.status_code == 201 and preview.json()["is_preview"] is True

    def test_a_member_attached_to_a_pupil_afterwards_only_previews(self, client, school):
        teacher = member_token(client, school["db"], school["org"]["id"], school["admin"], "prof@ac-paris.fr")
        teacher_id = client.get(f"{API}/users/me", headers=bearer(teacher)).json()["id"]
        support = support_token(client, school["db"])
        attached = client.put(
            f"{API}/admin/students/{school['alan']}/user-link",
            json={"user_id": teacher_id},
            headers=bearer(support),
        )
        assert attached.status_code == 200, attached.text
        body = problem(
            participate(client, school["code"], teacher), 403, "ORGANIZATION_MEMBER_CANNOT_PARTICIPATE"
        )
        assert body["detail"]
        assert participate(client, school["code"], teacher, preview=True).status_code == 201
        english = client.post(
            f"{API}/campaigns/{school['code']}/participations",
            headers={**bearer(teacher), "Accept-Language": "en"},
        )
        assert "preview" in problem(english, 403, "ORGANIZATION_MEMBER_CANNOT_PARTICIPATE")["detail"]

    def test_a_double_click_starts_one_participation(self, client, school):
        import concurrent.futures

        token, _ = pupil_token(client, school["code"], *ALAN)
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: participate(client, school["code"], token), range(4)))
        assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
        assert len({a.json()["id"] for a in answers}) == 1


def test_support_sees_who_is_attached(client, school):
    _, user = pupil_token(client, school["code"], *ALAN)
    support = support_token(client, school["db"])
    found = client.get(f"{API}/admin/users", params={"query": "ALAN.turing"}, headers=bearer(support)).json()
    assert [u["id"] for u in found["items"]] == [user["id"]]
    assert log_in(client, "alan.turing2306", PUPIL_PASSWORD)
