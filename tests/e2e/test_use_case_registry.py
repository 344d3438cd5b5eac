"""The use cases the routes ask for by their class are the ones the composition root registers."""

import importlib
import pkgutil

from fastapi.routing import APIRoute

import api.routers
from api.use_cases import UseCaseDependency


def asked_for(dependant):
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, UseCaseDependency):
            yield dependency.call.kind
        yield from asked_for(dependency)


def test_the_routes_ask_for_the_registered_use_cases(server):
    routers = [
        importlib.import_module(f"api.routers.{module.name}").router
        for module in pkgutil.iter_modules(api.routers.__path__)
    ]
    kinds = {
        kind
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute)
        for kind in asked_for(route.dependant)
    }
    registered = server.app.state.use_cases
    assert kinds == registered.kinds()
    for kind in kinds:
        assert isinstance(registered.get(kind), kind)
