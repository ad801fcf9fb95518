"""Weight initialisers: draw a (n_neurons, n_inputs) weight matrix from a seeded generator.

Biases always start at zero.  Every draw goes through a ``numpy.random.Generator`` (never the
global NumPy random state), so the same ``random_state`` gives the same weights.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import DTypeLike, NDArray

from .activations import Activation, ReLU

__all__ = [
    "INITIALIZERS",
    "FitRandom",
    "RandomState",
    "check_fit_random_state",
    "check_random_state",
    "default_initializer",
    "initialize",
    "random_seed",
]

RandomState = int | np.random.Generator | None
#: What ``fit`` draws from: a Generator, or the legacy ``RandomState`` that scikit-learn uses
#: (so that its estimators' shuffles and splits can be reproduced draw for draw).
FitRandom = np.random.Generator | np.random.RandomState
Initializer = Callable[[FitRandom, int, int], NDArray[np.float64]]


def _he(rng: FitRandom, n_inputs: int, n_neurons: int) -> NDArray[np.float64]:
    """Normal with standard deviation ``sqrt(2 / n_inputs)`` (He et al., 2015), for ReLU."""
    return rng.normal(0.0, np.sqrt(2.0 / n_inputs), (n_neurons, n_inputs))


def _xavier(rng: FitRandom, n_inputs: int, n_neurons: int) -> NDArray[np.float64]:
    """Uniform on ``±sqrt(6 / (n_inputs + n_neurons))`` (Glorot and Bengio, 2010)."""
    limit = np.sqrt(6.0 / (n_inputs + n_neurons))
    return rng.uniform(-limit, limit, (n_neurons, n_inputs))


def _normal(rng: FitRandom, n_inputs: int, n_neurons: int) -> NDArray[np.float64]:
    """Standard normal, as ``tf.random.normal`` in the spec's TensorFlow network."""
    return rng.standard_normal((n_neurons, n_inputs))


def _uniform(rng: FitRandom, n_inputs: int, n_neurons: int) -> NDArray[np.float64]:
    """Uniform on [-1, 1)."""
    return rng.uniform(-1.0, 1.0, (n_neurons, n_inputs))


INITIALIZERS: dict[str, Initializer] = {
    "he": _he,
    "xavier": _xavier,
    "normal": _normal,
    "uniform": _uniform,
}


def check_random_state(random_state: RandomState) -> np.random.Generator:
    """Turn ``None``, an int seed or a Generator into a Generator (a Generator is shared)."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None or (
        isinstance(random_state, int | np.integer) and not isinstance(random_state, bool)
    ):
        return np.random.default_rng(random_state)
    raise TypeError(
        f"random_state must be None, an int or a numpy.random.Generator, got {random_state!r}"
    )


def default_initializer(activation: Activation) -> str:
    """``"he"`` for ReLU layers, ``"xavier"`` for the others."""
    return "he" if isinstance(activation, ReLU) else "xavier"


def check_initializer(init: str) -> str:
    """Return ``init`` if it names an initialiser, else raise a ValueError listing them."""
    if not isinstance(init, str) or init not in INITIALIZERS:
        raise ValueError(f"init must be one of {sorted(INITIALIZERS)}, got {init!r}")
    return init


def initialize(
    init: str, n_inputs: int, n_neurons: int, rng: FitRandom, dtype: DTypeLike
) -> NDArray[np.floating]:
    """Return a weight matrix of shape (n_neurons, n_inputs) drawn by initialiser ``init``."""
    weights: NDArray[np.floating] = INITIALIZERS[check_initializer(init)](
        rng, n_inputs, n_neurons
    ).astype(dtype)
    return weights


def check_fit_random_state(random_state: RandomState | np.random.RandomState) -> FitRandom:
    """A legacy ``numpy.random.RandomState`` as it is, anything else as ``check_random_state``."""
    if isinstance(random_state, np.random.RandomState):
        return random_state
    return check_random_state(random_state)


def random_seed(rng: FitRandom) -> int:
    """An integer seed in [0, 2^62) drawn from ``rng``."""
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**62))
    return int(rng.randint(2**62, dtype=np.int64))
