"""Step 4: the SIECLE import, its history, and the student list."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.auth import StudentsImporter, StudentsReader
from api.errors import problems
from api.language import request_language
from api.organization_access import admins_or_client, members_or_client
from api.pagination import PageOut, Paging
from api.routers import ADMIN_PROBLEMS as ADMIN
from api.routers import API_PREFIX, CLIENT_PROBLEMS
from api.routers import MEMBER_PROBLEMS as MEMBER
from api.schemas.students import StudentImportHistoryOut, StudentImportOut, StudentOut
from api.siecle_messages import Language, siecle_detail
from api.use_cases import use_case
from domain.api_clients.entities import Scope
from domain.students.import_students import ImportReport, ImportStudents, ImportStudentsCommand
from domain.students.list_divisions import ListDivisions
from domain.students.list_student_imports import ListStudentImports
from domain.students.list_students import ListStudents
from domain.students.ports import StudentFilter, Upload

# Every route here is open to API clients (each with its scope), so access is declared per route.
router = APIRouter(prefix=f"{API_PREFIX}/organizations/{{org_id}}", tags=["students"])


@router.post(
    "/student-imports",
    status_code=201,
    operation_id="import_students",
    dependencies=[admins_or_client(Scope.STUDENTS_IMPORT)],
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
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {
                                "type": "string",
                                "contentMediaType": "application/octet-stream",
                                "title": "File",
                                "description": "ElevesSansAdresses.xml, or its zip",
                            }
                        },
                        "required": ["file"],
                        "title": "Body_import_students",
                    },
                    "example": {"file": "(the bytes of ElevesSansAdresses.zip)"},
                }
            },
        }
    },
    responses={
        200: {"model": StudentImportOut, "description": "Dry run: the report, nothing written"},
        **problems(
            *ADMIN,
            *CLIENT_PROBLEMS,
            "INVALID_SIECLE_FILE",
            "FILE_TOO_LARGE",
            "TOO_MANY_STUDENTS",
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
    import_students: Annotated[ImportStudents, Depends(use_case(ImportStudents))],
    org_id: int,
    caller: StudentsImporter,
    dry_run: Annotated[bool, Query(description="Preview the report, write nothing")] = False,
    confirm_disable: Annotated[
        bool, Query(description="Confirm a large number of students disabled")
    ] = False,
) -> StudentImportOut:
    # The body is not a parameter: FastAPI would read the whole upload before the access check.
    # The use case receives it once the caller is known to be this organization's administrator.
    try:
        report = await import_students(
            caller,
            ImportStudentsCommand(
                organization_id=org_id,
                receive=lambda: _receive_file(request),
                dry_run=dry_run,
                confirm_disable=confirm_disable,
            ),
        )
    finally:
        await request.close()  # the spooled upload
    english = request_language(request) == "en"
    body = await anyio.to_thread.run_sync(_render, report, "en" if english else "fr")
    return Response(  # type: ignore[return-value]
        body, status_code=200 if report.dry_run else 201, media_type="application/json"
    )


async def _receive_file(request: Request) -> Upload:
    form = await request.form(max_files=1, max_fields=10)
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body", "file"), "msg": "Field required", "input": None}]
        )
    return Upload(stream=file.file, filename=file.filename)


def _render(report: ImportReport, language: Language) -> bytes:
    """The answer's JSON: every item gets its sentence, so it is built in a worker thread."""
    out = StudentImportOut.of(report, lambda item: siecle_detail(item, language))
    return out.model_dump_json().encode()


@router.get(
    "/student-imports",
    operation_id="list_student_imports",
    dependencies=[admins_or_client(Scope.STUDENTS_READ)],
    summary="History of imports, newest first (failed ones included)",
    description="`created_by` is the person (`user_id`), or the API client (`api_client`: its name).",
    responses=problems(*ADMIN, *CLIENT_PROBLEMS, "VALIDATION_ERROR"),
)
async def list_student_imports(
    list_student_imports: Annotated[ListStudentImports, Depends(use_case(ListStudentImports))],
    org_id: int,
    caller: StudentsReader,
    paging: Paging,
) -> PageOut[StudentImportHistoryOut]:
    page = await list_student_imports(caller, org_id, paging)
    return PageOut.of(page, StudentImportHistoryOut.of)


@router.get(
    "/students",
    operation_id="list_students",
    dependencies=[members_or_client(Scope.STUDENTS_READ)],
    summary="The students, sorted by last name then first name",
    description="`search` ignores case and accents and looks in the names; disabled students are hidden "
    "unless `include_disabled=true`.",
    responses=problems(*MEMBER, *CLIENT_PROBLEMS, "VALIDATION_ERROR"),
)
async def list_students(
    list_students: Annotated[ListStudents, Depends(use_case(ListStudents))],
    org_id: int,
    caller: StudentsReader,
    paging: Paging,
    search: Annotated[str | None, Query(max_length=100)] = None,
    division: Annotated[str | None, Query(max_length=64)] = None,
    linked: bool | None = None,
    include_disabled: bool = False,
) -> PageOut[StudentOut]:
    page = await list_students(
        caller,
        org_id,
        StudentFilter(search=search, division=division, linked=linked, include_disabled=include_disabled),
        paging,
    )
    return PageOut.of(page, StudentOut.of)


@router.get(
    "/divisions",
    operation_id="list_divisions",
    dependencies=[members_or_client(Scope.STUDENTS_READ)],
    summary="The classes of the active students (not paginated)",
    responses=problems(*MEMBER, *CLIENT_PROBLEMS),
)
async def list_divisions(
    list_divisions: Annotated[ListDivisions, Depends(use_case(ListDivisions))],
    org_id: int,
    caller: StudentsReader,
) -> list[str]:
    return await list_divisions(caller, org_id)
