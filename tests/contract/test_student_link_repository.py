"""The links between pupils and accounts: the same on the fakes and in SQL."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date, timedelta

import pytest

from domain.campaigns.campaign_lookup import campaign_by_code
from domain.campaigns.ports import NewParticipation
from domain.joining.errors import UserAlreadyLinkedInOrganization
from domain.joining.matching import MatchCandidate
from domain.joining.ports import (
    AccountSnapshot,
    CandidateLinks,
    LinkedAccount,
    ParticipationSnapshot,
    StudentWithAccount,
)
from domain.organizations.entities import Role
from domain.students.entities import Student
from tests.contract.backends import (
    BIRTHDATE,
    T0,
    Backend,
    Pupil,
    committed_campaign,
    committed_organization,
    committed_user,
    new_user,
)

LATER = T0 + timedelta(hours=1)
LATEST = T0 + timedelta(hours=2)


async def four_pupils(backend: Backend, organization_id: int) -> list[Student]:
    """Alan, Grace and a third pupil born on ``BIRTHDATE``, a fourth born on another day."""
    return await backend.add_pupils(
        organization_id,
        [
            Pupil("000000001AA"),
            Pupil("000000002AA", "Grace"),
            Pupil("000000003AA"),
            Pupil("000000004AA", birthdate=date(2012, 1, 1)),
        ],
        T0,
    )


class TestLookups:
    async def test_active_pupils_born_on_a_day_by_id(self, backend: Backend) -> None:
        school = await committed_organization(backend)
        other = await committed_organization(backend, "0759999Z", "Autre")
        alan, grace, gone, _ = await four_pupils(backend, school.id)
        await backend.add_pupils(other.id, [Pupil("000000005AA")], T0)
        await backend.disable([gone.id], LATER)
        async with backend.uow() as uow:
            assert await uow.student_links.active_born_on(school.id, BIRTHDATE) == [alan, grace]
            assert await uow.student_links.active_born_on(school.id, date(2000, 1, 1)) == []
            roster = await uow.student_links.active_roster(school.id)
            assert sorted(roster, key=lambda c: c.student_id)[:2] == [
                MatchCandidate(alan.id, "Alan", None, None, "TURING", None),
                MatchCandidate(grace.id, "Grace", None, None, "TURING", None),
            ]
            assert len(roster) == 3
            assert await uow.student_links.get(999) is None
            assert await uow.student_links.lock(999) is None
            assert await uow.student_links.get(gone.id) == dataclasses.replace(
                gone, disabled_at=LATER, updated_at=LATER
            )
            assert await uow.student_links.lock(alan.id) == alan

    async def test_the_roster_version_changes_with_who_is_on_the_roster_and_their_names(
        self, backend: Backend
    ) -> None:
        school = await committed_organization(backend)
        other_school = await committed_organization(backend, uai="0751111Z")
        (alan,) = await backend.add_pupils(school.id, [Pupil("000000001AA")], T0)

        async def version() -> tuple[str, ...]:
            async with backend.uow() as uow:
                return await uow.student_links.roster_version(school.id)

        versions = [await version()]
        assert await version() == versions[-1]
        await backend.add_pupils(school.id, [Pupil("000000002AA", "Grace")], T0)
        versions.append(await version())
        await backend.disable([alan.id], LATER)
        versions.append(await version())
        await backend.reimport(school.id, [Pupil("000000001AA")], LATEST)  # enabled again
        versions.append(await version())
        await backend.reimport(school.id, [Pupil("000000001AA", "Alain")], LATEST)  # renamed
        versions.append(await version())
        assert all(earlier != later for earlier, later in itertools.pairwise(versions)), versions

        # Neither an account attached to a pupil nor another school's roster changes it.
        ada = await committed_user(backend)
        async with backend.uow() as uow:
            assert await uow.students.attach(alan.id, ada.id, LATEST)
            await uow.commit()
        await backend.add_pupils(other_school.id, [Pupil("000000003AA", "Ada")], T0)
        assert await version() == versions[-1]

    async def test_by_national_id_needs_the_birthdate_and_an_active_pupil(self, backend: Backend) -> None:
        school = await committed_organization(backend)
        alan, gone = await backend.add_pupils(school.id, [Pupil("000000001AA"), Pupil("000000002AA")], T0)
        await backend.disable([gone.id], LATER)
        async with backend.uow() as uow:
            assert await uow.student_links.active_by_national_id(school.id, "000000001AA", BIRTHDATE) == alan
            assert (
                await uow.student_links.active_by_national_id(school.id, "000000001AA", date(2000, 1, 1))
                is None
            )
            assert await uow.student_links.active_by_national_id(school.id, "000000002AA", BIRTHDATE) is None
            assert (
                await uow.student_links.active_by_national_id(school.id + 1, "000000001AA", BIRTHDATE) is None
            )


class TestLinks:
    async def test_an_account_created_in_the_transaction_is_attached_only_to_a_free_active_pupil(
        self, backend: Backend
    ) -> None:
        school = await committed_organization(backend)
        alan, gone = await backend.add_pupils(school.id, [Pupil("000000001AA"), Pupil("000000002AA")], T0)
        await backend.disable([gone.id], LATER)
        async with backend.uow() as uow:
            ada = await uow.users.add(new_user("ada@example.fr"))
            grace = await uow.users.add(new_user("grace@example.fr"))
            assert await uow.students.attach_new_account(alan.id, ada.id, LATER)
            assert not await uow.students.attach_new_account(alan.id, grace.id, LATEST)
            assert not await uow.students.attach_new_account(gone.id, grace.id, LATEST)
            await uow.commit()
        async with backend.uow() as uow:
            assert await uow.student_links.get(alan.id) == dataclasses.replace(
                alan, user_id=ada.id, updated_at=LATER
            )
            assert await uow.student_links.active_of_user(school.id, grace.id) is None

    async def test_attach_only_a_free_active_pupil(self, backend: Backend) -> None:
        school = await committed_organization(backend)
        alan, gone = await backend.add_pupils(school.id, [Pupil("000000001AA"), Pupil("000000002AA")], T0)
        await backend.disable([gone.id], LATER)
        ada = await committed_user(backend)
        grace = await committed_user(backend, "grace@example.fr")
        async with backend.uow() as uow:
            assert await uow.students.attach(alan.id, ada.id, LATER)
            assert not await uow.students.attach(alan.id, grace.id, LATEST)
            assert not await uow.students.attach(gone.id, grace.id, LATEST)
            assert await uow.student_links.get(alan.id) == dataclasses.replace(
                alan, user_id=ada.id, updated_at=LATER
            )
            assert await uow.student_links.active_of_user(school.id, ada.id) == await uow.student_links.get(
                alan.id
            )
            assert await uow.student_links.active_of_user(school.id, grace.id) is None

    async def test_an_account_holds_one_active_pupil_per_organization(self, backend: Backend) -> None:
        school = await committed_organization(backend)
        other = await committed_organization(backend, "0759999Z", "Autre")
        alan, grace = await backend.add_pupils(school.id, [Pupil("000000001AA"), Pupil("000000002AA")], T0)
        (elsewhere,) = await backend.add_pupils(other.id, [Pupil("000000001AA")], T0)
        ada = await committed_user(backend)
        async with backend.uow() as uow:
            assert await uow.students.attach(alan.id, ada.id, LATER)
            with pytest.raises(UserAlreadyLinkedInOrganization):
                await uow.students.attach(grace.id, ada.id, LATER)
            with pytest.raises(UserAlreadyLinkedInOrganization):
                await uow.students.replace_link(grace.id, ada.id, LATER)
            assert await uow.students.attach(elsewhere.id, ada.id, LATER)
            await uow.commit()
        async with backend.uow() as uow:
            assert (await uow.student_links.get(grace.id)) == grace
            assert [s.id for s in await uow.student_links.of_user(ada.id)] == [elsewhere.id, alan.id]

    async def test_a_disabled_pupil_keeps_its_account_which_may_join_another(self, backend: Backend) -> None:
        school = await committed_organization(backend)
        alan, grace = await backend.add_pupils(school.id, [Pupil("000000001AA"), Pupil("000000002AA")], T0)
        ada = await committed_user(backend)
        async with backend.uow() as uow:
            assert await uow.students.attach(alan.id, ada.id, LATER)
            await uow.commit()
        await backend.disable([alan.id], LATER)
        async with backend.uow() as uow:
            assert await uow.students.attach(grace.id, ada.id, LATEST)
            assert [s.id for s in await uow.student_links.of_user(ada.id)] == [grace.id, alan.id]

    async def test_replace_then_detach(self, backend: Backend) -> None:
        school = await committed_organization(backend)
        (alan,) = await backend.add_pupils(school.id, [Pupil("000000001AA")], T0)
        ada = await committed_user(backend)
        grace = await committed_user(backend, "grace@example.fr")
        async with backend.uow() as uow:
            assert await uow.students.attach(alan.id, ada.id, LATER)
            await uow.students.replace_link(alan.id, grace.id, LATEST)
            assert await uow.student_links.get(alan.id) == dataclasses.replace(
                alan, user_id=grace.id, updated_at=LATEST
            )
            await uow.students.detach(alan.id, LATEST + timedelta(hours=1))
            assert await uow.student_links.get(alan.id) == dataclasses.replace(
                alan, updated_at=LATEST + timedelta(hours=1)
            )
            assert await uow.student_links.of_user(grace.id) == []


class TestAccounts:
    async def test_accounts_linked_to_the_same_pupil_elsewhere_latest_first_once_each(
        self, backend: Backend
    ) -> None:
        schools = [await committed_organization(backend, f"075000{n}A", f"Lycée {n}") for n in range(1, 5)]
        pupils = [(await backend.add_pupils(s.id, [Pupil("000000001AA")], T0))[0] for s in schools]
        ada = await committed_user(backend)
        grace = await committed_user(backend, None, "grace.hopper0101")
        async with backend.uow() as uow:
            await uow.students.attach(pupils[1].id, ada.id, LATER)
            await uow.students.attach(pupils[2].id, grace.id, LATEST)
            await uow.students.attach(pupils[3].id, ada.id, T0)
            await uow.students.attach(pupils[0].id, grace.id, LATEST)
            assert await uow.student_links.accounts_linked_elsewhere("000000001AA", schools[0].id) == [
                LinkedAccount(grace.id, "grace.hopper0101", None),
                LinkedAccount(ada.id, None, "ada@example.fr"),
            ]
            assert await uow.student_links.accounts_linked_elsewhere("000000009AA", schools[0].id) == []

    async def test_pupils_of_an_organization_with_their_account(self, backend: Backend) -> None:
        school = await committed_organization(backend)
        other = await committed_organization(backend, "0759999Z", "Autre")
        alan, grace, _ = await backend.add_pupils(
            school.id, [Pupil("000000001AA"), Pupil("000000002AA"), Pupil("000000003AA")], T0
        )
        (elsewhere,) = await backend.add_pupils(other.id, [Pupil("000000004AA")], T0)
        ada = await committed_user(backend)
        async with backend.uow() as uow:
            await uow.students.attach(alan.id, ada.id, T0)
            found = await uow.student_links.with_accounts(school.id, [alan.id, grace.id, elsewhere.id])
            assert sorted(found, key=lambda s: s.student.id) == [
                StudentWithAccount(
                    dataclasses.replace(alan, user_id=ada.id), LinkedAccount(ada.id, None, "ada@example.fr")
                ),
                StudentWithAccount(grace, None),
            ]
            assert await uow.student_links.with_accounts(school.id, []) == []
            await uow.students.attach(elsewhere.id, ada.id, T0)
            (alan_now,) = await uow.student_links.with_accounts(school.id, [alan.id])
            assert alan_now.in_use_elsewhere


class TestMatchSnapshot:
    async def test_reads_at_once_what_the_separate_reads_give(self, backend: Backend) -> None:
        school = await committed_organization(backend)
        others = [await committed_organization(backend, f"075000{n}A", f"Lycée {n}") for n in range(1, 3)]
        campaign = await committed_campaign(backend, school.id)
        alan, grace, gone, _ = await four_pupils(backend, school.id)
        await backend.disable([gone.id], LATER)
        elsewhere = [(await backend.add_pupils(o.id, [Pupil("000000001AA")], T0))[0] for o in others]
        ada = await committed_user(backend)
        hopper = await committed_user(backend, None, "grace.hopper0101")
        async with backend.uow() as uow:
            await uow.students.attach(elsewhere[0].id, ada.id, LATER)
            await uow.students.attach(elsewhere[1].id, hopper.id, LATEST)
            await uow.students.attach(grace.id, hopper.id, LATEST)
            await uow.commit()
        async with backend.uow() as uow:
            snapshot = await uow.student_links.match_snapshot(campaign.code, BIRTHDATE, "grace.hopper0101")
            assert snapshot is not None
            assert snapshot.campaign == await uow.campaigns.get_by_code(campaign.code)
            assert snapshot.roster_version == await uow.student_links.roster_version(school.id)
            grace_attached = await uow.student_links.get(grace.id)
            assert grace_attached is not None
            assert snapshot.candidates == (
                CandidateLinks(
                    alan,
                    None,
                    (
                        LinkedAccount(hopper.id, "grace.hopper0101", None),
                        LinkedAccount(ada.id, None, "ada@example.fr"),
                    ),
                ),
                CandidateLinks(
                    grace_attached,
                    LinkedAccount(hopper.id, "grace.hopper0101", None),
                    (),
                ),
            )
            assert snapshot.candidates[0].same_ine_elsewhere == tuple(
                await uow.student_links.accounts_linked_elsewhere("000000001AA", school.id)
            )
            assert snapshot.username_taken
            free = await uow.student_links.match_snapshot(campaign.code, BIRTHDATE, "alan.turing2306")
            assert free is not None
            assert not free.username_taken

    async def test_a_day_without_pupils_and_an_unknown_code(self, backend: Backend) -> None:
        school = await committed_organization(backend)
        campaign = await committed_campaign(backend, school.id)
        async with backend.uow() as uow:
            snapshot = await uow.student_links.match_snapshot(campaign.code, date(2000, 1, 1), "x.y0101")
            assert snapshot is not None
            assert snapshot.candidates == ()
            assert snapshot.roster_version == await uow.student_links.roster_version(school.id)
            assert await uow.student_links.match_snapshot("ZZZZZZ999", BIRTHDATE, "x.y0101") is None


class TestParticipationSnapshot:
    async def test_reads_at_once_what_the_separate_reads_give(self, backend: Backend) -> None:
        school = await committed_organization(backend)
        other = await committed_organization(backend, "0759999Z", "Autre")
        campaign = await committed_campaign(backend, school.id)
        elsewhere_campaign = await committed_campaign(backend, other.id, "GHJKLM567")
        alan, gone = await backend.add_pupils(school.id, [Pupil("000000001AA"), Pupil("000000002AA")], T0)
        (abroad,) = await backend.add_pupils(other.id, [Pupil("000000001AA")], T0)
        ada = await committed_user(backend)
        grace = await committed_user(backend, "grace@example.fr")
        async with backend.uow() as uow:
            await uow.students.attach(gone.id, grace.id, LATER)
            await uow.students.attach(abroad.id, grace.id, LATER)
            await uow.students.attach(alan.id, ada.id, LATER)
            await uow.memberships.add(school.id, ada.id, Role.MEMBER, T0)
            await uow.memberships.add(other.id, grace.id, Role.MEMBER, T0)
            await uow.participations.add(NewParticipation(campaign.id, ada.id, alan.id, False, LATER))
            await uow.participations.add(NewParticipation(elsewhere_campaign.id, grace.id, None, True, LATER))
            await uow.commit()
        await backend.disable([gone.id], LATEST)
        async with backend.uow() as uow:
            for user in (ada, grace):
                snapshot = await uow.student_links.participation_snapshot(campaign.code, user.id)
                assert snapshot == ParticipationSnapshot(
                    await campaign_by_code(uow, campaign.code),
                    await uow.memberships.find(school.id, user.id),
                    await uow.participations.find(campaign.id, user.id),
                    await uow.student_links.active_of_user(school.id, user.id),
                )
            mine = await uow.student_links.participation_snapshot(campaign.code, ada.id)
            assert mine is not None and None not in (mine.membership, mine.participation, mine.student)
            none = await uow.student_links.participation_snapshot(campaign.code, grace.id)
            assert none is not None and (none.membership, none.participation, none.student) == (
                None,
                None,
                None,
            )
            assert await uow.student_links.participation_snapshot("ZZZZZZ999", ada.id) is None


class TestAccountSnapshot:
    async def test_reads_at_once_what_the_separate_reads_give(self, backend: Backend) -> None:
        schools = [await committed_organization(backend, f"075000{n}A", f"Lycée {n}") for n in range(1, 5)]
        campaign = await committed_campaign(backend, schools[0].id)
        alan, grace, gone = await backend.add_pupils(
            schools[0].id, [Pupil("000000001AA"), Pupil("000000002AA"), Pupil("000000003AA")], T0
        )
        # Alan's INE elsewhere: attached in two schools (the latest first), free in a third.
        abroad = [(await backend.add_pupils(s.id, [Pupil("000000001AA")], T0))[0] for s in schools[1:]]
        # Grace's INE elsewhere, attached: not read, Grace being attached herself.
        (grace_abroad,) = await backend.add_pupils(schools[1].id, [Pupil("000000002AA")], T0)
        ada = await committed_user(backend)
        hopper = await committed_user(backend, None, "grace.hopper0101")
        async with backend.uow() as uow:
            await uow.students.attach(abroad[0].id, ada.id, LATER)
            await uow.students.attach(abroad[1].id, hopper.id, LATEST)
            await uow.students.attach(grace.id, ada.id, LATER)
            await uow.students.attach(grace_abroad.id, hopper.id, LATER)
            await uow.commit()
        await backend.disable([gone.id], LATEST)
        async with backend.uow() as uow:
            for student in (alan, grace, gone):
                snapshot = await uow.student_links.account_snapshot(campaign.code, student.id)
                locked = await uow.student_links.lock(student.id)
                assert locked is not None
                expected = AccountSnapshot(
                    await campaign_by_code(uow, campaign.code),
                    locked,
                    tuple(
                        await uow.student_links.accounts_linked_elsewhere(
                            locked.national_student_id, locked.organization_id
                        )
                    )
                    if locked.user_id is None
                    else (),
                )
                assert snapshot == expected
            first = await uow.student_links.account_snapshot(campaign.code, alan.id)
            assert first is not None and first.same_ine_elsewhere == (
                LinkedAccount(hopper.id, "grace.hopper0101", None),
                LinkedAccount(ada.id, None, "ada@example.fr"),
            )
            attached = await uow.student_links.account_snapshot(campaign.code, grace.id)
            assert attached is not None and attached.student is not None
            assert (attached.student.user_id, attached.same_ine_elsewhere) == (ada.id, ())
            disabled = await uow.student_links.account_snapshot(campaign.code, gone.id)
            assert disabled is not None and disabled.student is not None and not disabled.student.is_active
            missing = await uow.student_links.account_snapshot(campaign.code, 999_999)
            assert missing == AccountSnapshot(await campaign_by_code(uow, campaign.code), None, ())
            assert await uow.student_links.account_snapshot("ZZZZZZ999", alan.id) is None
