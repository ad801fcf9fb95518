"""``scratchnn export``: write a saved model for the runtimes people serve models with."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..language import say
from .common import add_language, check_outputs, fail, load_model

__all__ = ["add_parser", "run"]

FORMATS = ("onnx", "savedmodel")


def add_parser(commands: Any) -> None:
    """Add ``export`` and its options to the subcommands."""
    export = commands.add_parser(
        "export", help=say("help_export"),
        description=say("about_export"))
    export.add_argument("model", metavar=say("metavar_model"),
                        help=say("help_model"))
    export.add_argument("-o", "--output", required=True, metavar=say("metavar_path"))
    export.add_argument("--format", choices=FORMATS,
                        help=say("help_export_format"))
    add_language(export)


def check_output(kind: str, args: argparse.Namespace) -> None:
    """Fail before loading if ``-o`` cannot take the export: the model itself, a folder for
    an ONNX file, a file or a folder of other things for a SavedModel (itself a folder)."""
    if kind == "onnx":
        check_outputs({say("the_model"): args.model}, {"-o": args.output})
        return
    output = Path(args.output)
    if output.exists() and not output.is_dir():
        fail("export_is_file", path=output)
    if output.is_dir() and any(output.iterdir()) and not (output / "saved_model.pb").is_file():
        fail("export_other_folder", path=output)
    if not output.absolute().parent.is_dir():
        fail("output_no_folder", option="-o", path=output, folder=output.parent)


def run(args: argparse.Namespace) -> None:
    """Export the saved model as the options say."""
    kind = args.format or ("onnx" if Path(args.output).suffix.lower() == ".onnx"
                           else "savedmodel")
    check_output(kind, args)
    model = load_model(args.model)
    try:
        if kind == "onnx":
            model.to_onnx(args.output)
        else:
            model.export(args.output)
    except ImportError as missing:
        if kind == "onnx":
            fail("library_error", message=str(missing))
        fail("no_tensorflow")
    except (OSError, ValueError) as error:
        fail("could_not_export", path=args.output, reason=error)
    print(say("exported", kind=kind, path=args.output))
