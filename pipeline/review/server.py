"""Serving the review app: a loopback socket and a uvicorn server on it.

The socket is bound before the server starts, so a free port (``0``) is known in time to
print the URL, and the app is never reachable from another machine.
"""

from __future__ import annotations

import socket

import uvicorn
from starlette.types import ASGIApp

HOST = "127.0.0.1"


def bind(port: int = 0, host: str = HOST) -> socket.socket:
    """A listening socket on loopback (a free port when ``port`` is 0)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def make_server(app: ASGIApp, sock: socket.socket) -> uvicorn.Server:
    """A uvicorn server for ``app``; run it with ``server.run(sockets=[sock])``."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    return uvicorn.Server(config)
