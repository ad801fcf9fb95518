"""One epoch on a memory-mapped training set against the same set in memory, both engines.

``python -m benchmarks.larger_than_memory PATH ENGINE {memmap,memory} [no-xla]`` trains a
784-64-10 network for two epochs (batch 128, shuffled) on the ``.npy`` at ``PATH``, opened
with ``mmap_mode="r"`` or read into memory (``no-xla``: the TensorFlow engine with
``jit_compile=False``), and prints a JSON object: the first and second epoch's seconds, and
the peak resident memory over what the process held before the data (the interpreter, the
engine and, in memory, the array itself), in MB.  ``run`` writes the file and runs each case
in a process of its own.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.timing import in_subprocess, peak_memory_mb

FEATURES, CLASSES, HIDDEN, BATCH = 784, 10, 64, 128


def write(path: Path, rows: int) -> None:
    """A ``rows`` x 784 float32 ``.npy`` of uniform values, written a block at a time."""
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(rows, FEATURES))
    rng = np.random.default_rng(0)
    for start in range(0, rows, 50_000):
        X[start:start + 50_000] = rng.random((len(X[start:start + 50_000]), FEATURES),
                                             dtype=np.float32)
    X.flush()


def run(rows: int) -> dict[str, Any]:
    """Each engine on the memmap and in memory; the table rows."""
    table: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "X.npy"
        write(path, rows)
        for engine in ("numpy", "tensorflow"):
            for where in ("memmap", "memory"):
                table[f"scratchnn {engine}, {where}"] = in_subprocess(
                    "benchmarks.larger_than_memory", str(path), engine, where)
        table["scratchnn tensorflow, memmap, jit_compile=False"] = in_subprocess(
            "benchmarks.larger_than_memory", str(path), "tensorflow", "memmap", "no-xla")
    for name, row in table.items():
        if name.startswith("scratchnn tensorflow"):
            where = name.split(", ")[1]
            row["vs_numpy"] = row["seconds"] / table[f"scratchnn numpy, {where}"]["seconds"]
    return {"rows": rows, "x_mb": rows * FEATURES * 4 / 2**20, "table": table}


def main() -> None:
    path, engine, where = sys.argv[1], sys.argv[2], sys.argv[3]
    jit_compile = sys.argv[4:] != ["no-xla"]
    from scratchnn import Perceptron

    model: Any = Perceptron.from_sizes([FEATURES, HIDDEN, CLASSES], "relu", "softmax",
                                       "categorical_crossentropy", random_state=0,
                                       dtype=np.float32)
    if engine == "tensorflow":
        from scratchnn.tf_engine import TFPerceptron

        model = TFPerceptron.from_perceptron(model, jit_compile=jit_compile)
        model.predict_proba(np.zeros((1, FEATURES), np.float32))  # TensorFlow started
    before = peak_memory_mb()
    X = np.load(path, mmap_mode="r" if where == "memmap" else None)
    y = np.arange(len(X)) % CLASSES
    seconds = []
    for _ in range(2):
        start = time.perf_counter()
        model.fit(X, y, epochs=1, batch_size=BATCH, learning_rate=0.01, shuffle=True,
                  random_state=0, verbose=0)
        seconds.append(time.perf_counter() - start)
    print(json.dumps({"first_epoch_seconds": seconds[0], "seconds": seconds[1],
                      "peak_mb": peak_memory_mb() - before}))


if __name__ == "__main__":
    main()
