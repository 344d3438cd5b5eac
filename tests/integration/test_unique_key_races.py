"""Two rows of the same unique key in two transactions at once (a double click, two processes of the
service), written without a savepoint (``insert_unless_taken``): the second waits for the first,
then is refused if the first committed, with its transaction still usable, or is written if the
first rolled back. Two accounts asking for the same login; two starts of the same participation.
PostgreSQL only: SQLite serialises writers at ``BEGIN IMMEDIATE``, so the two never overlap there."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.accounts.entities import NewUser, User
from domain.accounts.errors import EmailAlreadyUsed, UsernameAlreadyUsed
from domain.campaigns.entities import Participation
from domain.campaigns.ports import NewParticipation
from infrastructure.db.unit_of_work import SqlUnitOfWork
from tests.contract.backends import SqlBackend, committed_campaign, committed_organization, committed_user
from tests.support.databases import until_a_transaction_waits_on_a_lock

pytestmark = pytest.mark.postgresql_only

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def account(email: str | None, username: str | None) -> NewUser:
    return NewUser("Alan", "Turing", email, username, "hash:x", T0, "fr", T0)


LOGINS = [
    pytest.param(("alan@example.fr", None), EmailAlreadyUsed, id="e-mail"),
    pytest.param((None, "alan.turing2306"), UsernameAlreadyUsed, id="username"),
]


async def second_while_first_open(
    engine: AsyncEngine, login: tuple[str | None, str | None], first_commits: bool
) -> tuple[User, asyncio.Task[User]]:
    """The first transaction adds the login and stays open until the second waits on it; then it
    commits or rolls back. The second adds the same login, then (if refused) another account."""
    async with SqlUnitOfWork(engine) as one:
        first = await one.users.add(account(*login))

        async def other_process() -> User:
            async with SqlUnitOfWork(engine) as two:
                try:
                    added = await two.users.add(account(*login))
                except (EmailAlreadyUsed, UsernameAlreadyUsed):
                    added = await two.users.add(account(None, "alan.turing0001"))
                await two.commit()
                return added

        second = asyncio.create_task(other_process())
        await until_a_transaction_waits_on_a_lock(engine)
        assert not second.done()
        if first_commits:
            await one.commit()
    await asyncio.wait_for(second, timeout=10)
    return first, second


@pytest.mark.asyncio(loop_scope="function")
@pytest.mark.parametrize(("login", "refusal"), LOGINS)
async def test_a_login_committed_meanwhile_is_refused_and_the_waiting_transaction_goes_on(
    engine: AsyncEngine, login: tuple[str | None, str | None], refusal: type[Exception]
) -> None:
    first, second = await second_while_first_open(engine, login, first_commits=True)
    other = second.result()
    assert (other.email, other.username) == (None, "alan.turing0001")
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.users.get(first.id) == first
        assert await uow.users.get(other.id) == other
        with pytest.raises(refusal):
            await uow.users.add(account(*login))


@pytest.mark.asyncio(loop_scope="function")
@pytest.mark.parametrize(("login", "refusal"), LOGINS)
async def test_a_login_rolled_back_meanwhile_goes_to_the_waiting_transaction(
    engine: AsyncEngine, login: tuple[str | None, str | None], refusal: type[Exception]
) -> None:
    first, second = await second_while_first_open(engine, login, first_commits=False)
    taker = second.result()
    assert (taker.email, taker.username) == login
    async with SqlUnitOfWork(engine) as uow:
        assert await uow.users.get(first.id) is None
        assert await uow.users.get(taker.id) == taker


@pytest.mark.asyncio(loop_scope="function")
@pytest.mark.parametrize("first_commits", [True, False], ids=["committed", "rolled back"])
async def test_a_participation_started_meanwhile_is_not_started_twice(
    engine: AsyncEngine, first_commits: bool
) -> None:
    backend = SqlBackend(engine)
    campaign = await committed_campaign(backend, (await committed_organization(backend)).id)
    ada = await committed_user(backend)
    async with SqlUnitOfWork(engine) as one:
        first = await one.participations.add(NewParticipation(campaign.id, ada.id, None, False, T0))

        async def other_process() -> tuple[Participation | None, Participation | None]:
            async with SqlUnitOfWork(engine) as two:
                added = await two.participations.add(NewParticipation(campaign.id, ada.id, None, False, T0))
                found = await two.participations.find(campaign.id, ada.id)
                await two.commit()
                return added, found

        second = asyncio.create_task(other_process())
        await until_a_transaction_waits_on_a_lock(engine)
        assert not second.done()
        if first_commits:
            await one.commit()
    added, found = await asyncio.wait_for(second, timeout=10)

    assert first is not None
    if first_commits:
        assert (added, found) == (None, first)
    else:
        assert added is not None and found == added and added.id != first.id
