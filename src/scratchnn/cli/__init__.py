"""The command line, a module per command: ``scratchnn train`` trains a network and shows what
it learned, ``predict`` and ``plot`` use a saved one, ``export`` writes it for other runtimes,
``trace`` shows one training step formula by formula, ``check`` checks a course solution,
``playground`` serves a web page to watch a network learn."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from . import check, export, playground, plot, predict, trace, train
from .common import CommandParser, fail, first_line, interrupted

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

    Every error is one line on standard error and exit code 2, never a traceback; Ctrl-C is
    one line and exit code 130.
    """
    try:
        args = build_parser().parse_args(argv)
        COMMANDS[args.command].run(args)
    except KeyboardInterrupt:
        interrupted()
    except MemoryError:
        fail("not enough memory for this: try a smaller network (--hidden) or data set")
    except (ValueError, TypeError, OSError, ImportError) as error:
        fail(first_line(error))
    except Exception as error:  # a library's own error class (TensorFlow's, a CSV's ...)
        fail(f"{type(error).__name__}: {first_line(error)}")
