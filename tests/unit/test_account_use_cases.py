from datetime import timedelta

import pytest

from domain.accounts.accept_pix_orga_terms import AcceptPixOrgaTerms
from domain.accounts.authenticate import Authenticate
from domain.accounts.change_password import ChangePassword, ChangePasswordCommand
from domain.accounts.entities import Viewer
from domain.accounts.errors import (
    EmailAlreadyUsed,
    InvalidCredentials,
    InvalidEmail,
    InvalidPassword,
    PixOrgaAccessRequiresMembership,
    TermsNotAccepted,
    WrongCurrentPassword,
)
from domain.accounts.log_in import LogIn, LogInCommand
from domain.accounts.password_policy import check_password_policy
from domain.accounts.refresh_session import RefreshSession
from domain.accounts.register_user import RegisterUser, RegisterUserCommand
from domain.accounts.revoke_refresh_token import RevokeRefreshToken
from domain.errors import TooManyRequests, Unauthenticated
from domain.organizations.entities import Membership, Organization, OrganizationType, Role
from domain.rate_limits import Limit
from tests.unit.fakes import FakeClock, FakeHasher, FakeLimiter, FakeTokens, FakeUnitOfWork, Store

PASSWORD = "Motdepasse1"


@pytest.fixture
def store():
    return Store()


@pytest.fixture
def clock():
    return FakeClock()


def uow_factory(store):
    return lambda: FakeUnitOfWork(store)


async def set_password(store, user_id, password_hash, **fields):
    async with FakeUnitOfWork(store) as uow:
        await uow.users.set_password(user_id, password_hash, **fields)
        await uow.commit()


def register(store, clock, email="ada@example.fr", **overrides):
    command = RegisterUserCommand(
        **{
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": email,
            "password": PASSWORD,
            "accept_terms": True,
            "client_address": "192.0.2.10",
            **overrides,
        }
    )
    return RegisterUser(uow_factory(store), FakeHasher(), FakeLimiter(), clock)(command)


def log_in(store, clock, limiter=None):
    return LogIn(
        uow_factory(store), FakeHasher(), FakeTokens(), limiter or FakeLimiter(), clock, timedelta(days=30)
    )


class TestPasswordPolicy:
    @pytest.mark.parametrize("password", ["Abcdefg1", "Élève2024", "A1" + "b" * 253])
    def test_accepted(self, password):
        check_password_policy(password)

    @pytest.mark.parametrize(
        "password", ["Abcdef1", "abcdefg1", "ABCDEFG1", "Abcdefgh", "", "A1" + "b" * 254, "12345678"]
    )
    def test_refused(self, password):
        with pytest.raises(InvalidPassword):
            check_password_policy(password)


class TestRegisterUser:
    async def test_email_is_normalised_and_terms_recorded(self, store, clock):
        user = await register(store, clock, email="  Ada@Example.FR ")
        assert user.email == "ada@example.fr"
        assert user.terms_accepted_at == clock.now()
        assert user.password_hash == f"hash:{PASSWORD}"
        assert store.commits == 1

    async def test_rules(self, store, clock):
        with pytest.raises(TermsNotAccepted):
            await register(store, clock, accept_terms=False)
        with pytest.raises(InvalidEmail):
            await register(store, clock, email="nope")
        with pytest.raises(InvalidPassword):
            await register(store, clock, password="weak")
        await register(store, clock)
        with pytest.raises(EmailAlreadyUsed):
            await register(store, clock, email="ADA@example.fr")


class TestAcceptPixOrgaTerms:
    async def test_the_first_acceptance_is_kept(self, store, clock):
        user = await register(store, clock)
        accept = AcceptPixOrgaTerms(uow_factory(store), clock)
        clock.advance(days=1)
        await accept(Viewer(user, "session"))
        accepted_at = clock.now()
        clock.advance(days=1)
        await accept(Viewer(user, "session"))
        assert store.users[user.id].pix_orga_terms_accepted_at == accepted_at


