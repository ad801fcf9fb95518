"""``scratchnn predict``: a saved model's probabilities and predictions for given inputs, typed
on the command line or read from a file."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..base import BaseModel
from ..files import read_table, suffix
from ..io import write_atomically
from ..language import say
from .common import (
    add_language,
    check_outputs,
    fail,
    load_model,
    one_label_per_sample,
    print_table,
    require_file,
)

__all__ = ["add_parser", "run"]

#: Rows predicted at a time from a file (bounded memory for a large one).
CHUNK = 1 << 14


def add_parser(commands: Any) -> None:
    """Add ``predict`` and its options to the subcommands."""
    predict = commands.add_parser(
        "predict", help=say("help_predict"),
        description=say("about_predict"),
    )
    predict.add_argument("model", metavar=say("metavar_model"),
                         help=say("help_model"))
    inputs = predict.add_mutually_exclusive_group(required=True)
    inputs.add_argument("--input", type=float, nargs="+", action="append",
                        metavar="X", help=say("help_predict_input"))
    inputs.add_argument("--data", metavar=say("metavar_path"),
                        help=say("help_predict_data"))
    predict.add_argument("--target", metavar=say("metavar_name"),
                         help=say("help_predict_target"))
    predict.add_argument("--output", metavar="CSV",
                         help=say("help_predict_output"))
    predict.add_argument("--engine", choices=("numpy", "tensorflow"), default=None,
                         help=say("help_predict_engine"))
    add_language(predict)


def run(args: argparse.Namespace) -> None:
    """Predict for the ``--input`` samples, or the rows of ``--data``."""
    if (args.target or args.output) and not args.data:
        fail("go_with_data", options=say("and").join(["--target", "--output"]))
    if args.data:
        require_file(args.data, "--data")
    check_outputs({say("the_model"): args.model, "--data": args.data},
                  {"--output": args.output})
    model = load_model(args.model, args.engine)
    if args.data:
        predict_file(model, args)
        return
    widths = {len(sample) for sample in args.input}
    if widths != {model.n_features}:
        fail("input_width", count=model.n_features, widths=sorted(widths))
    inputs = np.array(args.input)
    if not np.isfinite(inputs).all():
        fail("input_finite")
    print_table(model, inputs)


def read_inputs(model: BaseModel, args: argparse.Namespace) -> NDArray[Any]:
    """The rows of ``--data`` the model takes: a CSV's columns by the model's feature names
    (any order, other columns left out) if it has them, else every column but ``--target``;
    an unnamed source (``.npy``, ``.npz``) by count."""
    names = model.feature_names_in_
    csv_file = suffix(args.data) == ".csv"
    table = read_table(args.data, None if names or not csv_file else args.target,
                       names if csv_file else None)
    if table.X.shape[1] != model.n_features:
        fail("data_columns", path=args.data, count=table.X.shape[1], expected=model.n_features,
             names=f"{say('colon')} {names}" if names else "")
    return table.X


def predict_file(model: BaseModel, args: argparse.Namespace) -> None:
    """One CSV row per input row: the prediction (its label), then for a classifier the
    probability of each class; for a regression the predicted values."""
    X = read_inputs(model, args)
    classifier = one_label_per_sample(model)
    labels = model.class_labels or list(range(max(2, model.n_outputs)))
    target = model.target_name_
    header = (["prediction", *(f"probability {label}" for label in labels)] if classifier
              else [target or "prediction"] if model.n_outputs == 1
              else [f"prediction {i + 1}" for i in range(model.n_outputs)])
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    for start in range(0, X.shape[0], CHUNK):
        rows = np.asarray(X[start:start + CHUNK], dtype=np.float64)
        if not np.isfinite(rows).all():
            fail("data_not_finite", path=args.data)
        output = model.predict_proba(rows)
        if classifier:
            probabilities = np.hstack([1 - output, output]) if output.shape[1] == 1 else output
            for row in probabilities:
                writer.writerow([labels[int(np.argmax(row))], *(f"{p:.6g}" for p in row)])
        else:
            writer.writerows([[f"{v:.6g}" for v in row] for row in output])
    if args.output:
        write_atomically(args.output, lambda file: file.write(text.getvalue().encode()))
        print(say("predictions_written", count=X.shape[0], path=args.output))
    else:
        sys.stdout.write(text.getvalue())
