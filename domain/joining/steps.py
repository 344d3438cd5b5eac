"""What the joining use cases share: finding the campaign, the brute-force guard, matching the typed
identity against the imported students, and reading what tells why a student cannot
be attached (docs/rules.md, Identity matching)."""

from __future__ import annotations

import dataclasses
import hashlib
import random
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date
from typing import Final, Protocol

from domain.campaigns.campaign_lookup import campaign_by_code, stored_campaign_code
from domain.campaigns.codes import normalise_campaign_code
from domain.campaigns.entities import Campaign, CampaignOverview
from domain.campaigns.errors import CampaignArchived, CampaignNotFound, CampaignNotRestricted
from domain.cpu_work import CpuWork
from domain.joining.decisions import link_conflict_of
from domain.joining.errors import StudentAlreadyLinked
from domain.joining.matching import MatchCandidate, MatchDecision, Roster, TypedIdentity, match_student
from domain.joining.name_normalisation import normalise_name
from domain.joining.ports import AccountSnapshot, LinkedAccount, MatchSnapshot
from domain.joining.usernames import username_for
from domain.organizations.entities import Organization
from domain.rate_limits import Limit, LimitKey, RateLimiter, record_all, refuse_when_reached
from domain.students.entities import Student
from domain.unit_of_work import HasCampaigns, HasStudentLinks, HasUsers

MAX_USERNAME_ATTEMPTS: Final = 100


@dataclass(frozen=True)
class TypedStudent:
    """What the pupil typed; none of it in ``repr``, so no log line or traceback carries it."""

    first_name: str = dataclasses.field(repr=False)
    last_name: str = dataclasses.field(repr=False)
    birthdate: date = dataclasses.field(repr=False)


async def restricted_campaign(uow: HasCampaigns, code: str) -> tuple[Campaign, Organization]:
    """A campaign one can join by identity: not archived (409), of an organization that manages
    students (422 ``CAMPAIGN_NOT_RESTRICTED`` otherwise: nobody to match)."""
    return joinable(await campaign_by_code(uow, code))


async def read_snapshot(
    uow: HasStudentLinks, code: str, birthdate: date, username: str = ""
) -> MatchSnapshot:
    """Everything identifying a typed identity decides from, in one read (``match_snapshot``); the
    campaign is looked up as ``campaign_by_code`` does, its rules are the caller's (``joinable``)."""
    snapshot = await uow.student_links.match_snapshot(stored_campaign_code(code), birthdate, username)
    if snapshot is None:
        raise CampaignNotFound()
    return snapshot


async def lock_for_account(uow: HasStudentLinks, code: str, student_id: int) -> AccountSnapshot:
    """What the transaction writing an account decides from, in one read (``account_snapshot``): the
    campaign looked up as ``campaign_by_code`` does, its rules the caller's (``joinable``), and the
    student, locked."""
    snapshot = await uow.student_links.account_snapshot(stored_campaign_code(code), student_id)
    if snapshot is None:
        raise CampaignNotFound()
    return snapshot


async def locked_conflict(
    uow: LinkCheckPorts, snapshot: AccountSnapshot, student: Student, endpoint: str
) -> StudentAlreadyLinked | None:
    """Step 6 for the student of an ``AccountSnapshot``: the accounts of its INE elsewhere came with
    it; the account it is attached to, when it is (the first of a double click won), is read then."""
    if student.user_id is not None:
        return await link_conflict(uow, student, endpoint=endpoint)
    return link_conflict_of(endpoint, attached_to=None, same_ine_elsewhere=snapshot.same_ine_elsewhere)


def snapshot_conflict(
    snapshot: MatchSnapshot, student: Student, endpoint: str
) -> StudentAlreadyLinked | None:
    """Step 6 for a candidate of the snapshot: ``link_conflict_of`` on the accounts read with it."""
    links = next(c for c in snapshot.candidates if c.student.id == student.id)
    return link_conflict_of(
        endpoint, attached_to=links.attached_to, same_ine_elsewhere=links.same_ine_elsewhere
    )


