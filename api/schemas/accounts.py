from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.accounts.entities import User
from domain.accounts.get_my_account import MyAccount

Name = Field(min_length=1, max_length=255)


class RequestModel(BaseModel):
    """Request bodies: strict types (``"yes"`` is not a boolean), unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


class SignUpRequest(RequestModel):
    first_name: str = Name
    last_name: str = Name
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    accept_terms: bool
    locale: Literal["fr", "en"] = "fr"

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "first_name": "Ada",
                    "last_name": "Lovelace",
                    "email": "ada.lovelace@ac-paris.fr",
                    "password": "Analytical1843",
                    "accept_terms": True,
                    "locale": "fr",
                }
            ]
        }
    )


class PasswordChangeRequest(RequestModel):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"current_password": "abcdef12", "new_password": "NouveauMotDePasse1"}]
        }
    )


class UserOut(BaseModel):
    id: int
    first_name: str
    last_name: str
    email: str | None
    username: str | None
    must_change_password: bool
    pix_orga_terms_accepted: bool
    locale: str

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            username=user.username,
            must_change_password=user.must_change_password,
            pix_orga_terms_accepted=user.pix_orga_terms_accepted,
            locale=user.locale,
        )


class OrganizationSummary(BaseModel):
    id: int
    name: str
    type: Literal["SCO", "SUP", "PRO"]


class MyMembershipOut(BaseModel):
    id: int
    organization: OrganizationSummary
    role: Literal["ADMIN", "MEMBER"]


class MeOut(UserOut):
    is_support: bool
    memberships: list[MyMembershipOut]

    @classmethod
    def of_account(cls, account: MyAccount) -> MeOut:
        base = UserOut.of(account.user).model_dump()
        return cls(
            **base,
            is_support=account.user.is_support,
            memberships=[
                MyMembershipOut(
                    id=m.id,
                    role=m.role.value,
                    organization=OrganizationSummary(
                        id=m.organization_id, name=m.organization_name, type=m.organization_type.value
                    ),
                )
                for m in account.memberships
            ],
        )


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int
    refresh_token: str
    must_change_password: bool
