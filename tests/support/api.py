"""Small helpers that drive the API as the front-ends do."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx

from domain.accounts.create_support_user import CreateSupportUser, CreateSupportUserCommand
from domain.clock import SystemClock
from infrastructure.db.engine import create_engine
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.security.password_hasher import FAST_FOR_TESTS, Argon2PasswordHasher

API = "/api/v1"
PASSWORD = "Motdepasse1"
_counter = itertools.count(1)


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The problem+json body of an error response, after checking its status and code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_up(client: httpx.Client, email: str | None = None, **fields: Any) -> dict[str, Any]:
    body = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": email or f"user{next(_counter)}@example.fr",
        "password": PASSWORD,
        "accept_terms": True,
    }
    body.update(fields)
    response = client.post(f"{API}/users", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def log_in(client: httpx.Client, login: str, password: str = PASSWORD, **form: str) -> dict[str, Any]:
    response = client.post(f"{API}/auth/token", data={"username": login, "password": password, **form})
    assert response.status_code == 200, response.text
    return dict(response.json())


def signed_up_token(
    client: httpx.Client, email: str | None = None, **fields: Any
) -> tuple[dict[str, Any], str]:
    user = sign_up(client, email, **fields)
    return user, log_in(client, user["email"])["access_token"]


def create_support_user(database_url: str, email: str = "support@pix.fr", password: str = PASSWORD) -> int:
    async def create() -> int:
        engine = create_engine(database_url)
        try:
            use_case = CreateSupportUser(
                lambda: SqlUnitOfWork(engine),
                Argon2PasswordHasher(FAST_FOR_TESTS),
                SystemClock(),
            )
            user = await use_case(
                CreateSupportUserCommand(
                    email=email, first_name="Sam", last_name="Support", password=password
                )
            )
            return user.id
        finally:
            await engine.dispose()

    return asyncio.run(create())


def db_execute(database_url: str, statement: str, **params: Any) -> list[Any]:
    """Run one SQL statement on the test database (to arrange states the API cannot reach, such
    as the passing of time); datetime parameters are bound as UTC timestamps."""
    from datetime import datetime

    from sqlalchemy import bindparam, text

    from infrastructure.db.types import UTCDateTime

    query = text(statement).bindparams(
        *(
            bindparam(name, type_=UTCDateTime())
            for name, value in params.items()
            if isinstance(value, datetime)
        )
    )

    async def run() -> list[Any]:
        engine = create_engine(database_url)
        try:
            async with engine.begin() as connection:
                result = await connection.execute(query, params)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())


def support_token(client: httpx.Client, database_url: str, email: str = "support@pix.fr") -> str:
    create_support_user(database_url, email)
    return str(log_in(client, email)["access_token"])


def create_organization(client: httpx.Client, token: str, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Lycée Pix",
        "type": "SCO",
        "uai": "0751234A",
        "email": "ce.0751234a@ac-paris.fr",
        "is_managing_students": True,
    }
    body.update(fields)
    response = client.post(f"{API}/admin/organizations", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    return dict(response.json())


def queued_invitation_code(database_url: str, to: str) -> tuple[int, str]:
    """The invitation id and code of the last e-mail queued for an address (read in the outbox,
    where the rendering parameters wait for the dispatcher)."""
    import json

    rows = db_execute(
        database_url,
        "SELECT payload FROM outbox_emails WHERE invitation_id IS NOT NULL ORDER BY id DESC",
    )
    for (payload,) in rows:
        data = json.loads(payload) if isinstance(payload, str) else payload
        if data["to"] == to:
            return int(data["invitation_id"]), str(data["code"])
    raise AssertionError(f"no invitation e-mail queued for {to}")


def queued_reset_token(database_url: str, to: str) -> str:
    import json

    rows = db_execute(
        database_url, "SELECT payload FROM outbox_emails WHERE kind = 'password_reset' ORDER BY id DESC"
    )
    for (payload,) in rows:
        data = json.loads(payload) if isinstance(payload, str) else payload
        if data["to"] == to:
            return str(data["token"])
    raise AssertionError(f"no reset e-mail queued for {to}")


def admin_of_new_organization(
    client: httpx.Client, database_url: str, admin_email: str = "chef@ac-paris.fr", **organization: Any
) -> tuple[dict[str, Any], str]:
    """An organization whose administrator accepted the activation invitation and the terms."""
    support = support_token(client, database_url, f"support-{next(_counter)}@pix.fr")
    org = create_organization(client, support, **organization)
    invited = client.post(
        f"{API}/admin/organizations/{org['id']}/invitations", json={}, headers=bearer(support)
    )
    assert invited.status_code == 201, invited.text
    invitation_id, code = queued_invitation_code(database_url, org["email"])
    _, token = signed_up_token(client, admin_email)
    accepted = client.post(
        f"{API}/organization-invitations/{invitation_id}/accept", json={"code": code}, headers=bearer(token)
    )
    assert accepted.status_code == 201, accepted.text
    assert client.post(f"{API}/users/me/pix-orga-terms-acceptance", headers=bearer(token)).status_code == 204
    return org, token
