"""FastAPI tries the routes one after the other: the order is part of what a request costs."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute

from api.bootstrap import create_app
from api.routers import auth, campaigns
from infrastructure.settings import Settings


def app() -> FastAPI:
    return create_app(Settings(_env_file=None, database_url="sqlite:///:memory:"))


def test_the_routes_of_pupils_joining_campaigns_are_tried_before_any_other() -> None:
    first = app().router.routes[0]

    assert getattr(first, "original_router", None) is campaigns.router
    assert any(
        isinstance(route, APIRoute) and route.path.endswith("/student-matches")
        for route in campaigns.router.routes
    )


def test_the_documentation_still_lists_the_routes_in_the_order_of_the_activation_steps() -> None:
    document = app().openapi()

    first_path = next(iter(document["paths"]))

    assert first_path == next(route.path for route in auth.router.routes if isinstance(route, APIRoute))
