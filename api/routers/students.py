"""Step 4: the import of a SIECLE export or a CSV or JSON roster, its history, and the student list."""

from __future__ import annotations

import tempfile
from contextlib import aclosing
from typing import Annotated, BinaryIO, cast

import anyio
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from python_multipart.multipart import parse_options_header
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.auth import StudentsImporter, StudentsReader
from api.errors import problems
from api.language import request_language
from api.organization_access import ADMINS_ONLY, admins_or_client, members_or_client
from api.pagination import PageOut, Paging
from api.routers import ADMIN_PROBLEMS as ADMIN
from api.routers import API_PREFIX, CLIENT_PROBLEMS
from api.routers import MEMBER_PROBLEMS as MEMBER
from api.schemas.students import (
    JSON_ROSTER_EXAMPLE,
    StudentImportHistoryOut,
    StudentImportOut,
    StudentOut,
    roster_template_csv,
)
from api.siecle_messages import Language, item_detail
from api.use_cases import use_case
from domain.api_clients.entities import Scope
from domain.students.import_students import ImportReport, ImportStudents, ImportStudentsCommand
from domain.students.list_divisions import ListDivisions
from domain.students.list_student_imports import ListStudentImports
from domain.students.list_students import ListStudents
from domain.students.ports import StudentFilter, Upload
from domain.students.roster import SIECLE_XML

SPOOL_MEMORY_BYTES = 4 * 1024 * 1024


class _UploadParser(MultiPartParser):
    """Starlette's multipart parser with the spool of a JSON body: past Starlette's 1 MB on disk, each
    further chunk of the file was written from a worker thread, which took 3 ms of a school's 2 MB
    export (the import of its 2,000 pupils is about 60 ms of parsing)."""

    spool_max_size = SPOOL_MEMORY_BYTES


# Every route here is open to API clients (each with its scope), so access is declared per route.
router = APIRouter(prefix=f"{API_PREFIX}/organizations/{{org_id}}", tags=["students"])


@router.post(
    "/student-imports",
    status_code=201,
    operation_id="import_students",
    dependencies=[admins_or_client(Scope.STUDENTS_IMPORT)],
    summary="Import the SIECLE export (XML or its zip), a CSV roster or a JSON roster",
    description=(
        "Multipart `file`: the SIECLE export (ElevesSansAdresses.xml, or the zip SIECLE gives), a CSV "
        "roster (the columns of `GET …/student-imports/template.csv`, `;` or `,`, UTF-8 or Windows-1252) "
        "or a JSON roster; or the JSON roster itself as the body, with `Content-Type: application/json`: "
        '`{"students": [{"national_student_id", "first_name", "middle_name"?, "third_name"?, '
        '"last_name", "preferred_last_name"?, "birthdate": "YYYY-MM-DD", "division"}]}`. '
        "The format is told from the content, not the name. One transaction: any error in the file means "
        "nothing is written, and every error is listed with its line (CSV, SIECLE) or `meta.index` (JSON) "
        "and the pupil's identifier. A SIECLE export is refused with `INVALID_SIECLE_FILE`, a roster with "
        "`INVALID_STUDENT_FILE` (a JSON body that does not parse included: the items are those of a "
        "file). `NO_STUDENTS` lists the entries skipped instead in `skipped`. "
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
                                "description": "ElevesSansAdresses.xml or its zip, a CSV or a JSON roster",
                            }
                        },
                        "required": ["file"],
                        "title": "Body_import_students",
                    },
                    "example": {"file": "(the bytes of ElevesSansAdresses.zip)"},
                },
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/JsonRosterIn"},
                    "example": JSON_ROSTER_EXAMPLE,
                },
            },
        }
    },
    responses={
        200: {"model": StudentImportOut, "description": "Dry run: the report, nothing written"},
        **problems(
            *ADMIN,
            *CLIENT_PROBLEMS,
            "INVALID_SIECLE_FILE",
            "INVALID_STUDENT_FILE",
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
    spool: list[BinaryIO] = []
    try:
        report = await import_students(
            caller,
            ImportStudentsCommand(
                organization_id=org_id,
                receive=lambda: _receive_upload(request, spool),
                dry_run=dry_run,
                confirm_disable=confirm_disable,
            ),
        )
    finally:
        for stream in spool:
            stream.close()
    english = request_language(request) == "en"
    body = await anyio.to_thread.run_sync(_render, report, "en" if english else "fr")
    return Response(  # type: ignore[return-value]
        body, status_code=200 if report.dry_run else 201, media_type="application/json"
    )


def _is_json(request: Request) -> bool:
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


async def _receive_upload(request: Request, spool: list[BinaryIO]) -> Upload:
    """The multipart ``file``, or a JSON body spooled as a file (the upload cap, counted by the
    body-size middleware as it streams in, holds for both)."""
    if not _is_json(request):
        return await _receive_file(request, spool)
    stream = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES))  # noqa: SIM115
    spool.append(stream)
    async for chunk in request.stream():
        if stream.tell() + len(chunk) > SPOOL_MEMORY_BYTES:
            await anyio.to_thread.run_sync(stream.write, chunk)  # the spool is on disk by now
        else:
            stream.write(chunk)
    stream.seek(0)
    return Upload(stream=stream, filename=None)


async def _receive_file(request: Request, spool: list[BinaryIO]) -> Upload:
    """The multipart ``file``, as ``request.form`` reads it (a body of another type has none)."""
    file = None
    content_type, _ = parse_options_header(request.headers.get("content-type"))
    if content_type == b"multipart/form-data":
        try:
            async with aclosing(request.stream()) as stream:
                form = await _UploadParser(request.headers, stream, max_files=1, max_fields=10).parse()
        except MultiPartException as error:
            raise HTTPException(status_code=400, detail=error.message) from error
        spool.extend(value.file for _, value in form.multi_items() if isinstance(value, UploadFile))
        file = form.get("file")
    if not isinstance(file, UploadFile):
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body", "file"), "msg": "Field required", "input": None}]
        )
    return Upload(stream=file.file, filename=file.filename)


def _render(report: ImportReport, language: Language) -> bytes:
    """The answer's JSON: every item gets its sentence, so it is built in a worker thread."""
    roster = report.format != SIECLE_XML
    out = StudentImportOut.of(report, lambda item: item_detail(item, language, roster))
    return out.model_dump_json().encode()


@router.get(
    "/student-imports/template.csv",
    operation_id="get_student_import_template",
    dependencies=[ADMINS_ONLY],
    summary="The CSV roster's header, to fill in a spreadsheet",
    description="UTF-8 with a byte order mark, `;`-separated, CRLF: a French spreadsheet opens it in "
    "columns. `*` marks the columns the import requires; the others may stay empty or be removed.",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The header row"},
        **problems(*ADMIN),
    },
)
async def student_import_template() -> Response:
    return Response(
        roster_template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="modele-import-eleves.csv"'},
    )


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
