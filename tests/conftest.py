"""Shared helpers for the tests."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import settings

from scratchnn import Perceptron

# The command line speaks the language of the locale (LC_ALL, LC_MESSAGES, LANG): the tests
# read its English, whatever the locale of the machine that runs them.
for _name in ("LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"


def make_model(
    sizes: list[int],
    hidden: str = "sigmoid",
    output: str = "sigmoid",
    loss: str = "binary_crossentropy",
    seed: int = 0,
    dtype: type = np.float64,
    init: str = "normal",
) -> Perceptron:
    """A Perceptron with layer sizes ``sizes`` (inputs first), seeded."""
    return Perceptron.from_sizes(sizes, hidden, output, loss, init=init, random_state=seed,
                                 dtype=dtype)


def make_data(
    n_samples: int, n_features: int, n_outputs: int, loss: str, seed: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Random inputs and labels that suit ``loss``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    if loss == "binary_crossentropy":
        y = rng.integers(0, 2, size=(n_samples, n_outputs)).astype(float)
    elif loss == "categorical_crossentropy":
        y = np.eye(n_outputs)[rng.integers(0, n_outputs, size=n_samples)]
    elif loss == "poisson":
        y = rng.poisson(1.5, size=(n_samples, n_outputs)).astype(float)
    else:
        y = rng.normal(size=(n_samples, n_outputs))
    return X, y


OUTPUT_FOR_LOSS = {
    "binary_crossentropy": ("sigmoid", 1),
    "categorical_crossentropy": ("softmax", 3),
    "mean_squared_error": ("linear", 2),
    "squared_error": ("linear", 2),
    "poisson": ("exp", 2),
}


@pytest.fixture
def xor_data() -> tuple[np.ndarray, np.ndarray]:
    from scratchnn.datasets import xor

    return xor()


# The same examples on every run, so that CI is reproducible.
settings.register_profile("deterministic", derandomize=True, deadline=None)
settings.load_profile("deterministic")


def covering_grid(*axes: tuple[str, Sequence[Any] | Mapping[str, Any]],
                  always_fast: Callable[[dict[str, Any]], bool] | None = None,
                  ) -> pytest.MarkDecorator:
    """``pytest.mark.parametrize`` over every combination of the ``axes``' values, of which
    the fast suite (``-m "not slow"``) keeps a covering few: combination ``t`` takes value
    ``t mod len(values)`` of each axis, so that every value of every axis is tried at least
    once; the others are marked slow (the whole suite runs them).

    An axis is ``(names, values)``, the values a sequence or a mapping from test id to
    value; with comma-separated names, each value is a tuple of as many.
    ``always_fast(arguments)`` (the combination by argument name) keeps more in the fast
    suite: the cheap ones.
    """
    listed = [(axis, list(values.items()) if isinstance(values, Mapping)
               else [(value_id(value), value) for value in values]) for axis, values in axes]
    sizes = [len(values) for _, values in listed]
    covering = {tuple(t % size for size in sizes) for t in range(max(sizes))}
    names = [name.strip() for axis, _ in axes for name in axis.split(",")]
    combinations = []
    for index in itertools.product(*map(range, sizes)):
        arguments: list[Any] = []
        ids = []
        for (axis, values), position in zip(listed, index, strict=True):
            value_name, value = values[position]
            arguments.extend(value if "," in axis else [value])
            ids.append(value_name)
        fast = index in covering or (
            always_fast is not None and always_fast(dict(zip(names, arguments, strict=True))))
        combinations.append(pytest.param(*arguments, marks=() if fast else pytest.mark.slow,
                                         id="-".join(ids)))
    return pytest.mark.parametrize(",".join(names), combinations)


def value_id(value: Any) -> str:
    """A test id for ``value``, as pytest writes it: a name's name, a tuple's parts."""
    if isinstance(value, tuple):
        return "-".join(map(value_id, value))
    return str(getattr(value, "__name__", value))


#: The course's right solutions (each slip a copy of one with one line wrong).
COURSE = Path(__file__).parent / "course"


def slipped(solution: str, edits: list[tuple[str, str]], folder: Path) -> Path:
    """The course file ``solution`` (in tests/course/) with ``edits`` made, each ``(right,
    wrong)`` found exactly once, written to ``folder``: a student's file with one slip."""
    source = (COURSE / solution).read_text()
    for right, wrong in edits:
        assert source.count(right) == 1, right
        source = source.replace(right, wrong)
    path = folder / f"slipped_{solution}"
    path.write_text(source)
    return path


