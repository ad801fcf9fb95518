"""The command line, a module per command: ``scratchnn train`` trains a network and shows what
it learned, ``predict`` and ``plot`` use a saved one, ``export`` writes it for other runtimes,
``trace`` shows one training step formula by formula, ``check`` checks a course solution,
``playground`` serves a web page to watch a network learn.

Every command speaks English or French: ``--lang``, else the environment's locale
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``), as ``scratchnn.language`` says.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..language import LANGUAGES, language_of_environment, say, speaking
from . import check, export, playground, plot, predict, trace, train
from .common import CommandParser, fail, first_line, interrupted, os_reason

__all__ = ["build_parser", "language_asked", "main"]

COMMANDS = {"train": train, "predict": predict, "plot": plot, "export": export, "trace": trace,
            "check": check, "playground": playground}


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (its words in the current language)."""
    parser = CommandParser(prog="scratchnn", description=say("about_scratchnn"))
    commands = parser.add_subparsers(dest="command", required=True, parser_class=CommandParser,
                                     metavar="{" + ",".join(COMMANDS) + "}")
    for command in COMMANDS.values():
        command.add_parser(commands)
    return parser


def language_asked(argv: Sequence[str]) -> str:
    """The language of ``--lang`` in ``argv`` (or of an abbreviation argparse accepts, such
    as ``--lan``), read before parsing so that argparse's own errors speak it too; else the
    environment's."""
    for index, argument in enumerate(argv):
        option, equals, value = argument.partition("=")
        if len(option) >= 4 and "--lang".startswith(option):
            value = value if equals else (argv[index + 1] if index + 1 < len(argv) else "")
            if value in LANGUAGES:
                return value
    return language_of_environment()


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``scratchnn`` command line with ``argv`` (default: ``sys.argv[1:]``).

    Every error is one line on standard error and exit code 2, never a traceback; Ctrl-C is
    one line and exit code 130.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    with speaking(language_asked(arguments)):
        try:
            args = build_parser().parse_args(arguments)
            with speaking(getattr(args, "lang", None) or language_asked(arguments)):
                COMMANDS[args.command].run(args)
        except KeyboardInterrupt:
            interrupted()
        except MemoryError:
            fail("no_memory")
        except OSError as error:
            if error.filename is None:
                fail("library_error", message=first_line(error))
            fail("os_error", reason=os_reason(error), path=error.filename)
        except (ValueError, TypeError, ImportError) as error:
            fail("library_error", message=first_line(error))
        except Exception as error:  # a library's own error class (TensorFlow's, a CSV's ...)
            fail("library_error", message=f"{type(error).__name__}: {first_line(error)}")
