"""Scopes, walked over EVERY route of the app (read from its route table, so that a route added
later is covered without touching this file): a client's token holding one scope is allowed exactly
on the routes the contract gives that scope, and refused everywhere else with 403
``INSUFFICIENT_SCOPE`` (deny by default: person-only routes included); a client of another
organization gets, on the routes its scope opens, the non-member's 404 ``ORGANIZATION_NOT_FOUND``.

Routes that read no token (open to anyone: sign-up, the token endpoint, joining by code, health)
are not the clients' business; which routes read one is found in the route's dependencies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from api.auth import oauth2_scheme
from api.bootstrap import create_app
from tests.support.api import bearer
from tests.support.live_server import LiveServer, test_settings
from tests.support.siecle_samples import FIRST_EXPORT, first_export
from tests.support.world import ALL_SCOPES, Service, World, build_world

ORG = "/api/v1/organizations/{org_id}"
WEBHOOKS = ORG + "/webhook-endpoints"

Route = tuple[str, str]

# The contract: the routes each scope opens (webhooks: every route under ``WEBHOOKS``).
OPENED_BY: dict[str, set[Route]] = {
    "students:read": {
        ("GET", ORG + "/students"),
        ("GET", ORG + "/divisions"),
        ("GET", ORG + "/student-imports"),
    },
    "students:import": {("POST", ORG + "/student-imports")},
    "campaigns:read": {("GET", ORG + "/campaigns"), ("GET", ORG + "/campaigns/{campaign_id}/participations")},
    "webhooks:manage": set(),
}
SCOPE_REFUSED = (403, "INSUFFICIENT_SCOPE")
PATH_PARAMETER = re.compile(r"\{(\w+)\}")


def reads_a_token(dependant: Dependant) -> bool:
    return any(dep.call is oauth2_scheme or reads_a_token(dep) for dep in dependant.dependencies)


def token_routes(app: FastAPI) -> Iterator[Route]:
    """Every (method, path) whose dependencies read the bearer token."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.route, APIRoute) and reads_a_token(context.route.dependant):
            for method in sorted(set(context.methods or ()) - {"HEAD"}):
                yield method, str(context.path)


def opened_by(scope: str, routes: set[Route]) -> set[Route]:
    if scope == "webhooks:manage":
        return {route for route in routes if route[1].startswith(WEBHOOKS)}
    return OPENED_BY[scope]


def request_of(world: World, route: Route, org_id: int) -> dict[str, Any]:
    method, path = route
    values = {**world.path_values, "org_id": org_id}
    url = PATH_PARAMETER.sub(lambda match: str(values.get(match.group(1), 1)), path)
    request: dict[str, Any] = {"method": method, "url": url}
    if route == ("POST", ORG + "/student-imports"):
        request["files"] = {"file": (FIRST_EXPORT, first_export().xml, "application/xml")}
    elif method in {"POST", "PUT", "PATCH"}:
        request["json"] = {}
    return request


def outcome(response: httpx.Response) -> tuple[int, str | None]:
    is_problem = response.headers.get("content-type", "").startswith("application/problem+json")
    return response.status_code, (response.json().get("code") if is_problem else None)


def test_the_walk_sees_the_routes_clients_may_reach_and_the_others() -> None:
    app = create_app(test_settings("sqlite:///:memory:"))
    routes = set(token_routes(app))
    assert len(routes) >= 30, routes
    for scope in ALL_SCOPES:
        assert opened_by(scope, routes) <= routes, scope
    assert ("GET", "/api/v1/users/me") in routes
    assert ("POST", "/api/v1/auth/token") not in routes  # open to anyone, reads no bearer token


def test_each_scope_opens_exactly_its_routes(server: LiveServer, client: httpx.Client) -> None:
    service = Service(client, server)
    world = build_world(service)
    routes = set(token_routes(server.app))
    wrong = []
    for scope in ALL_SCOPES:
        api_client = service.api_client(world.org_a["id"], world.admin_a, (scope,), f"only {scope}")
        token = service.client_token(api_client)
        opened = opened_by(scope, routes)
        for route in sorted(routes):
            response = client.request(**request_of(world, route, world.org_a["id"]), headers=bearer(token))
            got = outcome(response)
            if route in opened:
                refused = got[0] == 401 or got in (SCOPE_REFUSED, (404, "ORGANIZATION_NOT_FOUND"))
                known = scope != "webhooks:manage"
                if refused or (known and got[0] not in (200, 201)):
                    wrong.append(
                        f"  {scope}: {' '.join(route)} should be allowed, got {got}: {response.text[:200]}"
                    )
            elif got != SCOPE_REFUSED:
                wrong.append(f"  {scope}: {' '.join(route)} should be refused, got {got}")
    assert wrong == [], "\n" + "\n".join(wrong)


def test_a_client_never_reaches_another_organization(server: LiveServer, client: httpx.Client) -> None:
    """B's client, holding every scope, on A's routes: 404 where its scopes open the route (as a
    non-member), 403 ``INSUFFICIENT_SCOPE`` elsewhere; never A's data."""
    service = Service(client, server)
    world = build_world(service)
    routes = set(token_routes(server.app))
    every_opened = set().union(*(opened_by(scope, routes) for scope in ALL_SCOPES))
    wrong = []
    for route in sorted(routes):
        request = request_of(world, route, world.org_a["id"])
        got = outcome(client.request(**request, headers=bearer(world.tokens["other_client"])))
        expected = (404, "ORGANIZATION_NOT_FOUND") if route in every_opened else SCOPE_REFUSED
        if got != expected:
            wrong.append(f"  {' '.join(route)}: expected {expected}, got {got}")
    assert wrong == [], "\n" + "\n".join(wrong)


def test_a_token_asked_with_fewer_scopes_holds_only_those(server: LiveServer, client: httpx.Client) -> None:
    service = Service(client, server)
    world = build_world(service)
    api_client = service.api_client(world.org_a["id"], world.admin_a, ("students:read", "campaigns:read"))
    token = service.client_token(api_client, scope="campaigns:read")
    org = world.org_a["id"]
    assert client.get(f"/api/v1/organizations/{org}/campaigns", headers=bearer(token)).status_code == 200
    refused = client.get(f"/api/v1/organizations/{org}/students", headers=bearer(token))
    assert outcome(refused) == SCOPE_REFUSED
