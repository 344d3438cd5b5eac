"""Campaigns of an organization over HTTP: creation by members, codes, list with counts, archive,
participations, and the organization checks in their order."""

from __future__ import annotations

import re

from tests.support.api import API, admin_of_new_organization, bearer, problem, signed_up_token, support_token
from tests.support.campaigns import create_campaign, member_token, participate

CODE = re.compile(r"[ABCDEFGHJKMNPQRSTUVWXYZ]{6}[23456789]{3}")


def campaigns_url(org_id: int) -> str:
    return f"{API}/organizations/{org_id}/campaigns"


def test_a_member_creates_campaigns_with_unique_codes(client, server):
    org, admin = admin_of_new_organization(client, server.settings.database_url)
    member = member_token(client, server.settings.database_url, org["id"], admin, "prof@ac-paris.fr")
    created = [create_campaign(client, member, org["id"], name=f"Classe {i}") for i in range(5)]
    assert all(CODE.fullmatch(c["code"]) for c in created)
    assert len({c["code"] for c in created}) == 5
    assert created[0]["type"] == "ASSESSMENT"
    assert created[0]["archived_at"] is None
    profiles = create_campaign(client, admin, org["id"], name="Profils", type="PROFILES_COLLECTION")
    assert profiles["type"] == "PROFILES_COLLECTION"

    listed = client.get(campaigns_url(org["id"]), headers=bearer(member)).json()
    assert listed["total"] == 6
    assert listed["items"][0]["name"] == "Profils"  # newest first
    assert {item["participations_count"] for item in listed["items"]} == {0}
    page = client.get(
        campaigns_url(org["id"]), params={"page": 2, "page_size": 4}, headers=bearer(member)
    ).json()
    assert (page["total"], len(page["items"]), page["page"], page["page_size"]) == (6, 2, 2, 4)


def test_creation_errors(client, server):
    database_url = server.settings.database_url
    org, admin = admin_of_new_organization(client, database_url)
    url = campaigns_url(org["id"])
    problem(
        client.post(url, json={"name": "", "type": "ASSESSMENT"}, headers=bearer(admin)),
        422,
        "VALIDATION_ERROR",
    )
    problem(
        client.post(url, json={"name": "   ", "type": "ASSESSMENT"}, headers=bearer(admin)),
        422,
        "VALIDATION_ERROR",
    )
    problem(
        client.post(url, json={"name": "X", "type": "QUIZ"}, headers=bearer(admin)), 422, "VALIDATION_ERROR"
    )
    problem(client.post(url, json={"name": "X", "type": "ASSESSMENT"}), 401, "UNAUTHENTICATED")
    _, stranger = signed_up_token(client)
    problem(
        client.post(url, json={"name": "X", "type": "ASSESSMENT"}, headers=bearer(stranger)),
        404,
        "ORGANIZATION_NOT_FOUND",
    )
    problem(client.get(url, headers=bearer(stranger)), 404, "ORGANIZATION_NOT_FOUND")

    support = support_token(client, database_url)
    assert (
        client.post(f"{API}/admin/organizations/{org['id']}/archive", headers=bearer(support)).status_code
        == 200
    )
    problem(
        client.post(url, json={"name": "X", "type": "ASSESSMENT"}, headers=bearer(admin)),
        409,
        "ORGANIZATION_ARCHIVED",
    )


def test_terms_are_checked_after_membership(client, server):
    database_url = server.settings.database_url
    org, admin = admin_of_new_organization(client, database_url)
    from tests.support.api import queued_invitation_code

    invited = client.post(
        f"{API}/organizations/{org['id']}/invitations",
        json={"emails": "new@ac-paris.fr"},
        headers=bearer(admin),
    )
    assert invited.status_code == 201
    invitation_id, code = queued_invitation_code(database_url, "new@ac-paris.fr")
    _, token = signed_up_token(client, "new@ac-paris.fr")
    client.post(
        f"{API}/organization-invitations/{invitation_id}/accept", json={"code": code}, headers=bearer(token)
    )
    problem(client.get(campaigns_url(org["id"]), headers=bearer(token)), 403, "PIX_ORGA_TERMS_NOT_ACCEPTED")


def test_archive_is_idempotent_and_scoped_to_the_organization(client, server):
    database_url = server.settings.database_url
    org, admin = admin_of_new_organization(client, database_url)
    other, other_admin = admin_of_new_organization(
        client, database_url, admin_email="autre@ac-paris.fr", uai="0759999Z", email="ce.0759999z@ac-paris.fr"
    )
    campaign = create_campaign(client, admin, org["id"])
    url = f"{campaigns_url(org['id'])}/{campaign['id']}/archive"
    first = client.post(url, headers=bearer(admin))
    assert first.status_code == 200, first.text
    assert first.json()["archived_at"] is not None
    again = client.post(url, headers=bearer(admin))
    assert again.status_code == 200
    assert again.json() == first.json()
    # An id of another organization is not found, from either side.
    problem(
        client.post(f"{campaigns_url(other['id'])}/{campaign['id']}/archive", headers=bearer(other_admin)),
        404,
        "CAMPAIGN_NOT_FOUND",
    )
    problem(
        client.get(
            f"{campaigns_url(other['id'])}/{campaign['id']}/participations", headers=bearer(other_admin)
        ),
        404,
        "CAMPAIGN_NOT_FOUND",
    )
    problem(
        client.post(f"{campaigns_url(org['id'])}/999999/archive", headers=bearer(admin)),
        404,
        "CAMPAIGN_NOT_FOUND",
    )
    assert client.get(campaigns_url(org["id"]), headers=bearer(admin)).json()["items"][0]["archived_at"]


def test_participations_of_a_campaign_that_is_not_restricted(client, server):
    database_url = server.settings.database_url
    org, admin = admin_of_new_organization(
        client, database_url, type="PRO", uai=None, is_managing_students=False
    )
    campaign = create_campaign(client, admin, org["id"])
    user, token = signed_up_token(client)
    assert participate(client, campaign["code"], token).status_code == 201
    assert participate(client, campaign["code"], admin, preview=True).status_code == 201
    listed = client.get(
        f"{campaigns_url(org['id'])}/{campaign['id']}/participations", headers=bearer(admin)
    ).json()
    assert listed["total"] == 2
    first, second = listed["items"]
    assert (first["user_id"], first["student"], first["is_preview"]) == (user["id"], None, False)
    assert second["is_preview"] is True
    counts = client.get(campaigns_url(org["id"]), headers=bearer(admin)).json()["items"]
    assert counts[0]["participations_count"] == 1
