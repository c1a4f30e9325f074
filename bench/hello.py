"""A bare ASGI application answering every HTTP request with 200 ``hello``: the ceiling of the
server stack itself (uvicorn, its event loop and HTTP parser, the same worker count and options
as ``idmint serve``) against which bench/load.py compares idmint's cheap endpoints.

    .venv/bin/python -m uvicorn bench.hello:app --port 8791 --no-access-log --no-server-header
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_HEADERS = [(b"content-type", b"text/plain"), (b"content-length", b"5")]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": b"hello"})
