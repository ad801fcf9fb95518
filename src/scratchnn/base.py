"""What both engines share: the model's user API and the training loop around a step.

An engine subclass stores the parameters and supplies four operations: ``get_weights``,
``set_weights``, ``_forward_rows`` (prediction) and ``_run_epochs`` (the updates).
Everything a user sees (checks, batching, the per-epoch line, the history, ``predict``,
``score``, ``summary``) is written once, here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from .activations import Linear, Sigmoid, Softmax
from .errors import NonFiniteLoss, TrainingDivergedError
from .history import History
from .initializers import RandomState, check_random_state
from .interrupt import InterruptGuard
from .layers import Layer
from .losses import Loss, get_loss
from .optimizers import SGD, Optimizer, check_learning_rate
from .validation import check_layers, check_positive_int, check_X, check_X_y, encode_labels

Array = NDArray[np.floating]
#: A batch of row indices into the training set: a slice (no copy) or an index array.
Batch = slice | NDArray[np.intp]

__all__ = ["BaseModel", "iter_batches"]


def iter_batches(
    n_samples: int, batch_size: int, order: NDArray[np.intp] | None
) -> Iterator[Batch]:
    """Yield the batches of one epoch: slices in order, or chunks of a shuffled ``order``."""
    for start in range(0, n_samples, batch_size):
        stop = min(start + batch_size, n_samples)
        yield slice(start, stop) if order is None else order[start:stop]


class BaseModel:
    """The model API common to the NumPy and TensorFlow engines."""

    engine = ""

    def __init__(self, layers: list[Layer], loss: str | Loss = "binary_crossentropy") -> None:
        self.layers = check_layers(layers)
        self.loss = get_loss(loss)
        self.history = History()

    # -- engine operations -------------------------------------------------------------
    def get_weights(self) -> list[Array]:
        """Return copies of the parameters, ``[W1, b1, W2, b2, ...]``."""
        raise NotImplementedError

    def set_weights(self, weights: list[Array]) -> None:
        """Set the parameters from ``[W1, b1, W2, b2, ...]`` (shapes must match)."""
        raise NotImplementedError

    def _forward_rows(self, X: Array) -> Array:
        """Return the output activations (n_samples, n_outputs) for rows ``X``."""
        raise NotImplementedError

    def _run_epochs(
        self, X: Array, Y: Array, orders: Iterator[NDArray[np.intp] | None], batch_size: int,
        optimizer: Optimizer, guard: InterruptGuard,
    ) -> Iterator[float]:
        """Train one epoch per item of ``orders``; yield each epoch's summed per-sample loss.

        An order is a permutation of the samples, or None for their natural order.  Before
        updating on a batch whose loss is not finite, raise ``NonFiniteLoss``; after each
        complete update, call ``guard.check()``.
        """
        raise NotImplementedError

    def _snapshot(self) -> Any:
        """A copy of the parameters that ``_restore`` can put back."""
        return self.get_weights()

    def _restore(self, snapshot: Any) -> None:
        self.set_weights(snapshot)

    def _is_finite(self) -> bool:
        """Whether every parameter is finite."""
        return all(bool(np.isfinite(w).all()) for w in self.get_weights())

    # -- shape and description -----------------------------------------------------------
    @property
    def n_features(self) -> int:
        """Number of inputs of the first layer."""
        return self.layers[0].n_inputs

    @property
    def n_outputs(self) -> int:
        """Number of neurons of the output layer."""
        return self.layers[-1].n_neurons

    @property
    def dtype(self) -> np.dtype[np.floating]:
        """Dtype of the parameters."""
        return self.get_weights()[0].dtype

    @property
    def loss_curve_(self) -> list[float]:
        """Per-epoch training loss, as scikit-learn's ``loss_curve_``."""
        return self.history.loss

    def summary(self) -> str:
        """Return a table of the layers: sizes, activation, parameter shapes and counts."""
        rows = [f"{type(self).__name__} ({self.engine} engine, loss={self.loss.name}, "
                f"dtype={self.dtype})"]
        header = f"{'layer':<6}{'inputs':>8}{'neurons':>9}  {'activation':<11}{'weights':<14}"
        rows += [header + f"{'biases':<10}{'parameters':>10}", "-" * 68]
        for index, layer in enumerate(self.layers, start=1):
            rows.append(
                f"{index:<6}{layer.n_inputs:>8}{layer.n_neurons:>9}  "
                f"{layer.activation.name:<11}{layer.weights.shape!s:<14}"
                f"{layer.biases.shape!s:<10}{layer.n_parameters:>10}"
            )
        rows.append(f"total parameters: {sum(layer.n_parameters for layer in self.layers)}")
        return "\n".join(rows)

    def __repr__(self) -> str:
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"{type(self).__name__}([{layers}], loss={self.loss.name!r})"

    # -- training ------------------------------------------------------------------------
    def fit(
        self,
        training_data: object,
        labels: object,
        epochs: int = 100,
        learning_rate: float | None = None,
        batch_size: int | None = 1,
        shuffle: bool = False,
        verbose: bool | int = True,
        random_state: RandomState = None,
        log_every: int = 1,
    ) -> Self:
        """Train the network by gradient descent on the mean loss.

        Parameters
        ----------
        training_data : array-like of shape (n_samples, n_features)
        labels : array-like of shape (n_samples,) or (n_samples, n_outputs)
            0/1 for binary cross-entropy, class indices or one-hot rows for categorical
            cross-entropy, targets for mean squared error.
        epochs : int, default 100
            Passes over the training set.
        learning_rate : float, default 0.01
            Step size of plain stochastic gradient descent.
        batch_size : int or None, default 1
            Samples per update: 1 is the spec's sample-by-sample algorithm, ``None`` the whole
            set.  The gradient of a batch is the mean of its per-sample gradients.
        shuffle : bool, default False
            Visit the samples in a new random order every epoch.
        verbose : bool or int, default True
            Print ``Loss at epoch N: L.LLL`` after every ``log_every`` epochs.
        random_state : int, Generator or None
            Seeds the shuffling.

        Returns
        -------
        self
            The trained model; ``history.loss`` holds each epoch's mean loss.
        """
        X, Y = check_X_y(training_data, labels, self.n_features, self.n_outputs, self.loss,
                         names=("training_data", "labels"))
        epochs = check_positive_int("epochs", epochs)
        n_samples = X.shape[0]
        batch_size = n_samples if batch_size is None else min(
            check_positive_int("batch_size", batch_size), n_samples
        )
        log_every = check_positive_int("log_every", log_every)
        optimizer = SGD(0.01 if learning_rate is None else check_learning_rate(learning_rate))
        rng = check_random_state(random_state)

        self._prepare(X.dtype)
        orders = (rng.permutation(n_samples) if shuffle else None for _ in range(epochs))
        first_epoch = len(self.history) + 1
        epoch = first_epoch
        last_finite = self._snapshot()
        with InterruptGuard() as guard:
            try:
                for total in self._run_epochs(X, Y, orders, batch_size, optimizer, guard):
                    if not self._is_finite():
                        raise NonFiniteLoss(-(-n_samples // batch_size))  # the last update
                    last_finite = self._snapshot()
                    self.history.append(epoch, total / n_samples)
                    if verbose and (epoch - first_epoch + 1) % log_every == 0:
                        print(f"Loss at epoch {epoch}: {total / n_samples:.3f}", file=sys.stdout)
                    epoch += 1
            except NonFiniteLoss as failure:
                if not self._is_finite():
                    self._restore(last_finite)
                raise TrainingDivergedError(epoch, failure.batch,
                                            optimizer.learning_rate) from None
        return self

    def _prepare(self, dtype: np.dtype[Any]) -> None:
        """Before training: convert the parameters to the data's dtype (float32 stays)."""
        if dtype != self.dtype:
            self.set_weights([w.astype(dtype) for w in self.get_weights()])

    def save(self, path: str | os.PathLike[str]) -> None:
        """Save the model to ``path`` (an ``.npz``, written atomically); see ``scratchnn.load``."""
        from .io import save

        save(self, path)

    # -- prediction ----------------------------------------------------------------------
    def predict_proba(self, X: object) -> Array:
        """Return the output activations, shape (n_samples, n_outputs)."""
        rows = check_X(X, self.n_features)
        return self._forward_rows(rows.astype(self.dtype, copy=False))

    def predict(self, X: object) -> NDArray[Any]:
        """Return predictions: class labels for classifiers, values for a linear output.

        One sigmoid output: 0/1 by the 0.5 threshold, shape (n_samples,); several sigmoid
        outputs: a 0/1 column each; softmax: the index of the largest probability.
        """
        output = self.predict_proba(X)
        activation = self.layers[-1].activation
        if isinstance(activation, Softmax):
            return output.argmax(axis=1)
        if isinstance(activation, Sigmoid):
            labels = (output >= 0.5).astype(np.intp)
            return labels[:, 0] if labels.shape[1] == 1 else labels
        return output[:, 0] if output.shape[1] == 1 and isinstance(activation, Linear) else output

    def score(self, X: object, y: object) -> float:
        """Return the accuracy of ``predict`` on ``(X, y)`` (R² for a linear output)."""
        rows = check_X(X, self.n_features)
        Y = encode_labels(y, rows.shape[0], self.n_outputs, self.loss)
        if isinstance(self.layers[-1].activation, Linear):
            residual = ((Y - self.predict_proba(rows)) ** 2).sum()
            total = ((Y - Y.mean(axis=0)) ** 2).sum()
            return float(1 - residual / total) if total > 0 else 0.0
        predicted = self.predict(rows)
        if isinstance(self.layers[-1].activation, Softmax):
            return float(np.mean(predicted == Y.argmax(axis=1)))
        return float(np.mean(np.all(predicted.reshape(Y.shape) == Y, axis=1)))
