from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.students.ports import StudentImportRecord
from domain.students.roster import SIECLE_XML
from infrastructure.db.tables import student_imports


def import_from_row(row: Any) -> StudentImportRecord:
    return StudentImportRecord(
        id=row.id,
        organization_id=row.organization_id,
        created_at=row.created_at,
        actor_user_id=row.actor_user_id,
        actor_label=row.actor_label,
        filename=row.filename,
        status=row.status,
        counts=dict(row.counts or {}),
        format=row.format,
        actor_api_client_id=row.actor_api_client_id,
        actor_api_client_name=getattr(row, "api_client_name", None),
    )


class SqlStudentImportRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(
        self,
        organization_id: int,
        *,
        now: datetime,
        actor_user_id: int | None,
        actor_label: str,
        filename: str | None,
        file_hash: str | None,
        status: str,
        counts: dict[str, int],
        error_codes: list[str],
        format: str | None = SIECLE_XML,
        actor_api_client_id: int | None = None,
    ) -> int:
        result = await self._db.execute(
            insert(student_imports)
            .values(
                organization_id=organization_id,
                created_at=now,
                actor_user_id=actor_user_id,
                actor_label=actor_label,
                filename=(filename or None) and filename[:255],
                file_hash=file_hash,
                status=status,
                counts=counts,
                error_codes=error_codes,
                format=format,
                actor_api_client_id=actor_api_client_id,
            )
            .returning(student_imports.c.id)
        )
        return int(result.scalar_one())
