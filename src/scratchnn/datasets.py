"""Data sets, made in memory or read from scikit-learn's bundled files: nothing is downloaded.

Every function returns NumPy arrays: ``X`` of shape (n_samples, n_features) and labels ``y``.
The logic gates give ``y`` of shape (4, 1); the others give class indices of shape
(n_samples,).  ``moons``, ``circles`` and ``digits`` need scikit-learn
(``pip install 'scratchnn[sklearn]'``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .initializers import RandomState, check_random_state
from .training import stratified_split
from .validation import check_fraction, check_positive_int

__all__ = ["DATASETS", "and_", "circles", "digits", "moons", "nand", "or_", "spirals",
           "train_test_split", "xor"]

Arrays = tuple[NDArray[np.float64], NDArray[Any]]

_GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)


def _gate(outputs: list[int]) -> Arrays:
    return _GATE_INPUTS.copy(), np.array(outputs, dtype=np.float64).reshape(4, 1)


def xor() -> Arrays:
    """The XOR truth table: ``X`` of shape (4, 2) and targets ``y`` of shape (4, 1)."""
    return _gate([0, 1, 1, 0])


def and_() -> Arrays:
    """The AND truth table (``and`` is a Python keyword)."""
    return _gate([0, 0, 0, 1])


def or_() -> Arrays:
    """The OR truth table (``or`` is a Python keyword)."""
    return _gate([0, 1, 1, 1])


def nand() -> Arrays:
    """The NAND truth table."""
    return _gate([1, 1, 1, 0])


def _sklearn_datasets() -> Any:
    try:
        import sklearn.datasets
    except ImportError:
        raise ImportError("this data set comes from scikit-learn: "
                          "pip install 'scratchnn[sklearn]'") from None
    return sklearn.datasets


def _seed(random_state: RandomState) -> int:
    """An int seed for scikit-learn, drawn from our generator (never the global one)."""
    return int(check_random_state(random_state).integers(2**31 - 1))


def moons(n_samples: int = 1000, noise: float = 0.1, random_state: RandomState = 0) -> Arrays:
    """Two interleaving half circles in 2-D (scikit-learn's ``make_moons``), labels 0/1."""
    X, y = _sklearn_datasets().make_moons(check_positive_int("n_samples", n_samples),
                                          noise=noise, random_state=_seed(random_state))
    return X, y


def circles(n_samples: int = 1000, noise: float = 0.05, factor: float = 0.5,
            random_state: RandomState = 0) -> Arrays:
    """A small circle inside a large one in 2-D (scikit-learn's ``make_circles``), labels 0/1."""
    X, y = _sklearn_datasets().make_circles(check_positive_int("n_samples", n_samples),
                                            noise=noise, factor=factor,
                                            random_state=_seed(random_state))
    return X, y


def spirals(n_samples: int = 1000, n_classes: int = 2, noise: float = 0.2,
            random_state: RandomState = 0) -> Arrays:
    """``n_classes`` interleaved spiral arms in 2-D, each a class; Gaussian noise of std
    ``noise`` is added to the points (the arms are about 1 apart)."""
    rng = check_random_state(random_state)
    n_samples = check_positive_int("n_samples", n_samples)
    y = np.arange(n_samples) % check_positive_int("n_classes", n_classes)
    radius = rng.uniform(0.1, 1.0, n_samples)
    angle = 3 * np.pi * radius + 2 * np.pi * y / n_classes
    X = 4 * radius[:, np.newaxis] * np.column_stack([np.cos(angle), np.sin(angle)])
    return X + rng.normal(0.0, noise, X.shape), y


def digits(test_size: float = 0.25, random_state: RandomState = 0
           ) -> tuple[Arrays, Arrays]:
    """scikit-learn's bundled 8x8 digits: 1,797 images of 64 pixels scaled to [0, 1], 10
    classes, split into ``(X_train, y_train), (X_test, y_test)`` at random but keeping each
    class's share (stratified), seeded by ``random_state``."""
    bunch = _sklearn_datasets().load_digits()
    X, y = bunch.data / 16.0, bunch.target
    return train_test_split(X, y, test_size, random_state)


def train_test_split(X: NDArray[Any], y: NDArray[Any], test_size: float = 0.25,
                     random_state: RandomState = 0) -> tuple[Arrays, Arrays]:
    """A seeded split that keeps each class's share on both sides (stratified)."""
    train, test = stratified_split(np.asarray(y).reshape(len(y), -1)[:, 0],
                                   check_fraction("test_size", test_size),
                                   check_random_state(random_state))
    return (X[train], y[train]), (X[test], y[test])


#: The data sets the command line knows, by name.
DATASETS: dict[str, Callable[..., Any]] = {
    "xor": xor, "and": and_, "or": or_, "nand": nand, "moons": moons, "circles": circles,
    "spirals": spirals, "digits": digits,
}
