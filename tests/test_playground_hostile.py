"""The playground tried as a hostile page or user would, against the server running (uvicorn
on 127.0.0.1, a free port, in a thread of this process): another ``Host`` (DNS rebinding),
another page's ``Origin``, no token or a wrong one are refused with 403, on requests and on
the WebSocket's handshake; binary frames, huge numbers, malformed or deeply nested JSON,
unknown fields and a divergence while playing are each answered with an error, the session
going on; closed connections free their sessions; nothing is logged as an error."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from socket import SHUT_RDWR
from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")
sync_client = pytest.importorskip("websockets.sync.client")
from starlette.applications import Starlette  # noqa: E402

from benchmarks.logged import Logged  # noqa: E402
from scratchnn import load  # noqa: E402
from scratchnn.playground import free_port  # noqa: E402
from scratchnn.playground.server import create_app  # noqa: E402
from tests.test_playground_server import wait_for  # noqa: E402

TOKEN = "the-token-of-this-run"
#: Seconds any answer may take.
PATIENCE = 10


#: Where the server's warnings and errors go (a traceback is logged as an error).
SERVER_LOGGERS = ("uvicorn", "asyncio", "starlette")


@pytest.fixture(scope="module")
def logged() -> Iterator[Logged]:
    """What the server logs while this module's tests run: nothing, checked once it stopped
    (its last words may come after a test's)."""
    handler = Logged()
    for name in SERVER_LOGGERS:
        logging.getLogger(name).addHandler(handler)
    yield handler
    for name in SERVER_LOGGERS:
        logging.getLogger(name).removeHandler(handler)
    assert not handler.messages, handler.messages


@pytest.fixture(scope="module")
def server(logged: Logged) -> Iterator[tuple[Starlette, int]]:
    """The playground served by uvicorn on 127.0.0.1 (its logging not configured), and its
    port."""
    app = create_app(token=TOKEN)
    port = free_port("127.0.0.1")
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                            ws="websockets-sansio", lifespan="off"))
    thread = threading.Thread(target=running.run)
    thread.start()
    try:
        wait_for(lambda: running.started or not thread.is_alive(), PATIENCE)
        assert running.started
        yield app, port
    finally:
        running.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(autouse=True)
def nothing_logged(logged: Logged) -> Iterator[None]:
    """Each test: the server has logged nothing so far."""
    yield
    found = logged.messages.copy()
    logged.messages.clear()
    assert not found


def request(port: int, path: str, headers: dict[str, str] | None = None,
            websocket: bool = False) -> http.client.HTTPResponse:
    """GET ``path`` with ``headers`` (a ``Host`` of 127.0.0.1:port unless given); as a
    WebSocket's opening handshake if ``websocket``."""
    sent = {"Host": f"127.0.0.1:{port}", **(headers or {})}
    if websocket:
        sent.update({"Connection": "Upgrade", "Upgrade": "websocket",
                     "Sec-WebSocket-Version": "13",
                     "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode()})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
    connection.request("GET", path, headers=sent)
    response = connection.getresponse()
    if response.status != 101:  # (an accepted WebSocket's body goes on)
        response.read()
    connection.close()
    return response


@contextlib.contextmanager
def connected(port: int) -> Iterator[tuple[Any, str]]:
    """A WebSocket to the playground (a tab), its hello and first frame read, and the name
    of its session."""
    with sync_client.connect(f"ws://127.0.0.1:{port}/ws?token={TOKEN}",
                             origin=f"http://127.0.0.1:{port}", open_timeout=PATIENCE,
                             close_timeout=PATIENCE, max_size=None) as socket:
        hello = receive(socket)
        assert hello["type"] == "hello" and receive(socket)["type"] == "frame"
        yield socket, hello["session"]


def receive(socket: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(socket.recv(timeout=PATIENCE))
    return message


def receive_until(socket: Any, kind: str, limit: int = 50) -> dict[str, Any]:
    """The next message of type ``kind`` (at most ``limit`` messages read, each within
    ``PATIENCE`` seconds)."""
    for _ in range(limit):
        message = receive(socket)
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind!r} message in {limit}")


# -- the door ------------------------------------------------------------------------------
PATHS = ["/", "/static/playground.js", "/model/0123456789abcdef", "/ws"]
FORGED = {  # name: headers, given a port
    "DNS rebinding: another host name": lambda port: {"Host": f"attacker.example:{port}"},
    "another port": lambda port: {"Host": f"127.0.0.1:{port + 1}"},
    "no port": lambda port: {"Host": "127.0.0.1"},
    "another site's page": lambda port: {"Origin": "https://attacker.example"},
    "a sandboxed page or a file": lambda port: {"Origin": "null"},
    "another origin of this machine": lambda port: {"Origin": f"http://localhost:{port}"},
    "the rebound name's own page": lambda port: {"Host": f"attacker.example:{port}",
                                                 "Origin": f"http://attacker.example:{port}"},
}


@pytest.mark.parametrize("name", list(FORGED))
def test_another_host_or_origin_is_refused_on_requests_and_on_the_handshake(
        server: tuple[Starlette, int], name: str) -> None:
    _, port = server
    headers = FORGED[name](port)
    for path in PATHS:
        response = request(port, f"{path}?token={TOKEN}", headers, websocket=path == "/ws")
        assert response.status == 403, (path, response.status)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "LOCALHOST"])
