"""``scratchnn export``: write a saved model for the runtimes people serve models with."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import NO_TENSORFLOW, fail, load_model

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


def run(args: argparse.Namespace) -> None:
    """Export the saved model as the options say."""
    kind = args.format or ("onnx" if Path(args.output).suffix == ".onnx" else "savedmodel")
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
