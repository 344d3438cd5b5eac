"""Writes the OpenAPI description of the app (``make openapi``); a test fails when it is stale."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from api.bootstrap import create_app
from infrastructure.settings import Settings


def openapi_document() -> dict[str, Any]:
    app = create_app(Settings(_env_file=None, database_url="sqlite:///:memory:"))
    return app.openapi()


def render() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "openapi/openapi.json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
