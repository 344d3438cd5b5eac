"""What accepting an invitation does, for each invitation and membership the caller may have."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.organizations.entities import DeliveryStatus, Invitation, InvitationStatus, Membership, Role
from domain.organizations.errors import InvitationAlreadyAccepted, InvitationCancelled, InvitationExpired
from domain.organizations.invitation_acceptance import Acceptance, AcceptanceDecision, decide_acceptance

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CALLER = 7
SOMEONE_ELSE = 8

PENDING = Invitation(
    id=1,
    organization_id=3,
    email="ada@example.fr",
    role=Role.MEMBER,
    status=InvitationStatus.PENDING,
    code_hash="hash",
    locale="fr",
    is_activation=False,
    inviter_id=None,
    created_at=NOW - timedelta(days=1),
    updated_at=NOW - timedelta(days=1),
    last_sent_at=NOW - timedelta(days=1),
    expires_at=NOW + timedelta(days=6),
    accepted_by_user_id=None,
    delivery_status=DeliveryStatus.SENT,
)


def invitation(role: Role | None = Role.MEMBER, **changes: Any) -> Invitation:
    return dataclasses.replace(PENDING, role=role, **changes)


def accepted_by(user_id: int) -> Invitation:
    return invitation(status=InvitationStatus.ACCEPTED, accepted_by_user_id=user_id)


def membership(role: Role, *, disabled: bool = False) -> Membership:
    return Membership(
        id=5,
        organization_id=3,
        user_id=CALLER,
        role=role,
        created_at=NOW - timedelta(days=30),
        updated_at=NOW - timedelta(days=30),
        disabled_at=NOW - timedelta(days=2) if disabled else None,
    )


ACTIVE_MEMBER = membership(Role.MEMBER)
ACTIVE_ADMIN = membership(Role.ADMIN)
DISABLED_MEMBER = membership(Role.MEMBER, disabled=True)


@pytest.mark.parametrize(
    ("given", "current", "has_members", "expected"),
    [
        # No membership yet: created with the invitation's role, "auto" by who is there.
        (invitation(Role.MEMBER), None, True, AcceptanceDecision(Acceptance.CREATE, Role.MEMBER)),
        (invitation(Role.ADMIN), None, True, AcceptanceDecision(Acceptance.CREATE, Role.ADMIN)),
        (invitation(None), None, False, AcceptanceDecision(Acceptance.CREATE, Role.ADMIN)),
        (invitation(None), None, True, AcceptanceDecision(Acceptance.CREATE, Role.MEMBER)),
        # A disabled membership comes back with the invitation's role, not its old one.
        (invitation(Role.ADMIN), DISABLED_MEMBER, True, AcceptanceDecision(Acceptance.REENABLE, Role.ADMIN)),
        (invitation(None), DISABLED_MEMBER, False, AcceptanceDecision(Acceptance.REENABLE, Role.ADMIN)),
        # An active member is promoted by an ADMIN invitation only.
        (invitation(Role.ADMIN), ACTIVE_MEMBER, True, AcceptanceDecision(Acceptance.PROMOTE, Role.ADMIN)),
        (
            invitation(Role.MEMBER),
            ACTIVE_MEMBER,
            True,
            AcceptanceDecision(Acceptance.KEEP_PENDING, Role.MEMBER),
        ),
        (
            invitation(Role.MEMBER),
            ACTIVE_ADMIN,
            True,
            AcceptanceDecision(Acceptance.KEEP_PENDING, Role.ADMIN),
        ),
        (invitation(Role.ADMIN), ACTIVE_ADMIN, True, AcceptanceDecision(Acceptance.KEEP_PENDING, Role.ADMIN)),
        (invitation(None), ACTIVE_MEMBER, True, AcceptanceDecision(Acceptance.KEEP_PENDING, Role.MEMBER)),
        # The user who accepted it calls again: their membership, whatever the invitation said.
        (accepted_by(CALLER), ACTIVE_ADMIN, True, AcceptanceDecision(Acceptance.REPLAY, Role.ADMIN)),
    ],
)
def test_a_usable_invitation_decides_what_becomes_of_the_membership(given, current, has_members, expected):
    assert decide_acceptance(given, CALLER, current, has_members, NOW) == expected


@pytest.mark.parametrize(
    ("given", "current", "error"),
    [
        (accepted_by(SOMEONE_ELSE), None, InvitationAlreadyAccepted),
        (accepted_by(SOMEONE_ELSE), ACTIVE_MEMBER, InvitationAlreadyAccepted),
        # Accepted by the caller, whose membership was removed since: the link is spent.
        (accepted_by(CALLER), None, InvitationAlreadyAccepted),
        (accepted_by(CALLER), DISABLED_MEMBER, InvitationAlreadyAccepted),
        (invitation(status=InvitationStatus.CANCELLED), None, InvitationCancelled),
        (invitation(status=InvitationStatus.CANCELLED), ACTIVE_MEMBER, InvitationCancelled),
        (invitation(expires_at=NOW), None, InvitationExpired),
        (invitation(Role.ADMIN, expires_at=NOW - timedelta(seconds=1)), ACTIVE_MEMBER, InvitationExpired),
    ],
)
def test_an_invitation_no_longer_pending_says_why(given, current, error):
    with pytest.raises(error):
        decide_acceptance(given, CALLER, current, True, NOW)


def test_an_invitation_is_usable_until_the_instant_it_expires():
    almost = invitation(expires_at=NOW + timedelta(microseconds=1))
    assert decide_acceptance(almost, CALLER, None, True, NOW).action is Acceptance.CREATE