def joinable(found: CampaignOverview) -> tuple[Campaign, Organization]:
    """``restricted_campaign``'s rule, on a campaign already read."""
    if found.campaign.is_archived:
        raise CampaignArchived()
    if not found.is_restricted:
        raise CampaignNotRestricted()
    return found.campaign, found.organization


LimitKeys = list[LimitKey]

ROSTERS_KEPT: Final = 16
"""Organizations whose prepared roster a guard keeps between requests (a few thousand names each)."""


class MatchGuard:
    """Brute-force protection (step 10). Only ``STUDENT_NOT_FOUND`` answers count, because a whole
    class joins from the school's one address. A failure counts against every student it was aimed
    at: each active student of the organization whose names the matcher accepts for the typed ones,
    whatever their birthdate, so that respelling a name ("Turingg", "Alann") does not buy another
    20 guesses at a pupil's birthdate. A failure aimed at nobody counts per campaign and normalised
    typed name. Every failure also counts per client address, as a backstop. Once a limit is reached
    every request under it gets 429, whatever its outcome would have been. No key covers a whole
    campaign. The attempts aimed at one student are handled one at a time from the check to the
    failure's record (the per-address backstop is not serialised), so a burst of concurrent guesses
    cannot all be checked before the first failures are counted. Keys hold student ids and a hash
    of the typed names, never the names.

    Finding the students aimed at compares the typed names with the whole roster of the school: the
    roster's names are normalised once and kept, per organization, until its revision changes
    (a student added, renamed, disabled or enabled), so that a request reads one number and
    compares strings, instead of reading and normalising thousands of names."""

    def __init__(self, limiter: RateLimiter, cpu: CpuWork) -> None:
        self._limiter = limiter
        self._cpu = cpu  # preparing a roster is CPU work
        self._rosters: OrderedDict[int, tuple[tuple[str, ...], Roster]] = OrderedDict()

    async def admit(self, address: str) -> LimitKeys:
        """The per-address keys, checked before any other work."""
        keys: LimitKeys = [(Limit.MATCH_PER_ADDRESS, (address,))]
        await refuse_when_reached(self._limiter, keys)
        return keys

    async def aim(
        self,
        uow: HasStudentLinks,
        organization: Organization,
        code: str,
        typed: TypedStudent,
        held: AsyncExitStack,
        roster_version: tuple[str, ...] | None = None,
    ) -> LimitKeys:
        """The keys of the students the attempt is aimed at (of its typed name when none), checked.
        Until ``held`` closes, no other attempt of this process aimed at one of them gets past this
        check: close it once the failure is counted (or the attempt succeeded). ``roster_version``:
        the roster's revision when the caller has just read it (one read less)."""
        roster = await self._roster(uow, organization.id, roster_version)
        aimed = roster.aimed_at(TypedIdentity(typed.first_name, typed.last_name))
        keys: LimitKeys = [(Limit.MATCH_PER_NAME, ("student", str(student))) for student in sorted(aimed)]
        if not keys:
            typed_name = f"{normalise_name(typed.first_name)}.{normalise_name(typed.last_name)}"
            digest = hashlib.sha256(typed_name.encode()).hexdigest()
            keys.append((Limit.MATCH_PER_NAME, ("name", normalise_campaign_code(code), digest)))
        await held.enter_async_context(self._limiter.exclusive(keys))
        await refuse_when_reached(self._limiter, keys)
        return keys

    async def aim_at_records(
        self,
        records: Iterable[MatchCandidate],
        typed: TypedIdentity,
        unaimed: tuple[str, ...],
        held: AsyncExitStack,
    ) -> LimitKeys:
        """For an attempt outside a campaign (an account recovery, which names its records by INE):
        the keys of those ``records`` whose names the matcher accepts for the typed ones, whatever
        their birthdate (the very keys matching uses, so that both share one budget of guesses per
        student), else the key ``unaimed``; held and checked as ``aim`` does."""
        aimed = Roster(records).aimed_at(typed)
        keys: LimitKeys = [(Limit.MATCH_PER_NAME, ("student", str(student))) for student in sorted(aimed)]
        if not keys:
            keys.append((Limit.MATCH_PER_NAME, unaimed))
        await held.enter_async_context(self._limiter.exclusive(keys))
        await refuse_when_reached(self._limiter, keys)
        return keys

    async def _roster(
        self, uow: HasStudentLinks, organization_id: int, version: tuple[str, ...] | None
    ) -> Roster:
        if version is None:
            version = await uow.student_links.roster_version(organization_id)
        kept = self._rosters.get(organization_id)
        if kept is not None and kept[0] == version:
            self._rosters.move_to_end(organization_id)
            return kept[1]
        students = await uow.student_links.active_roster(organization_id)
        roster = await self._cpu.run(Roster, students)
        self._rosters[organization_id] = (version, roster)
        self._rosters.move_to_end(organization_id)
        while len(self._rosters) > ROSTERS_KEPT:
            self._rosters.popitem(last=False)
        return roster

    async def count_not_found(self, keys: LimitKeys) -> None:
        await record_all(self._limiter, keys)


