"""The model's first step, before its first layer: standardised inputs.

``Standardization(mean, scale)`` computes ``(x - mean) / scale`` per feature, as Keras's
``Normalization`` layer; a model that holds one (``model.standardization``) applies it in its
forward pass, on each batch, so training, prediction and a saved model all see the same
inputs, and a training set is never copied whole.  ``Standardization.of(X)`` measures it on a
training set, in chunks (a memory-mapped file is read, not loaded).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Standardization"]

#: Rows read at a time when measuring a training set.
CHUNK = 1 << 16


class Standardization:
    """``(x - mean) / scale`` for rows ``x``; ``scale`` 1 where a feature does not vary."""

    def __init__(self, mean: NDArray[Any], scale: NDArray[Any]) -> None:
        self.mean = np.asarray(mean, dtype=np.float64).reshape(-1)
        self.scale = np.asarray(scale, dtype=np.float64).reshape(-1)
        if self.mean.shape != self.scale.shape:
            raise ValueError(f"mean and scale must have one value per feature, got shapes "
                             f"{self.mean.shape} and {self.scale.shape}")
        if not (np.isfinite(self.mean).all() and np.isfinite(self.scale).all()
                and (self.scale > 0).all()):
            raise ValueError("mean must be finite and scale finite and positive")

    @classmethod
    def of(cls, X: NDArray[Any]) -> Standardization:
        """The mean and standard deviation of each column of ``X``, read in chunks."""
        count, total, squares = 0, np.zeros(X.shape[1]), np.zeros(X.shape[1])
        shift = np.asarray(X[0], dtype=np.float64)  # shifted sums: no cancellation
        for start in range(0, X.shape[0], CHUNK):
            chunk = np.asarray(X[start:start + CHUNK], dtype=np.float64) - shift
            count += chunk.shape[0]
            total += chunk.sum(axis=0)
            squares += (chunk * chunk).sum(axis=0)
        mean = total / count
        deviation = np.sqrt(np.maximum(squares / count - mean * mean, 0))
        return cls(mean + shift, np.where(deviation > 0, deviation, 1.0))

    def rows(self, X: NDArray[np.floating]) -> NDArray[np.floating]:
        """Standardised rows, in ``X``'s dtype."""
        return ((X - self.mean.astype(X.dtype)) / self.scale.astype(X.dtype)).astype(X.dtype)

    def original(self, X: NDArray[np.floating]) -> NDArray[np.floating]:
        """Standardised rows back on their own scale, ``x * scale + mean``: a regression's
        predictions of a standardised target (``model.target_standardization``)."""
        return (X * self.scale.astype(X.dtype) + self.mean.astype(X.dtype)).astype(X.dtype)

    def columns(self, A: NDArray[np.floating]) -> NDArray[np.floating]:
        """Standardised samples as columns (the layers' layout), in ``A``'s dtype."""
        return self.rows(A.T).T

    def __repr__(self) -> str:
        return f"Standardization(mean={self.mean.tolist()}, scale={self.scale.tolist()})"
