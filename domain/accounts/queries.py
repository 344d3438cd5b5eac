"""What support's search of accounts reads: nothing a rule decides on."""

from __future__ import annotations

from typing import Protocol

from domain.accounts.entities import User
from domain.pagination import Page, PageRequest


class AccountQueries(Protocol):
    """What support's search of accounts reads."""

    async def search(self, words: tuple[str, ...], page: PageRequest) -> Page[User]:
        """Support: accounts whose e-mail, username or names contain every word (lower-cased)."""
        ...