@dataclass(frozen=True)
class Identification:
    decision: MatchDecision
    student: Student | None


async def identify(uow: HasStudentLinks, organization: Organization, typed: TypedStudent) -> Identification:
    """Steps 1 to 4: the organization's active students born that day, then ``match_student``."""
    return identify_among(await uow.student_links.active_born_on(organization.id, typed.birthdate), typed)


def identify_among(candidates: Sequence[Student], typed: TypedStudent) -> Identification:
    """Steps 2 to 4 among the candidates already read (active, of the organization, born that day)."""
    decision = match_student(
        [
            MatchCandidate(
                student_id=s.id,
                first_name=s.first_name,
                middle_name=s.middle_name,
                third_name=s.third_name,
                last_name=s.last_name,
                preferred_last_name=s.preferred_last_name,
            )
            for s in candidates
        ],
        TypedIdentity(typed.first_name, typed.last_name),
    )
    student = next((s for s in candidates if s.id == decision.student_id), None)
    return Identification(decision, student)


class LinkCheckPorts(HasUsers, HasStudentLinks, Protocol):
    """What telling why a student cannot be attached reads."""


async def link_conflict(
    uow: LinkCheckPorts, student: Student, *, endpoint: str, own_user_id: int | None = None
) -> StudentAlreadyLinked | None:
    """Step 6: reads the accounts ``link_conflict_of`` decides from."""
    attached_to = None
    same_ine_elsewhere: list[LinkedAccount] = []
    if student.user_id is not None and student.user_id != own_user_id:
        user = await uow.users.get(student.user_id)
        assert user is not None
        attached_to = LinkedAccount(user.id, user.username, user.email)
    elif student.user_id is None:
        same_ine_elsewhere = await uow.student_links.accounts_linked_elsewhere(
            student.national_student_id, student.organization_id
        )
    return link_conflict_of(
        endpoint, attached_to=attached_to, same_ine_elsewhere=same_ine_elsewhere, own_user_id=own_user_id
    )


def username_attempts(student: Student) -> Iterator[str]:
    """The usernames to try for a student, in order: from the imported record with DDMM, then with
    4 random digits. The digits are drawn from a generator seeded by the student id, so that the
    suggestion made when matching is the very username the account creation then takes (unless
    someone took it in between: uniqueness is the unique index's job, never this sequence's)."""
    yield username_for(student.first_name, student.last_name, student.birthdate, 0, None)
    rng = random.Random(student.id)  # noqa: S311 (uniqueness, not secrecy)
    for attempt in range(1, MAX_USERNAME_ATTEMPTS):
        yield username_for(student.first_name, student.last_name, student.birthdate, attempt, rng)


def likely_username(typed: TypedStudent) -> str:
    """The username ``suggest_username`` most likely gives, before the student is known: the first of
    the sequence, from the typed names instead of the imported ones, which the exact pass matches on
    the first given name and the last name make the same."""
    return username_for(typed.first_name, typed.last_name, typed.birthdate, 0, None)


async def suggest_username(uow: HasUsers, student: Student, known: Mapping[str, bool] | None = None) -> str:
    """The first username of the sequence that no account has now; ``known``: usernames already
    looked up (whether taken), which are not read again."""
    last = ""
    for username in username_attempts(student):
        last = username
        taken = known.get(username) if known else None
        if taken is None:
            taken = await uow.users.find_by_login(username) is not None
        if not taken:
            return username
    return last
