"""What the commands share: one-line errors, loading data and models, the prediction table."""

from __future__ import annotations

import argparse
import errno
import itertools
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from .. import datasets
from ..base import BaseModel
from ..language import LANGUAGES, current_language, say, translate_usage_error
from ..numpy_engine import Perceptron

__all__ = ["GATES", "CommandParser", "HelpFormatter", "add_language", "check_outputs", "fail",
           "first_line", "interrupted", "load_data", "load_model", "one_label_per_sample",
           "os_reason", "print_table", "require_file", "require_memory", "tensorflow_model"]

GATES = ("xor", "and", "or", "nand")


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose help and errors are in the current language, its errors one
    line with exit code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        # argparse names its headings and -h in English (through gettext, for a catalogue
        # that Python does not ship in French): said here instead.
        self._positionals.title = say("positionals")
        self._optionals.title = say("optionals")
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = say("help_help")

    def error(self, message: str) -> NoReturn:
        message = translate_usage_error(message, current_language())
        self.exit(2, say("usage_error", prog=self.prog, message=message) + "\n")


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help, its "usage: " and the colon after its headings in the current
    language."""

    def start_section(self, heading: str | None) -> None:
        super().start_section(None if heading is None else say("heading", title=heading))

    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[argparse._MutuallyExclusiveGroup],
                  prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, say("usage_prefix") if prefix is None
                          else prefix)


def add_language(parser: argparse.ArgumentParser) -> None:
    """The ``--lang`` option of a command that prints words."""
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help=say("help_lang_lang"))


def fail(key: str, **values: Any) -> NoReturn:
    """The error ``key`` of ``scratchnn.language``, with ``values``, as one line on standard
    error; exit code 2."""
    print(say("error", message=say(key, **values)), file=sys.stderr)
    raise SystemExit(2)


def interrupted(path: str | None = None) -> NoReturn:
    """Ctrl-C: one line (where the model was saved, if it was) and exit code 130, as a shell
    reports a SIGINT."""
    saved = say("interrupted_saved", path=path) if path else ""
    print(say("interrupted", saved=saved), file=sys.stderr)
    raise SystemExit(130)


def os_reason(error: OSError) -> str:
    """Why the system refused, in the current language (the system's own words for an error
    the language does not name)."""
    name = errno.errorcode.get(error.errno or 0, "")
    try:
        return say(name)
    except KeyError:
        return error.strerror or str(error)


def require_file(path: str, option: str = "") -> None:
    """Fail unless ``path`` (given with ``option``) is a file that exists."""
    named = f"{option} " if option else ""
    if os.path.isdir(path):
        fail("is_folder", option=named, path=path)
    if not os.path.isfile(path):
        fail("no_file", option=named, path=path)


def first_line(error: BaseException) -> str:
    """The error's message as one line (its type's name if it has none)."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def check_outputs(inputs: Mapping[str, str | None], outputs: Mapping[str, str | None]) -> None:
    """Fail before any work if an output (by option) would replace an input or another output
    (the same file, through a link too), or cannot be written: a folder, a missing folder."""
    given = {option: path for option, path in outputs.items() if path}
    for option, path in given.items():
        if os.path.isdir(path):
            fail("output_is_folder", option=option, path=path)
        if not Path(os.path.realpath(path)).parent.is_dir():
            fail("output_no_folder", option=option, path=path, folder=Path(path).parent)
        for other, source in inputs.items():
            if source and _same_file(source, path):
                fail("output_is_input", option=option, path=path, other=other, source=source)
    for (option, path), (other, another) in itertools.combinations(given.items(), 2):
        if os.path.realpath(path) == os.path.realpath(another):
            fail("outputs_same", option=option, other=other, path=path)


def _same_file(source: str, path: str) -> bool:
    """Whether ``path`` names the file ``source`` (the same inode: links and other spellings
    of the name included)."""
    try:
        return os.path.samefile(source, path)
    except OSError:  # one of them does not exist: writing it destroys no input
        return False


def require_memory(sizes: list[int], n_rows: int) -> None:
    """Fail before allocating a network whose parameters, gradients and optimizer state (four
    float64 arrays of them), with the targets of ``n_rows`` rows (one-hot: a value per class),
    do not fit in the memory the machine has free: the system would kill the process rather
    than raise a MemoryError."""
    n_parameters = sum(n_in * n_out + n_out for n_in, n_out in itertools.pairwise(sizes))
    needed = 4 * 8 * n_parameters + 8 * n_rows * sizes[-1]
    try:
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not a POSIX system: let NumPy say
        return
    if needed > free:
        fail("memory", parameters=n_parameters, rows=n_rows, targets=sizes[-1],
             needed=needed / 1e9, free=free / 1e9)


def tensorflow_model(model: Perceptron, devices: str | None) -> BaseModel:
    try:
        from ..tf_engine import TFPerceptron
        from ..tf_engine.distributed import make_strategy
    except ImportError:
        fail("no_tensorflow")
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
        fail("library_error", message=str(missing))
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
    target_header = f"{say('column_target'):>7}" if y is not None else ""
    targets = None if y is None else np.asarray(y).reshape(len(X), -1)[:, 0]
    if classifier:
        probabilities = model.predict_proba(X)
        probabilities = (probabilities[:, 0] if probabilities.shape[1] == 1 else
                         probabilities[np.arange(len(X)), predictions])
        print(f"{say('column_inputs'):<14}{target_header}{say('column_probability'):>13}"
              f"{say('column_prediction'):>12}")
        cells = [f"{p:>13.4f}{c:>12d}" for p, c in zip(probabilities, predictions, strict=True)]
    else:
        print(f"{say('column_inputs'):<14}{target_header}  {say('column_prediction')}")
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
    except ValueError as error:
        fail("library_error", message=str(error))
    except OSError as error:
        fail("could_not_read", path=path, reason=os_reason(error))
    except ImportError:
        fail("no_tensorflow")


