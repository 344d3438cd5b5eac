"""The one error table: domain errors and HTTP failures rendered as RFC 9457 problems.

Every response the API can give outside success goes through ``problem_response``, in the
request's language, with a stable ``code`` and the request id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.language import request_language
from api.messages import message
from api.request_context import current_request_id
from api.siecle_messages import (
    ROSTER_MESSAGES,
    SIECLE_MESSAGES,
    Language,
    bounded_entry,
    bounded_item,
    item_detail,
)
from domain.api_clients.errors import InvalidClient, OAuthError
from domain.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    TooManyRequests,
    Unauthenticated,
    UnsupportedMediaType,
    all_error_classes,
)
from domain.students.siecle import MAX_REPORT_ITEMS

logger = logging.getLogger("pix_orga.errors")

ROSTER_REFUSAL = "INVALID_STUDENT_FILE"
"""The refusal of a CSV or JSON roster: its items read with the roster's sentences."""


PROBLEM_MEDIA_TYPE = "application/problem+json"

STATUS_BY_BASE: dict[type[DomainError], int] = {
    BadRequest: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
    PreconditionFailed: 412,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    Invalid: 422,
    TooManyRequests: 429,
}

GENERIC_CODES: dict[str, int] = {
    "BAD_REQUEST": 400,
    "MALFORMED_JSON": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "PASSWORD_CHANGE_REQUIRED": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "REQUEST_TOO_LARGE": 413,
    "VALIDATION_ERROR": 422,
    "TOO_MANY_REQUESTS": 429,
    "INTERNAL_ERROR": 500,
    "SERVICE_UNAVAILABLE": 503,
}


def status_of(error_class: type[DomainError]) -> int | None:
    for cls in error_class.__mro__:
        if cls in STATUS_BY_BASE:
            return STATUS_BY_BASE[cls]
    return None


def code_statuses() -> dict[str, int]:
    """Every code the API can answer, with its status."""
    table = dict(GENERIC_CODES)
    for cls in all_error_classes():
        status = status_of(cls)
        if status is not None and cls.code != "DOMAIN_ERROR":
            table.setdefault(cls.code, status)
    return table


