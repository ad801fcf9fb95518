"""The user's data files: a CSV table with a header, or NumPy arrays.

``read_table(path, target, features)`` returns a ``Table``: the features ``X``
(n_samples, n_features), the targets ``y`` (n_samples,) and the names of the columns:

- ``.csv``: a header line (UTF-8, an Excel byte-order mark is skipped), then one row per
  sample, its values separated by commas, or by semicolons with decimal commas (``1,5``) as
  Excel writes them in French: a header with semicolons and no comma says which.  The
  ``target`` column (by name) holds the labels, of any type; every other column is a feature
  and must be numeric.  With ``features`` (a model's feature names) exactly those
  columns are read, by name and in that order, whatever the file's order, and the others (the
  target among them) are left out;
- ``.npy``: the features, opened memory-mapped (never loaded whole); ``target`` is a second
  ``.npy`` file holding the labels; its columns have no names: they are matched by count;
- ``.npz``: arrays ``X`` and ``y`` (``target`` names the labels array, default ``y``).

What cannot be read faithfully is refused, never guessed: a missing or non-finite target, two
columns of one name, a field over the CSV limit, a non-numeric feature, a ragged row, an empty
file.  Each is a ValueError that names the file and the line or the column.

``classes(table)`` and ``values(table)`` then read the targets as a classifier's classes or a
regression's values; a target of non-integer numbers is not taken as thousands of classes.
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .language import LocalizedValueError, Phrase

__all__ = ["SUFFIXES", "Table", "classes", "read_table", "suffix", "values"]

SUFFIXES = (".csv", ".npy", ".npz")
#: Integers beyond this are not held exactly by a float: such a target is not class numbers.
EXACT_INTEGERS = 2**53


@dataclass(frozen=True)
class Table:
    """Features, targets (None when the file has none) and names (None: unnamed columns)."""

    source: Path
    X: NDArray[Any]
    y: NDArray[Any] | None
    feature_names: list[str] | None
    target_name: str | None


def suffix(path: str | os.PathLike[str]) -> str:
    """The file's kind: its suffix in lower case (``DATA.CSV`` is a CSV)."""
    return Path(path).suffix.lower()


def read_table(path: str | os.PathLike[str], target: str | None,
               features: list[str] | None = None) -> Table:
    """The table in a CSV, ``.npy`` or ``.npz`` file; ``y`` is None when the file has no
    ``target`` (the inputs of a prediction).  ``features``: the feature columns to read, by
    name (a CSV's; an unnamed source is read whole)."""
    source = _regular_file(path)
    kind = suffix(source)
    if kind == ".csv":
        return _read_csv(source, target, features)
    if kind == ".npy":
        X = _load_npy(source, memory_mapped=True)
        y = None if target is None else _load_npy(_regular_file(target))
        return _checked(source, X, y)
    if kind == ".npz":
        with np.load(source, allow_pickle=False) as arrays:
            if "X" not in arrays:
                raise LocalizedValueError("npz_no_X", source=source, arrays=sorted(arrays.files))
            if target is not None and target not in arrays:
                raise LocalizedValueError("npz_no_array", source=source, target=target,
                                          arrays=sorted(arrays.files))
            y = arrays.get(target or "y")
            return _checked(source, arrays["X"], y)
    raise LocalizedValueError("file_kind", source=source)


def _regular_file(path: str | os.PathLike[str]) -> Path:
    """``path`` if it is a regular file (a FIFO, a device or a folder would block or mislead)."""
    source = Path(path)
    if not source.is_file():
        raise LocalizedValueError("file_missing" if not source.exists() else "file_not_regular",
                                  source=source)
    return source


