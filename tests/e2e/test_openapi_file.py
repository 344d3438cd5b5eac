"""The OpenAPI description is a product (docs/architecture.md, rule 12): committed, current, with stable
operation ids, tags, problem responses and examples on request bodies."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.openapi_export import render

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
PROBLEM_MEDIA_TYPE = "application/problem+json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

Operation = tuple[str, dict[str, Any]]


@pytest.fixture(scope="module")
def generated() -> str:
    return render()


@pytest.fixture(scope="module")
def document(generated: str) -> dict[str, Any]:
    return dict(json.loads(generated))


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = document["components"]["schemas"][name]
    return schema


def test_the_committed_file_is_current(generated: str) -> None:
    assert COMMITTED.exists(), "openapi/openapi.json is missing: run `make openapi` and commit it"
    committed = COMMITTED.read_text(encoding="utf-8")
    assert committed == generated, "openapi/openapi.json is stale: run `make openapi` and commit it"


def test_there_are_operations(document: dict[str, Any]) -> None:
    names = {name for name, _ in operations(document)}
    assert {"POST /api/v1/users", "POST /api/v1/auth/token", "GET /health/ready"} <= names


def test_every_operation_has_a_unique_operation_id_and_a_tag(document: dict[str, Any]) -> None:
    ids = Counter(operation.get("operationId") for _, operation in operations(document))
    missing = [name for name, operation in operations(document) if not operation.get("operationId")]
    untagged = [name for name, operation in operations(document) if not operation.get("tags")]
    assert missing == [], f"operations without an operationId: {missing}"
    assert [i for i, n in ids.items() if n > 1] == [], f"operationIds used twice: {ids}"
    assert untagged == [], f"operations without a tag: {untagged}"


def error_responses(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name, operation in operations(document):
        for status, response in operation.get("responses", {}).items():
            if status[0] in "45":
                yield name, status, response


def by_operation(pairs: Iterator[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, status in pairs:
        grouped.setdefault(name, []).append(status)
    return grouped


def test_every_operation_declares_its_errors(document: dict[str, Any]) -> None:
    without = [
        name
        for name, operation in operations(document)
        if not any(status[0] in "45" for status in operation.get("responses", {}))
    ]
    assert without == [], f"operations declaring no error response: {without}"


def test_every_error_response_is_a_problem_with_its_schema(document: dict[str, Any]) -> None:
    def is_problem(response: dict[str, Any]) -> bool:
        media = response.get("content", {}).get(PROBLEM_MEDIA_TYPE)
        schema = resolve(document, media.get("schema", {})) if media is not None else {}
        return {"type", "title", "status", "detail", "code"} <= set(schema.get("properties", {}))

    wrong = [
        (name, status, response)
        for name, status, response in error_responses(document)
        if not is_problem(response)
    ]
    assert wrong == [], (
        f"error responses without the Problem schema under {PROBLEM_MEDIA_TYPE}: "
        f"{by_operation((name, status) for name, status, _ in wrong)}\n"
        f"the first one: {json.dumps(wrong[0][2])}"
    )


def test_error_responses_declare_no_other_media_type(document: dict[str, Any]) -> None:
    """Errors are only ever answered as ``application/problem+json``."""
    others = [
        (name, f"{status} {sorted(set(response.get('content', {})) - {PROBLEM_MEDIA_TYPE})}")
        for name, status, response in error_responses(document)
        if set(response.get("content", {})) - {PROBLEM_MEDIA_TYPE}
    ]
    assert others == [], (
        f"error responses declaring other media types than {PROBLEM_MEDIA_TYPE}: {by_operation(iter(others))}"
    )


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    without = []
    for name, operation in operations(document):
        for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
            schema = resolve(document, media.get("schema", {}))
            if not schema.get("properties"):
                continue
            if not any(source.get(key) for source in (media, schema) for key in ("example", "examples")):
                without.append(f"{name} ({media_type}, {media.get('schema', {}).get('$ref', 'inline')})")
    assert without == [], f"request bodies without an example: {without}"
