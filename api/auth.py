"""Who is calling: dependencies that read the bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from api.use_cases import use_case
from domain.accounts.authenticate import Authenticate
from domain.accounts.entities import Viewer
from domain.accounts.errors import PasswordChangeRequired, SupportRoleRequired
from domain.errors import Unauthenticated

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def viewer_allowing_password_change(
    authenticate: Annotated[Authenticate, Depends(use_case(Authenticate))],
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Viewer:
    """Any logged-in account, even one that must change its temporary password."""
    if not token:
        raise Unauthenticated()
    return await authenticate(token)


async def current_viewer(viewer: Annotated[Viewer, Depends(viewer_allowing_password_change)]) -> Viewer:
    """A logged-in account that may use the service (403 until a temporary password is changed)."""
    if viewer.user.must_change_password:
        raise PasswordChangeRequired()
    return viewer


async def support_viewer(viewer: Annotated[Viewer, Depends(current_viewer)]) -> Viewer:
    if not viewer.user.is_support:
        raise SupportRoleRequired()
    return viewer


ViewerAllowingPasswordChange = Annotated[Viewer, Depends(viewer_allowing_password_change)]
CurrentViewer = Annotated[Viewer, Depends(current_viewer)]
SupportViewer = Annotated[Viewer, Depends(support_viewer)]