class ProblemItem(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str
    detail: str | None = None


class SkippedProblemItem(BaseModel):
    model_config = ConfigDict(extra="allow")
    reason: str
    detail: str | None = None


class Problem(BaseModel):
    """An RFC 9457 problem, with our stable ``code`` and the request id."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    code: str
    request_id: str | None = None
    errors: list[ProblemItem] | None = None
    meta: dict[str, Any] | None = None
    skipped: list[SkippedProblemItem] | None = Field(
        default=None,
        description="`NO_STUDENTS` only: the entries skipped instead (the first "
        f"{MAX_REPORT_ITEMS}; `meta.skipped_total` counts them all), each with its `reason` and `detail`",
    )


def problems(*codes: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of an operation: one entry per status, naming its codes."""
    table = code_statuses()
    by_status: dict[int, list[str]] = {}
    for code in codes:
        by_status.setdefault(table[code], []).append(code)
    return {
        status: {
            "model": Problem,
            "content": {PROBLEM_MEDIA_TYPE: {}},
            "description": f"{HTTPStatus(status).phrase}: " + ", ".join(f"`{c}`" for c in sorted(names)),
        }
        for status, names in sorted(by_status.items())
    }


def problem_response(
    request: Request,
    status: int,
    code: str,
    *,
    detail: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    meta: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    language = request_language(request)
    body: dict[str, Any] = {
        "type": f"urn:pix-orga:problem:{code.lower().replace('_', '-')}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or message(code, language),
        "code": code,
        "request_id": current_request_id(),
    }
    if errors is not None:
        body["errors"] = errors
    if meta:
        body["meta"] = meta
    body.update(extensions or {})
    all_headers = {"Content-Language": language, **(headers or {})}
    return JSONResponse(body, status_code=status, headers=all_headers, media_type=PROBLEM_MEDIA_TYPE)


def _render_items(
    items: Iterable[dict[str, Any]], language: str, roster: bool = False
) -> list[dict[str, Any]]:
    """Items of a SIECLE report, or of a CSV or JSON roster's, get their sentence; others keep theirs."""
    known = ROSTER_MESSAGES.keys() | SIECLE_MESSAGES.keys() if roster else SIECLE_MESSAGES.keys()
    return [
        _with_detail(bounded_item(item), language, roster) if str(item.get("code")) in known else item
        for item in items
    ]


def _with_detail(item: dict[str, Any], language: str, roster: bool) -> dict[str, Any]:
    return {**item, "detail": item_detail(item, "en" if language == "en" else "fr", roster)}


def _skipped_items(error: DomainError, language: str) -> list[dict[str, Any]] | None:
    """The entries skipped, which a ``NO_STUDENTS`` refusal lists as a report does."""
    skipped = getattr(error, "skipped", None)
    if not skipped:
        return None
    english: Language = "en" if language == "en" else "fr"
    roster = error.code == ROSTER_REFUSAL
    items = (bounded_entry(entry) for entry in skipped[:MAX_REPORT_ITEMS])
    return [{**item, "detail": item_detail(item, english, roster)} for item in items]


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status = status_of(type(error)) or 500
    headers = {}
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after)
    if status == 401:
        # The token endpoint's client authentication is HTTP Basic (RFC 6749 §5.2), elsewhere a bearer token.
        headers["WWW-Authenticate"] = (
            'Basic realm="pix-orga"' if isinstance(error, InvalidClient) else "Bearer"
        )
    if status == 500:
        logger.error("domain error without a status", extra={"code": error.code})
        return problem_response(request, 500, "INTERNAL_ERROR")
    language = request_language(request)
    roster = error.code == ROSTER_REFUSAL
    errors = _render_items(error.errors, language, roster) if error.errors is not None else None
    extensions: dict[str, Any] = {}
    skipped = _skipped_items(error, language)
    if skipped is not None:
        extensions["skipped"] = skipped
    # The token endpoint's problems also carry RFC 6749's ``error``, for OAuth2 client libraries.
    if isinstance(error, OAuthError):
        extensions["error"] = error.oauth_error
    return problem_response(
        request,
        status,
        error.code,
        errors=errors,
        meta=error.meta,
        headers=headers,
        extensions=extensions or None,
    )


VALIDATION_FR = {
    "missing": "Ce champ est obligatoire.",
    "string_type": "Ce champ doit être un texte.",
    "string_too_short": "Ce texte est trop court.",
    "string_too_long": "Ce texte est trop long.",
    "int_type": "Ce champ doit être un nombre entier.",
    "int_parsing": "Ce champ doit être un nombre entier.",
    "bool_type": "Ce champ doit valoir true ou false.",
    "bool_parsing": "Ce champ doit valoir true ou false.",
    "literal_error": "Cette valeur n'est pas permise.",
    "enum": "Cette valeur n'est pas permise.",
    "date_from_datetime_parsing": "Ce champ doit être une date au format AAAA-MM-JJ.",
    "date_parsing": "Ce champ doit être une date au format AAAA-MM-JJ.",
    "date_type": "Ce champ doit être une date au format AAAA-MM-JJ.",
    "list_type": "Ce champ doit être une liste.",
    "too_long": "Cette liste est trop longue.",
    "too_short": "Cette liste est trop courte.",
    "greater_than_equal": "Cette valeur est trop petite.",
    "less_than_equal": "Cette valeur est trop grande.",
    "model_attributes_type": "Le corps de la requête doit être un objet JSON.",
    "dict_type": "Le corps de la requête doit être un objet JSON.",
}


def validation_items(raw_errors: Iterable[Any], language: str) -> list[dict[str, Any]]:
    items = []
    for error in raw_errors:
        location = [str(part) for part in error.get("loc", ())]
        where = location[0] if location else "body"
        field = ".".join(location[1:]) or where
        kind = str(error.get("type", "value_error"))
        detail = (
            str(error.get("msg", "")) if language == "en" else VALIDATION_FR.get(kind, "Valeur incorrecte.")
        )
        items.append({"code": kind.upper(), "field": field, "location": where, "detail": detail})
    return items


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    raw = list(error.errors())
    if any(e.get("type") == "json_invalid" for e in raw):
        return problem_response(request, 400, "MALFORMED_JSON")
    language = request_language(request)
    return problem_response(request, 422, "VALIDATION_ERROR", errors=validation_items(raw, language))


class BodyTooLarge(StarletteHTTPException):
    """Raised while reading a body over its cap; an HTTPException so FastAPI passes it through."""

    def __init__(self, code: str = "REQUEST_TOO_LARGE", limit: int | None = None) -> None:
        super().__init__(413)
        self.code = code
        self.limit = limit


HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "REQUEST_TOO_LARGE",
    422: "VALIDATION_ERROR",
    429: "TOO_MANY_REQUESTS",
    503: "SERVICE_UNAVAILABLE",
}


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if isinstance(error, BodyTooLarge):
        meta = {"limit_bytes": error.limit} if error.limit else None
        return problem_response(request, 413, error.code, meta=meta)
    status = error.status_code
    code = HTTP_CODES.get(status, "BAD_REQUEST" if status < 500 else "INTERNAL_ERROR")
    headers = dict(error.headers or {})
    return problem_response(request, status, code, headers=headers)


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    logger.exception("unexpected error", extra={"error_type": type(error).__name__})
    return problem_response(request, 500, "INTERNAL_ERROR")


VALUE_NOT_STORABLE = (
    "Une valeur est hors limites (un identifiant trop grand) ou contient un caractère interdit (NUL).",
    "A value is out of range (an id too large) or holds a forbidden character (NUL).",
)


def install_error_handlers(
    app: FastAPI,
    database_exceptions: tuple[type[Exception], ...],
    is_database_unavailable: Callable[[BaseException], bool],
    is_invalid_value: Callable[[BaseException], bool],
) -> None:
    async def _infrastructure_error(request: Request, error: Exception) -> JSONResponse:
        if is_database_unavailable(error):
            logger.warning("database unavailable", extra={"error_type": type(error).__name__})
            return problem_response(request, 503, "SERVICE_UNAVAILABLE", headers={"Retry-After": "5"})
        if is_invalid_value(error):
            english = request_language(request) == "en"
            item = {"code": "VALUE_NOT_STORABLE", "detail": VALUE_NOT_STORABLE[1 if english else 0]}
            return problem_response(request, 422, "VALIDATION_ERROR", errors=[item])
        return await _unexpected_error(request, error)

    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for exception_class in database_exceptions:
        app.add_exception_handler(exception_class, _infrastructure_error)
    app.add_exception_handler(Exception, _unexpected_error)
