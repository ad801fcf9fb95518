"""``scratchnn playground``: a local web page to watch a network learn (see
``scratchnn.playground``)."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from ..language import say
from .common import add_language, fail, require_file

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    """Add ``playground`` and its options to the subcommands."""
    command = commands.add_parser(
        "playground", help=say("help_playground"),
        description=say("about_playground"))
    command.add_argument("--port", type=int, default=None,
                         help=say("help_playground_port"))
    command.add_argument("--no-browser", action="store_true",
                         help=say("help_playground_no_browser"))
    command.add_argument("--model", metavar=say("metavar_path"),
                         help=say("help_playground_model"))
    add_language(command)


def run(args: argparse.Namespace) -> None:
    """Serve the playground until Ctrl-C."""
    from ..playground import require, serve

    if args.port is not None and not 0 < args.port < 65536:
        fail("between", option="--port", low=1, high=65535, value=args.port)
    if args.model is not None:
        require_file(args.model, "--model")
    try:
        require()
    except ImportError:
        fail("no_web_server")
    with contextlib.suppress(KeyboardInterrupt):
        serve(args.port, open_browser=not args.no_browser, model_path=args.model)
