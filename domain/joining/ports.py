"""What joining needs from storage: the students' links to accounts (the student list and the import
have their own ports in ``domain/students/ports.py``), and the log of identity-matching decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from domain.campaigns.entities import CampaignOverview, Participation
from domain.joining.matching import MatchCandidate
from domain.organizations.entities import Membership
from domain.students.entities import Student


@dataclass(frozen=True, slots=True)
class LinkedAccount:
    """The account attached to a student: what a login hint and a reset need, nothing more."""

    user_id: int
    username: str | None
    email: str | None

    @property
    def login(self) -> str:
        """The login the owner uses: the e-mail when there is one (it wins), else the username."""
        return self.email or self.username or ""


@dataclass(frozen=True, slots=True)
class StudentWithAccount:
    student: Student
    account: LinkedAccount | None
    in_use_elsewhere: bool = False
    """The account is also attached to an active student of another organization."""


@dataclass(frozen=True, slots=True)
class SupportStudentView:
    """A student as support finds it: with its organization and its attached account."""

    student: Student
    account: LinkedAccount | None
    organization_name: str
    organization_uai: str | None


@dataclass(frozen=True, slots=True)
class StudentSearch:
    """Support's search: every word of the name (normalised), or an INE; and an organization's UAI."""

    name_words: tuple[str, ...] = ()
    national_student_id: str | None = None
    uai: str | None = None


@dataclass(frozen=True, slots=True)
class CandidateLinks:
    """A matching candidate with the accounts that tell whether it can be attached: the one it is
    attached to, or, attached to none, those attached to students of its INE in other
    organizations (most recent first; empty when it is attached)."""

    student: Student
    attached_to: LinkedAccount | None
    same_ine_elsewhere: tuple[LinkedAccount, ...]


@dataclass(frozen=True, slots=True)
class MatchSnapshot:
    """Everything an identity match decides from, read at once: the campaign and its organization,
    the revision of the organization's roster (``roster_version``), and the organization's
    active students born on the typed day, by id, with their accounts."""

    campaign: CampaignOverview
    roster_version: tuple[str, ...]
    candidates: tuple[CandidateLinks, ...]
    username_taken: bool
    """Whether an account has the username asked about (the caller's guess at the one it will
    suggest: usually right, which spares it a read)."""


@dataclass(frozen=True, slots=True)
class ParticipationSnapshot:
    """What starting a participation decides from, read at once: the campaign and its organization,
    the account's membership of that organization, its participation in the campaign, and the
    active student of that organization it is attached to (each None when there is none)."""

    campaign: CampaignOverview
    membership: Membership | None
    participation: Participation | None
    student: Student | None


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """What creating a student's account decides from once its password is hashed, read at once: the
    campaign and its organization, the student (None when gone), its row locked until the end of the
    transaction, and, when it is attached to no account, the accounts attached to students of its
    INE in other organizations, most recent first (empty otherwise)."""

    campaign: CampaignOverview
    student: Student | None
    same_ine_elsewhere: tuple[LinkedAccount, ...]


class StudentLinkRepository(Protocol):
    async def match_snapshot(
        self, campaign_code: str, birthdate: date, username: str
    ) -> MatchSnapshot | None:
        """What ``campaign_by_code``, ``roster_version``, ``active_born_on``, the accounts of each
        candidate and whether ``username`` is taken read, in one statement (one round trip);
        ``None`` for an unknown code."""
        ...

    async def participation_snapshot(self, campaign_code: str, user_id: int) -> ParticipationSnapshot | None:
        """What ``campaign_by_code``, ``memberships.find``, ``participations.find`` and
        ``active_of_user`` read for the account, in one statement; ``None`` for an unknown code."""
        ...

    async def account_snapshot(self, campaign_code: str, student_id: int) -> AccountSnapshot | None:
        """What ``campaign_by_code``, ``lock`` and, for a student attached to no account,
        ``accounts_linked_elsewhere`` read, in one statement; ``None`` for an unknown code. The student
        is as ``lock`` gives it (as committed once the lock is held); the accounts elsewhere, as
        committed when the statement began."""
        ...

    async def active_born_on(self, organization_id: int, birthdate: date) -> list[Student]:
        """The matching candidates: the organization's active students born that very day."""
        ...

    async def active_roster(self, organization_id: int) -> list[MatchCandidate]:
        """The names of every active student of the organization, whatever their birthdate."""
        ...

    async def roster_version(self, organization_id: int) -> tuple[str, ...]:
        """The revision of ``active_roster``: one value read, which changes with every write of who is
        on the organization's roster or of their names (``StudentRepository.insert_many``,
        ``update_many``, ``disable_many``), and not when an account is attached."""
        ...

    async def get(self, student_id: int) -> Student | None: ...

    async def lock(self, student_id: int) -> Student | None:
        """The student as committed now, its row locked until the end of the transaction
        (``SELECT … FOR UPDATE``), so that two attachments of one student run one after the other."""
        ...

    async def active_of_user(self, organization_id: int, user_id: int) -> Student | None:
        """The active student of the organization the account is attached to, if any."""
        ...

    async def of_user(self, user_id: int) -> list[Student]:
        """Every student the account is attached to, in any organization, disabled ones included."""
        ...

    async def active_by_national_id(
        self, organization_id: int, national_student_id: str, birthdate: date
    ) -> Student | None: ...

    async def accounts_linked_elsewhere(
        self, national_student_id: str, organization_id: int
    ) -> list[LinkedAccount]:
        """The accounts attached to students of that INE in other organizations, most recent first."""
        ...

    async def with_accounts(
        self, organization_id: int, student_ids: Sequence[int]
    ) -> list[StudentWithAccount]:
        """Those of the students that belong to the organization, with their accounts."""
        ...


@dataclass(frozen=True, slots=True)
class RecordedMatch:
    """One identity-matching decision, as kept: the rule, the student and the distances, never a
    typed name (docs/rules.md, Identity matching step 9)."""

    occurred_at: datetime
    campaign_id: int
    endpoint: str
    outcome: str  # MATCHED, NOT_FOUND, AMBIGUOUS, CONFLICT
    rule: str
    student_id: int | None
    first_name_distance: float | None
    last_name_distance: float | None
    reason_code: str | None


class IdentityMatchLog(Protocol):
    async def record(self, decision: RecordedMatch) -> None: ...
