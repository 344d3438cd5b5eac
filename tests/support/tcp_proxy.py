"""A TCP proxy between one app (or worker) and PostgreSQL that a test stops, starts and freezes.

The PostgreSQL server is shared by every test and database on the machine, so a test must never
stop it. Pointing the app under test at this proxy makes "the database stops" affect that app
only, and as a real stop does: open connections are cut, and new ones are refused (the listening
socket is closed, so ``connect`` fails with ``ECONNREFUSED``) until ``start()`` listens again on
the same port.

Faults are timed by what the app sends, never by sleeping:

- ``cut_at_commit_after(marker)``: the first ``COMMIT`` sent on a connection that sent
  ``marker`` (e.g. ``b"INSERT INTO users"``) is not forwarded: the database stops at that moment,
  with the transaction's writes made and not committed. asyncpg sends a statement's text once per
  connection (then its prepared name): the marker must be a statement the app's connections have
  not run yet, which holds for a server of the test's own; the test checks that the fault fired;
- ``cut_at_commit_after(marker, freeze=True)``: the database stops answering at that COMMIT
  instead (a frozen server, a network partition: no refusal, no reset);
- ``freeze()``: from now on, bytes from the app are held, not forwarded; ``held`` is set when
  the first held bytes arrive, so the test knows the app is waiting on the database.

``stop()`` ends a freeze (the held bytes are dropped with their connections).

The proxy runs its own event loop in a thread; its methods are called from the test's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.engine import make_url

T = TypeVar("T")

COMMIT = b"COMMIT"


@dataclass(eq=False)
class _Link:
    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter
    saw_marker: bool = False
    tail: bytes = b""

    def abort(self) -> None:
        for writer in (self.client, self.upstream):
            writer.transport.abort()


@dataclass
class _Trigger:
    marker: bytes
    freeze: bool
    fired: threading.Event = field(default_factory=threading.Event)


class TcpProxy:
    def __init__(self, target_host: str = "127.0.0.1", target_port: int = 5432) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.held = threading.Event()
        self._links: set[_Link] = set()
        self._server: asyncio.Server | None = None
        self._trigger: _Trigger | None = None
        self._frozen = False
        self._thaw = asyncio.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="tcp-proxy")

    # --- control, from the test's thread ---------------------------------------------------------

    def start(self) -> TcpProxy:
        """Listen (again, on the same port once it was chosen)."""
        if not self._thread.is_alive():
            self._thread.start()
        self._call(self._listen())
        return self

    def stop(self) -> None:
        """The database goes away: the listener closes, every open connection is cut."""
        self._call(self._stop())

    def cut_at_commit_after(self, marker: bytes, *, freeze: bool = False) -> threading.Event:
        """Arm a one-shot fault (see the module docstring); the event is set when it fired.
        ``freeze``: the database stops answering at that COMMIT instead of going away."""
        trigger = _Trigger(marker, freeze)

        async def arm() -> None:
            for link in self._links:
                link.saw_marker, link.tail = False, b""
            self._trigger = trigger

        self._call(arm())
        return trigger.fired

    def freeze(self) -> None:
        async def freeze() -> None:
            self.held.clear()
            self._thaw.clear()
            self._frozen = True

        self._call(freeze())

    def close(self) -> None:
        if self._thread.is_alive():
            self._call(self._stop())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()

    def url_for(self, database_url: str) -> str:
        """``database_url`` going through this proxy."""
        return (
            make_url(database_url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)
        )

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    # --- on the proxy's loop ---------------------------------------------------------------------

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._accept, "127.0.0.1", self.port, reuse_address=True
            )
            self.port = int(self._server.sockets[0].getsockname()[1])

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._frozen = False
        self._thaw.set()
        await self._cut_links()

    async def _cut_links(self) -> None:
        for link in list(self._links):
            link.abort()
        self._links.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        link = _Link(writer, upstream_writer)
        self._links.add(link)
        try:
            await asyncio.gather(
                self._pump_from_app(link, reader),
                self._pump(upstream_reader, writer),
            )
        finally:
            link.abort()
            self._links.discard(link)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()

    async def _pump_from_app(self, link: _Link, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                if self._frozen:
                    self.held.set()
                    await self._thaw.wait()
                    return  # the connection was cut meanwhile; nothing is forwarded
                if (trigger := self._fires(link, data)) is not None:
                    if not trigger.freeze:
                        await self._stop()
                        return
                    self._frozen = True
                    self._thaw.clear()
                    self.held.set()
                    await self._thaw.wait()
                    return
                link.upstream.write(data)
                await link.upstream.drain()
        link.upstream.transport.abort()

    def _fires(self, link: _Link, data: bytes) -> _Trigger | None:
        trigger = self._trigger
        if trigger is None:
            return None
        window = link.tail + data
        marker_at = window.find(trigger.marker) if not link.saw_marker else 0
        if marker_at >= 0:
            link.saw_marker = True
            if window.find(COMMIT, marker_at) >= 0:
                self._trigger = None
                trigger.fired.set()
                return trigger
        keep = max(len(trigger.marker), len(COMMIT)) - 1
        link.tail = window[-keep:]
        return None


@contextmanager
def proxy_to(database_url: str) -> Iterator[TcpProxy]:
    """A started proxy to the server of ``database_url``; closed at the end."""
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    try:
        yield proxy
    finally:
        proxy.close()
