"""The SIECLE reader as the import use case sees it: off the event loop, with the file's hash."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import BinaryIO, TypeVar

import anyio

from domain.students.ports import ReadUpload
from infrastructure.siecle.reader import read_siecle_upload

HASH_CHUNK = 1 << 20
T = TypeVar("T")


def _sha256(stream: BinaryIO) -> str:
    start = stream.tell()
    digest = hashlib.sha256()
    while chunk := stream.read(HASH_CHUNK):
        digest.update(chunk)
    stream.seek(start)
    return digest.hexdigest()


class ThreadedSiecleReader:
    """Parsing, and the import's other CPU work, run in worker threads, at most ``max_parallel``
    at once, so a large import never blocks the requests served beside it."""

    def __init__(
        self, max_upload_bytes: int, max_xml_bytes: int, max_students: int, max_parallel: int = 2
    ) -> None:
        self._max_upload = max_upload_bytes
        self._max_xml = max_xml_bytes
        self._max_students = max_students
        self._limiter = anyio.CapacityLimiter(max_parallel)

    def read_sync(self, stream: BinaryIO, progress: Callable[[int], None] | None = None) -> ReadUpload:
        file = read_siecle_upload(
            stream,
            max_upload_bytes=self._max_upload,
            max_xml_bytes=self._max_xml,
            max_students=self._max_students,
            progress=progress,
        )
        stream.seek(0)
        return ReadUpload(file=file, sha256=_sha256(stream))

    async def read(self, stream: BinaryIO, progress: Callable[[int], None] | None = None) -> ReadUpload:
        return await anyio.to_thread.run_sync(self.read_sync, stream, progress, limiter=self._limiter)

    async def in_worker(self, work: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(work, limiter=self._limiter)
