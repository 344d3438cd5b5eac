"""Step 4: the SIECLE import, its history, and the student list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from api.auth import CurrentViewer
from api.errors import problems
from api.language import negotiate_language
from api.organization_access import ADMINS_ONLY, MEMBERS_ONLY
from api.pagination import PageOut, Paging
from api.routers import ADMIN_PROBLEMS as ADMIN
from api.routers import API_PREFIX
from api.routers import MEMBER_PROBLEMS as MEMBER
from api.schemas.students import StudentImportHistoryOut, StudentImportOut, StudentOut
from api.siecle_messages import siecle_detail
from api.use_cases import use_cases
from domain.students.import_students import ImportStudentsCommand
from domain.students.ports import StudentFilter

router = APIRouter(
    prefix=f"{API_PREFIX}/organizations/{{org_id}}", tags=["students"], dependencies=[MEMBERS_ONLY]
)


@router.post(
    "/student-imports",
    status_code=201,
    operation_id="import_students",
    dependencies=[ADMINS_ONLY],
    summary="Import the SIECLE export (ElevesSansAdresses.xml, or the zip SIECLE gives)",
    description=(
        "Multipart `file`. The file type is told from its content, not its name. One transaction: any error "
        "in the file means nothing is written, and every error is listed with its line and INE. "
        "`dry_run=true` previews the same report (200, `id: null`) and writes nothing. An import that would "
        "disable more than `IMPORT_DISABLE_THRESHOLD` of the active students answers 409 "
        "`TOO_MANY_STUDENTS_DISABLED` until sent again with `confirm_disable=true`."
    ),
    openapi_extra={
        "requestBody": {
            "content": {"multipart/form-data": {"example": {"file": "(the bytes of ElevesSansAdresses.zip)"}}}
        }
    },
    responses={
        200: {"model": StudentImportOut, "description": "Dry run: the report, nothing written"},
        **problems(
            *ADMIN,
            "INVALID_SIECLE_FILE",
            "FILE_TOO_LARGE",
            "UNSUPPORTED_FILE_TYPE",
            "IMPORT_IN_PROGRESS",
            "TOO_MANY_STUDENTS_DISABLED",
            "ORGANIZATION_ARCHIVED",
            "VALIDATION_ERROR",
        ),
    },
)
async def import_students(
    request: Request,
    org_id: int,
    viewer: CurrentViewer,
    file: Annotated[UploadFile, File(description="ElevesSansAdresses.xml, or its zip")],
    dry_run: Annotated[bool, Query(description="Preview the report, write nothing")] = False,
    confirm_disable: Annotated[
        bool, Query(description="Confirm a large number of students disabled")
    ] = False,
) -> StudentImportOut:
    report = await use_cases(request).import_students(
        viewer,
        ImportStudentsCommand(
            organization_id=org_id,
            stream=file.file,
            filename=file.filename,
            dry_run=dry_run,
            confirm_disable=confirm_disable,
        ),
    )
    english = negotiate_language(request.headers.get("accept-language")) == "en"
    out = StudentImportOut.of(report, lambda item: siecle_detail(item, "en" if english else "fr"))
    if report.dry_run:
        return JSONResponse(out.model_dump(mode="json"), status_code=200)  # type: ignore[return-value]
    return out


@router.get(
    "/student-imports",
    operation_id="list_student_imports",
    dependencies=[ADMINS_ONLY],
    summary="History of imports, newest first (failed ones included)",
    responses=problems(*ADMIN, "VALIDATION_ERROR"),
)
async def list_student_imports(
    request: Request, org_id: int, viewer: CurrentViewer, paging: Paging
) -> PageOut[StudentImportHistoryOut]:
    page = await use_cases(request).list_student_imports(viewer, org_id, paging)
    return PageOut.of(page, StudentImportHistoryOut.of)


@router.get(
    "/students",
    operation_id="list_students",
    summary="The students, sorted by last name then first name",
    description="`search` ignores case and accents and looks in the names; disabled students are hidden "
    "unless `include_disabled=true`.",
    responses=problems(*MEMBER, "VALIDATION_ERROR"),
)
async def list_students(
    request: Request,
    org_id: int,
    viewer: CurrentViewer,
    paging: Paging,
    search: Annotated[str | None, Query(max_length=100)] = None,
    division: Annotated[str | None, Query(max_length=64)] = None,
    linked: bool | None = None,
    include_disabled: bool = False,
) -> PageOut[StudentOut]:
    page = await use_cases(request).list_students(
        viewer,
        org_id,
        StudentFilter(search=search, division=division, linked=linked, include_disabled=include_disabled),
        paging,
    )
    return PageOut.of(page, StudentOut.of)


@router.get(
    "/divisions",
    operation_id="list_divisions",
    summary="The classes of the active students (not paginated)",
    responses=problems(*MEMBER),
)
async def list_divisions(request: Request, org_id: int, viewer: CurrentViewer) -> list[str]:
    return await use_cases(request).list_divisions(viewer, org_id)
