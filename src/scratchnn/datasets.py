"""Small data sets, made in memory: nothing is downloaded."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["xor"]


def xor() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The XOR truth table: ``X`` of shape (4, 2) and targets ``y`` of shape (4, 1)."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return X, y
