"""The user's data files: a CSV table with a header, or NumPy arrays.

``read_table(path, target)`` returns the features ``X`` (n_samples, n_features), the targets
``y`` (n_samples,) and the feature names:

- ``.csv``: a header line, then one row per sample; the ``target`` column (by name) holds the
  labels, of any type; every other column is a feature and must be numeric;
- ``.npy``: the features, opened memory-mapped (never loaded whole); ``target`` is a second
  ``.npy`` file holding the labels;
- ``.npz``: arrays ``X`` and ``y`` (``target`` names the labels array, default ``y``).

Every problem (a missing target, a non-numeric feature, a ragged row, an empty file) is a
ValueError that names the file, the line or the column.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["read_table"]

Table = tuple[NDArray[Any], NDArray[Any] | None, list[str]]


def read_table(path: str | os.PathLike[str], target: str | None) -> Table:
    """``(X, y, feature names)`` from a CSV, ``.npy`` or ``.npz`` file; ``y`` is None when
    the file has no ``target`` (the inputs of a prediction)."""
    source = Path(path)
    if not source.is_file():
        raise ValueError(f"{source}: no such file")
    suffix = source.suffix.lower()
    if suffix == ".csv":
        return _read_csv(source, target)
    if suffix == ".npy":
        X = np.load(source, mmap_mode="r", allow_pickle=False)
        y = None if target is None else np.load(target, allow_pickle=False)
        return _checked(source, X, y, [f"x{i + 1}" for i in range(np.shape(X)[-1])])
    if suffix == ".npz":
        with np.load(source, allow_pickle=False) as arrays:
            if "X" not in arrays:
                raise ValueError(f"{source}: an .npz needs an array X (and y), it has "
                                 f"{sorted(arrays.files)}")
            name = target or "y"
            y = arrays.get(name)
            if target is not None and y is None:
                raise ValueError(f"{source}: no array {target!r}, it has {sorted(arrays.files)}")
            X = arrays["X"]
        return _checked(source, X, y, [f"x{i + 1}" for i in range(np.shape(X)[-1])])
    raise ValueError(f"{source}: expected a .csv, .npy or .npz file")


def _checked(source: Path, X: NDArray[Any], y: NDArray[Any] | None, names: list[str]) -> Table:
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{source}: the features must be a non-empty table (rows x columns), "
                         f"got shape {X.shape}")
    if X.dtype.kind not in "fiu":
        raise ValueError(f"{source}: the features must be numbers, got dtype {X.dtype}")
    if y is not None and (y.ndim != 1 or len(y) != len(X)):
        raise ValueError(f"{source}: {len(X)} rows of features but labels of shape {y.shape}")
    return X, y, names


def _read_csv(source: Path, target: str | None) -> Table:
    with source.open(newline="") as file:
        rows = list(csv.reader(file))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise ValueError(f"{source}: empty: it needs a header line and at least one row")
    header = [name.strip() for name in rows[0]]
    if target is not None and target not in header:
        raise ValueError(f"{source}: no column {target!r} for the target; the columns are "
                         f"{header}")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ValueError(f"{source}, line {number}: {len(row)} values, but the header has "
                             f"{len(header)} columns")
    features = [i for i, name in enumerate(header) if name != target]
    if not features:
        raise ValueError(f"{source}: no feature column besides the target {target!r}")
    X = np.empty((len(rows) - 1, len(features)))
    for column, index in enumerate(features):
        for line, row in enumerate(rows[1:], start=2):
            try:
                X[line - 2, column] = float(row[index])
            except ValueError:
                raise ValueError(f"{source}, line {line}: the feature column "
                                 f"{header[index]!r} must hold numbers, got "
                                 f"{row[index]!r}") from None
    if not np.isfinite(X).all():
        raise ValueError(f"{source}: the features hold NaN or infinite values")
    y = None
    if target is not None:
        labels = [row[header.index(target)].strip() for row in rows[1:]]
        try:
            y = np.array([float(label) for label in labels])
            if np.all(y == np.round(y)):
                y = y.astype(np.int64)
        except ValueError:
            y = np.array(labels)
    return X, y, [header[i] for i in features]
