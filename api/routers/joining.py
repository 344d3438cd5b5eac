"""Step 5: pupils joining a campaign by its code."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from api.auth import CurrentViewer
from api.client_address import client_key
from api.errors import problems
from api.routers import API_PREFIX
from api.schemas.accounts import UserOut
from api.schemas.campaigns import (
    ParticipationOut,
    PublicCampaignOut,
    StudentAccountOut,
    StudentAccountRequest,
    StudentIdentityRequest,
    StudentLinkOut,
    StudentLinkRequest,
    StudentMatchOut,
)
from api.use_cases import use_case
from domain.campaigns.read_campaign import ReadCampaign
from domain.joining.create_student_account import CreateStudentAccount, CreateStudentAccountCommand
from domain.joining.link_student_account import LinkStudentAccount, LinkStudentAccountCommand
from domain.joining.match_student_identity import MatchStudentCommand, MatchStudentIdentity
from domain.joining.start_participation import StartParticipation
from domain.joining.steps import TypedStudent

router = APIRouter(prefix=API_PREFIX)

CAMPAIGN = ("CAMPAIGN_NOT_FOUND", "CAMPAIGN_ARCHIVED")
MATCHING = (
    *CAMPAIGN,
    "CAMPAIGN_NOT_RESTRICTED",
    "STUDENT_NOT_FOUND",
    "STUDENT_ALREADY_LINKED",
    "TOO_MANY_REQUESTS",
)

LINK_CONFLICT = (
    "`STUDENT_ALREADY_LINKED` carries `meta.reason_code` and `meta.login_hint` (the obfuscated login of the "
    "attached account): `R31`/`R32` the student is attached to an account with an e-mail / a username, "
    "`R11`/`R12` a student of the same INE is attached to one in another school"
)
RATE_LIMITED = (
    "Rate-limited: only `STUDENT_NOT_FOUND` answers count, against every student of the school whose names "
    "are close to the typed ones whatever their birthdate (per campaign and typed name when there is none; "
    "`MATCH_FAILURES_PER_NAME`), and per client address, an IPv6 client by its /64 "
    "(`MATCH_FAILURES_PER_ADDRESS`); over a limit, every request aimed at that student or from that address "
    "answers 429 with `Retry-After`, however the names are spelled."
)


def _also(status_code: int, model: type[Any], description: str) -> dict[int | str, dict[str, Any]]:
    return {status_code: {"model": model, "description": description}}


@router.get(
    "/campaigns/{code}",
    operation_id="get_campaign_by_code",
    summary="The campaign a code opens (case and surrounding spaces ignored)",
    tags=["joining"],
    responses=problems("CAMPAIGN_NOT_FOUND"),
)
async def get_campaign_by_code(
    read_campaign: Annotated[ReadCampaign, Depends(use_case(ReadCampaign))], code: str
) -> PublicCampaignOut:
    return PublicCampaignOut.of(await read_campaign(code))


def _typed(body: StudentIdentityRequest | StudentAccountRequest) -> TypedStudent:
    return TypedStudent(first_name=body.first_name, last_name=body.last_name, birthdate=body.birthdate)


@router.post(
    "/campaigns/{code}/student-matches",
    operation_id="match_student",
    summary="Am I in the school's list? (changes nothing)",
    tags=["joining"],
    description=(
        "Exactly one active student of the campaign's school, born that day, whose names match (case, "
        "accents, hyphens, particles, usage name, second first names and small typos tolerated) and who is "
        "not attached to an account → the username the account would get. Nobody, or several → 404 "
        f"`STUDENT_NOT_FOUND`. {LINK_CONFLICT}. {RATE_LIMITED}"
    ),
    responses=problems(*MATCHING, "VALIDATION_ERROR"),
)
async def match_student(
    request: Request,
    match_student_identity: Annotated[MatchStudentIdentity, Depends(use_case(MatchStudentIdentity))],
    code: str,
    body: StudentIdentityRequest,
) -> StudentMatchOut:
    found = await match_student_identity(
        MatchStudentCommand(campaign_code=code, student=_typed(body), client_address=client_key(request))
    )
    return StudentMatchOut(username_suggestion=found.username_suggestion)


@router.post(
    "/campaigns/{code}/student-accounts",
    status_code=status.HTTP_201_CREATED,
    operation_id="create_student_account",
    summary="Create my account and attach it to my student record (one transaction)",
    tags=["joining"],
    description=(
        "The same identification as `student-matches`, then the account: with `login: username` a username "
        "generated from the imported record (`alan.turing2306`; 4 random digits instead of the birthday when "
        "taken), with `login: email` the e-mail given. A second identical request (double click) creates "
        "no second account: 409 `STUDENT_ALREADY_LINKED` (`S51`/`S52`; `S61`/`S62` for a student of the same "
        f"INE attached elsewhere). Answers tokens, as a login would. {RATE_LIMITED}"
    ),
    responses=problems(
        *MATCHING,
        "EMAIL_ALREADY_USED",
        "INVALID_EMAIL",
        "INVALID_PASSWORD",
        "TERMS_NOT_ACCEPTED",
        "VALIDATION_ERROR",
    ),
)
async def create_student_account(
    request: Request,
    create_student_account: Annotated[CreateStudentAccount, Depends(use_case(CreateStudentAccount))],
    code: str,
    body: StudentAccountRequest,
) -> StudentAccountOut:
    created = await create_student_account(
        CreateStudentAccountCommand(
            campaign_code=code,
            student=_typed(body),
            login=body.login,
            email=body.email,
            password=body.password,
            accept_terms=body.accept_terms,
            client_address=client_key(request),
            locale=body.locale,
        )
    )
    return StudentAccountOut(
        user=UserOut.of(created.user),
        username=created.user.username,
        access_token=created.tokens.access_token,
        expires_in=created.tokens.expires_in,
        refresh_token=created.tokens.refresh_token,
    )


@router.post(
    "/campaigns/{code}/student-links",
    status_code=status.HTTP_201_CREATED,
    operation_id="link_student_account",
    summary="Attach my account to my student record (I already have an account)",
    tags=["joining"],
    description=(
        "With `first_name`, `last_name` and `birthdate`: the same identification as `student-matches`. With "
        "an empty body: the automatic attach, to the student of this school with the INE and birthdate of a "
        "student the account is attached to in another school. 200 when the account was attached to that "
        f"student already. {LINK_CONFLICT}. `USER_ALREADY_LINKED_IN_ORGANIZATION` (`R70`): the account is "
        "attached to another student of this school; `ACCOUNT_BELONGS_TO_ANOTHER_STUDENT` (`R90`): to "
        "students with neither that INE nor that birthdate; `ORGANIZATION_MEMBER_CANNOT_LINK`: the account "
        f"is a member of the school. {RATE_LIMITED}"
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "examples": {
                        "identity": {
                            "summary": "By the identity typed",
                            "value": {"first_name": "Alan", "last_name": "Turing", "birthdate": "2002-06-23"},
                        },
                        "automatic": {"summary": "Automatic attach by INE (empty body)", "value": {}},
                    }
                }
            }
        }
    },
    responses={
        **_also(200, StudentLinkOut, "Already attached to that student"),
        **problems(
            "UNAUTHENTICATED",
            "PASSWORD_CHANGE_REQUIRED",
            *MATCHING,
            "USER_ALREADY_LINKED_IN_ORGANIZATION",
            "ACCOUNT_BELONGS_TO_ANOTHER_STUDENT",
            "ORGANIZATION_MEMBER_CANNOT_LINK",
            "VALIDATION_ERROR",
        ),
    },
)
async def link_student_account(
    request: Request,
    link_student_account: Annotated[LinkStudentAccount, Depends(use_case(LinkStudentAccount))],
    response: Response,
    code: str,
    viewer: CurrentViewer,
    body: StudentLinkRequest | None = None,
) -> StudentLinkOut:
    typed = None
    if body is not None and not body.is_empty:
        assert body.first_name is not None
        assert body.last_name is not None
        assert body.birthdate is not None
        typed = TypedStudent(first_name=body.first_name, last_name=body.last_name, birthdate=body.birthdate)
    link = await link_student_account(
        viewer,
        LinkStudentAccountCommand(campaign_code=code, student=typed, client_address=client_key(request)),
    )
    if not link.created:
        response.status_code = status.HTTP_200_OK
    return StudentLinkOut(student_id=link.student.id, organization_id=link.student.organization_id)


@router.post(
    "/campaigns/{code}/participations",
    status_code=status.HTTP_201_CREATED,
    operation_id="start_participation",
    summary="Start my participation (200 with the same one when called again)",
    tags=["joining"],
    description=(
        "A restricted campaign needs the account to be attached to an active student of the school "
        "(`NOT_A_STUDENT_OF_ORGANIZATION`, teachers included). A member of the school never takes part as a "
        "student, even with an account attached to one of its students, whichever came first "
        "(`ORGANIZATION_MEMBER_CANNOT_PARTICIPATE`). `preview=true`: a member of the school tries "
        "the campaign; the participation is flagged and left out of results (`FORBIDDEN` for others)."
    ),
    responses={
        **_also(200, ParticipationOut, "The participation started before"),
        **problems(
            "UNAUTHENTICATED",
            "PASSWORD_CHANGE_REQUIRED",
            "FORBIDDEN",
            "NOT_A_STUDENT_OF_ORGANIZATION",
            "ORGANIZATION_MEMBER_CANNOT_PARTICIPATE",
            *CAMPAIGN,
            "VALIDATION_ERROR",
        ),
    },
)
async def start_participation(
    start_participation: Annotated[StartParticipation, Depends(use_case(StartParticipation))],
    response: Response,
    code: str,
    viewer: CurrentViewer,
    preview: Annotated[bool, Query(description="A member tries the campaign")] = False,
) -> ParticipationOut:
    started = await start_participation(viewer, code, preview=preview)
    if not started.created:
        response.status_code = status.HTTP_200_OK
    return ParticipationOut.of(started.participation, started.campaign)
