"""Checks on user input, each raising a ValueError or TypeError that names the argument."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .losses import BinaryCrossEntropy, CategoricalCrossEntropy, Loss

__all__ = [
    "check_X",
    "check_X_y",
    "check_bool",
    "check_fraction",
    "check_number",
    "check_positive_int",
    "check_rate",
    "check_sample_weight",
    "encode_labels",
    "feature_names",
    "float_dtype",
]


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` if it is True or False (a string such as "False" is not), else raise."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_number(name: str, value: object, what: str = "a number") -> float:
    """Return ``value`` as a float if it is a real number (not a bool) a float can hold;
    the error says that ``name`` must be ``what``."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{name} must be {what}, got {value!r}")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{name} is too large for a float, got {value!r}") from None


def check_non_negative(name: str, value: object, strict: bool = False) -> float:
    """Return ``value`` as a float if it is a finite number >= 0 (> 0 with ``strict``)."""
    bound = ">" if strict else ">="
    number = check_number(name, value, f"a number {bound} 0")
    if not (math.isfinite(number) and (number > 0 if strict else number >= 0)):
        raise ValueError(f"{name} must be a finite number {bound} 0, got {value!r}")
    return number


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` as an int if it is a positive integer, else raise."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def check_fraction(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a number strictly between 0 and 1, else raise."""
    number = check_number(name, value)
    if not 0 < number < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value!r}")
    return number


def check_rate(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a number in [0, 1), else raise."""
    number = check_number(name, value)
    if not 0 <= number < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return number


def float_dtype(dtype: np.dtype[Any]) -> np.dtype[np.floating]:
    """float32 stays float32; every other dtype computes in float64."""
    return np.dtype(np.float32) if dtype == np.float32 else np.dtype(np.float64)


def _all_finite(array: NDArray[Any]) -> bool:
    """Whether every value is finite.

    One fast pass without a temporary as large as the array: the sums of a contiguous
    table's rows (a BLAS product with a column of ones, in parallel), or of all its values
    otherwise, are NaN or infinite if any value is; only if a sum is (or overflows) is each
    value checked.  Integers are always finite.
    """
    if not np.issubdtype(array.dtype, np.floating):
        return True
    with np.errstate(over="ignore", invalid="ignore"):
        if (array.ndim == 2 and array.dtype in (np.float32, np.float64)
                and (array.flags.c_contiguous or array.flags.f_contiguous)):
            sums = np.dot(array, np.ones(array.shape[1], array.dtype))
        else:
            sums = np.add.reduce(array, axis=None)
        if np.isfinite(sums).all():
            return True
    return bool(np.isfinite(array).all())


def _as_numeric_array(name: str, values: object) -> NDArray[Any]:
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{name} must be a numeric array, could not convert it: {error}") from None
    if array.dtype == bool:
        array = array.astype(np.float64)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name} must hold numbers, got an array of dtype {array.dtype}")
    if array.size and not _all_finite(array):
        bad = np.argwhere(~np.isfinite(array))[0]
        raise ValueError(
            f"{name} must not contain NaN or infinite values, got {array[tuple(bad)]} at index "
            f"{tuple(int(i) for i in bad)}"
        )
    return array


def feature_names(X: object) -> list[str] | None:
    """The names of a table's columns, as scikit-learn's ``feature_names_in_``: a pandas
    DataFrame's when all are strings, else None (an array, default integer columns)."""
    columns = getattr(X, "columns", None)
    if columns is None or not hasattr(X, "iloc"):
        return None
    names = list(columns)
    return names if names and all(isinstance(name, str) for name in names) else None


def _check_feature_names(X: object, expected: list[str], name: str) -> None:
    """Raise as scikit-learn does when ``X`` names its columns otherwise than ``expected``
    (the names seen in fit); an array, without names, is taken by position."""
    names = feature_names(X)
    if names is None or names == expected:
        return
    unseen = [column for column in names if column not in expected]
    missing = [column for column in expected if column not in names]
    if not unseen and not missing:
        raise ValueError(f"{name}: the feature names must be in the same order as they were "
                         f"in fit: {expected}")
    raise ValueError(f"{name}: the feature names should match those that were passed during "
                     f"fit; unseen at fit time: {unseen}; seen at fit time, yet now missing: "
                     f"{missing}")


def check_X(X: object, n_features: int | None = None, name: str = "X",
            names: list[str] | None = None) -> NDArray[Any]:
    """Return ``X`` as a 2-D numeric array (n_samples, n_features) of finite values.

    A 1-D array is taken as a single sample.  ``n_features``, if given, is the number of
    inputs of the first layer that ``X`` must match; ``names``, if given, the feature names
    seen in fit that a DataFrame's columns must match.
    """
    if names is not None:
        _check_feature_names(X, names, name)
    array = _as_numeric_array(name, X)
    if array.ndim == 1 and array.size:
        array = array[np.newaxis, :]
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D array of shape (n_samples, n_features), "
            f"got an array of shape {array.shape}"
        )
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} must not be empty, got an array of shape {array.shape}")
    if n_features is not None and array.shape[1] != n_features:
        raise ValueError(
            f"{name} has {array.shape[1]} features per sample, but the first layer expects "
            f"{n_features} (n_inputs)"
        )
    return array


def encode_labels(
    y: object, n_samples: int, n_outputs: int, loss: Loss, name: str = "y"
) -> NDArray[Any]:
    """Return the labels as an array of shape (n_samples, n_outputs), checked against the loss.

    Binary cross-entropy takes labels in {0, 1}; categorical cross-entropy takes class
    indices (n_samples,) in ``range(n_outputs)`` or one-hot rows; (n_samples,) and
    (n_samples, 1) are the same for a single output.
    """
    labels = _as_numeric_array(name, y)
    if labels.ndim == 0 or labels.ndim > 2:
        raise ValueError(
            f"{name} must have shape (n_samples,) or (n_samples, n_outputs), got {labels.shape}"
        )
    if labels.shape[0] != n_samples:
        raise ValueError(
            f"{name} has {labels.shape[0]} samples but the inputs have {n_samples}; "
            f"they must match"
        )
    if isinstance(loss, CategoricalCrossEntropy) and (labels.ndim == 1 or labels.shape[1] == 1):
        indices = labels.reshape(-1)
        if n_outputs > 1 or not np.all(indices == 0):
            if not (np.all(indices == np.round(indices)) and indices.min() >= 0
                    and indices.max() < n_outputs):
                raise ValueError(
                    f"{name} must hold class indices in 0..{n_outputs - 1} or one-hot rows "
                    f"for categorical_crossentropy, got values in "
                    f"[{indices.min()}, {indices.max()}]"
                )
            return np.eye(n_outputs)[indices.astype(np.intp)]
    if labels.ndim == 1:
        labels = labels[:, np.newaxis]
    if labels.shape[1] != n_outputs:
        raise ValueError(
            f"{name} has {labels.shape[1]} columns but the output layer has {n_outputs} "
            f"neurons; they must match"
        )
    if isinstance(loss, BinaryCrossEntropy) and not np.isin(labels, (0, 1)).all():
        raise ValueError(
            f"{name} must hold only 0 and 1 for binary_crossentropy, got values "
            f"{np.unique(labels)[:10].tolist()}"
        )
    if isinstance(loss, CategoricalCrossEntropy) and not (
        np.isin(labels, (0, 1)).all() and np.all(labels.sum(axis=1) == 1)
    ):
        raise ValueError(
            f"{name} must be one-hot rows (a single 1 per row) or class indices for "
            f"categorical_crossentropy"
        )
    loss.check_targets(name, labels)
    return labels


def check_sample_weight(sample_weight: object, n_samples: int, dtype: np.dtype[Any],
                        name: str = "sample_weight") -> NDArray[np.floating] | None:
    """Return the sample weights as a 1-D array of ``dtype``, or None if not given.

    They must be ``n_samples`` finite numbers >= 0, not all 0.
    """
    if sample_weight is None:
        return None
    weights = _as_numeric_array(name, sample_weight)
    if weights.ndim != 1 or weights.shape[0] != n_samples:
        raise ValueError(f"{name} must have shape ({n_samples},), one weight per sample, got "
                         f"an array of shape {weights.shape}")
    if weights.size and weights.min() < 0:
        raise ValueError(f"{name} must hold weights >= 0, got {weights.min()}")
    if not weights.sum() > 0:
        raise ValueError(f"{name} must not be all zero: no sample would count")
    return weights.astype(dtype)


def check_X_y(
    X: object, y: object, n_features: int, n_outputs: int, loss: Loss,
    names: tuple[str, str] = ("X", "y"),
) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
    """Check ``X`` and ``y`` together; return them in one float dtype (float32 stays)."""
    X_array = check_X(X, n_features, names[0])
    dtype = float_dtype(X_array.dtype)
    Y = encode_labels(y, X_array.shape[0], n_outputs, loss, names[1])
    return X_array.astype(dtype, copy=False), Y.astype(dtype, copy=False)
