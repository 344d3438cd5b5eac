"""The reader of uploads of pupils as the import use case sees it: a SIECLE export or a CSV or JSON
roster, with the file's hash. CPU-bound: the use case runs it off the event loop, with the checks."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import BinaryIO

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


class StudentUploadReader:
    def __init__(self, max_upload_bytes: int, max_xml_bytes: int, max_students: int) -> None:
        self._max_upload = max_upload_bytes
        self._max_xml = max_xml_bytes
        self._max_students = max_students

    def read(self, stream: BinaryIO, progress: Callable[[int], None] | None = None) -> ReadUpload:
        file = read_student_upload(
            stream,
            max_upload_bytes=self._max_upload,
            max_xml_bytes=self._max_xml,
            max_students=self._max_students,
            progress=progress,
        )
        stream.seek(0)
        return ReadUpload(file=file, sha256=_sha256(stream))
