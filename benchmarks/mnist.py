"""One epoch of a 784-256-128-10 MLP on MNIST-shaped data, five ways, and the BLAS floor.

Every row trains the same network (ReLU hidden layers, softmax output, categorical
cross-entropy) with mini-batch SGD (batch 128, learning rate 0.05, no momentum, no
shuffling) on the same float32 data.  A row's first epoch builds the model and traces or
compiles what needs it (the warm-up); the time is the median of the epochs that follow, each
timed beside an epoch of the BLAS floor (they alternate, so that the ratio ``vs_floor``
compares the same states of the machine), and the accuracy (on held-out data) is the one
after the first epoch.
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from benchmarks.data import mnist_like
from benchmarks.timing import median_seconds, paired_seconds

HIDDEN = (256, 128)
BATCH = 128
LEARNING_RATE = 0.05


def sizes(n_features: int, hidden: tuple[int, ...], n_classes: int) -> list[int]:
    return [n_features, *hidden, n_classes]


def blas_floor(X: NDArray[np.floating], widths: list[int], batch_size: int
               ) -> Callable[[], None]:
    """The matrix products of one epoch, alone, into preallocated arrays.

    Per batch: ``z = W · a`` for each layer (forward); ``dW = dz · aᵀ`` for each layer and
    ``da = Wᵀ · dz`` for every layer but the first (backward).  Same shapes and dtype as the
    engine's; no activation, loss, bias or update.
    """
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((n_out, n_in)).astype(X.dtype)
               for n_in, n_out in itertools.pairwise(widths)]
    n_full = X.shape[0] // batch_size * batch_size

    def run() -> None:
        out = [np.empty((n, batch_size), X.dtype) for n in widths]
        grads = [np.empty_like(w) for w in weights]
        for start in range(0, n_full, batch_size):
            out[0] = X[start:start + batch_size].T
            for layer, w in enumerate(weights):
                np.matmul(w, out[layer], out=out[layer + 1])
            for layer in range(len(weights) - 1, -1, -1):
                np.matmul(out[layer + 1], out[layer].T, out=grads[layer])
                if layer > 0:
                    np.matmul(weights[layer].T, out[layer + 1], out=out[layer])

    return run


class Trainer:
    """One way of training: ``start()`` builds the model and trains its first epoch (which
    traces and compiles what needs it); ``epoch()`` trains one more, the timed figure."""

    def __init__(self, X: NDArray[np.float32], y: NDArray[np.intp], widths: list[int],
                 batch_size: int) -> None:
        self.X, self.y, self.widths, self.batch_size = X, y, widths, batch_size
        self.model: Any = None

    def start(self) -> None:
        raise NotImplementedError

    def epoch(self) -> None:
        raise NotImplementedError

    def accuracy(self, X: NDArray[np.float32], y: NDArray[np.intp]) -> float:
        return float(self.model.score(X, y))


def initial_network(widths: list[int]) -> Any:
    """The NumPy-engine network every scratchnn row starts from (the same weights)."""
    from scratchnn import Perceptron

    return Perceptron.from_sizes(widths, "relu", "softmax", "categorical_crossentropy",
                                 random_state=0, dtype=np.float32)


class ScratchnnNumpy(Trainer):
    def start(self) -> None:
        self.model = initial_network(self.widths)
        self.epoch()

    def epoch(self) -> None:
        self.model.fit(self.X, self.y, epochs=1, learning_rate=LEARNING_RATE,
                       batch_size=self.batch_size, verbose=False)


class ScratchnnTensorflow(ScratchnnNumpy):
    def start(self) -> None:
        from scratchnn.tf_engine import TFPerceptron

        self.model = TFPerceptron.from_perceptron(initial_network(self.widths))
        self.epoch()


class HandWrittenTensorflow(Trainer):
    """What TensorFlow can do at best with this design: the same step written inline and
    compiled with XLA, a whole epoch of slices in one ``tf.function``, with none of the
    engine's checks, history or loss bookkeeping.  Like every row it takes NumPy arrays."""

    def start(self) -> None:
        import tensorflow as tf

        self.variables = [tf.Variable(w) for w in initial_network(self.widths).get_weights()]
        self.train_step = tf.function(self._step, jit_compile=True)
        self.train_epoch = tf.function(self._epoch)
        self.epoch()

    def forward(self, a: Any) -> Any:
        import tensorflow as tf

        for index in range(0, len(self.variables), 2):
            z = (tf.matmul(a, self.variables[index], transpose_b=True)
                 + tf.reshape(self.variables[index + 1], [-1]))
            a = tf.nn.relu(z)
        return z  # the logits

    def _step(self, x: Any, y: Any) -> None:
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(y, self.forward(x)))
        for variable, gradient in zip(self.variables, tape.gradient(loss, self.variables),
                                      strict=True):
            variable.assign_sub(LEARNING_RATE * gradient)

    def _epoch(self, X: Any, Y: Any) -> None:
        import tensorflow as tf

        for start in tf.range(0, tf.shape(X)[0], self.batch_size):
            self.train_step(X[start:start + self.batch_size], Y[start:start + self.batch_size])

    def epoch(self) -> None:
        import tensorflow as tf

        one_hot = np.eye(self.widths[-1], dtype=np.float32)[self.y]
        self.train_epoch(tf.constant(self.X), tf.constant(one_hot))

    def accuracy(self, X: NDArray[np.float32], y: NDArray[np.intp]) -> float:
        return float(np.mean(self.forward(X).numpy().argmax(axis=1) == y))


