from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.accounts.entities import NewUser, User
from domain.accounts.errors import EmailAlreadyUsed, UsernameAlreadyUsed
from infrastructure.db.integrity import insert_unless_taken, violates
from infrastructure.db.tables import users


def user_from_row(row: Any) -> User:
    return User(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        username=row.username,
        password_hash=row.password_hash,
        must_change_password=row.must_change_password,
        temporary_password_expires_at=row.temporary_password_expires_at,
        terms_accepted_at=row.terms_accepted_at,
        pix_orga_terms_accepted_at=row.pix_orga_terms_accepted_at,
        locale=row.locale,
        is_support=row.is_support,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


ADD_ATTEMPTS = 3

# Built once: building a statement cost as much CPU as sending it.
_GET = select(users).where(users.c.id == bindparam("user_id"))
_ADD_UNLESS_TAKEN = insert_unless_taken(users)


class SqlUserRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._db = connection

    async def add(self, user: NewUser) -> User:
        email = user.email.lower() if user.email else None
        username = user.username.lower() if user.username else None
        values = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": email,
            "username": username,
            "password_hash": user.password_hash,
            "must_change_password": user.must_change_password,
            "terms_accepted_at": user.terms_accepted_at,
            "locale": user.locale,
            "is_support": user.is_support,
            "created_at": user.created_at,
            "updated_at": user.created_at,
        }
        for _ in range(ADD_ATTEMPTS):
            # A taken e-mail or username returns no row: a refused username is retried in the same
            # transaction (no savepoint needed).
            statement = _ADD_UNLESS_TAKEN[self._db.dialect.name]
            row = (await self._db.execute(statement, values)).one_or_none()
            if row is not None:
                return user_from_row(row)
            taken = await self._taken(email, username)
            if taken is not None:
                raise taken
        # The account holding the login was deleted each time before it could be read.
        raise EmailAlreadyUsed() if email else UsernameAlreadyUsed()

    async def _taken(
        self, email: str | None, username: str | None
    ) -> EmailAlreadyUsed | UsernameAlreadyUsed | None:
        """Which of these logins an account holds now: read after the insert found it taken, in a new
        snapshot that sees the account, committed by then."""
        held = [users.c.email == email] if email else []
        held += [users.c.username == username] if username else []
        if not held:
            return None
        rows = (await self._db.execute(select(users.c.email, users.c.username).where(or_(*held)))).all()
        if email and any(row.email == email for row in rows):
            return EmailAlreadyUsed()
        if username and any(row.username == username for row in rows):
            return UsernameAlreadyUsed()
        return None

    async def get(self, user_id: int) -> User | None:
        row = (await self._db.execute(_GET, {"user_id": user_id})).one_or_none()
        return user_from_row(row) if row else None

    async def find_by_login(self, login: str) -> User | None:
        login = login.lower()
        rows = (
            await self._db.execute(
                select(users)
                .where(or_(users.c.email == login, users.c.username == login))
                .order_by(users.c.id)
            )
        ).all()
        return user_from_row(rows[0]) if rows else None

    async def find_by_email(self, email: str) -> User | None:
        row = (await self._db.execute(select(users).where(users.c.email == email.lower()))).one_or_none()
        return user_from_row(row) if row else None

    async def set_password(
        self,
        user_id: int,
        password_hash: str,
        *,
        must_change_password: bool,
        temporary_password_expires_at: datetime | None,
        now: datetime,
    ) -> None:
        await self._db.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(
                password_hash=password_hash,
                must_change_password=must_change_password,
                temporary_password_expires_at=temporary_password_expires_at,
                updated_at=now,
            )
        )

    async def accept_pix_orga_terms(self, user_id: int, now: datetime) -> None:
        await self._db.execute(
            update(users)
            .where(users.c.id == user_id, users.c.pix_orga_terms_accepted_at.is_(None))
            .values(pix_orga_terms_accepted_at=now, updated_at=now)
        )

    async def set_email(self, user_id: int, email: str, now: datetime) -> bool:
        try:
            async with self._db.begin_nested():
                result = await self._db.execute(
                    update(users)
                    .where(users.c.id == user_id, users.c.email.is_(None))
                    .values(email=email.lower(), updated_at=now)
                )
        except IntegrityError as error:
            if violates(error, "uq_users_email", "users.email"):
                raise EmailAlreadyUsed() from error
            raise
        return bool(result.rowcount)
