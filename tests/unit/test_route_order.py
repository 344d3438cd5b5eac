"""FastAPI tries the routes one after the other: the order is part of what a request costs."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute

from api.bootstrap import create_app
from api.routers import auth, joining
from infrastructure.settings import Settings


def app() -> FastAPI:
    return create_app(Settings(_env_file=None, database_url="sqlite:///:memory:"))


def test_the_routes_of_pupils_joining_campaigns_are_tried_before_any_other() -> None:
    first = app().router.routes[0]
    tried = [route.path for route in joining.router.routes if isinstance(route, APIRoute)]

    assert getattr(first, "original_router", None) is joining.router
    assert tried.index("/api/v1/campaigns/{code}/student-matches") < 2


def test_the_documentation_still_lists_the_routes_in_the_order_of_the_activation_steps() -> None:
    document = app().openapi()

    first_path = next(iter(document["paths"]))

    assert first_path == next(route.path for route in auth.router.routes if isinstance(route, APIRoute))


def test_a_route_added_later_is_still_documented() -> None:
    application = app()

    @application.get("/added-later", operation_id="added_later")
    def added_later() -> dict[str, str]:
        return {}

    assert "/added-later" in application.openapi()["paths"]


def _api_routes() -> list[APIRoute]:
    """Every API route, those of the included routers too (the app lists the routers)."""
    found: list[APIRoute] = []
    for entry in app().router.routes:
        router = getattr(entry, "original_router", None)
        found += [route for route in (router.routes if router else [entry]) if isinstance(route, APIRoute)]
    return found


def _sample(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


def test_no_route_of_another_router_matches_a_joining_path_nor_the_reverse() -> None:
    """Trying the joining routes first changes which route answers nothing: no path of theirs is
    matched by another route's pattern, nor theirs by another's path."""
    routes = _api_routes()
    first = [route for route in routes if route in joining.router.routes]
    others = [route for route in routes if route not in joining.router.routes]

    crossed = [
        (a.path, b.path)
        for a, b in [*((a, b) for a in first for b in others), *((b, a) for a in first for b in others)]
        if b.path_regex.match(_sample(a.path))
    ]

    assert first
    assert all(route.path_regex.match(_sample(route.path)) for route in routes)  # the samples are paths
    assert crossed == []
