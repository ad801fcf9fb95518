"""What the commands share: one-line errors, loading data and models, the prediction table."""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

import numpy as np

from .. import datasets
from ..base import BaseModel
from ..numpy_engine import Perceptron

__all__ = ["GATES", "NO_TENSORFLOW", "CommandParser", "fail", "load_data", "load_model",
           "one_label_per_sample", "print_table", "tensorflow_model"]

GATES = ("xor", "and", "or", "nand")
NO_TENSORFLOW = "the tensorflow engine needs TensorFlow: pip install 'scratchnn[tf]'"


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, with exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def fail(message: str) -> NoReturn:
    print(f"scratchnn: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def tensorflow_model(model: Perceptron, devices: str | None) -> BaseModel:
    try:
        from ..tf_engine import TFPerceptron
        from ..tf_engine.distributed import make_strategy
    except ImportError:
        fail(NO_TENSORFLOW)
    strategy = make_strategy(devices) if devices is not None else None
    return TFPerceptron.from_perceptron(model, strategy=strategy)


def load_data(name: str, seed: int) -> tuple[tuple[Any, Any], tuple[Any, Any] | None]:
    """``(train, test)``; the logic gates have no test split (they are the whole truth table)."""
    if name in GATES:
        return datasets.DATASETS[name](), None
    try:
        if name == "digits":
            return datasets.digits(random_state=seed)
        X, y = datasets.DATASETS[name](random_state=seed)
    except ImportError as missing:
        fail(str(missing))
    return datasets.train_test_split(X, y, 0.25, seed)


def one_label_per_sample(model: BaseModel) -> bool:
    """Whether the model is a classifier with one label per sample (softmax, or one sigmoid
    output): its output is a class and the probability of each class."""
    return model.output_kind.one_label_per_sample


def print_table(model: BaseModel, X: np.ndarray, y: np.ndarray | None = None) -> None:
    """Print inputs, target (if given), and the output: for one classifier output the
    probability of the predicted class and the prediction, else the predicted values."""
    predictions = model.predict(X)
    classifier = one_label_per_sample(model)
    target_header = f"{'target':>7}" if y is not None else ""
    targets = None if y is None else np.asarray(y).reshape(len(X), -1)[:, 0]
    if classifier:
        probabilities = model.predict_proba(X)
        probabilities = (probabilities[:, 0] if probabilities.shape[1] == 1 else
                         probabilities[np.arange(len(X)), predictions])
        print(f"{'inputs':<14}{target_header}{'probability':>13}{'prediction':>12}")
        cells = [f"{p:>13.4f}{c:>12d}" for p, c in zip(probabilities, predictions, strict=True)]
    else:
        print(f"{'inputs':<14}{target_header}  prediction")
        rows = np.asarray(predictions, dtype=float).reshape(len(X), -1)
        cells = ["  " + " ".join(f"{value:.4g}" for value in row) for row in rows]
    for index, (inputs, cell) in enumerate(zip(X, cells, strict=True)):
        shown = " ".join(f"{value:g}" for value in inputs)
        target = f"{targets[index]:>7g}" if targets is not None else ""
        print(f"{shown:<14}{target}{cell}")


def load_model(path: str, engine: str | None = None) -> BaseModel:
    from ..io import load

    try:
        return load(path, engine=engine)
    except (OSError, ValueError) as error:
        fail(str(error) if isinstance(error, ValueError) else f"could not read {path}: "
              f"{error.strerror or error}")
    except ImportError:
        fail(NO_TENSORFLOW)