def test_the_page_of_each_local_name_is_served(server: tuple[Starlette, int],
                                               host: str) -> None:
    _, port = server
    same = {"Host": f"{host}:{port}", "Origin": f"http://{host}:{port}"}
    assert request(port, f"/?token={TOKEN}", same).status == 200
    assert request(port, f"/ws?token={TOKEN}", same, websocket=True).status == 101


@pytest.mark.parametrize("token", ["", "wrong", TOKEN[:-1], TOKEN + "x", "é" + TOKEN[1:]])
def test_without_the_right_token_nothing_is_served(server: tuple[Starlette, int],
                                                  token: str) -> None:
    _, port = server
    with connected(port) as (_, session):  # a tab whose model a page would like
        for path in ["/", "/static/playground.js", f"/model/{session}"]:
            assert request(port, path).status == 403, path  # no token at all
            assert request(port, f"{path}?token={quote(token)}").status == 403, path
            cookie = f"scratchnn-playground-{port}={token}"
            assert request(port, path, {"Cookie": cookie}).status == 403, path
        assert request(port, f"/ws?token={quote(token)}", websocket=True).status == 403
        assert request(port, f"/model/{session}?token={TOKEN}").status == 200


def test_the_token_opens_the_page_and_its_cookie_the_rest(server: tuple[Starlette, int],
                                                          tmp_path: Path) -> None:
    _, port = server
    page = request(port, f"/?token={TOKEN}")
    assert page.status == 200
    cookie = page.getheader("set-cookie", "")
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    with connected(port) as (socket, session):
        for path in ["/static/playground.js", f"/model/{session}", "/ws"]:
            response = request(port, path, {"Cookie": cookie.split(";")[0],
                                            "Origin": f"http://127.0.0.1:{port}"},
                               websocket=path == "/ws")
            assert response.status in (200, 101), (path, response.status)
        socket.send(json.dumps({"type": "step"}))
        assert receive_until(socket, "frame")["epoch"] == 1
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
        connection.request("GET", f"/model/{session}?token={TOKEN}")
        (tmp_path / "model.npz").write_bytes(connection.getresponse().read())
        connection.close()
    assert len(load(tmp_path / "model.npz").history) == 1


