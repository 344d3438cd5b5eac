"""The use cases the routers call, built by the composition root (``api/bootstrap.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from domain.accounts.authenticate import Authenticate
from domain.accounts.change_password import ChangePassword
from domain.accounts.get_my_account import GetMyAccount
from domain.accounts.log_in import LogIn
from domain.accounts.refresh_session import RefreshSession
from domain.accounts.register_user import RegisterUser
from domain.accounts.revoke_refresh_token import RevokeRefreshToken


@dataclass(frozen=True)
class UseCases:
    check_database: Callable[[], Awaitable[None]]
    authenticate: Authenticate
    register_user: RegisterUser
    log_in: LogIn
    refresh_session: RefreshSession
    revoke_refresh_token: RevokeRefreshToken
    change_password: ChangePassword
    get_my_account: GetMyAccount


def use_cases(request: Request) -> UseCases:
    found: UseCases = request.app.state.use_cases
    return found
