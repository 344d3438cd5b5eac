"""The service's log, captured as production writes it: the app's own JSON handler
(``api.middleware.json_log_handler``) on the root logger, at the level ``pix-orga serve`` runs at."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from api.middleware import json_log_handler

ACCESS_LOGGER = "pix_orga.access"
# The tests' HTTP client logs in the same process; its lines are the test's, not the service's.
CLIENT_LOGGERS = ("httpx", "httpcore")


class CapturedLogs:
    def __init__(self, stream: io.StringIO) -> None:
        self._stream = stream

    @property
    def text(self) -> str:
        """The raw lines, as they would reach the log collector."""
        return self._stream.getvalue()

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def access(self) -> list[dict[str, Any]]:
        return [record for record in self.records() if record.get("name") == ACCESS_LOGGER]

    def searchable(self) -> str:
        """The raw lines and the same records with their non-ASCII characters unescaped: JSON
        writes ``é`` as ``\\u00e9``, which a plain search for "Zoé" would miss."""
        decoded = "\n".join(json.dumps(record, ensure_ascii=False) for record in self.records())
        return self.text + "\n" + decoded


def _not_the_test_client(record: logging.LogRecord) -> bool:
    return not record.name.startswith(CLIENT_LOGGERS)


@contextmanager
def captured_logs(level: int = logging.INFO) -> Iterator[CapturedLogs]:
    """Every record logged in this process meanwhile (the live servers run in threads of it),
    formatted by the service's JSON handler."""
    assert not logging.getLogger(ACCESS_LOGGER).disabled, "the access logger was disabled"
    stream = io.StringIO()
    handler = json_log_handler(stream)
    handler.addFilter(_not_the_test_client)
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield CapturedLogs(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)