class TestLogIn:
    async def test_success_opens_a_session(self, store, clock):
        await register(store, clock)
        pair = await log_in(store, clock)(LogInCommand("ADA@example.fr", PASSWORD, "1.2.3.4"))
        assert pair.access_token.startswith("access:1:")
        assert len(store.sessions) == 1
        assert pair.must_change_password is False

    async def test_failures_are_counted_under_three_keys(self, store, clock):
        await register(store, clock)
        limiter = FakeLimiter()
        with pytest.raises(InvalidCredentials):
            await log_in(store, clock, limiter)(LogInCommand("ada@example.fr", "Wrong1234", "1.2.3.4"))
        assert limiter.failures == {
            (Limit.LOGIN_PER_LOGIN_AND_ADDRESS, ("ada@example.fr", "1.2.3.4")): 1,
            (Limit.LOGIN_PER_LOGIN, ("ada@example.fr",)): 1,
            (Limit.LOGIN_PER_ADDRESS, ("1.2.3.4",)): 1,
        }

    async def test_a_reached_limit_blocks_even_the_right_password(self, store, clock):
        await register(store, clock)
        limiter = FakeLimiter({Limit.LOGIN_PER_LOGIN: 2})
        use_case = log_in(store, clock, limiter)
        for address in ("1.1.1.1", "2.2.2.2"):
            with pytest.raises(InvalidCredentials):
                await use_case(LogInCommand("ada@example.fr", "Wrong1234", address))
        with pytest.raises(TooManyRequests):
            await use_case(LogInCommand("ada@example.fr", PASSWORD, "3.3.3.3"))

    async def test_success_does_not_count(self, store, clock):
        await register(store, clock)
        limiter = FakeLimiter()
        await log_in(store, clock, limiter)(LogInCommand("ada@example.fr", PASSWORD, "1.2.3.4"))
        assert limiter.failures == {}

    async def test_outdated_hash_is_upgraded(self, store, clock):
        user = await register(store, clock)
        await set_password(
            store,
            user.id,
            f"old:{PASSWORD}",
            must_change_password=False,
            temporary_password_expires_at=None,
            now=clock.now(),
        )
        await log_in(store, clock)(LogInCommand("ada@example.fr", PASSWORD, "1.2.3.4"))
        assert store.users[user.id].password_hash == f"hash:{PASSWORD}"

    async def test_expired_temporary_password_is_refused(self, store, clock):
        user = await register(store, clock)
        await set_password(
            store,
            user.id,
            f"hash:{PASSWORD}",
            must_change_password=True,
            temporary_password_expires_at=clock.now() + timedelta(days=30),
            now=clock.now(),
        )
        pair = await log_in(store, clock)(LogInCommand("ada@example.fr", PASSWORD, "1.2.3.4"))
        assert pair.must_change_password is True
        clock.advance(days=31)
        with pytest.raises(InvalidCredentials):
            await log_in(store, clock)(LogInCommand("ada@example.fr", PASSWORD, "1.2.3.4"))

    async def test_pix_orga_scope(self, store, clock):
        user = await register(store, clock)
        command = LogInCommand("ada@example.fr", PASSWORD, "1.2.3.4", frozenset({"pix-orga"}))
        with pytest.raises(PixOrgaAccessRequiresMembership):
            await log_in(store, clock)(command)
        assert store.sessions == {}
        now = user.created_at
        store.organizations[1] = Organization(1, "Lycée", OrganizationType.SCO, None, None, True, now, None)
        store.memberships[1] = Membership(1, 1, user.id, Role.ADMIN, now, now, None)
        await log_in(store, clock)(command)


class TestRefreshAndRevoke:
    async def test_rotation_then_reuse_revokes_the_session(self, store, clock):
        await register(store, clock)
        first = await log_in(store, clock)(LogInCommand("ada@example.fr", PASSWORD, "1.2.3.4"))
        refresh = RefreshSession(uow_factory(store), FakeTokens(), clock, timedelta(days=30))
        second = await refresh(first.refresh_token)
        assert second.refresh_token != first.refresh_token
        with pytest.raises(Unauthenticated):
            await refresh(first.refresh_token)
        with pytest.raises(Unauthenticated):
            await refresh(second.refresh_token)
        authenticate = Authenticate(uow_factory(store), FakeTokens())
        with pytest.raises(Unauthenticated):
            await authenticate(second.access_token)

    async def test_expired_refresh_token(self, store, clock):
        await register(store, clock)
        pair = await log_in(store, clock)(LogInCommand("ada@example.fr", PASSWORD, "1.2.3.4"))
        clock.advance(days=31)
        with pytest.raises(Unauthenticated):
            await RefreshSession(uow_factory(store), FakeTokens(), clock, timedelta(days=30))(
                pair.refresh_token
            )

    async def test_revoke_ends_the_session(self, store, clock):
        await register(store, clock)
        pair = await log_in(store, clock)(LogInCommand("ada@example.fr", PASSWORD, "1.2.3.4"))
        await RevokeRefreshToken(uow_factory(store), clock)(pair.refresh_token)
        await RevokeRefreshToken(uow_factory(store), clock)("unknown")
        with pytest.raises(Unauthenticated):
            await Authenticate(uow_factory(store), FakeTokens())(pair.access_token)


class TestChangePassword:
    async def test_other_sessions_revoked_current_kept(self, store, clock):
        await register(store, clock)
        login = log_in(store, clock)
        mine = await login(LogInCommand("ada@example.fr", PASSWORD, "1.2.3.4"))
        other = await login(LogInCommand("ada@example.fr", PASSWORD, "1.2.3.4"))
        authenticate = Authenticate(uow_factory(store), FakeTokens())
        viewer = await authenticate(mine.access_token)
        change = ChangePassword(uow_factory(store), FakeHasher(), clock)
        with pytest.raises(WrongCurrentPassword):
            await change(viewer, ChangePasswordCommand("Nope12345", "Nouveau12345"))
        await change(viewer, ChangePasswordCommand(PASSWORD, "Nouveau12345"))
        assert (await authenticate(mine.access_token)).user.password_hash == "hash:Nouveau12345"
        with pytest.raises(Unauthenticated):
            await authenticate(other.access_token)
