"""The TensorFlow engine on a GPU, against Keras and PyTorch on the same GPU.

Runs when TensorFlow sees a GPU (``python -m benchmarks --device gpu`` requires one): the
MNIST-shaped epoch of ``benchmarks.mnist`` (scratchnn's TensorFlow engine, Keras's
``Sequential.fit``, a PyTorch loop on CUDA) and scikit-learn's estimator on digits on the
TensorFlow engine, each fit after the first.  The engine places nothing itself: TensorFlow puts
its operations on the GPU.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from benchmarks.data import mnist_like
from benchmarks.mnist import (
    BATCH,
    HIDDEN,
    LEARNING_RATE,
    KerasFit,
    ScratchnnTensorflow,
    Trainer,
    sizes,
)
from benchmarks.timing import median_seconds


def gpu_visible() -> bool:
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


class TorchLoop(Trainer):
    """The same network and SGD step in PyTorch, on CUDA, the data on the GPU."""

    def start(self) -> None:
        import torch

        layers: list[Any] = []
        for n_in, n_out in zip(self.widths[:-1], self.widths[1:], strict=True):
            layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
        self.model = torch.nn.Sequential(*layers[:-1]).cuda()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LEARNING_RATE)
        self.X_gpu = torch.from_numpy(self.X).cuda()
        self.y_gpu = torch.from_numpy(self.y.astype(np.int64)).cuda()
        self.epoch()

    def epoch(self) -> None:
        import torch

        for start in range(0, len(self.X), self.batch_size):
            self.optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(
                self.model(self.X_gpu[start:start + self.batch_size]),
                self.y_gpu[start:start + self.batch_size])
            loss.backward()
            self.optimizer.step()
        torch.cuda.synchronize()

    def accuracy(self, X: NDArray[np.float32], y: NDArray[np.intp]) -> float:
        import torch

        with torch.no_grad():
            predicted = self.model(torch.from_numpy(X).cuda()).argmax(dim=1).cpu().numpy()
        return float(np.mean(predicted == y))


def run(n_rows: int, repeats: int, quick: bool = False) -> dict[str, Any]:
    (X, y), (X_test, y_test) = mnist_like(n_rows)
    widths = sizes(X.shape[1], HIDDEN, 10)
    table: dict[str, dict[str, Any]] = {}
    for name, trainer_class in [("scratchnn tensorflow", ScratchnnTensorflow),
                                ("keras Sequential.fit", KerasFit),
                                ("pytorch loop", TorchLoop)]:
        trainer = trainer_class(X, y, widths, BATCH)
        try:
            trainer.start()
        except ImportError as missing:
            table[f"MNIST-shaped epoch, {name}"] = {"skipped": f"not installed: {missing.name}"}
            continue
        table[f"MNIST-shaped epoch, {name}"] = {
            "seconds": median_seconds(trainer.epoch, repeats, warmup=0),
            "accuracy": trainer.accuracy(X_test, y_test)}
    keras = table["MNIST-shaped epoch, keras Sequential.fit"].get("seconds")
    for row in table.values():
        if keras and "seconds" in row:
            row["vs_keras"] = row["seconds"] / keras

    from sklearn.exceptions import ConvergenceWarning

    from benchmarks.tf_small_fit import digits
    from scratchnn.sklearn import MLPClassifier

    X_digits, y_digits, parameters = digits(quick)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        table["MLPClassifier fit on digits, tensorflow engine"] = {"seconds": median_seconds(
            lambda: MLPClassifier(**parameters, engine="tensorflow").fit(X_digits, y_digits),
            repeats)}
    return {"rows": n_rows, "table": table}
