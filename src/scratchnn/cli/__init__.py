"""The command line, a module per command: ``scratchnn train`` trains a network and shows what
it learned, ``predict`` and ``plot`` use a saved one, ``export`` writes it for other runtimes,
``trace`` shows one training step formula by formula, ``check`` checks a course solution,
``playground`` serves a web page to watch a network learn."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from . import check, export, playground, plot, predict, trace, train
from .common import CommandParser, fail

__all__ = ["build_parser", "main"]

COMMANDS = {"train": train, "predict": predict, "plot": plot, "export": export, "trace": trace,
            "check": check, "playground": playground}


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command."""
    parser = CommandParser(prog="scratchnn", description="Neural networks from scratch.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=CommandParser)
    for command in COMMANDS.values():
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``scratchnn`` command line with ``argv`` (default: ``sys.argv[1:]``).

    Every error is one line on standard error and exit code 2, never a traceback.
    """
    args = build_parser().parse_args(argv)
    try:
        COMMANDS[args.command].run(args)
    except MemoryError:
        fail("not enough memory for this: try a smaller network (--hidden) or data set")
    except (ValueError, TypeError, OSError, ImportError) as error:
        fail(str(error).splitlines()[0] if str(error) else type(error).__name__)
