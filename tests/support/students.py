"""Students for the joining tests: inserted directly (fast, any shape), or imported from the sample."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from domain.students.search_text import student_search_text
from tests.support.api import bearer, db_execute

_ine = itertools.count(1)


def insert_student(database_url: str, organization_id: int, **fields: Any) -> int:
    """One student row as an import would write it; returns its id."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "organization_id": organization_id,
        "national_student_id": f"{next(_ine):09d}ZZ",
        "last_name": "TURING",
        "preferred_last_name": None,
        "first_name": "Alan",
        "middle_name": None,
        "third_name": None,
        "birthdate": date(2002, 6, 23),
        "division": "TG2",
        "user_id": None,
        "created_at": now,
        "updated_at": now,
        "disabled_at": None,
    }
    values.update(fields)
    values["search_text"] = student_search_text(
        values["last_name"],
        values["preferred_last_name"],
        values["first_name"],
        values["middle_name"],
        values["third_name"],
    )
    columns = ", ".join(values)
    placeholders = ", ".join(f":{name}" for name in values)
    rows = db_execute(
        database_url, f"INSERT INTO students ({columns}) VALUES ({placeholders}) RETURNING id", **values
    )
    bump_roster_revision(database_url, organization_id)
    return int(rows[0][0])


def bump_roster_revision(database_url: str, organization_id: int) -> None:
    """What the application's writers of students do in their transaction, so that the processes'
    prepared rosters see a pupil written here."""
    db_execute(
        database_url,
        "UPDATE organizations SET roster_revision = roster_revision + 1 WHERE id = :o",
        o=organization_id,
    )


def import_sample(client: httpx.Client, token: str, organization_id: int, path: Path) -> dict[str, Any]:
    """The real SIECLE import of a sample file, as the administrator uploads it."""
    with path.open("rb") as file:
        response = client.post(
            f"/api/v1/organizations/{organization_id}/student-imports",
            files={"file": (path.name, file, "application/xml")},
            headers=bearer(token),
        )
    assert response.status_code == 201, response.text
    return dict(response.json())
