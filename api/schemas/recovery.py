"""Account recovery: the bodies the pupils' front-end sends and reads."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.accounts import RequestModel
from api.schemas.campaigns import Birthdate, TypedName
from domain.recovery.read_account_recovery import AccountRecoveryView


class AccountRecoveryRequest(RequestModel):
    national_student_id: str = Field(min_length=1, max_length=20, description="The INE")
    first_name: str = TypedName
    last_name: str = TypedName
    birthdate: Birthdate
    email: str = Field(max_length=320, description="The address the account will have")
    locale: Literal["fr", "en"] | None = Field(
        default=None, description="The language of the e-mail (the account's when left out)"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "national_student_id": "000001021PX",
                    "first_name": "Jules",
                    "last_name": "Maigret",
                    "birthdate": "2007-02-13",
                    "email": "jules.maigret@example.net",
                    "locale": "fr",
                }
            ]
        }
    )


class AccountRecoveryOut(BaseModel):
    first_name: str
    login_hint: str = Field(description="The account's username, obfuscated: `j***.m***3`")

    @classmethod
    def of(cls, view: AccountRecoveryView) -> AccountRecoveryOut:
        return cls(first_name=view.first_name, login_hint=view.login_hint)


class AccountRecoveryCompletion(RequestModel):
    code: str = Field(min_length=1, max_length=200)
    password: str = Field(max_length=1024)

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "the code of the e-mail link", "password": "Nouveau2026"}]}
    )
