"""Helpers of the campaign and joining tests: members, campaigns, pupils joining, problems."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.api import API, bearer, queued_invitation_code, signed_up_token

PUPIL_PASSWORD = "Eleve2024x"


def member_token(
    client: httpx.Client, database_url: str, org_id: int, admin_token: str, email: str, role: str = "MEMBER"
) -> str:
    """A user who accepted an invitation of the organization and the Pix Orga terms."""
    invited = client.post(
        f"{API}/organizations/{org_id}/invitations",
        json={"emails": email, "role": role},
        headers=bearer(admin_token),
    )
    assert invited.status_code == 201, invited.text
    invitation_id, code = queued_invitation_code(database_url, email)
    _, token = signed_up_token(client, email)
    accepted = client.post(
        f"{API}/organization-invitations/{invitation_id}/accept", json={"code": code}, headers=bearer(token)
    )
    assert accepted.status_code == 201, accepted.text
    assert client.post(f"{API}/users/me/pix-orga-terms-acceptance", headers=bearer(token)).status_code == 204
    return token


def create_campaign(
    client: httpx.Client, token: str, org_id: int, name: str = "Rentrée", type: str = "ASSESSMENT"
) -> dict[str, Any]:
    response = client.post(
        f"{API}/organizations/{org_id}/campaigns", json={"name": name, "type": type}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def identity(first_name: str, last_name: str, birthdate: str) -> dict[str, str]:
    return {"first_name": first_name, "last_name": last_name, "birthdate": birthdate}


def match(client: httpx.Client, code: str, first_name: str, last_name: str, birthdate: str) -> httpx.Response:
    return client.post(
        f"{API}/campaigns/{code}/student-matches", json=identity(first_name, last_name, birthdate)
    )


def create_account(
    client: httpx.Client,
    code: str,
    first_name: str,
    last_name: str,
    birthdate: str,
    *,
    email: str | None = None,
    password: str = PUPIL_PASSWORD,
    **extra: Any,
) -> httpx.Response:
    body: dict[str, Any] = {
        **identity(first_name, last_name, birthdate),
        "login": "email" if email else "username",
        "password": password,
        "accept_terms": True,
    }
    if email:
        body["email"] = email
    body.update(extra)
    return client.post(f"{API}/campaigns/{code}/student-accounts", json=body)


def link(client: httpx.Client, code: str, token: str, body: dict[str, Any] | None = None) -> httpx.Response:
    if body is None:
        return client.post(f"{API}/campaigns/{code}/student-links", headers=bearer(token))
    return client.post(f"{API}/campaigns/{code}/student-links", json=body, headers=bearer(token))


def participate(client: httpx.Client, code: str, token: str, *, preview: bool = False) -> httpx.Response:
    params = {"preview": "true"} if preview else {}
    return client.post(f"{API}/campaigns/{code}/participations", params=params, headers=bearer(token))
