"""A clock that tests move by hand, for workers that take ``now`` as a callable (the dispatchers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """Starts a minute from now, so that what a test queues with the real time is due; moves only
    when told. A second ahead was not enough: in a full run a test's queueing once came more than a
    second after its clock was made, and its e-mail was not due yet."""

    def __init__(self) -> None:
        self.current = datetime.now(UTC) + timedelta(minutes=1)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta
