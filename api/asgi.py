"""Entry point for uvicorn's worker processes: settings read from the environment at start."""

from fastapi import FastAPI

from api.bootstrap import create_app
from api.middleware import configure_logging
from infrastructure.settings import Settings


def app_factory() -> FastAPI:
    # Each worker process sets up the JSON log itself: with WORKERS above 1, uvicorn starts them
    # as fresh interpreters that do not inherit the parent's logging configuration.
    configure_logging()
    return create_app(Settings())
