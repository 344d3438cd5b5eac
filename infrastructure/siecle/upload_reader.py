"""The reader of uploads of pupils as the import use case sees it: a SIECLE export or a CSV or JSON
roster, read off the event loop, with the file's hash."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import BinaryIO

from domain.cpu_work import CpuWork
from domain.students.ports import ReadUpload
from infrastructure.rosters.student_upload import read_student_upload

HASH_CHUNK = 1 << 20


def _sha256(stream: BinaryIO) -> str:
    start = stream.tell()
    digest = hashlib.sha256()
    while chunk := stream.read(HASH_CHUNK):
        digest.update(chunk)
    stream.seek(start)
    return digest.hexdigest()


class ThreadedStudentFileReader:
    """Parsing runs as ``cpu`` work, the bound it shares with the import's checking and planning,
    so a large import never blocks the requests served beside it."""

    def __init__(self, max_upload_bytes: int, max_xml_bytes: int, max_students: int, cpu: CpuWork) -> None:
        self._max_upload = max_upload_bytes
        self._max_xml = max_xml_bytes
        self._max_students = max_students
        self._cpu = cpu

    def read_sync(self, stream: BinaryIO, progress: Callable[[int], None] | None = None) -> ReadUpload:
        file = read_student_upload(
            stream,
            max_upload_bytes=self._max_upload,
            max_xml_bytes=self._max_xml,
            max_students=self._max_students,
            progress=progress,
        )
        stream.seek(0)
        return ReadUpload(file=file, sha256=_sha256(stream))

    async def read(self, stream: BinaryIO, progress: Callable[[int], None] | None = None) -> ReadUpload:
        return await self._cpu.run(self.read_sync, stream, progress)


ThreadedSiecleReader = ThreadedStudentFileReader
"""The name the reader had when it read SIECLE exports only."""