# -- the messages --------------------------------------------------------------------------
BAD_MESSAGES: dict[str, tuple[str | bytes, str]] = {  # name: (message, words of the answer)
    "a binary frame": (b"\x00\xff{}", "binary frame"),
    "an empty binary frame": (b"", "binary frame"),
    "a 400-digit number": (json.dumps({"type": "config", "config": {"noise": 10**400}}),
                           "noise must be a number"),
    "a 400-digit seed": (json.dumps({"type": "config", "config": {"seed": 10**400}}),
                         "seed must be an integer"),
    "a 400-digit layer size": (json.dumps({"type": "config", "config": {"hidden": [10**400]}}),
                               "hidden must be"),
    "a 5000-digit number": ('{"type": "config", "config": {"seed": ' + "9" * 5000 + "}}",
                            "malformed message"),
    "1e400": ('{"type": "config", "config": {"learning_rate": 1e400}}', "learning_rate"),
    "NaN": ('{"type": "config", "config": {"learning_rate": NaN}}', "learning_rate"),
    "malformed JSON": ("{not json", "malformed message"),
    "JSON nested too deeply": ("[" * 100_000, "malformed message"),
    "not an object": ("[1, 2]", "JSON object"),
    "an unknown field": ('{"type": "step", "epochs": 5}', "unknown field 'epochs'"),
    "an unknown setting": ('{"type": "config", "config": {"epochs": 5}}', "unknown setting"),
    "an unknown type": (json.dumps({"type": "x" * 100_000}), "unknown message type"),
    "a data set that is an object": ('{"type": "config", "config": {"dataset": {}}}',
                                     "dataset"),
    "a feature that is a list": ('{"type": "config", "config": {"features": [["x1"]]}}',
                                 "features"),
    "an optimizer that is a list": ('{"type": "config", "config": {"optimizer": []}}',
                                    "optimizer"),
}


def test_every_bad_message_is_answered_with_an_error_and_the_session_goes_on(
        server: tuple[Starlette, int]) -> None:
    _, port = server
    with connected(port) as (socket, _):
        for name, (message, words) in BAD_MESSAGES.items():
            socket.send(message)
            error = receive_until(socket, "error")
            assert words in error["message"] and len(error["message"]) < 500, (name, error)
        socket.send(json.dumps({"type": "step"}))  # the session is as it was, and trains
        frame = receive_until(socket, "frame")
        assert frame["epoch"] == 1 and len(frame["units"]) == 2
        socket.send(json.dumps({"type": "pause"}))  # answered too
        assert receive_until(socket, "frame")["epoch"] == 1


def test_a_divergence_while_playing_is_an_error_and_the_session_goes_on(
        server: tuple[Starlette, int]) -> None:
    _, port = server
    with connected(port) as (socket, _):
        socket.send(json.dumps({"type": "config", "config": {
            "activation": "linear", "learning_rate": 10, "hidden": [8] * 6,
            "features": ["x1", "x2", "x1^2", "x2^2", "x1*x2"]}}))
        receive_until(socket, "frame")
        socket.send(json.dumps({"type": "play"}))
        error = receive_until(socket, "error")
        assert "diverged" in error["message"] and "learning rate" in error["message"]
        socket.send(json.dumps({"type": "config", "config": {"learning_rate": 0.001}}))
        frame = receive_until(socket, "frame")
        assert frame["epoch"] == 0  # the epoch that diverged was undone
        socket.send(json.dumps({"type": "step"}))
        assert receive_until(socket, "frame")["epoch"] == 1


def test_closed_connections_free_their_sessions(server: tuple[Starlette, int]) -> None:
    app, port = server
    wait_for(lambda: not app.state.sessions, PATIENCE)  # the other tests' tabs are gone
    with contextlib.ExitStack() as tabs:
        for _ in range(5):
            tabs.enter_context(connected(port))
        assert len(app.state.sessions) == 5
    for number in range(60):  # bad connections, left with the closing handshake or without
        with connected(port) as (socket, _):
            socket.send([b"\x00", "{", json.dumps({"type": "play"})][number % 3])
            if number % 2:
                socket.socket.shutdown(SHUT_RDWR)
    wait_for(lambda: not app.state.sessions, PATIENCE)
