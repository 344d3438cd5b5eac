"""The OpenAPI document, shaped for clients: every error is a problem."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from starlette.routing import BaseRoute

from api.errors import PROBLEM_MEDIA_TYPE, Problem, code_statuses
from api.schemas.students import JsonRosterIn

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _validation_error_response() -> dict[str, Any]:
    return {
        "description": "Unprocessable Entity: `VALIDATION_ERROR`",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}},
    }


BODY_MODELS: tuple[type[BaseModel], ...] = (JsonRosterIn,)
"""Bodies a route reads itself (not as a parameter), named in its ``openapi_extra``."""


def _add_schema(schemas: dict[str, Any], model: type[BaseModel]) -> None:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema


def install_openapi(app: FastAPI, listed_first: Sequence[BaseRoute]) -> None:
    """FastAPI files error schemas under ``application/json`` and adds its own 422 shape, which
    this service never sends; both are replaced by ``application/problem+json`` problems.
    ``listed_first``: routes in the order the document lists them; the app's others follow."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        known = {id(route) for route in listed_first}
        routes = [*listed_first, *(route for route in app.routes if id(route) not in known)]
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=routes
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        models: tuple[type[BaseModel], ...] = (Problem, *BODY_MODELS)
        for model in models:
            _add_schema(schemas, model)
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                for status, response in responses.items():
                    if status.isdigit() and int(status) >= 400:
                        response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}
                if "422" in responses and "VALIDATION_ERROR" not in responses["422"].get("description", ""):
                    responses["422"]["description"] += ", `VALIDATION_ERROR`"
                if "422" not in responses and (operation.get("parameters") or operation.get("requestBody")):
                    responses["422"] = _validation_error_response()
        document["info"]["x-problem-codes"] = dict(sorted(code_statuses().items()))
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
