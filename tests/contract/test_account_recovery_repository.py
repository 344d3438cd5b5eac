"""Account recoveries and the e-mail an account gets from one: the same on the fakes and in SQL."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta

import pytest

from domain.accounts.errors import EmailAlreadyUsed
from domain.recovery.entities import RECOVERY_LINK_TTL, AccountRecovery
from tests.contract.backends import T0, Backend, Pupil, committed_organization, committed_user

LATER = T0 + timedelta(hours=1)


def recovery(user_id: int, code_hash: str = "a" * 64, created_at: datetime = T0) -> AccountRecovery:
    return AccountRecovery(
        id=uuid.uuid4(),
        user_id=user_id,
        email="ancien.eleve@example.net",
        code_hash=code_hash,
        created_at=created_at,
        expires_at=created_at + RECOVERY_LINK_TTL,
    )


async def stored(backend: Backend, *recoveries: AccountRecovery) -> None:
    async with backend.uow() as uow:
        for each in recoveries:
            await uow.account_recoveries.add(each)
        await uow.commit()


class TestRecords:
    async def test_the_records_of_an_ine_in_every_school_active_or_not_by_id(self, backend: Backend) -> None:
        school = await committed_organization(backend)
        other = await committed_organization(backend, "0759999Z", "Autre")
        (here,) = await backend.add_pupils(school.id, [Pupil("000000001AA")], T0)
        (there, _) = await backend.add_pupils(other.id, [Pupil("000000001AA"), Pupil("000000002AA")], T0)
        await backend.disable([here.id], LATER)
        async with backend.uow() as uow:
            records = await uow.account_recoveries.records_of("000000001AA")
            assert [r.id for r in records] == [here.id, there.id]
            assert records[0].disabled_at == LATER
            assert await uow.account_recoveries.records_of("000000009AA") == []


class TestRequests:
    async def test_what_is_added_is_read_back(self, backend: Backend) -> None:
        user = await committed_user(backend, None, "jules.maigret1302")
        added = recovery(user.id)
        await stored(backend, added)
        async with backend.uow() as uow:
            assert await uow.account_recoveries.get(added.id) == added
            assert await uow.account_recoveries.get(uuid.uuid4()) is None
            assert await uow.account_recoveries.was_recovered(user.id) is False

    async def test_a_new_request_replaces_the_live_one(self, backend: Backend) -> None:
        user = await committed_user(backend, None, "jules.maigret1302")
        first, second = recovery(user.id), recovery(user.id, "b" * 64, LATER)
        await stored(backend, first)
        await stored(backend, second)
        async with backend.uow() as uow:
            assert await uow.account_recoveries.get(first.id) == dataclasses.replace(first, replaced_at=LATER)
            assert await uow.account_recoveries.get(second.id) == second
            assert await uow.account_recoveries.complete(first.id, first.code_hash, LATER) is None

    async def test_completion_works_once_with_the_code_before_expiry(self, backend: Backend) -> None:
        user = await committed_user(backend, None, "jules.maigret1302")
        added = recovery(user.id)
        await stored(backend, added)
        async with backend.uow() as uow:
            assert await uow.account_recoveries.complete(added.id, "c" * 64, LATER) is None
            assert await uow.account_recoveries.complete(uuid.uuid4(), added.code_hash, LATER) is None
            used = await uow.account_recoveries.complete(added.id, added.code_hash, LATER)
            assert used == dataclasses.replace(added, used_at=LATER)
            assert await uow.account_recoveries.complete(added.id, added.code_hash, LATER) is None
            assert await uow.account_recoveries.was_recovered(user.id) is True
            await uow.commit()
        async with backend.uow() as uow:
            assert await uow.account_recoveries.get(added.id) == used

    async def test_an_expired_request_cannot_be_completed(self, backend: Backend) -> None:
        user = await committed_user(backend, None, "jules.maigret1302")
        added = recovery(user.id)
        await stored(backend, added)
        async with backend.uow() as uow:
            assert await uow.account_recoveries.complete(added.id, added.code_hash, added.expires_at) is None

    async def test_a_completion_not_committed_leaves_the_request_usable(self, backend: Backend) -> None:
        user = await committed_user(backend, None, "jules.maigret1302")
        added = recovery(user.id)
        await stored(backend, added)
        async with backend.uow() as uow:
            assert await uow.account_recoveries.complete(added.id, added.code_hash, LATER) is not None
        async with backend.uow() as uow:
            assert await uow.account_recoveries.get(added.id) == added


class TestSetEmail:
    async def test_an_account_without_email_gets_one_in_lower_case(self, backend: Backend) -> None:
        user = await committed_user(backend, None, "jules.maigret1302")
        async with backend.uow() as uow:
            assert await uow.users.set_email(user.id, "Jules@Example.NET", LATER) is True
            await uow.commit()
        async with backend.uow() as uow:
            assert await uow.users.get(user.id) == dataclasses.replace(
                user, email="jules@example.net", updated_at=LATER
            )
            assert await uow.users.find_by_login("jules@example.net") is not None

    async def test_an_account_with_an_email_keeps_it(self, backend: Backend) -> None:
        user = await committed_user(backend, "ada@example.fr")
        async with backend.uow() as uow:
            assert await uow.users.set_email(user.id, "autre@example.fr", LATER) is False
            assert await uow.users.set_email(999, "autre@example.fr", LATER) is False
            assert await uow.users.get(user.id) == user

    async def test_an_address_of_another_account_is_refused_and_the_transaction_goes_on(
        self, backend: Backend
    ) -> None:
        await committed_user(backend, "ada@example.fr")
        pupil = await committed_user(backend, None, "jules.maigret1302")
        async with backend.uow() as uow:
            with pytest.raises(EmailAlreadyUsed):
                await uow.users.set_email(pupil.id, "ADA@example.fr", LATER)
            assert await uow.users.set_email(pupil.id, "jules@example.net", LATER) is True
            await uow.commit()
        async with backend.uow() as uow:
            found = await uow.users.get(pupil.id)
            assert found is not None and found.email == "jules@example.net"
