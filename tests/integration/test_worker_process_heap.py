"""A worker process's full garbage collections walk what requests created, not what it built to
start (the event loop stands still while the collector walks)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.processes import ROOT, environment

REPORT = """
import gc, json
from api.asgi import app_factory
before = len(gc.get_objects())
app_factory()
print(json.dumps({"before": before, "frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects())}))
"""


def test_a_worker_process_freezes_what_it_built_to_serve(tmp_path: Path) -> None:
    env = environment(f"sqlite:///{tmp_path / 'heap.db'}")

    done = subprocess.run(
        [sys.executable, "-c", REPORT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert counts["frozen"] > counts["before"]  # the modules and the app, built by then
    assert counts["tracked"] < counts["frozen"] / 10
