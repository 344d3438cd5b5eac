"""``CpuWork``: the worker threads of the service and the inline fake of the unit tests give the
same results and raise the same errors."""

from __future__ import annotations

import asyncio
import threading

import pytest

from domain.cpu_work import CpuWork
from infrastructure.cpu_work import ThreadedCpuWork
from tests.unit.fakes import InlineCpuWork


class FileRefused(Exception):
    pass


class DatabaseDown(Exception):
    pass


@pytest.fixture(params=["inline", "threads"])
def cpu(request: pytest.FixtureRequest) -> CpuWork:
    return InlineCpuWork() if request.param == "inline" else ThreadedCpuWork(max_parallel=2)


class Loop:
    """What runs on the event loop beside the CPU work, and whether it got to its end."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error, self.finished = error, False

    async def work(self) -> str:
        self.finished = True
        if self.error is not None:
            raise self.error
        return "stored"


def refuse(_: str) -> str:
    raise FileRefused()


async def test_run_gives_the_result_and_raises_the_error(cpu: CpuWork) -> None:
    assert await cpu.run(str.upper, "abc") == "ABC"
    with pytest.raises(FileRefused):
        await cpu.run(refuse, "abc")


async def test_run_beside_gives_both_results(cpu: CpuWork) -> None:
    loop = Loop()
    assert await cpu.run_beside(loop.work(), str.upper, "abc") == ("ABC", "stored")


async def test_the_cpu_work_error_comes_first_and_the_loop_work_still_ends(cpu: CpuWork) -> None:
    loop = Loop(DatabaseDown())
    with pytest.raises(FileRefused):
        await cpu.run_beside(loop.work(), refuse, "abc")
    assert loop.finished
    alone = Loop()
    with pytest.raises(FileRefused):
        await cpu.run_beside(alone.work(), refuse, "abc")
    assert alone.finished


async def test_the_loop_work_error_is_raised_when_the_cpu_work_succeeds(cpu: CpuWork) -> None:
    with pytest.raises(DatabaseDown):
        await cpu.run_beside(Loop(DatabaseDown()).work(), str.upper, "abc")


async def test_threads_run_the_cpu_work_while_the_loop_work_waits() -> None:
    """The CPU work waits for the loop's work to have started: done inline, it would never end."""
    started = threading.Event()

    async def loop_work() -> int:
        started.set()
        return 1

    def cpu_work() -> bool:
        return started.wait(timeout=10)

    assert await ThreadedCpuWork(max_parallel=1).run_beside(loop_work(), cpu_work) == (True, 1)


async def test_the_loop_work_starts_once_the_cpu_work_has_its_turn() -> None:
    """The loop's work (a connection taken, a lock) waits with the CPU work for a free thread."""
    cpu = ThreadedCpuWork(max_parallel=1)
    other_started, other_done = threading.Event(), threading.Event()

    def other_work() -> bool:
        other_started.set()
        return other_done.wait(timeout=10)

    async def loop_work() -> bool:
        return other_done.is_set()

    other = asyncio.ensure_future(cpu.run(other_work))
    assert await asyncio.to_thread(other_started.wait, 10)  # the one thread is taken
    beside = asyncio.ensure_future(cpu.run_beside(loop_work(), str.upper, "abc"))
    for _ in range(10):  # turns of the event loop, in which an unguarded work would have run
        await asyncio.sleep(0)
    other_done.set()

    assert await beside == ("ABC", True)
    assert await other is True
