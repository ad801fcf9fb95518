"""Synthetic MNIST-shaped data: float32 rows made in chunks (never a float64 copy)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Data = tuple[NDArray[np.float32], NDArray[np.intp]]


def mnist_like(n_train: int, n_test: int = 10_000, n_features: int = 784, n_classes: int = 10,
               noise: float = 3.0, seed: int = 0) -> tuple[Data, Data]:
    """Noisy copies of one random prototype per class: learnable in one epoch, not trivially.

    Returns ``(X_train, y_train), (X_test, y_test)``, drawn from the same prototypes.
    """
    rng = np.random.default_rng(seed)
    prototypes = rng.random((n_classes, n_features), dtype=np.float32)

    def draw(n_samples: int) -> Data:
        labels = rng.integers(0, n_classes, n_samples)
        X = np.empty((n_samples, n_features), dtype=np.float32)
        for start in range(0, n_samples, 10_000):
            stop = min(start + 10_000, n_samples)
            X[start:stop] = rng.standard_normal((stop - start, n_features), dtype=np.float32)
            X[start:stop] *= noise
            X[start:stop] += prototypes[labels[start:stop]]
        return X, labels

    return draw(n_train), draw(n_test)
