from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.accounts import OrganizationSummary, RequestModel
from domain.audit.events import StoredAuditEvent
from domain.organizations.entities import InvitationView, Membership, MemberView, Organization

RoleName = Literal["ADMIN", "MEMBER"]
Locale = Literal["fr", "en"]


class OrganizationOut(BaseModel):
    id: int
    name: str
    type: Literal["SCO", "SUP", "PRO"]
    uai: str | None
    is_managing_students: bool
    archived_at: datetime | None

    @classmethod
    def of(cls, organization: Organization) -> OrganizationOut:
        return cls(
            id=organization.id,
            name=organization.name,
            type=organization.type.value,
            uai=organization.uai,
            is_managing_students=organization.is_managing_students,
            archived_at=organization.archived_at,
        )


class AdminOrganizationOut(OrganizationOut):
    email: str | None
    created_at: datetime

    @classmethod
    def of(cls, organization: Organization) -> AdminOrganizationOut:
        return cls(
            **OrganizationOut.of(organization).model_dump(),
            email=organization.email,
            created_at=organization.created_at,
        )


class CreateOrganizationRequest(RequestModel):
    name: str = Field(min_length=1, max_length=255)
    type: Literal["SCO", "SUP", "PRO"]
    uai: str | None = Field(default=None, max_length=20, description="For SCO: 7 digits and a letter")
    email: str | None = Field(default=None, max_length=320, description="The official mailbox")
    is_managing_students: bool = False

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Lycée Pix",
                    "type": "SCO",
                    "uai": "0751234A",
                    "email": "ce.0751234A@ac-paris.fr",
                    "is_managing_students": True,
                }
            ]
        }
    )


class InvitationOut(BaseModel):
    id: int
    email: str
    role: RoleName | None = Field(description="null: decided at acceptance (auto)")
    status: Literal["PENDING", "EXPIRED", "ACCEPTED", "CANCELLED"]
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    delivery_status: Literal["QUEUED", "SENT", "FAILED"]

    @classmethod
    def of(cls, view: InvitationView) -> InvitationOut:
        invitation = view.invitation
        return cls(
            id=invitation.id,
            email=invitation.email,
            role=invitation.role.value if invitation.role else None,
            status=view.status.value,
            created_at=invitation.created_at,
            updated_at=invitation.updated_at,
            expires_at=invitation.expires_at,
            delivery_status=invitation.delivery_status.value,
        )


class InviteRequest(RequestModel):
    emails: str | list[str] = Field(
        description="Addresses separated by commas, semicolons, spaces or new lines, `Name <a@b.fr>` "
        "accepted; or a list of them"
    )
    role: RoleName | None = Field(default=None, description="MEMBER when not given")
    locale: Locale = "fr"

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"emails": "referent@ac-paris.fr, Prof <prof@gmail.com>", "role": "MEMBER"}]
        }
    )


class RejectedEmail(BaseModel):
    email: str
    code: Literal["INVALID_EMAIL", "RATE_LIMITED"]


class InviteResult(BaseModel):
    invitations: list[InvitationOut]
    rejected: list[RejectedEmail]


class ActivationInvitationRequest(RequestModel):
    email: str | None = Field(default=None, max_length=320, description="Default: the organization's e-mail")
    role: RoleName | None = Field(default="ADMIN", description="Default ADMIN; null: auto")
    locale: Locale = "fr"

    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "ADMIN", "locale": "fr"}]})


class InvitationLandingOut(BaseModel):
    id: int
    organization_name: str
    status: Literal["PENDING", "EXPIRED", "ACCEPTED", "CANCELLED"]
    role: RoleName | None


class AcceptInvitationRequest(RequestModel):
    code: str = Field(min_length=1, max_length=200)

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "kZGVGyJ0OJHti0KgrY90id7e7BDjm3dSC8ANrXBSi8w"}]}
    )


class MembershipOut(BaseModel):
    id: int
    organization: OrganizationSummary
    role: RoleName
    created_at: datetime

    @classmethod
    def of(cls, membership: Membership, organization: Organization) -> MembershipOut:
        return cls(
            id=membership.id,
            role=membership.role.value,
            created_at=membership.created_at,
            organization=OrganizationSummary(
                id=organization.id, name=organization.name, type=organization.type.value
            ),
        )


class AcceptInvitationOut(BaseModel):
    membership: MembershipOut


class MemberUser(BaseModel):
    id: int
    first_name: str
    last_name: str
    email: str | None


class MemberOut(BaseModel):
    id: int
    user: MemberUser
    role: RoleName
    created_at: datetime

    @classmethod
    def of(cls, member: MemberView) -> MemberOut:
        return cls(
            id=member.id,
            role=member.role.value,
            created_at=member.created_at,
            user=MemberUser(
                id=member.user_id,
                first_name=member.first_name,
                last_name=member.last_name,
                email=member.email,
            ),
        )


class RoleChangeRequest(RequestModel):
    role: RoleName

    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "ADMIN"}]})


class ScoActivationRequest(RequestModel):
    uai: str = Field(min_length=1, max_length=20)
    first_name: str = Field(min_length=1, max_length=255)
    last_name: str = Field(min_length=1, max_length=255)

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"uai": "0751234A", "first_name": "Marie", "last_name": "Curie"}]}
    )


class PasswordResetRequest(RequestModel):
    email: str = Field(max_length=320)
    app: Literal["orga", "app"] = "orga"

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "marie.curie@ac-paris.fr", "app": "orga"}]}
    )


class PasswordResetBody(RequestModel):
    token: str = Field(min_length=1, max_length=200)
    new_password: str = Field(max_length=1024)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"token": "the token of the e-mail link", "new_password": "Nouveau2026"}]
        }
    )


class AuditActorOut(BaseModel):
    user_id: int | None
    label: str
    api_client_id: int | None = None


class AuditEventOut(BaseModel):
    id: int
    occurred_at: datetime
    actor: AuditActorOut
    organization_id: int | None
    type: str
    target_type: str | None
    target_id: int | None
    details: dict[str, Any]

    @classmethod
    def of(cls, stored: StoredAuditEvent) -> AuditEventOut:
        event = stored.event
        return cls(
            id=stored.id,
            occurred_at=event.occurred_at,
            actor=AuditActorOut(
                user_id=event.actor.user_id, label=event.actor.label, api_client_id=event.actor.api_client_id
            ),
            organization_id=event.organization_id,
            type=event.type,
            target_type=event.target_type,
            target_id=event.target_id,
            details=event.details,
        )
