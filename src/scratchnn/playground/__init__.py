"""``scratchnn playground``: watch a network learn, in the browser, on the NumPy engine.

A local web page in the manner of TensorFlow Playground: pick a data set, the input features
and the network, press play, and watch the decision boundary, every unit's picture, the
weights and the losses change while the NumPy engine trains.  ``data`` holds the data sets
and features, ``session`` one page's training (the engine's ``Perceptron`` and ``fit``, and
the pictures), ``code`` the script of "Show code" that trains the same way, ``words`` the
page's words in English and French (``static/words.json``), ``server`` the web server
(Starlette, uvicorn and WebSockets, the extra ``pip install 'scratchnn[playground]'``),
``guard`` what keeps other web pages and machines out (the run's token), ``static`` the page,
served by the package: no network is needed.
"""

from __future__ import annotations

import socket
import threading
import webbrowser
from pathlib import Path

from ..language import current_language, say

__all__ = ["require", "serve"]


def require() -> None:
    """Raise an ImportError saying what to install if the web stack is missing."""
    try:
        import sklearn  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
        import websockets  # noqa: F401
    except ImportError:
        raise ImportError("the playground needs its web server: "
                          "pip install 'scratchnn[playground]'") from None


def free_port(host: str) -> int:
    """A port nobody listens on at ``host`` now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def serve(port: int | None = None, host: str = "127.0.0.1", open_browser: bool = True,
          model_path: str | Path | None = None) -> None:
    """Serve the playground at ``http://host:port/?token=...`` (a free port by default, a new
    token) until Ctrl-C, opening it in the user's browser; every tab starts from
    ``model_path`` if given.  Nothing is served without the token (see ``guard``)."""
    require()
    import uvicorn

    from .server import create_app

    app = create_app(model_path)
    port = free_port(host) if port is None else port
    # The page speaks the command's language (the browser's own when it is English).
    in_french = "&lang=fr" if current_language() == "fr" else ""
    address = f"http://{host}:{port}/?token={app.state.token}{in_french}"
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", ws="websockets-sansio")
    server = uvicorn.Server(config)
    print(say("playground_at", address=address), flush=True)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(address,)).start()
    server.run()
