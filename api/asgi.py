"""Entry point for uvicorn's worker processes: settings read from the environment at start."""

from fastapi import FastAPI

from api.bootstrap import create_app
from infrastructure.settings import Settings


def app_factory() -> FastAPI:
    return create_app(Settings())
