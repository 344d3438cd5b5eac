from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.organizations.entities import DeliveryStatus, Invitation, InvitationStatus, Role
from domain.organizations.ports import NewInvitation, SentEmails
from infrastructure.db.tables import invitations, outbox_emails, replaced_invitation_codes

PENDING = InvitationStatus.PENDING.value
INVITATION_EMAILS_LOCK_CLASS = zlib.crc32(b"pix-orga invitation e-mails") & 0x7FFFFFFF


def invitation_from_row(row: Any) -> Invitation:
    return Invitation(
        id=row.id,
        organization_id=row.organization_id,
        email=row.email,
        role=Role(row.role) if row.role else None,
        status=InvitationStatus(row.status),
        code_hash=row.code_hash,
        locale=row.locale,
        is_activation=row.is_activation,
        inviter_id=row.inviter_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_sent_at=row.last_sent_at,
        expires_at=row.expires_at,
        accepted_by_user_id=row.accepted_by_user_id,
        delivery_status=DeliveryStatus(row.delivery_status),
    )


class SqlInvitationRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, invitation: NewInvitation) -> Invitation:
        row = (
            await self._db.execute(
                insert(invitations)
                .values(
                    organization_id=invitation.organization_id,
                    email=invitation.email,
                    role=invitation.role.value if invitation.role else None,
                    status=PENDING,
                    code_hash=invitation.code_hash,
                    locale=invitation.locale,
                    is_activation=invitation.is_activation,
                    inviter_id=invitation.inviter_id,
                    created_at=invitation.now,
                    updated_at=invitation.now,
                    last_sent_at=invitation.now,
                    expires_at=invitation.expires_at,
                    delivery_status=DeliveryStatus.QUEUED.value,
                )
                .returning(*invitations.c)
            )
        ).one()
        return invitation_from_row(row)

    async def get(self, invitation_id: int) -> Invitation | None:
        row = (
            await self._db.execute(select(invitations).where(invitations.c.id == invitation_id))
        ).one_or_none()
        return invitation_from_row(row) if row else None

    async def find_pending(self, organization_id: int, email: str) -> Invitation | None:
        row = (
            await self._db.execute(
                select(invitations)
                .where(
                    invitations.c.organization_id == organization_id,
                    invitations.c.email == email,
                    invitations.c.status == PENDING,
                )
                .with_for_update()
            )
        ).one_or_none()
        return invitation_from_row(row) if row else None

    async def last_sent_to(self, organization_id: int, email: str) -> datetime | None:
        query = select(func.max(invitations.c.last_sent_at)).where(
            invitations.c.organization_id == organization_id, func.lower(invitations.c.email) == email.lower()
        )
        last: datetime | None = (await self._db.execute(query)).scalar_one()
        return last

    async def is_replaced_code(self, invitation_id: int, code_hash: str) -> bool:
        query = select(
            exists().where(
                replaced_invitation_codes.c.invitation_id == invitation_id,
                replaced_invitation_codes.c.code_hash == code_hash,
            )
        )
        return bool((await self._db.execute(query)).scalar())

    async def rotate(
        self,
        invitation: Invitation,
        *,
        code_hash: str,
        role: Role | None,
        now: datetime,
        expires_at: datetime,
    ) -> Invitation:
        await self._db.execute(
            insert(replaced_invitation_codes).values(
                code_hash=invitation.code_hash, invitation_id=invitation.id, replaced_at=now
            )
        )
        row = (
            await self._db.execute(
                update(invitations)
                .where(invitations.c.id == invitation.id)
                .values(
                    code_hash=code_hash,
                    role=role.value if role else None,
                    updated_at=now,
                    last_sent_at=now,
                    expires_at=expires_at,
                    delivery_status=DeliveryStatus.QUEUED.value,
                )
                .returning(*invitations.c)
            )
        ).one()
        return invitation_from_row(row)

    async def mark_accepted(self, invitation_id: int, user_id: int, now: datetime) -> bool:
        result = await self._db.execute(
            update(invitations)
            .where(invitations.c.id == invitation_id, invitations.c.status == PENDING)
            .values(
                status=InvitationStatus.ACCEPTED.value,
                accepted_by_user_id=user_id,
                accepted_at=now,
                updated_at=now,
            )
        )
        return result.rowcount == 1

    async def cancel(self, invitation_id: int, now: datetime) -> bool:
        result = await self._db.execute(
            update(invitations)
            .where(invitations.c.id == invitation_id, invitations.c.status == PENDING)
            .values(status=InvitationStatus.CANCELLED.value, cancelled_at=now, updated_at=now)
        )
        return result.rowcount == 1

    async def cancel_all_pending(self, organization_id: int, now: datetime) -> int:
        result = await self._db.execute(
            update(invitations)
            .where(invitations.c.organization_id == organization_id, invitations.c.status == PENDING)
            .values(status=InvitationStatus.CANCELLED.value, cancelled_at=now, updated_at=now)
        )
        return int(result.rowcount)

    async def lock_sent_emails(self, organization_id: int, since: datetime) -> SentEmails:
        if self._db.dialect.name == "postgresql":
            # SQLite: every transaction began with BEGIN IMMEDIATE and holds the write lock.
            await self._db.execute(
                text("SELECT pg_advisory_xact_lock(:lock_class, :organization_id)"),
                {"lock_class": INVITATION_EMAILS_LOCK_CLASS, "organization_id": organization_id},
            )
        query = (
            select(func.count(), func.min(outbox_emails.c.created_at))
            .select_from(outbox_emails.join(invitations, invitations.c.id == outbox_emails.c.invitation_id))
            .where(invitations.c.organization_id == organization_id, outbox_emails.c.created_at > since)
        )
        count, oldest_at = (await self._db.execute(query)).one()
        return SentEmails(count=int(count), oldest_at=oldest_at)
