"""Teachers' tools on their students' accounts: bulk password reset, detaching an account."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from api.auth import CurrentViewer
from api.errors import problems
from api.language import request_language
from api.organization_access import ADMINS_ONLY, MEMBERS_ONLY
from api.routers import API_PREFIX
from api.routers import MEMBER_PROBLEMS as MEMBER
from api.schemas.student_links import PasswordResetsOut, PasswordResetsRequest
from api.use_cases import use_case
from domain.joining.detach_student_account import DetachStudentAccount
from domain.joining.errors import StudentNotFound
from domain.joining.reset_student_passwords import ResetStudentPasswords, StudentPasswordResets

router = APIRouter(
    prefix=f"{API_PREFIX}/organizations/{{org_id}}/students", tags=["students"], dependencies=[MEMBERS_ONLY]
)

CSV_MEDIA_TYPE = "text/csv"
CSV_HEADERS = {
    "fr": ["Classe", "Nom", "Prénom", "Identifiant", "Mot de passe temporaire"],
    "en": ["Division", "Last name", "First name", "Username", "Temporary password"],
}
# A cell starting with one of these is a formula to a spreadsheet: it is quoted as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def reset_csv(result: StudentPasswordResets, language: str) -> bytes:
    """UTF-8 with a byte-order mark and ``;`` separators, so that French spreadsheets open it in columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADERS["en" if language == "en" else "fr"])
    for reset in result.reset:
        student = reset.student
        writer.writerow(
            [_cell(v) for v in (student.division, student.last_name, student.first_name, reset.username)]
            + [reset.temporary_password]
        )
    return out.getvalue().encode("utf-8-sig")


def _wants_json(accept: str) -> bool:
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return "application/json" in kinds and CSV_MEDIA_TYPE not in kinds


@router.post(
    "/password-resets",
    operation_id="reset_student_passwords",
    summary="Reset the passwords of students who log in with a username",
    description=(
        "Any member. Answers a CSV (UTF-8 with BOM, `;`-separated: division, last name, first name, "
        "username, temporary password) of the students reset, or, with `Accept: application/json`, "
        "`{reset, not_reset}`. "
        "Only accounts that log in with a username are reset; the others are listed in `not_reset` with "
        "their reason: `EMAIL_ACCOUNT` (the pupil uses the forgotten-password e-mail), `STUDENT_NOT_LINKED`, "
        "`STUDENT_NOT_FOUND` (not an active student of the organization), `ACCOUNT_IN_USE_ELSEWHERE` (the "
        "account is also attached to an active student of another organization). A temporary password is "
        "valid 30 days and must be changed at the first login."
    ),
    response_model=PasswordResetsOut,
    responses={
        200: {
            "description": "The students reset (CSV), or every student with its outcome (JSON)",
            "content": {
                CSV_MEDIA_TYPE: {
                    "schema": {"type": "string"},
                    "example": "\ufeffClasse;Nom;Prénom;Identifiant;Mot de passe temporaire\r\n"
                    "TG2;TURING;Alan;alan.turing2306;kvbtwm47\r\n",
                },
            },
        },
        **problems(*MEMBER, "VALIDATION_ERROR"),
    },
)
async def reset_student_passwords(
    request: Request,
    reset_student_passwords: Annotated[ResetStudentPasswords, Depends(use_case(ResetStudentPasswords))],
    org_id: int,
    body: PasswordResetsRequest,
    viewer: CurrentViewer,
) -> Response:
    result = await reset_student_passwords(viewer, org_id, body.student_ids)
    if _wants_json(request.headers.get("accept", "")):
        return Response(PasswordResetsOut.of(result).model_dump_json(), media_type="application/json")
    language = request_language(request)
    return Response(
        reset_csv(result, language),
        media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="mots-de-passe-temporaires.csv"'},
    )


@router.delete(
    "/{student_id}/user-link",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="detach_student_account",
    dependencies=[ADMINS_ONLY],
    summary="Detach the account from a student (administrators)",
    description="The account is kept; the pupil can attach it again. Idempotent.",
    responses=problems(*MEMBER, "FORBIDDEN", StudentNotFound.code),
)
async def detach_student_account(
    detach_student_account: Annotated[DetachStudentAccount, Depends(use_case(DetachStudentAccount))],
    org_id: int,
    student_id: int,
    viewer: CurrentViewer,
) -> Response:
    await detach_student_account(viewer, org_id, student_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
