"""The tests' webhook receivers (``tests/support/webhooks.py``) behave as a real receiver does, so
that what a dispatcher test sees comes from the dispatcher, not from the receiver."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest

from tests.support.webhooks import ThreadedReceiver

BATCH = 16
"""The webhook dispatcher's default concurrency: how many connections a batch opens at once."""


@contextmanager
def connections(port: int, count: int) -> Iterator[list[socket.socket]]:
    with ExitStack() as stack:
        yield [
            stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=2))
            for _ in range(count)
        ]


def post(number: int) -> bytes:
    body = b'{"n": %d}' % number
    return b"POST /hooks HTTP/1.1\r\nHost: receiver\r\nwebhook-id: msg_%d\r\nContent-Length: %d\r\n\r\n%s" % (
        number,
        len(body),
        body,
    )


def test_the_threaded_receiver_queues_a_batch_of_connections_until_it_accepts_them() -> None:
    receiver = ThreadedReceiver()  # listening, not accepting yet: every connection has to wait
    with connections(receiver.port, BATCH) as opened:
        for number, connection in enumerate(opened, start=1):
            connection.sendall(post(number))
        with receiver:
            received = receiver.wait_for(BATCH)
            for connection in opened:
                assert connection.recv(1024).startswith(b"HTTP/1.1 204")
    assert sorted(request.headers["webhook-id"] for request in received) == sorted(
        f"msg_{number}" for number in range(1, BATCH + 1)
    )


def test_the_threaded_receiver_does_not_record_a_request_cut_before_its_body_is_complete() -> None:
    with ThreadedReceiver() as receiver, connections(receiver.port, 1) as [connection]:
        whole = post(1)
        connection.sendall(whole[: len(whole) - 3])
        connection.shutdown(socket.SHUT_WR)  # what a killed sender's kernel does
        assert connection.recv(1024) == b"", "the receiver answered a request it did not get"
        assert receiver.received == []


def test_the_threaded_receiver_is_idle_once_it_has_read_what_a_sender_gone_meanwhile_had_sent() -> None:
    receiver = ThreadedReceiver()  # not accepting yet: the connection waits in the kernel's queue
    with connections(receiver.port, 1) as [connection]:
        connection.sendall(post(1))
    with pytest.raises(TimeoutError):
        receiver.wait_idle(timeout=0.2)
    with receiver:
        receiver.wait_idle()
        assert [request.headers["webhook-id"] for request in receiver.received] == ["msg_1"]
