"""Users and sessions: what the account use cases rely on, the same on the fakes and in SQL."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from domain.accounts.entities import StoredRefreshToken
from domain.accounts.errors import EmailAlreadyUsed, UsernameAlreadyUsed
from domain.pagination import PageRequest
from tests.contract.backends import T0, Backend, committed_user, new_user

LATER = T0 + timedelta(hours=1)


class TestUsers:
    async def test_what_is_added_is_read_back_with_its_login_in_lower_case(self, backend: Backend) -> None:
        async with backend.uow() as uow:
            added = await uow.users.add(new_user("Ada@Example.FR", "Ada.Lovelace"))
            assert (added.email, added.username) == ("ada@example.fr", "ada.lovelace")
            assert await uow.users.get(added.id) == added
            assert (added.must_change_password, added.pix_orga_terms_accepted_at) == (False, None)
            assert added.updated_at == added.created_at == T0

    async def test_lookups_that_find_nothing(self, backend: Backend) -> None:
        await committed_user(backend)
        async with backend.uow() as uow:
            assert await uow.users.get(999) is None
            assert await uow.users.find_by_login("grace@example.fr") is None
            assert await uow.users.find_by_email("grace@example.fr") is None
            assert await uow.users.find_by_email("ada") is None

    async def test_logins_are_found_whatever_their_case(self, backend: Backend) -> None:
        by_email = await committed_user(backend, "ada@example.fr")
        by_username = await committed_user(backend, None, "alan.turing0101")
        async with backend.uow() as uow:
            assert await uow.users.find_by_login("ADA@example.fr") == by_email
            assert await uow.users.find_by_login("Alan.Turing0101") == by_username
            assert await uow.users.find_by_email("Ada@Example.fr") == by_email

    @pytest.mark.parametrize(
        ("email", "username", "refusal"),
        [("ADA@example.fr", None, EmailAlreadyUsed), (None, "ALAN.turing0101", UsernameAlreadyUsed)],
    )
    async def test_a_login_taken_whatever_its_case_is_refused_and_the_transaction_goes_on(
        self, backend: Backend, email: str | None, username: str | None, refusal: type[Exception]
    ) -> None:
        await committed_user(backend, "ada@example.fr", "alan.turing0101")
        async with backend.uow() as uow:
            with pytest.raises(refusal):
                await uow.users.add(new_user(email, username))
            grace = await uow.users.add(new_user("grace@example.fr"))
            await uow.commit()
        async with backend.uow() as uow:
            assert await uow.users.get(grace.id) == grace

    async def test_set_password(self, backend: Backend) -> None:
        user = await committed_user(backend)
        async with backend.uow() as uow:
            await uow.users.set_password(
                user.id,
                "hash:temporary",
                must_change_password=True,
                temporary_password_expires_at=LATER,
                now=LATER,
            )
            await uow.commit()
        async with backend.uow() as uow:
            assert await uow.users.get(user.id) == dataclasses.replace(
                user,
                password_hash="hash:temporary",
                must_change_password=True,
                temporary_password_expires_at=LATER,
                updated_at=LATER,
            )

    async def test_the_pix_orga_terms_are_accepted_once(self, backend: Backend) -> None:
        user = await committed_user(backend)
        async with backend.uow() as uow:
            await uow.users.accept_pix_orga_terms(user.id, LATER)
            await uow.users.accept_pix_orga_terms(user.id, LATER + timedelta(days=1))
            assert await uow.users.get(user.id) == dataclasses.replace(
                user, pix_orga_terms_accepted_at=LATER, updated_at=LATER
            )

    async def test_search_every_word_ordered_by_name_and_paged(self, backend: Backend) -> None:
        async with backend.uow() as uow:
            zola = await uow.users.add(new_user("emile@example.fr", last_name="zola"))
            curie = await uow.users.add(new_user("marie@example.fr", last_name="Curie"))
            other = await uow.users.add(new_user("ada@example.net", last_name="Byron"))
            hopper = await uow.users.add(new_user(None, "grace.hopper", last_name="Hopper"))
            first = await uow.account_queries.search(("example.fr",), PageRequest(1, 1))
            second = await uow.account_queries.search(("example.fr",), PageRequest(2, 1))
            assert ([u.id for u in first.items], first.total) == ([curie.id], 2)
            assert [u.id for u in second.items] == [zola.id]
            every = await uow.account_queries.search((), PageRequest())
            assert [u.id for u in every.items] == [other.id, curie.id, hopper.id, zola.id]
            both = await uow.account_queries.search(("ADA", "NET"), PageRequest())
            assert [u.id for u in both.items] == [other.id]
            assert (await uow.account_queries.search(("%",), PageRequest())).total == 0


class TestSessions:
    async def test_a_session_gives_its_account_until_revoked_once(self, backend: Backend) -> None:
        ada = await committed_user(backend)
        grace = await committed_user(backend, "grace@example.fr")
        async with backend.uow() as uow:
            await uow.sessions.open("s1", ada.id, T0, "h1", LATER)
            assert await uow.sessions.account_of("s1", ada.id) == ada
            assert await uow.sessions.account_of("s1", grace.id) is None
            assert await uow.sessions.account_of("unknown", ada.id) is None
            await uow.sessions.revoke("s1", LATER)
            await uow.sessions.revoke("s1", LATER + timedelta(hours=1))
            await uow.sessions.revoke("unknown", LATER)
            assert await uow.sessions.account_of("s1", ada.id) is None
            token = await uow.sessions.find_refresh_token("h1")
            assert token is not None and token.session_revoked_at == LATER

    async def test_a_refresh_token_is_found_by_its_hash_and_used_once(self, backend: Backend) -> None:
        ada = await committed_user(backend)
        async with backend.uow() as uow:
            await uow.sessions.open("s1", ada.id, T0, "h1", LATER)
            assert await uow.sessions.find_refresh_token("h2") is None
            token = await uow.sessions.find_refresh_token("h1")
            assert token == StoredRefreshToken(token.id if token else 0, "s1", ada.id, LATER, None, None)
            await uow.sessions.add_refresh_token("s1", "h2", LATER, LATER + timedelta(days=1))
            second = await uow.sessions.find_refresh_token("h2")
            assert second == StoredRefreshToken(
                second.id if second else 0, "s1", ada.id, LATER + timedelta(days=1), None, None
            )
            assert token is not None and second is not None and second.id != token.id
            assert token is not None
            assert await uow.sessions.mark_used(token.id, T0)
            assert not await uow.sessions.mark_used(token.id, LATER)
            assert not await uow.sessions.mark_used(999, LATER)
            used = await uow.sessions.find_refresh_token("h1")
            assert used is not None and used.used_at == T0

    async def test_revoking_every_session_of_a_user_but_one(self, backend: Backend) -> None:
        ada = await committed_user(backend)
        grace = await committed_user(backend, "grace@example.fr")
        async with backend.uow() as uow:
            for session_id, user in [("a1", ada), ("a2", ada), ("a3", ada), ("g1", grace)]:
                await uow.sessions.open(session_id, user.id, T0, f"h-{session_id}", LATER)
            await uow.sessions.revoke_all_of_user(ada.id, LATER, except_session="a2")
            active = [s for s in ("a1", "a2", "a3") if await uow.sessions.account_of(s, ada.id)]
            assert active == ["a2"]
            assert await uow.sessions.account_of("g1", grace.id) == grace
            await uow.sessions.revoke_all_of_user(ada.id, LATER)
            assert await uow.sessions.account_of("a2", ada.id) is None


class TestPasswordResets:
    async def test_a_token_gives_its_user_once_before_it_expires(self, backend: Backend) -> None:
        ada = await committed_user(backend)
        async with backend.uow() as uow:
            await uow.password_resets.add("h1", ada.id, T0, LATER)
            await uow.password_resets.add("h2", ada.id, T0, LATER)
            assert await uow.password_resets.consume("unknown", T0) is None
            assert await uow.password_resets.consume("h1", T0) == ada.id
            assert await uow.password_resets.consume("h1", T0) is None
            assert await uow.password_resets.consume("h2", LATER) is None
            assert await uow.password_resets.consume("h2", LATER - timedelta(seconds=1)) == ada.id
