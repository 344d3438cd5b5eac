"""Entry point for uvicorn's worker processes: settings read from the environment at start."""

import gc

from fastapi import FastAPI

from api.bootstrap import create_app
from api.middleware import configure_logging
from infrastructure.settings import Settings


def app_factory() -> FastAPI:
    # Each worker process sets up the JSON log itself: with WORKERS above 1, uvicorn starts them
    # as fresh interpreters that do not inherit the parent's logging configuration.
    configure_logging()
    app = create_app(Settings())
    # What the process built to serve (the modules, the app, its schemas) lives as long as it does:
    # frozen, it is left out of the collector's full collections, which otherwise walk all of it
    # while every request in flight waits (benchmarks/bench_gc_pause.py measures both).
    gc.collect()
    gc.freeze()
    return app
