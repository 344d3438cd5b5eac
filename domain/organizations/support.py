from __future__ import annotations

from domain.accounts.entities import Viewer
from domain.audit.events import Actor
from domain.organizations.errors import RoleNotAllowed


def require_support(viewer: Viewer | None) -> Actor:
    """Support actions come from a SUPPORT user, or from an operator's command line (``None``)."""
    if viewer is None:
        return Actor.cli()
    if not viewer.user.is_support:
        raise RoleNotAllowed()
    return Actor(viewer.user.id, "support")


def user_actor(viewer: Viewer) -> Actor:
    return Actor(viewer.user.id, "support" if viewer.user.is_support else "user")