def _load_npy(source: Path, memory_mapped: bool = False) -> NDArray[Any]:
    """The array of a ``.npy`` file (memory-mapped: read as it is used, never whole)."""
    if suffix(source) != ".npy":
        raise LocalizedValueError("npy_expected", source=source)
    try:
        array = np.load(source, mmap_mode="r" if memory_mapped else None, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise LocalizedValueError("npy_unreadable", source=source, error=error) from None
    return np.asarray(array)


def _checked(source: Path, X: NDArray[Any], y: NDArray[Any] | None) -> Table:
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise LocalizedValueError("features_table", source=source, shape=X.shape)
    if X.dtype.kind not in "fiu":
        raise LocalizedValueError("features_numbers", source=source, dtype=X.dtype)
    if y is not None:
        if y.ndim != 1 or len(y) != len(X):
            raise LocalizedValueError("labels_rows", source=source, rows=len(X), shape=y.shape)
        if y.dtype.kind == "b":
            y = y.astype(np.int64)
        if y.dtype.kind not in "fiuU":
            raise LocalizedValueError("labels_type", source=source, dtype=y.dtype)
        if y.dtype.kind == "f" and not np.isfinite(y).all():
            row = int(np.argmin(np.isfinite(y)))
            raise LocalizedValueError("label_not_finite", source=source, row=row, value=y[row])
    return Table(source, X, y, None, None)


def _read_csv(source: Path, target: str | None, features: list[str] | None) -> Table:
    reader = None
    try:
        with source.open(newline="", encoding="utf-8-sig") as file:  # -sig: skip a BOM
            header_line = file.readline()
            french = ";" in header_line and "," not in header_line
            file.seek(0)
            reader = csv.reader(file, delimiter=";" if french else ",")
            rows = [(reader.line_num, row) for row in reader
                    if any(cell.strip() for cell in row)]
    except csv.Error as error:  # a field over the limit
        where = Phrase("at_line", line=reader.line_num) if reader is not None else ""
        raise _csv_error(source, where, error) from None
    except UnicodeDecodeError as error:
        raise LocalizedValueError("csv_not_utf8", source=source, start=error.start,
                                  reason=error.reason) from None
    if len(rows) < 2:
        raise LocalizedValueError("csv_empty", source=source)
    header = [name.strip() for name in rows[0][1]]
    for index, name in enumerate(header):
        if name in header[:index]:
            raise LocalizedValueError("csv_duplicate", source=source, name=name,
                                      first=header.index(name) + 1, second=index + 1)
    body = rows[1:]
    for number, row in body:
        if len(row) != len(header):
            raise LocalizedValueError("csv_ragged", source=source, line=number, count=len(row),
                                      columns=len(header))
    if target is not None and target not in header:
        raise LocalizedValueError("csv_no_target", source=source, target=target, header=header)
    if features is not None:
        missing = [name for name in features if name not in header]
        if missing:
            raise LocalizedValueError("csv_no_input", source=source, name=missing[0],
                                      features=features)
        names = list(features)
    else:
        names = [name for name in header if name != target]
    if not names:
        raise LocalizedValueError("csv_no_features", source=source, target=target)
    X = np.empty((len(body), len(names)))
    for column, name in enumerate(names):
        position = header.index(name)
        for row_index, (line, row) in enumerate(body):
            try:
                X[row_index, column] = value = _number(row[position], french)
            except ValueError:
                if not row[position].strip():
                    raise LocalizedValueError("csv_feature_empty", source=source, line=line,
                                              name=name) from None
                raise LocalizedValueError("csv_not_number", source=source, line=line, name=name,
                                          value=row[position]) from None
            if not math.isfinite(value):
                raise LocalizedValueError("csv_feature_not_finite", source=source, line=line,
                                          name=name, value=row[position].strip())
    y = None if target is None else _csv_targets(source, body, header.index(target), target,
                                                    french)
    return Table(source, X, y, names, target)


def _csv_targets(source: Path, body: list[tuple[int, list[str]]], index: int,
                 target: str, french: bool) -> NDArray[Any]:
    """The target column: numbers if every cell is one (integers when all are), else text;
    an empty cell or a non-finite number (nan, inf, 1e400) is refused, never a class."""
    cells = [row[index].strip() for _, row in body]
    numbers: list[float] = []
    for (line, _), cell in zip(body, cells, strict=True):
        try:
            number = _number(cell, french)
        except ValueError:
            if not cell:
                raise LocalizedValueError("csv_target_empty", source=source, line=line,
                                          target=target) from None
            continue
        if not math.isfinite(number):
            raise LocalizedValueError("csv_target_not_finite", source=source, line=line,
                                      target=target, value=cell)
        numbers.append(number)
    if len(numbers) < len(cells):
        return np.array(cells)
    y = np.array(numbers)
    if np.all(y == np.round(y)) and np.all(np.abs(y) < EXACT_INTEGERS):
        return y.astype(np.int64)
    return y


def _number(cell: str, decimal_comma: bool) -> float:
    """The number in ``cell`` (``1,5`` is 1.5 in a file separated by semicolons); raise
    ValueError if it holds none."""
    return float(cell.replace(",", ".") if decimal_comma else cell)


def classes(table: Table) -> tuple[NDArray[np.intp], list[Any]]:
    """The targets as class indices, and the label of each class (sorted).  Non-integer
    numbers are a quantity, not classes: refused, with the option that predicts them."""
    y = _targets(table)
    if y.dtype.kind == "f" and not np.all(y == np.round(y)):
        example = y[np.flatnonzero(y != np.round(y))[0]]
        raise LocalizedValueError("target_not_whole", source=table.source, name=_name(table),
                                  example=example)
    labels, indices = np.unique(y, return_inverse=True)
    return indices.astype(np.intp), labels.tolist()


def values(table: Table) -> NDArray[np.float64]:
    """The targets as the numbers a regression predicts; text is refused."""
    y = _targets(table)
    if y.dtype.kind not in "fiu":
        raise LocalizedValueError("target_text", source=table.source, name=_name(table),
                                  example=y[0])
    return y.astype(np.float64)


def _targets(table: Table) -> NDArray[Any]:
    if table.y is None:
        raise LocalizedValueError("no_target", source=table.source)
    return table.y


def _name(table: Table) -> str | Phrase:
    return repr(table.target_name) if table.target_name else Phrase("the_labels")


def _csv_error(source: Path, where: str | Phrase, error: csv.Error) -> LocalizedValueError:
    """The csv module's refusal: a field over its limit in the current language, another in
    the module's words."""
    message = str(error)
    if message.startswith("field larger than field limit"):
        return LocalizedValueError("csv_field_limit", source=source, where=where,
                                   limit=csv.field_size_limit())
    return LocalizedValueError("csv_unreadable", source=source, where=where, error=message)
