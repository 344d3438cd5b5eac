"""Helpers of the account-recovery tests: a pupil who has left school, and the link of the e-mail."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import httpx

from tests.support.api import API, db_execute
from tests.support.campaigns import create_account
from tests.support.students import bump_roster_revision, insert_student


def queued_recovery(database_url: str, to: str) -> tuple[str, str]:
    """The recovery id and code of the last recovery e-mail queued for ``to``."""
    rows = db_execute(
        database_url, "SELECT payload FROM outbox_emails WHERE kind = 'account_recovery' ORDER BY id DESC"
    )
    for (payload,) in rows:
        data = json.loads(payload) if isinstance(payload, str) else payload
        if data["to"] == to:
            return str(data["recovery_id"]), str(data["code"])
    raise AssertionError(f"no recovery e-mail queued for {to}")


def pupil_who_left(
    client: httpx.Client,
    database_url: str,
    organization_id: int,
    campaign_code: str,
    *,
    ine: str,
    first_name: str,
    last_name: str,
    birthdate: str,
) -> dict[str, Any]:
    """A pupil who created a username account by joining, then left: their record is disabled, as
    the next import of the school does. Returns the account creation's answer."""
    student_id = insert_student(
        database_url,
        organization_id,
        national_student_id=ine,
        first_name=first_name,
        last_name=last_name.upper(),
        birthdate=date.fromisoformat(birthdate),
    )
    created = create_account(client, campaign_code, first_name, last_name, birthdate)
    assert created.status_code == 201, created.text
    db_execute(
        database_url, "UPDATE students SET disabled_at = :t WHERE id = :i", t=datetime.now(UTC), i=student_id
    )
    bump_roster_revision(database_url, organization_id)
    return dict(created.json())


def recovery_body(ine: str, first_name: str, last_name: str, birthdate: str, email: str) -> dict[str, str]:
    return {
        "national_student_id": ine,
        "first_name": first_name,
        "last_name": last_name,
        "birthdate": birthdate,
        "email": email,
    }


def request_recovery(client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return client.post(f"{API}/account-recoveries", json=body)
