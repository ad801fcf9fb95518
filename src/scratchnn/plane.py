"""The input plane around a 2-D data set: its bounds and a grid of points over it, where the
pictures of a 2-input network (its decision boundary, each unit's output) are evaluated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Plane"]


@dataclass(frozen=True)
class Plane:
    """The rectangle ``[low[0], high[0]] x [low[1], high[1]]``."""

    low: NDArray[np.float64]
    high: NDArray[np.float64]

    @classmethod
    def around(cls, X: NDArray[Any]) -> Plane:
        """The bounding box of the points ``X`` (n_samples, 2), with a margin of a tenth of
        its size plus 0.1 on every side."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"a decision boundary needs 2-D inputs, got X of shape {X.shape}")
        margin = 0.1 * np.ptp(X, axis=0) + 0.1
        return cls(X.min(axis=0) - margin, X.max(axis=0) + margin)

    def grid(self, resolution: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The ``resolution`` x ``resolution`` grid: its coordinates ``(grid_x, grid_y)``, each
        of shape (resolution, resolution), row 0 at ``low[1]``."""
        return np.meshgrid(np.linspace(self.low[0], self.high[0], resolution),
                           np.linspace(self.low[1], self.high[1], resolution))

    def points(self, resolution: int) -> NDArray[np.float64]:
        """The grid's points as rows (resolution², 2), row by row from ``low``."""
        grid_x, grid_y = self.grid(resolution)
        return np.column_stack([grid_x.ravel(), grid_y.ravel()])
