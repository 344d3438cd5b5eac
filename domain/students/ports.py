from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from typing import Any, BinaryIO, Final, NamedTuple, Protocol

from domain.students.roster import SIECLE_XML, Roster
from domain.students.siecle import SiecleFile, StudentRecord


@dataclass(frozen=True)
class ReadUpload:
    file: SiecleFile | Roster
    sha256: str

    @property
    def format(self) -> str:
        """``SIECLE_XML``, ``CSV`` or ``JSON``: what the history records."""
        return self.file.format if isinstance(self.file, Roster) else SIECLE_XML


@dataclass(frozen=True)
class Upload:
    """The uploaded file, received: a seekable stream and the name the client gave."""

    stream: BinaryIO = field(repr=False)
    filename: str | None


ReceiveUpload = Callable[[], Awaitable[Upload]]
"""Receives the upload when called: the import calls it only once the caller may import."""


class StudentFileReader(Protocol):
    def read(self, stream: BinaryIO, progress: Callable[[int], None] | None = None) -> ReadUpload:
        """Reads an upload, a SIECLE export or a CSV or JSON roster (told from its content); raises
        the file-level errors (``InvalidSiecleFile`` for SIECLE, ``InvalidStudentFile`` for a roster,
        ``UnsupportedFileType``, ``FileTooLarge``…). CPU-bound: the caller runs it off the event
        loop."""
        ...


class ImportMetrics(Protocol):
    """Counts imports as they finish, by the status they are recorded with (``COMPLETED`` or
    ``FAILED``); an adapter exports the counts. Dry runs are not counted."""

    def import_finished(self, status: str) -> None: ...


class StoredStudent(NamedTuple):
    """What the import needs of a student already stored. A named tuple, as ``StudentRecord``: an
    import reads a school's every student, and a tuple is made in a third of a dataclass's time."""

    id: int
    national_student_id: str
    fields: tuple[Any, ...]  # the imported fields, in ``imported_fields`` order
    birthdate: date
    user_id: int | None
    disabled: bool


@dataclass(frozen=True, slots=True)
class AccountElsewhere:
    """An account attached to a student of the same INE in another organization."""

    national_student_id: str
    birthdate: date
    user_id: int


@dataclass(frozen=True, slots=True)
class StudentFilter:
    search: str | None = None
    division: str | None = None
    linked: bool | None = None
    include_disabled: bool = False


IMPORTED_FIELDS = (
    "last_name",
    "preferred_last_name",
    "first_name",
    "middle_name",
    "third_name",
    "birthdate",
    "birth_country_code",
    "birth_department_code",
    "birth_city_code",
    "birth_city",
    "mef_code",
    "status",
    "division",
)


_IMPORTED: Final = attrgetter(*IMPORTED_FIELDS)


def imported_fields(record: StudentRecord) -> tuple[Any, ...]:
    fields: tuple[Any, ...] = _IMPORTED(record)
    return fields


class StudentRepository(Protocol):
    """The one writer of students, their attached account (``user_id``) included, so that the lock
    ``lock_accounts`` takes is known to stand in the way of every attachment."""

    async def try_lock_imports(self, organization_id: int) -> bool:
        """Takes the organization's import lock for the transaction; False when another import holds it."""
        ...

    async def stored_for_import(self, organization_id: int) -> dict[str, StoredStudent]: ...

    async def insert_many(
        self,
        organization_id: int,
        records: list[StudentRecord],
        now: datetime,
        ids_of: Collection[str] = (),
    ) -> dict[str, int]:
        """Adds the organization's new students and gives the ids of those whose INE is in ``ids_of``
        (an import attaching accounts to some of them; most attach none, and nothing is read back).
        This and the two writers below are the only ones of who is on a roster and of their names:
        each changes the organization's roster revision (``StudentLinkRepository.roster_version``)
        in the same transaction."""
        ...

    async def update_many(
        self, organization_id: int, changes: list[tuple[int, StudentRecord]], now: datetime
    ) -> None:
        """Writes the imported fields and re-enables each student of the organization."""
        ...

    async def disable_many(self, organization_id: int, student_ids: list[int], now: datetime) -> None: ...

    async def accounts_elsewhere(
        self, organization_id: int, national_ids: list[str]
    ) -> list[AccountElsewhere]: ...

    async def lock_accounts(self, user_ids: list[int]) -> dict[int, frozenset[int]]:
        """Locks these accounts until the transaction ends (``SELECT … FOR UPDATE``, in the order
        given), then maps each one attached to an active student to the organizations of those
        students; an account without any active student is left out."""
        ...

    async def attach_many(self, links: list[tuple[int, int]]) -> None:
        """(student id, user id) pairs."""
        ...

    async def detach_many(self, student_ids: list[int]) -> None: ...

    async def attach(self, student_id: int, user_id: int, now: datetime) -> bool:
        """Attach an account to an active student that has none, as one conditional update; False
        when the student is attached (or disabled) already. Raises ``UserAlreadyLinkedInOrganization``
        when the account is attached to another active student of the organization (unique index)."""
        ...

    async def attach_new_account(self, student_id: int, user_id: int, now: datetime) -> bool:
        """``attach``, for an account created in this transaction: no other student can hold it yet,
        so the unique index cannot refuse it, and nothing has to be ready for that refusal."""
        ...

    async def replace_link(self, student_id: int, user_id: int, now: datetime) -> None:
        """Support: attach the account whatever the student had. Raises
        ``UserAlreadyLinkedInOrganization`` like ``attach``."""
        ...

    async def detach(self, student_id: int, now: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class StudentImportRecord:
    id: int
    organization_id: int
    created_at: datetime
    actor_user_id: int | None
    actor_label: str
    filename: str | None
    status: str
    counts: dict[str, int]
    format: str | None = SIECLE_XML
    """``SIECLE_XML``, ``CSV`` or ``JSON``; ``None`` for an upload refused before its format was
    known (too large, not a list of pupils)."""
    actor_api_client_id: int | None = None
    actor_api_client_name: str | None = None
    """The API client that pushed it, when one did (the history shows its name)."""


class StudentImportRepository(Protocol):
    async def add(
        self,
        organization_id: int,
        *,
        now: datetime,
        actor_user_id: int | None,
        actor_label: str,
        filename: str | None,
        file_hash: str | None,
        status: str,
        counts: dict[str, int],
        error_codes: list[str],
        format: str | None = SIECLE_XML,
        actor_api_client_id: int | None = None,
    ) -> int: ...
