"""``CpuWork``: the worker threads of the service and the inline fake of the unit tests give the
same results and raise the same errors."""

from __future__ import annotations

import pytest

from domain.cpu_work import CpuWork
from infrastructure.cpu_work import ThreadedCpuWork
from tests.unit.fakes import InlineCpuWork


class FileRefused(Exception):
    pass


@pytest.fixture(params=["inline", "threads"])
def cpu(request: pytest.FixtureRequest) -> CpuWork:
    return InlineCpuWork() if request.param == "inline" else ThreadedCpuWork(max_parallel=2)


def refuse(_: str) -> str:
    raise FileRefused()


async def test_run_gives_the_result_and_raises_the_error(cpu: CpuWork) -> None:
    assert await cpu.run(str.upper, "abc") == "ABC"
    with pytest.raises(FileRefused):
        await cpu.run(refuse, "abc")
