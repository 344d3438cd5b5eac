from __future__ import annotations

from typing import Protocol

from domain.organizations.entities import UserMembership


class MembershipRepository(Protocol):
    async def has_active_membership(self, user_id: int) -> bool: ...

    async def list_active_for_user(self, user_id: int) -> list[UserMembership]: ...
