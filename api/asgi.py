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
    # What the process built to serve (the modules, the app, its schemas: some 200,000 objects)
    # lives as long as it does: frozen, it is left out of the collector's full collections, which
    # otherwise walk all of it and stall every request in flight (100 to 140 ms here, 1 to 3 ms frozen;
    # benchmarks/bench_gc_pause.py).
    gc.collect()
    gc.freeze()
    return app
