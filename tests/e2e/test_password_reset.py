"""Forgotten password: request, link, reset, sessions revoked, link refused a second time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.api import API, PASSWORD, bearer, db_execute, log_in, problem, queued_reset_token, sign_up


def test_forgotten_password_story(client, server):
    sign_up(client, "ada@example.fr")
    old = log_in(client, "ada@example.fr")
    assert (
        client.post(
            f"{API}/password-reset-requests", json={"email": "ADA@example.fr", "app": "orga"}
        ).status_code
        == 202
    )
    token = queued_reset_token(server.settings.database_url, "ada@example.fr")
    problem(
        client.post(f"{API}/password-resets", json={"token": token, "new_password": "weak"}),
        422,
        "INVALID_PASSWORD",
    )
    assert (
        client.post(
            f"{API}/password-resets", json={"token": token, "new_password": "Nouveau2026"}
        ).status_code
        == 204
    )
    problem(client.get(f"{API}/users/me", headers=bearer(old["access_token"])), 401, "UNAUTHENTICATED")
    problem(
        client.post(
            f"{API}/auth/token", data={"grant_type": "refresh_token", "refresh_token": old["refresh_token"]}
        ),
        401,
        "UNAUTHENTICATED",
    )
    log_in(client, "ada@example.fr", "Nouveau2026")
    problem(
        client.post(f"{API}/password-resets", json={"token": token, "new_password": "Encore2026"}),
        410,
        "RESET_TOKEN_INVALID",
    )
    problem(
        client.post(f"{API}/auth/token", data={"username": "ada@example.fr", "password": PASSWORD}),
        401,
        "INVALID_CREDENTIALS",
    )


def test_no_account_enumeration(client, server):
    response = client.post(
        f"{API}/password-reset-requests", json={"email": "nobody@example.fr", "app": "app"}
    )
    assert response.status_code == 202
    assert response.content == b""
    assert db_execute(server.settings.database_url, "SELECT count(*) FROM outbox_emails") == [(0,)]


def test_link_expires_after_an_hour(client, server):
    sign_up(client, "ada@example.fr")
    client.post(f"{API}/password-reset-requests", json={"email": "ada@example.fr", "app": "app"})
    token = queued_reset_token(server.settings.database_url, "ada@example.fr")
    db_execute(
        server.settings.database_url,
        "UPDATE password_reset_tokens SET expires_at = :t",
        t=datetime.now(UTC) - timedelta(seconds=1),
    )
    problem(
        client.post(f"{API}/password-resets", json={"token": token, "new_password": "Nouveau2026"}),
        410,
        "RESET_TOKEN_INVALID",
    )


def test_requests_are_rate_limited_per_address(client):
    statuses = [
        client.post(
            f"{API}/password-reset-requests", json={"email": "ada@example.fr", "app": "orga"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [202] * 5 + [429]
