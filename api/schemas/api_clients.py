from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.api_clients.entities import ApiClient, ClientToken, CreatedApiClient, Scope, scope_text


class ApiClientIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "ENT Occitanie", "scopes": ["students:read", "students:import"]}]
        }
    )
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1, max_length=len(Scope))

    @field_validator("name")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        trimmed = value.strip()
        if not trimmed:
            raise ValueError("the name is blank")
        return trimmed


class ApiClientOut(BaseModel):
    id: int
    organization_id: int
    name: str
    client_id: str
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    previous_secret_expires_at: datetime | None
    """Until when the secret replaced by the last rotation still works."""

    @classmethod
    def of(cls, client: ApiClient) -> ApiClientOut:
        return cls(
            id=client.id,
            organization_id=client.organization_id,
            name=client.name,
            client_id=client.client_id,
            scopes=sorted(client.scopes),
            created_at=client.created_at,
            last_used_at=client.last_used_at,
            revoked_at=client.revoked_at,
            previous_secret_expires_at=client.previous_secret_expires_at,
        )


class CreatedApiClientOut(ApiClientOut):
    client_secret: str = Field(description="Shown this once: only its hash is kept")

    @classmethod
    def of_created(cls, created: CreatedApiClient) -> CreatedApiClientOut:
        return cls(**ApiClientOut.of(created.client).model_dump(), client_secret=created.client_secret)


class SecretRotationOut(BaseModel):
    client_secret: str = Field(description="Shown this once; the previous secret works 24 more hours")


class ClientTokenOut(BaseModel):
    """RFC 6749 §4.4.3: no refresh token; the client asks again with its secret."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int
    scope: str

    @classmethod
    def of(cls, token: ClientToken) -> ClientTokenOut:
        return cls(
            access_token=token.access_token, expires_in=token.expires_in, scope=scope_text(token.scopes)
        )
