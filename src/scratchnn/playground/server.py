"""The playground's web server: the page and its files, a WebSocket per tab, the download.

Each WebSocket connection (each tab) has a ``Session`` of its own.  While the page plays, the
server trains a slice of ``FRAME_SECONDS`` in a worker thread, sends the frame, and starts the
next slice: training never waits for the page, and the event loop stays free for the page's
messages, which are read between slices.

Messages from the page (JSON): ``{"type": "config", "config": {...}}``, ``{"type": "play"}``,
``{"type": "pause"}``, ``{"type": "step"}``, ``{"type": "reset"}``, ``{"type": "code"}``.
To the page: ``hello`` (the session's id, configuration and points), ``frame``, ``code``, and
``error`` with a ``message`` for anything refused; the server goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from .session import Session

__all__ = ["FRAME_SECONDS", "create_app"]

#: Training time between two frames: about 12 frames a second with the frame's own work.
FRAME_SECONDS = 0.08
STATIC = Path(__file__).with_name("static")


def create_app(model_path: str | Path | None = None) -> Starlette:
    """The playground's application; every new tab starts from the model at ``model_path``
    if given (a saved 2-input network), else from the default configuration."""
    if model_path is not None:
        Session.open(model_path)  # a bad file is refused now, not in every tab
    sessions: dict[str, Session] = {}

    def new_session() -> Session:
        return Session.open(model_path) if model_path is not None else Session()

    async def index(request: Request) -> FileResponse:
        return FileResponse(STATIC / "index.html")

    async def download(request: Request) -> Response:
        session = sessions.get(request.path_params["session"])
        if session is None:
            return JSONResponse({"error": "no such session"}, status_code=404)
        return Response(session.model_bytes(), media_type="application/octet-stream",
                        headers={"Content-Disposition":
                                 'attachment; filename="playground-model.npz"'})

    async def play(websocket: WebSocket) -> None:
        await websocket.accept()
        session = new_session()
        name = secrets.token_hex(8)
        sessions[name] = session
        messages: asyncio.Queue[str | None] = asyncio.Queue()

        async def receive() -> None:
            try:
                while True:
                    await messages.put(await websocket.receive_text())
            except (WebSocketDisconnect, RuntimeError):
                await messages.put(None)

        receiver = asyncio.create_task(receive())
        try:
            await websocket.send_json({"type": "hello", "session": name,
                                       "config": session.config, "points": session.points()})
            await websocket.send_json(session.frame())
            playing = False
            while True:
                if playing and messages.empty():
                    rate = await asyncio.to_thread(session.advance, FRAME_SECONDS)
                    await websocket.send_json(session.frame(rate))
                    continue
                text = await messages.get()
                if text is None:
                    return
                playing = await _answer(websocket, session, text, playing)
        finally:
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await receiver
            sessions.pop(name, None)

    return Starlette(routes=[
        Route("/", index),
        Route("/model/{session}", download),
        WebSocketRoute("/ws", play),
        Mount("/static", StaticFiles(directory=STATIC)),
    ])


async def _answer(websocket: WebSocket, session: Session, text: str, playing: bool) -> bool:
    """Act on one message from the page; return whether it is playing now.  Anything refused
    is an ``error`` message to the page, and changes nothing."""
    try:
        message: Any = json.loads(text)
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise ValueError("a message must be a JSON object with a \"type\"")
        kind = message["type"]
        if kind == "play":
            return True
        if kind == "pause":
            return False
        if kind == "step":
            session.step()
            await websocket.send_json(session.frame())
            return False
        if kind == "reset":
            session.reset()
        elif kind == "config":
            session.configure(message.get("config"))
        elif kind == "code":
            await websocket.send_json({"type": "code", "code": session.code()})
            return playing
        else:
            raise ValueError(f"unknown message type {kind!r}: play, pause, step, reset, "
                             f"config or code")
        await websocket.send_json({"type": "hello", "config": session.config,
                                   "points": session.points()})
        await websocket.send_json(session.frame())
        return playing
    except json.JSONDecodeError as error:
        await websocket.send_json({"type": "error", "message": f"malformed message: {error}"})
    except ValueError as error:
        await websocket.send_json({"type": "error", "message": str(error)})
    return playing
