"""A pupil types their names and birthdate: are they in the imported list, and free to attach?"""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Protocol

from domain.clock import Clock
from domain.joining.decisions import ENDPOINT_MATCHES, OUTCOME_CONFLICT, match_record
from domain.joining.errors import StudentNotFound
from domain.joining.steps import (
    MatchGuard,
    TypedStudent,
    identify_among,
    joinable,
    likely_username,
    read_snapshot,
    snapshot_conflict,
    suggest_username,
)
from domain.unit_of_work import (
    HasMatchDecisions,
    HasStudentLinks,
    HasUsers,
    UnitOfWorkFactory,
    Writes,
)


@dataclass(frozen=True)
class MatchStudentCommand:
    campaign_code: str
    student: TypedStudent
    client_address: str


@dataclass(frozen=True)
class StudentMatch:
    username_suggestion: str


class MatchStudentIdentityPorts(Writes, HasStudentLinks, HasMatchDecisions, HasUsers, Protocol): ...


class MatchStudentIdentity:
    """Changes nothing but the record of the decision. Exactly one active student of the campaign's
    organization, born that day, whose names match (strict pass, then fuzzy) → the username the
    account would get. No one, or several → 404 ``STUDENT_NOT_FOUND`` (never which part failed),
    counted by the brute-force guard. Already attached → 409 ``STUDENT_ALREADY_LINKED`` with
    ``R31``/``R32`` and the obfuscated login; a student of the same INE attached elsewhere →
    ``R11``/``R12``."""

    def __init__(
        self, uow: UnitOfWorkFactory[MatchStudentIdentityPorts], guard: MatchGuard, clock: Clock
    ) -> None:
        self._uow = uow
        self._guard = guard
        self._clock = clock

    async def __call__(self, command: MatchStudentCommand) -> StudentMatch:
        async with AsyncExitStack() as held:
            return await self._attempt(command, held)

    async def _attempt(self, command: MatchStudentCommand, held: AsyncExitStack) -> StudentMatch:
        keys = await self._guard.admit(command.client_address)
        now = self._clock.now()
        likely = likely_username(command.student)
        async with self._uow() as uow:
            # One read: the campaign, the roster's revision, the candidates and their accounts,
            # and whether the username the match will most likely suggest is free.
            snapshot = await read_snapshot(uow, command.campaign_code, command.student.birthdate, likely)
            campaign, organization = joinable(snapshot.campaign)
            keys += await self._guard.aim(
                uow, organization, command.campaign_code, command.student, held, snapshot.roster_version
            )
            found = identify_among([c.student for c in snapshot.candidates], command.student)
            if found.student is not None:
                conflict = snapshot_conflict(snapshot, found.student, ENDPOINT_MATCHES)
                if conflict is not None:
                    await uow.match_decisions.record(
                        match_record(
                            campaign.id,
                            ENDPOINT_MATCHES,
                            now,
                            found.decision,
                            outcome=OUTCOME_CONFLICT,
                            reason=conflict.reason,
                        )
                    )
                    await uow.commit()
                    raise conflict
                suggestion = await suggest_username(uow, found.student, {likely: snapshot.username_taken})
                await uow.match_decisions.record(
                    match_record(campaign.id, ENDPOINT_MATCHES, now, found.decision)
                )
                await uow.commit()
                return StudentMatch(suggestion)
            await uow.match_decisions.record(match_record(campaign.id, ENDPOINT_MATCHES, now, found.decision))
            await uow.commit()
        await self._guard.count_not_found(keys)
        raise StudentNotFound()
