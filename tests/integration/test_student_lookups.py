"""What an import looks up and changes among the pupils of every school by long lists of INEs,
accounts and ids, in SQL (the fakes leave the import to the HTTP tests): the same answers whatever
the length of the list, cut in parts or sent as one array."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.students.ports import AccountElsewhere
from tests.contract.backends import (
    BIRTHDATE,
    T0,
    Backend,
    Pupil,
    SqlBackend,
    committed_organization,
    committed_user,
    records_of,
)

SCHOOL_SIZE = 6_000
"""More INEs than one statement takes at a time, so that the lookups are cut in parts."""


@pytest.fixture
def backend(engine: AsyncEngine) -> Backend:
    return SqlBackend(engine)


def ine(number: int) -> str:
    return f"{number:09d}AA"


async def test_the_accounts_attached_at_another_school_are_found_among_thousands_of_ines(
    backend: Backend,
) -> None:
    school = await committed_organization(backend)
    other = await committed_organization(backend, uai="0757654B", name="Collège voisin")
    ada = await committed_user(backend)
    pupils = await backend.add_pupils(other.id, [Pupil(ine(5_999)), Pupil(ine(3))], T0)
    async with backend.uow() as uow:
        assert await uow.students.attach(pupils[0].id, ada.id, T0)
        await uow.commit()

    async with backend.uow() as uow:
        found = await uow.students.accounts_elsewhere(school.id, [ine(n) for n in range(SCHOOL_SIZE)])
        in_use = await uow.students.lock_accounts([ada.id, *range(10_000, 10_000 + SCHOOL_SIZE)])

    assert found == [AccountElsewhere(ine(5_999), BIRTHDATE, ada.id)]
    assert in_use == {ada.id: frozenset({other.id})}


async def test_thousands_of_pupils_are_detached_then_disabled_at_once(backend: Backend) -> None:
    school = await committed_organization(backend)
    ada = await committed_user(backend)
    pupils = await backend.add_pupils(school.id, [Pupil(ine(n)) for n in range(SCHOOL_SIZE)], T0)
    everyone = [pupil.id for pupil in pupils]
    async with backend.uow() as uow:
        assert await uow.students.attach(pupils[-1].id, ada.id, T0)
        await uow.commit()
    async with backend.uow() as uow:
        assert await uow.students.lock_accounts([ada.id]) == {ada.id: frozenset({school.id})}

    async with backend.uow() as uow:
        await uow.students.detach_many(everyone)
        detached = await uow.students.stored_for_import(school.id)
        await uow.students.disable_many(school.id, everyone, T0)
        await uow.commit()

    async with backend.uow() as uow:
        stored = await uow.students.stored_for_import(school.id)
    assert all(student.user_id is None for student in detached.values())
    assert len(stored) == SCHOOL_SIZE
    assert all(student.disabled for student in stored.values())


async def test_a_longer_ine_finds_no_pupil_whose_ine_begins_it(backend: Backend) -> None:
    """The checks of every format bound an INE's length; should a longer one reach the lookups
    all the same, it must not be cut down to a stored one."""
    school = await committed_organization(backend)
    other = await committed_organization(backend, uai="0757654B", name="Collège voisin")
    ada = await committed_user(backend)
    longest = "A" * 20
    (pupil,) = await backend.add_pupils(other.id, [Pupil(longest)], T0)
    async with backend.uow() as uow:
        assert await uow.students.attach(pupil.id, ada.id, T0)
        await uow.commit()

    async with backend.uow() as uow:
        found = await uow.students.accounts_elsewhere(school.id, [longest + "XYZ"])

    assert found == []


async def test_an_ine_longer_than_the_column_is_never_stored_cut_down(backend: Backend) -> None:
    """PostgreSQL refuses to store it; SQLite, which keeps any length, stores it whole."""
    school = await committed_organization(backend)

    with contextlib.suppress(DBAPIError):
        await backend.add_pupils(school.id, [Pupil("A" * 20 + "XYZ")], T0)

    async with backend.uow() as uow:
        stored = await uow.students.stored_for_import(school.id)
    assert "A" * 20 not in stored


async def test_an_insert_gives_back_the_ids_asked_for_only(backend: Backend) -> None:
    school = await committed_organization(backend)
    pupils = [Pupil(ine(n)) for n in range(SCHOOL_SIZE)]
    async with backend.uow() as uow:
        none_asked = await uow.students.insert_many(school.id, records_of(pupils[:3_000]), T0)
        asked = [ine(2), ine(5_999), ine(3_500), "999999999ZZ"]
        some = await uow.students.insert_many(school.id, records_of(pupils[3_000:]), T0, ids_of=asked)
        stored = await uow.students.stored_for_import(school.id)
        await uow.commit()

    assert none_asked == {}
    assert some == {national_id: stored[national_id].id for national_id in (ine(5_999), ine(3_500))}
    assert len(stored) == SCHOOL_SIZE
