"""The playground's door: only its own page, on this machine, with the run's token, gets in.

As Jupyter's server does, a request is refused with HTTP 403, a plain one or a WebSocket's
handshake alike, when its ``Host`` is not 127.0.0.1, localhost or [::1] with the server's port
(a web page reaching the server by DNS rebinding), when its ``Origin`` is not the page's own
(another site's page in the user's browser: browsers send ``Origin`` with every WebSocket
handshake and with every cross-site request that could change something), or when it lacks
the run's token.  The token is in the address ``serve`` prints and opens (``?token=...``);
the page opened with it keeps it in a cookie, which the browser sends with the page's own
requests only.
"""

from __future__ import annotations

import hmac

from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

__all__ = ["Guard", "cookie_name", "refusal"]

LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")


def cookie_name(port: int) -> str:
    """The token's cookie: one per port, as browsers keep a machine's cookies for all its
    ports together."""
    return f"scratchnn-playground-{port}"


def refusal(connection: HTTPConnection, token: str) -> str | None:
    """Why ``connection`` is refused, or None if it may go in."""
    port: int = connection.scope["server"][1]  # the playground listens on TCP only
    host = connection.headers.get("host", "").lower()
    allowed = {f"{name}:{port}" for name in LOCAL_NAMES}
    if port == 80:  # the port browsers leave out
        allowed.update(LOCAL_NAMES)
    if host not in allowed:
        return f"Host {host!r} refused: the playground answers at 127.0.0.1:{port} only"
    origin = connection.headers.get("origin")
    if origin is not None and origin.lower() != f"http://{host}":
        return f"Origin {origin!r} refused: only the playground's own page may use it"
    given = connection.query_params.get("token", connection.cookies.get(cookie_name(port), ""))
    if not hmac.compare_digest(given.encode(), token.encode()):
        return ("a wrong or missing token: open the playground at the address "
                "`scratchnn playground` printed, with its ?token=")
    return None


class Guard:
    """ASGI middleware: what ``refusal`` refuses gets HTTP 403 (with the reason, but for a
    WebSocket)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            reason = refusal(HTTPConnection(scope), self.token)
            if reason is not None:
                # A WebSocket closed before it is accepted: the server answers 403.
                refuse = (WebSocketClose() if scope["type"] == "websocket"
                          else PlainTextResponse(reason, status_code=403))
                await refuse(scope, receive, send)
                return
        await self.app(scope, receive, send)
