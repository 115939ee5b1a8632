"""The browser tests' server closes every answer, even when the client resets the
connection while werkzeug drains it (werkzeug then skips the close, and an open static file
warned later from the garbage collector, failing an unrelated browser test in CI)."""

from __future__ import annotations

import socket
import struct
import time

from .conftest import served


class _Answer:
    """A response body that records whether the server closed it."""

    closed = False

    def __iter__(self):
        yield b"<svg/>"

    def close(self) -> None:  # a second close (werkzeug may call it too) does no harm
        self.closed = True


def test_an_answer_is_closed_when_the_client_resets_the_connection():
    made: list[_Answer] = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "image/svg+xml"), ("Content-Length", "6")])
        made.append(_Answer())
        return made[-1]

    asked = 30
    with served(app) as url:
        port = int(url.rsplit(":", 1)[1])
        for _ in range(asked):
            client = socket.create_connection(("127.0.0.1", port))
            # Bytes after the request keep the socket readable, so werkzeug drains it; the
            # reset arrives while it does.
            client.sendall(b"GET /favicon.svg HTTP/1.1\r\nHost: t\r\n\r\nleftover")
            assert client.recv(4096).startswith(b"HTTP/1.1 200")
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        deadline = time.monotonic() + 5
        while not all(answer.closed for answer in made) and time.monotonic() < deadline:
            time.sleep(0.01)
    assert len(made) == asked
    assert sum(answer.closed for answer in made) == asked
