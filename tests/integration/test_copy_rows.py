"""An import's new students written by ``COPY`` (``copy_rows``): what SQLAlchemy would have raised
when the database refuses a value or the connection is lost, so that the API answers 422 or 503 as
for any other statement, and a pool that replaces the lost connection."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from infrastructure.db.copy_rows import copy_rows
from infrastructure.db.errors import is_database_unavailable, is_invalid_value
from infrastructure.db.tables import students
from infrastructure.db.unit_of_work import SqlUnitOfWork
from tests.contract.backends import T0, Backend, Pupil, SqlBackend, committed_organization, records_of

pytestmark = pytest.mark.postgresql_only


@pytest.fixture
def backend(engine: AsyncEngine) -> Backend:
    return SqlBackend(engine)


async def count_students(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT count(*) FROM students"))).scalar_one())


async def test_a_text_the_database_refuses_is_an_invalid_value_and_nothing_is_written(
    backend: Backend, engine: AsyncEngine
) -> None:
    school = await committed_organization(backend)
    pupils = [Pupil("000000001AA"), Pupil("000000002AA", first_name="Zo\x00é")]
    with pytest.raises(DBAPIError) as refused:
        async with SqlUnitOfWork(engine) as uow:
            await uow.students.insert_many(school.id, records_of(pupils), T0)
            await uow.commit()

    assert is_invalid_value(refused.value)  # 422
    assert not is_database_unavailable(refused.value)
    assert await count_students(engine) == 0


@pytest.mark.parametrize("lost_by", ["the server ending it", "its socket closing"])
async def test_a_lost_connection_is_a_database_unavailable_and_the_pool_replaces_it(
    backend: Backend, engine: AsyncEngine, lost_by: str
) -> None:
    school = await committed_organization(backend)
    async with engine.connect() as connection:
        await connection.begin()
        backend_pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        if lost_by == "its socket closing":  # asyncpg raises its own error, not the server's
            (await connection.get_raw_connection()).driver_connection.terminate()
        else:
            async with engine.connect() as other:  # waits until the backend has ended, 10 s at most
                ended = await other.execute(
                    text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": backend_pid}
                )
                assert ended.scalar_one()
        with pytest.raises(DBAPIError) as lost:
            await copy_rows(connection, students, ["national_student_id"], [("000000001AA",)])

    assert is_database_unavailable(lost.value)  # 503
    async with SqlUnitOfWork(engine) as uow:
        await uow.students.insert_many(school.id, records_of([Pupil("000000001AA")]), T0)
        await uow.commit()
    assert await count_students(engine) == 1


async def test_only_in_a_transaction_already_begun(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        with pytest.raises(RuntimeError, match="transaction already begun"):
            await copy_rows(connection, students, ["national_student_id"], [("000000001AA",)])
