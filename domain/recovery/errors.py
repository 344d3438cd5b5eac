"""Errors of account recovery (docs/rules.md, Account recovery)."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import Conflict, Gone


class RecoveryRefusal(StrEnum):
    """Why a pupil who was found cannot recover the account, in the order they are checked."""

    NO_ACCOUNT = "NO_ACCOUNT"
    """No account is attached to the pupil's records: join a campaign instead."""
    STILL_AT_SCHOOL = "STILL_AT_SCHOOL"
    """An active record holds the account: the teacher resets its password."""
    ALREADY_RECOVERED = "ALREADY_RECOVERED"
    """The account was recovered this way before: once per account."""
    HAS_EMAIL = "HAS_EMAIL"
    """The account has an e-mail address: the forgotten-password e-mail is the way."""
    SEVERAL_ACCOUNTS = "SEVERAL_ACCOUNTS"
    """The records lead to more than one account: support sorts it out."""


class AccountRecoveryNotAllowed(Conflict):
    """``meta.reason``: one of ``RecoveryRefusal``."""

    code = "ACCOUNT_RECOVERY_NOT_ALLOWED"

    def __init__(self, reason: RecoveryRefusal) -> None:
        super().__init__(meta={"reason": reason.value})
        self.reason = reason


class RecoveryLinkInvalid(Gone):
    """Unknown, already used, replaced by a newer request, or expired: never says which."""

    code = "RECOVERY_LINK_INVALID"