class SklearnMLP(Trainer):
    def start(self) -> None:
        from sklearn.neural_network import MLPClassifier

        self.model = MLPClassifier(tuple(self.widths[1:-1]), solver="sgd", momentum=0,
                                   batch_size=self.batch_size, max_iter=1,
                                   learning_rate_init=LEARNING_RATE, shuffle=False,
                                   random_state=0, warm_start=True)
        self.epoch()

    def epoch(self) -> None:
        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.model.fit(self.X, self.y)


class KerasFit(Trainer):
    def start(self) -> None:
        import keras

        self.model = keras.Sequential(
            [keras.Input((self.widths[0],))]
            + [keras.layers.Dense(n, activation="relu") for n in self.widths[1:-1]]
            + [keras.layers.Dense(self.widths[-1], activation="softmax")]
        )
        self.model.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE),
                           loss="sparse_categorical_crossentropy")
        self.epoch()

    def epoch(self) -> None:
        self.model.fit(self.X, self.y, batch_size=self.batch_size, epochs=1, shuffle=False,
                       verbose=0)

    def accuracy(self, X: NDArray[np.float32], y: NDArray[np.intp]) -> float:
        return float(np.mean(self.model.predict(X, verbose=0).argmax(axis=1) == y))


ROWS: dict[str, type[Trainer]] = {
    "scratchnn numpy": ScratchnnNumpy,
    "scratchnn tensorflow": ScratchnnTensorflow,
    "hand-written tf.function epoch": HandWrittenTensorflow,
    "scikit-learn MLPClassifier": SklearnMLP,
    "keras Sequential.fit": KerasFit,
}


def run(n_rows: int, repeats: int) -> dict[str, Any]:
    """Time every row; return the table as a dict."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    (X, y), (X_test, y_test) = mnist_like(n_rows)
    widths = sizes(X.shape[1], HIDDEN, 10)
    rows: dict[str, dict[str, Any]] = {}
    run_floor = blas_floor(X, widths, BATCH)
    floor = median_seconds(run_floor, repeats)
    rows["BLAS floor"] = {"seconds": floor}
    for name, trainer_class in ROWS.items():
        trainer = trainer_class(X, y, widths, BATCH)
        try:
            trainer.start()
        except ImportError as missing:
            rows[name] = {"skipped": f"not installed: {missing.name}"}
            continue
        first_epoch_accuracy = trainer.accuracy(X_test, y_test)
        # Each epoch beside a floor's, alternating: the ratio compares the same states of a
        # machine whose speed drifts.
        paired = paired_seconds({"row": trainer.epoch, "floor": run_floor}, repeats, warmup=0)
        rows[name] = {"seconds": paired["row"], "accuracy": first_epoch_accuracy,
                      "vs_floor": paired["row"] / paired["floor"]}
    rows["BLAS floor"]["vs_floor"] = 1.0
    sklearn_seconds = rows.get("scikit-learn MLPClassifier", {}).get("seconds")
    for row in rows.values():
        if "seconds" in row and sklearn_seconds:
            row["vs_sklearn"] = row["seconds"] / sklearn_seconds
    keras_row = rows.get("keras Sequential.fit", {})
    for name in ("scratchnn tensorflow", "hand-written tf.function epoch"):
        if "seconds" in rows.get(name, {}) and "seconds" in keras_row:
            rows[name]["vs_keras"] = rows[name]["seconds"] / keras_row["seconds"]
    # The same floor once more, after every row: a shared machine can slow down for minutes,
    # and then the ratios above compare rows timed in different states.
    floor_drift = median_seconds(run_floor, repeats, warmup=0) / floor
    return {"rows": n_rows, "repeats": repeats, "table": rows, "floor_drift": floor_drift}
