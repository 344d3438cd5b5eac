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
from infrastructure.security.password_hasher import Argon2PasswordHasher, build_context

PASSWORD = "Motdepasse1"
_counter = itertools.count(1)


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
    response = client.post("/api/v1/users", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def log_in(client: httpx.Client, login: str, password: str = PASSWORD, **form: str) -> dict[str, Any]:
    response = client.post("/api/v1/auth/token", data={"username": login, "password": password, **form})
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
                Argon2PasswordHasher(build_context(fast_for_tests=True)),
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
    """Run one SQL statement on the test database (to arrange states the API cannot reach yet)."""
    from sqlalchemy import text

    async def run() -> list[Any]:
        engine = create_engine(database_url)
        try:
            async with engine.begin() as connection:
                result = await connection.execute(text(statement), params)
                return list(result.all()) if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(run())
