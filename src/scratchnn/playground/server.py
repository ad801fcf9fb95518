"""The playground's web server: the page and its files, a WebSocket per tab, the download.

Everything is behind the ``guard``: this machine's own page, with the run's token.  Each
WebSocket connection (each tab) has a ``Session`` of its own, freed when the connection
closes.  While the page plays, the server trains a slice of ``FRAME_SECONDS`` in a worker
thread, sends the frame, and starts the next slice: training never waits for the page, and
the event loop stays free for the page's messages, which are read between slices.

The WebSocket's address may say the page's language, ``/ws?lang=fr`` (default English): the
session's code, diagnoses and messages are in it.  Messages from the page (JSON text):
``{"type": "config", "config": {...}}`` (with ``"discard": true`` to throw the opened model
away for a new network), ``{"type": "play"}``, ``{"type": "pause"}``, ``{"type": "step"}``,
``{"type": "reset"}``, ``{"type": "code"}``.  To the page: ``hello`` (the session's id,
configuration and points), ``frame``, ``code``, ``confirm`` (a change that would throw the opened
model away, not done: its ``message`` and ``config`` to send again with ``discard``), and
``error`` with a ``message`` for anything refused (a binary frame, malformed JSON, an unknown
field, a bad setting) and for training that diverged; the session goes on as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import reprlib
import secrets
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from .guard import Guard, cookie_name
from .session import ModelWouldBeLost, Session
from .words import LANGUAGES

__all__ = ["FRAME_SECONDS", "create_app"]

#: Training time between two frames: about 12 frames a second with the frame's own work.
FRAME_SECONDS = 0.08
#: The messages of a page waiting to be answered; past that the server reads no more.
WAITING_MESSAGES = 64
STATIC = Path(__file__).with_name("static")
#: What a message may hold besides its type, by type.
FIELDS = {"config": {"config", "discard"}, "play": set(), "pause": set(), "step": set(),
          "reset": set(), "code": set()}


def create_app(model_path: str | Path | None = None, token: str | None = None) -> Starlette:
    """The playground's application; every new tab starts from the model at ``model_path``
    if given (a 2-input network saved by either engine), else from the default
    configuration.  Every request needs ``token`` (default: a new random one), kept with the
    tabs' sessions in ``app.state``."""
    if model_path is not None:
        Session.open(model_path)  # a bad file is refused now, not in every tab
    token = token or secrets.token_urlsafe(32)
    sessions: dict[str, Session] = {}

    def new_session(lang: str) -> Session:
        return Session.open(model_path, lang) if model_path is not None else Session(lang=lang)

    async def index(request: Request) -> FileResponse:
        response = FileResponse(STATIC / "index.html")
        # The guard let the token in: the page's own requests carry it from now on.
        response.set_cookie(cookie_name(request.scope["server"][1]), token, httponly=True,
                            samesite="strict")
        return response

    async def download(request: Request) -> Response:
        session = sessions.get(request.path_params["session"])
        if session is None:
            return JSONResponse({"error": "no such session"}, status_code=404)
        return Response(session.model_bytes(), media_type="application/octet-stream",
                        headers={"Content-Disposition":
                                 'attachment; filename="playground-model.npz"'})

    async def play(websocket: WebSocket) -> None:
        await websocket.accept()
        lang = websocket.query_params.get("lang", "en")
        try:  # (the first session imports a while)
            session = await asyncio.to_thread(new_session, lang if lang in LANGUAGES else "en")
        except (OSError, ValueError) as error:  # the model's file changed since the start
            await websocket.send_json({"type": "error", "message": str(error)})
            await websocket.close()
            return
        name = secrets.token_hex(8)
        sessions[name] = session
        messages: asyncio.Queue[str | bytes | None] = asyncio.Queue(WAITING_MESSAGES)
        reader = asyncio.create_task(_read(websocket, messages))
        try:
            await websocket.send_json({"type": "hello", "session": name,
                                       "config": session.config, "points": session.points()})
            await websocket.send_json(session.frame())
            playing = False
            while True:
                if playing and messages.empty():
                    playing = await _play_slice(websocket, session)
                    continue
                message = await messages.get()
                if message is None:
                    return
                playing = await _answer(websocket, session, message, playing)
        except WebSocketDisconnect:  # the page left while being sent something
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            sessions.pop(name, None)

    app = Starlette(routes=[
        Route("/", index),
        Route("/model/{session}", download),
        WebSocketRoute("/ws", play),
        Mount("/static", StaticFiles(directory=STATIC)),
    ], middleware=[Middleware(Guard, token=token)])
    app.state.token = token
    app.state.sessions = sessions
    return app


async def _read(websocket: WebSocket, messages: asyncio.Queue[str | bytes | None]) -> None:
    """Put each message of the page in ``messages``, its text (or bytes, for a binary
    frame), and None when the page has left."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            await messages.put(None)
            return
        text = message.get("text")
        await messages.put(text if text is not None else message.get("bytes") or b"")


async def _play_slice(websocket: WebSocket, session: Session) -> bool:
    """Train a slice and send its frame; return whether to play on (not if training
    diverged: the page is told, and the session is at the last epoch that did not)."""
    try:
        rate = await asyncio.to_thread(session.advance, FRAME_SECONDS)
    except ValueError as error:
        await websocket.send_json(session.frame())
        await websocket.send_json({"type": "error", "message": str(error)})
        return False
    await websocket.send_json(session.frame(rate))
    return True


def _parse(message: str | bytes) -> dict[str, Any]:
    """The message as a dict with a known ``type`` and its fields only; else a ValueError."""
    if isinstance(message, bytes):
        raise ValueError("a message must be JSON text, got a binary frame")
    try:
        parsed = json.loads(message)
    except (ValueError, RecursionError) as error:  # RecursionError: nested too deeply
        raise ValueError(f"malformed message: {error}") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("type"), str):
        raise ValueError("a message must be a JSON object with a \"type\"")
    kind = parsed["type"]
    if kind not in FIELDS:
        raise ValueError(f"unknown message type {reprlib.repr(kind)}: {', '.join(FIELDS)}")
    unknown = sorted(set(parsed) - {"type"} - FIELDS[kind])
    if unknown:
        raise ValueError(f"unknown field {reprlib.repr(unknown[0])} in a {kind} message")
    return parsed


async def _answer(websocket: WebSocket, session: Session, text: str | bytes,
                  playing: bool) -> bool:
    """Act on one message from the page; return whether it is playing now.  Anything refused
    is an ``error`` message to the page, and changes nothing."""
    try:
        message = _parse(text)
        kind = message["type"]
        if kind == "play":
            return True
        if kind == "pause":
            await websocket.send_json(session.frame())
            return False
        if kind == "step":
            session.step()
            await websocket.send_json(session.frame())
            return False
        if kind == "reset":
            session.reset()
        elif kind == "config":
            discard = message.get("discard", False)
            if not isinstance(discard, bool):
                raise ValueError(f"discard must be true or false, got {reprlib.repr(discard)}")
            try:
                session.configure(message.get("config"), discard)
            except ModelWouldBeLost as question:
                await websocket.send_json({"type": "confirm", "message": str(question),
                                           "config": message.get("config")})
                return playing
        else:
            await websocket.send_json({"type": "code", "code": session.code()})
            return playing
        await websocket.send_json({"type": "hello", "config": session.config,
                                   "points": session.points()})
        await websocket.send_json(session.frame())
        return playing
    except ValueError as error:
        await websocket.send_json({"type": "error", "message": str(error)})
    return playing
