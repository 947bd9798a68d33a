"""Serving the application: a socket bound first (port 0 asks the system for a free one), so the
URL is known and printed before the server starts; uvicorn then serves on it until interrupted."""

from __future__ import annotations

import socket
from collections.abc import Callable

import uvicorn

from kadmin.core.errors import KadminError
from kadmin.web.app import build_app
from kadmin.web.reads import Source


def bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        # Listening now, so that a browser opened on the printed URL waits rather than being refused.
        sock.listen(128)
    except OSError as err:
        raise KadminError(
            f"cannot listen on {host}:{port} ({err.strerror or err})",
            where="--host/--port",
            hint="pick another --port, or leave it out for a free one",
        ) from None
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(source: Source, sock: socket.socket, host: str, announce: Callable[[str], None]) -> None:
    """Serve until interrupted (Ctrl-C); `announce` gets the URL once the socket listens."""
    app = build_app(source, host=host)
    # Access logs stay off: a page's address is all they would add, and errors reach the page.
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
        timeout_graceful_shutdown=5,  # Ctrl-C waits this long at most for open requests
    )
    server = uvicorn.Server(config)
    announce(url_of(sock))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        source.close()
