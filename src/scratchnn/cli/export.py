"""``scratchnn export``: write a saved model for the runtimes people serve models with."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import NO_TENSORFLOW, check_outputs, fail, load_model

__all__ = ["add_parser", "run"]

FORMATS = ("onnx", "savedmodel")


def add_parser(commands: Any) -> None:
    """Add ``export`` and its options to the subcommands."""
    export = commands.add_parser(
        "export", help="write a saved model as ONNX or a TensorFlow SavedModel",
        description="Write a model saved by 'scratchnn train --save' as an ONNX file (input "
                    "'input', output 'output': the probabilities) or a TensorFlow SavedModel "
                    "directory (signature 'serving_default').")
    export.add_argument("model", help="a model saved by 'scratchnn train --save'")
    export.add_argument("-o", "--output", required=True, metavar="PATH")
    export.add_argument("--format", choices=FORMATS,
                        help="default: onnx for a .onnx output, else savedmodel")


def check_output(kind: str, args: argparse.Namespace) -> None:
    """Fail before loading if ``-o`` cannot take the export: the model itself, a folder for
    an ONNX file, a file or a folder of other things for a SavedModel (itself a folder)."""
    if kind == "onnx":
        check_outputs({"the model": args.model}, {"-o": args.output})
        return
    output = Path(args.output)
    if output.exists() and not output.is_dir():
        fail(f"-o {output} is a file; a SavedModel is a folder: give a new name")
    if output.is_dir() and any(output.iterdir()) and not (output / "saved_model.pb").is_file():
        fail(f"-o {output} is a folder of other files, not a SavedModel; give a new name")
    if not output.absolute().parent.is_dir():
        fail(f"-o {output}: the folder {output.parent} does not exist")


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
        fail(str(missing) if kind == "onnx" else NO_TENSORFLOW)
    except (OSError, ValueError) as error:
        fail(f"could not export to {args.output}: {error}")
    print(f"{kind} model written to {args.output}")
