"""Time per epoch on XOR: the spec's per-sample loop, written plainly, against both engines."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.timing import median_seconds

LEARNING_RATE = 0.5


def spec_reference_loop(epochs: int) -> Callable[[], None]:
    """The course's algorithm for the 2-2-1 sigmoid network, one sample at a time."""
    from scratchnn.datasets import xor

    X, y = xor()
    rng = np.random.default_rng(0)

    def sigmoid(z: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-z))

    def run() -> None:
        W1, b1 = rng.standard_normal((2, 2)), np.zeros((2, 1))
        W2, b2 = rng.standard_normal((1, 2)), np.zeros((1, 1))
        for _ in range(epochs):
            total = 0.0
            for x, target in zip(X, y, strict=True):
                a0 = x.reshape(-1, 1)
                a1 = sigmoid(W1 @ a0 + b1)
                a2 = sigmoid(W2 @ a1 + b2)
                total += float(-(target * np.log(a2) + (1 - target) * np.log(1 - a2))[0, 0])
                da2 = (a2 - target) / (a2 * (1 - a2))
                dz2 = da2 * a2 * (1 - a2)
                dW2, db2, da1 = dz2 @ a1.T, dz2, W2.T @ dz2
                dz1 = da1 * a1 * (1 - a1)
                dW1, db1 = dz1 @ a0.T, dz1
                W2 -= LEARNING_RATE * dW2
                b2 -= LEARNING_RATE * db2
                W1 -= LEARNING_RATE * dW1
                b1 -= LEARNING_RATE * db1
            _ = total / len(X)

    return run


def xor_model() -> Any:
    from scratchnn import Layer, Perceptron

    rng = np.random.default_rng(0)
    return Perceptron([Layer(2, 2, "sigmoid", init="normal", random_state=rng),
                       Layer(2, 1, "sigmoid", init="normal", random_state=rng)])


def engine_fit(epochs: int, batch_size: int | None, engine: str = "numpy",
               loop: str = "graph", jit_compile: bool = True) -> Callable[[], None]:
    from scratchnn.datasets import xor

    X, y = xor()
    if engine == "tensorflow":
        from scratchnn.tf_engine import TFPerceptron

        model = TFPerceptron.from_perceptron(xor_model(), loop=loop, jit_compile=jit_compile)
    else:
        model = xor_model()

    def run() -> None:
        model.fit(X, y, epochs=epochs, learning_rate=LEARNING_RATE, batch_size=batch_size,
                  verbose=False)

    return run


def run(epochs: int, repeats: int) -> dict[str, Any]:
    """Seconds per epoch of each way of training XOR."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    ways: dict[str, Callable[[], Callable[[], None]]] = {
        "spec reference loop (per sample)": lambda: spec_reference_loop(epochs),
        "scratchnn numpy, batch_size=1": lambda: engine_fit(epochs, 1),
        "scratchnn numpy, full batch": lambda: engine_fit(epochs, None),
        "scratchnn tensorflow, train_step from Python, batch_size=1":
            lambda: engine_fit(epochs, 1, "tensorflow", "python"),
        "scratchnn tensorflow, whole fit in one graph, batch_size=1":
            lambda: engine_fit(epochs, 1, "tensorflow", "graph"),
        "the same, jit_compile=False (no XLA)":
            lambda: engine_fit(epochs, 1, "tensorflow", "graph", jit_compile=False),
    }
    table: dict[str, dict[str, Any]] = {}
    for name, build in ways.items():
        try:
            train = build()
        except ImportError as missing:
            table[name] = {"skipped": f"not installed: {missing.name}"}
            continue
        table[name] = {"seconds_per_epoch": median_seconds(train, repeats) / epochs}
    reference = table["spec reference loop (per sample)"]["seconds_per_epoch"]
    for row in table.values():
        if "seconds_per_epoch" in row:
            row["vs_reference"] = row["seconds_per_epoch"] / reference
    python_loop = table[next(iter(k for k in table if "from Python" in k))]
    graph = table[next(iter(k for k in table if "one graph" in k))]
    if "seconds_per_epoch" in python_loop and "seconds_per_epoch" in graph:
        graph["vs_python_loop"] = graph["seconds_per_epoch"] / python_loop["seconds_per_epoch"]
    return {"epochs": epochs, "table": table}
