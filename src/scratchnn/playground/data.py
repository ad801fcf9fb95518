"""The playground's data: 2-D data sets on the plane [-6, 6]², as TensorFlow Playground draws
them, the course's XOR table on its own plane around [0, 1]², and the input features computed
from a point ``(x1, x2)``.

``dataset(name, noise, train_ratio, seed)`` gives the points and labels, split into training
and test points; ``plane(name)`` the plane they lie in; ``features(points, names)`` the
network's inputs.  The "Show code" of the page calls the same functions, so its Python trains
on the page's data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import datasets
from ..plane import Plane

__all__ = ["COURSE_XOR", "DATASETS", "FEATURES", "GATES", "dataset", "features", "plane"]

Points = NDArray[np.float64]

#: Points per data set (the logic gates have their 4).
N_POINTS = 400
#: The input features, by name, from the points' coordinates (n, 2).
FEATURES: dict[str, Callable[[Points], NDArray[np.float64]]] = {
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1^2": lambda p: p[:, 0] ** 2,
    "x2^2": lambda p: p[:, 1] ** 2,
    "x1*x2": lambda p: p[:, 0] * p[:, 1],
    "sin(x1)": lambda p: np.sin(p[:, 0]),
    "sin(x2)": lambda p: np.sin(p[:, 1]),
}
#: The logic gates: their 4 corners are both the training and the test points.
GATES = {"and": datasets.and_, "or": datasets.or_, "nand": datasets.nand,
         "xor gate": datasets.xor}
#: The course's XOR table as it is, inputs 0 and 1: both the training and the test points.
COURSE_XOR = "xor course"
#: The plane of the data sets, and the course's own around its table.
PLANE = Plane(np.array([-6.0, -6.0]), np.array([6.0, 6.0]))
COURSE_PLANE = Plane(np.array([-0.5, -0.5]), np.array([1.5, 1.5]))


def _xor(rng: np.random.Generator, noise: float) -> tuple[Points, NDArray[np.intp]]:
    """TensorFlow Playground's XOR: uniform points, the class the sign of ``x1 * x2``."""
    points = rng.uniform(-5, 5, size=(N_POINTS, 2))
    points += np.sign(points) * 0.3  # a gap along the axes
    labels = (points[:, 0] * points[:, 1] > 0).astype(np.intp)
    return points + rng.uniform(-5, 5, size=points.shape) * noise, labels


def _gauss(rng: np.random.Generator, noise: float) -> tuple[Points, NDArray[np.intp]]:
    """Two Gaussian blobs centred on (2, 2) and (-2, -2)."""
    labels = np.arange(N_POINTS) % 2
    centres = np.where(labels[:, None] == 1, 2.0, -2.0)
    return centres + rng.normal(scale=0.5 + 3 * noise, size=(N_POINTS, 2)), labels


def _from_module(make: Callable[..., Any], scale: float,
                 shift: Sequence[float] = (0.0, 0.0)) -> Callable[..., Any]:
    """A data set of ``scratchnn.datasets``, moved and scaled onto the plane."""
    def draw(rng: np.random.Generator, noise: float) -> tuple[Points, NDArray[np.intp]]:
        X, y = make(n_samples=N_POINTS, noise=noise, random_state=int(rng.integers(2**31)))
        return (np.asarray(X) + shift) * scale, np.asarray(y, dtype=np.intp)
    return draw


#: The data sets drawn at random, by name: ``draw(rng, noise)`` with noise in [0, 0.5].
DATASETS: dict[str, Callable[[np.random.Generator, float], tuple[Points, NDArray[np.intp]]]] = {
    "xor": _xor,
    "circles": _from_module(lambda **kw: datasets.circles(factor=0.5, **kw), 5.0),
    "moons": _from_module(datasets.moons, 3.0, (-0.5, -0.25)),
    "spirals": _from_module(datasets.spirals, 1.6),
    "gauss": _gauss,
}


def dataset(name: str, noise: float = 0.0, train_ratio: float = 0.5,
            seed: int = 0) -> tuple[Points, NDArray[np.intp], Points, NDArray[np.intp]]:
    """``(train_points, train_labels, test_points, test_labels)`` of the data set ``name``
    (a key of ``DATASETS`` or ``GATES``, or ``COURSE_XOR``), with ``noise`` in [0, 0.5], the
    share ``train_ratio`` of the points for training, drawn from ``seed``."""
    if name == COURSE_XOR:
        X, y = datasets.xor()
        return X, y[:, 0].astype(np.intp), X, y[:, 0].astype(np.intp)
    if name in GATES:
        X, y = GATES[name]()
        points = (X - 0.5) * 6  # the corners (±3, ±3)
        labels = y[:, 0].astype(np.intp)
        return points, labels, points, labels
    rng = np.random.default_rng(seed)
    points, labels = DATASETS[name](rng, noise)
    order = rng.permutation(len(points))
    n_train = round(train_ratio * len(points))
    train, test = order[:n_train], order[n_train:]
    return points[train], labels[train], points[test], labels[test]


def plane(name: str) -> Plane:
    """The plane the data set ``name`` lies in, where the page draws it."""
    return COURSE_PLANE if name == COURSE_XOR else PLANE


def features(points: Points, names: Sequence[str]) -> NDArray[np.float64]:
    """The network's inputs (n, len(names)): the features ``names`` of each point."""
    return np.column_stack([FEATURES[name](points) for name in names])
