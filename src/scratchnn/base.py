"""What both engines share: the model's user API and the training loop around a step.

An engine subclass stores the parameters and supplies the operations that touch them:
``get_weights``, ``set_weights``, ``_forward_rows`` (prediction), ``_summed_data_loss`` and
``_penalty_value`` (evaluation), ``_run_epochs`` (the updates), ``_objective`` (the
full-batch loss and gradient, for L-BFGS) and ``numpy_copy``.  Everything a user sees
(checks, the validation split, early stopping, schedules between epochs, the L-BFGS loop,
restarts, the per-epoch line, the history, ``predict``, ``score``, ``summary``, ``save``,
``diagnose``, evaluation a chunk of rows at a time) is written once, here.
"""

from __future__ import annotations

import functools
import itertools
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from numpy.typing import NDArray

from .activations import Sigmoid, Softmax
from .callbacks import callback_hook
from .diagnostics import STUCK, STUCK_WORDS, Finding, diagnose, sample_rows
from .errors import ConvergenceWarning, NonFiniteLoss, TrainingDivergedError
from .history import History
from .initializers import FitRandom, RandomState, check_fit_random_state, initialize
from .interrupt import InterruptGuard
from .layers import Layer
from .losses import Loss, batch_weight, get_loss
from .optimizers import SGD, Optimizer, get_optimizer
from .preprocessing import Standardization
from .schedules import Adaptive, Schedule
from .solvers import LBFGS
from .training import Callback, EarlyStopping, Progress, stratified_split
from .validation import (
    check_bool,
    check_fraction,
    check_positive_int,
    check_sample_weight,
    check_X,
    check_X_y,
    encode_labels,
    feature_names,
)

if TYPE_CHECKING:
    from .models import Perceptron

Array = NDArray[np.floating]
#: A batch of row indices into the training set: a slice (no copy) or an index array.
Batch = slice | NDArray[np.intp]
#: Values per chunk (rows times the widest layer) when a whole set is predicted or
#: evaluated: the activations held at once stay bounded (and a memory-mapped set is read a
#: chunk at a time), whatever its length.
CHUNK_VALUES = 1 << 20

__all__ = ["BaseModel", "iter_batches"]


def iter_batches(
    n_samples: int, batch_size: int, order: NDArray[np.intp] | None
) -> Iterator[Batch]:
    """Yield the batches of one epoch: slices in order, or chunks of a shuffled ``order``."""
    for start in range(0, n_samples, batch_size):
        stop = min(start + batch_size, n_samples)
        yield slice(start, stop) if order is None else order[start:stop]


def check_layers(layers: object) -> list[Layer]:
    """Check that ``layers`` is a non-empty list of Layers whose sizes chain."""
    if not isinstance(layers, list | tuple) or not layers:
        raise TypeError(f"layers must be a non-empty list of Layer objects, got {layers!r}")
    for index, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(f"layers[{index}] must be a Layer, got {layer!r}")
    for index, (previous, layer) in enumerate(itertools.pairwise(layers), start=1):
        if layer.n_inputs != previous.n_neurons:
            raise ValueError(
                f"layers[{index}] has n_inputs={layer.n_inputs} but layers[{index - 1}] has "
                f"n_neurons={previous.n_neurons}; consecutive layer sizes must match"
            )
    for index, layer in enumerate(layers[:-1]):
        if isinstance(layer.activation, Softmax):
            raise ValueError(f"layers[{index}]: softmax is only supported on the output layer")
    if layers[-1].dropout:
        raise ValueError(f"layers[{len(layers) - 1}]: dropout is for hidden layers, not the "
                         f"output layer (got dropout={layers[-1].dropout})")
    return list(layers)


def _copy_state(optimizer: Optimizer | LBFGS) -> dict[str, Any]:
    state = optimizer.state()
    if optimizer.schedule is not None:
        state["schedule"] = dict(optimizer.schedule.state())
    return {k: [a.copy() for a in v] if isinstance(v, list) else v for k, v in state.items()}


def _set_state(optimizer: Optimizer | LBFGS, state: dict[str, Any]) -> None:
    optimizer.set_state(state)
    if optimizer.schedule is not None:
        optimizer.schedule.set_state(state["schedule"])


@dataclass
class _Run:
    """The fixed settings of one fit, shared by its restarts.

    ``W`` holds the sample weights (None: all 1); the training set is the rows ``rows`` of
    ``X, Y, W`` (None: all of them), so that a validation split copies nothing.
    ``validation`` is the validation set ``(X_val, Y_val, W_val, rows_val)``, the same way;
    ``stoppers`` the early-stopping rules.
    """

    X: Array
    Y: Array
    W: Array | None
    rows: NDArray[np.intp] | None
    validation: tuple[Array, Array, Array | None, NDArray[np.intp] | None] | None
    epochs: int
    batch_size: int
    shuffle: bool
    rng: FitRandom
    callbacks: list[Callback]
    stoppers: list[EarlyStopping]

    @property
    def n_samples(self) -> int:
        """The number of training samples."""
        return self.X.shape[0] if self.rows is None else len(self.rows)

    @functools.cached_property
    def total_weight(self) -> float:
        """The number of training samples, or their total weight (found once)."""
        return batch_weight(self.n_samples, self.take(self.W))

    def take(self, array: Array | None, rows: NDArray[np.intp] | None = None) -> Any:
        """The training rows of ``array`` (``rows`` of them if given): a copy, for what needs
        the set at once (L-BFGS, the diagnosis)."""
        if array is None or (self.rows is None and rows is None):
            return array
        picked = self.rows if rows is None else rows if self.rows is None else self.rows[rows]
        return array[picked]

    def diagnosis_set(self) -> tuple[Array, Array]:
        """The training samples the diagnosis looks at (at most its sample of them)."""
        picked = sample_rows(self.n_samples)
        return self.take(self.X, picked), self.take(self.Y, picked)


class BaseModel:
    """The model API common to the NumPy and TensorFlow engines."""

    engine = ""

    def __init__(self, layers: list[Layer], loss: str | Loss = "binary_crossentropy") -> None:
        self.layers = check_layers(layers)
        self.loss = get_loss(loss)
        self.history = History()
        #: Standardised inputs, applied before the first layer (None: the inputs as they are).
        self.standardization: Standardization | None = None
        #: The label of each class, for the command line's output (None: 0, 1, ...).
        self.class_labels: list[Any] | None = None
        # [files] The names of the input columns and of the target (None: unnamed), and the
        # standardisation of a regression's targets (None: trained on them as they are).
        self.feature_names_in_: list[str] | None = None
        self.target_name_: str | None = None
        self.target_standardization: Standardization | None = None

    # -- engine operations -------------------------------------------------------------
    def get_weights(self) -> list[Array]:
        """Return copies of the parameters, ``[W1, b1, W2, b2, ...]``."""
        raise NotImplementedError

    def set_weights(self, weights: list[Array]) -> None:
        """Set the parameters from ``[W1, b1, W2, b2, ...]`` (shapes must match)."""
        raise NotImplementedError

    def _check_weights(self, weights: object) -> list[Array]:
        """``weights`` as arrays, if they are ``[W1, b1, W2, b2, ...]`` of the right shapes,
        all of one floating dtype and finite; else raise, before anything changes."""
        if not isinstance(weights, list | tuple):
            raise TypeError(f"weights must be a list of arrays [W1, b1, W2, b2, ...], got "
                            f"{type(weights).__name__}")
        arrays = [np.asarray(w) for w in weights]
        expected = [shape for layer in self.layers for shape in
                    ((layer.n_neurons, layer.n_inputs), (layer.n_neurons, 1))]
        if [a.shape for a in arrays] != expected:
            raise ValueError(
                f"weights must have the shapes {expected}, got {[a.shape for a in arrays]}")
        dtypes = {a.dtype for a in arrays}
        if len(dtypes) != 1 or next(iter(dtypes)) not in (np.float32, np.float64):
            raise TypeError(f"weights must all be float32 or all float64 arrays, got dtypes "
                            f"{sorted(str(d) for d in dtypes)}")
        for index, array in enumerate(arrays):
            if not np.isfinite(array).all():
                raise ValueError(f"weights[{index}] holds NaN or infinite values")
        return arrays

    def _forward_rows(self, X: Array) -> Array:
        """Return the output activations (n_samples, n_outputs) for rows ``X``."""
        raise NotImplementedError

    def _run_epochs(
        self, run: _Run, orders: Iterator[NDArray[np.intp] | None], optimizer: Optimizer,
        guard: InterruptGuard, per_epoch: bool,
    ) -> Iterator[list[float]]:
        """Train one epoch per item of ``orders`` on ``run.X, run.Y`` (weighted by ``run.W``)
        in batches of ``run.batch_size``; yield the summed per-sample loss of each epoch
        (``Σ w_i l_i`` plus each batch's penalty times its weight), in lists of the epochs run
        since the last yield (one epoch at a time, or, for an engine that runs many epochs in
        one call, all of them).  Dropout masks come from ``run.rng``.

        An order is a permutation of the samples, or None for their natural order.  Before
        updating on a batch whose loss is not finite, raise ``NonFiniteLoss``; after each
        complete update, call ``guard.check()``.  ``per_epoch``: the caller acts after every
        epoch (validation, callbacks), so yield after every epoch.
        """
        raise NotImplementedError

    def _objective(self, X: Array, Y: Array, W: Array | None) -> tuple[float, Array]:
        """The mean loss (penalty included) of the whole set at the current parameters, and
        its gradient, flattened as ``[W1, b1, W2, b2, ...]`` raveled."""
        raise NotImplementedError

    def _set_flat_parameters(self, flat: NDArray[np.float64]) -> None:
        """Set the parameters from one flat vector ``[W1, b1, W2, b2, ...]`` raveled."""
        raise NotImplementedError

    def _snapshot(self) -> Any:
        """A copy of the parameters that ``_restore`` can put back."""
        return self.get_weights()

    def _restore(self, snapshot: Any) -> None:
        self.set_weights(snapshot)

    def _is_finite(self, snapshot: Any) -> bool:
        """Whether every parameter of ``snapshot`` (from ``_snapshot``) is finite."""
        return all(bool(np.isfinite(w).all()) for w in snapshot)

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
        raise NotImplementedError

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
        learning_rate: float | Schedule | None = None,
        batch_size: int | None = 1,
        shuffle: bool = False,
        verbose: bool | int = True,
        random_state: RandomState | np.random.RandomState = None,
        log_every: int = 1,
        optimizer: str | Optimizer | LBFGS | None = None,
        validation_data: tuple[object, object] | None = None,
        validation_split: float | None = None,
        early_stopping: bool | EarlyStopping = False,
        patience: int = 10,
        min_delta: float = 0.0,
        callbacks: Sequence[Callback] = (),
        restarts: int = 0,
        sample_weight: object = None,
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
        learning_rate : float, optional
            With no ``optimizer``: the step size of plain stochastic gradient descent, as in
            the spec (default 0.01).  With an optimizer name: its learning rate.
        batch_size : int or None, default 1
            Samples per update: 1 is the spec's sample-by-sample algorithm, ``None`` the whole
            set.  The gradient of a batch is the mean of its per-sample gradients.
        shuffle : bool, default False
            Visit the samples in a new random order every epoch.
        verbose : {0, 1, 2} or bool, default True
            0: silent; 1: ``Loss at epoch N: L.LLL`` every ``log_every`` epochs; 2: a progress
            bar (tqdm) with the current losses.
        random_state : int, Generator, RandomState or None
            Seeds the shuffling, the validation split and the dropout masks.  Each epoch's
            order is the previous one shuffled again, as scikit-learn's: with its legacy
            ``numpy.random.RandomState`` the orders are scikit-learn's own.
        log_every : int, default 1
        optimizer : {"sgd", "adam", "lbfgs"}, Optimizer or LBFGS, optional
            An optimizer object keeps its state from one fit to the next; by default a model
            that was trained before continues with its last optimizer (``optimizer_``).  Its
            learning rate may be a schedule (``scratchnn.schedules``).  ``LBFGS`` trains on the
            whole set, ``epochs`` being its most iterations.
        validation_data : (X_val, y_val) or (X_val, y_val, sample_weight_val), optional
            Data to compute ``history.val_loss`` and ``history.val_accuracy`` on after each
            epoch.
        validation_split : float, optional
            Instead of ``validation_data``: this fraction of the training data, drawn at
            random (seeded by ``random_state``) from each class in proportion (stratified),
            is held out for validation.
        early_stopping : bool or EarlyStopping, default False
            Stop when the validation loss has not improved by at least ``min_delta`` for
            ``patience`` epochs in a row, and restore the weights of the best epoch
            (``best_epoch_``).  Without validation data, 10% of the training data is held out.
            An ``EarlyStopping`` object sets what is watched (``monitor="loss"`` is a
            convergence rule on the training loss, scikit-learn's ``tol``).  When training
            uses all its epochs first, a ``ConvergenceWarning`` says so.
        callbacks : sequence of objects with ``on_epoch_end(epoch, logs)``
            Called after every epoch; returning True (or setting ``model.stop_training``)
            stops training.  ``EarlyStopping`` objects here act as ``early_stopping``.
        restarts : int, default 0
            If training ends stuck (diagnosed ``base_rate`` or ``plateau``), train again from
            new initial weights, drawn by each layer's initialiser from ``random_state``, up
            to this many times, until a run is not stuck; keep the run with the lowest final
            training loss.  ``history.start`` tells which start won (0: the first).
        sample_weight : array-like of shape (n_samples,), optional
            Weights >= 0 of the samples: the loss is the weighted mean ``Σ w_i l_i / Σ w_i``
            of each batch (a weight of 2 counts a sample twice, 0 leaves it out).

        With ``verbose`` >= 1, a short diagnosis is printed at the end if anything looks
        wrong (see ``diagnose``).

        Returns
        -------
        self
            The trained model; ``history`` holds the per-epoch values.
        """
        X, Y = check_X_y(training_data, labels, self.n_features, self.n_outputs, self.loss,
                         names=("training_data", "labels"))
        Y = self._standardised(Y)  # [files]
        W = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        epochs = check_positive_int("epochs", epochs)
        rng = check_fit_random_state(random_state)
        solver = self._choose_optimizer(optimizer, learning_rate)
        callbacks = list(callbacks) if isinstance(callbacks, list | tuple) else callbacks
        if not isinstance(callbacks, list):
            raise TypeError(f"callbacks must be a list of objects with on_epoch_end(epoch, "
                            f"logs), got {callbacks!r}")
        for index, callback in enumerate(callbacks):
            if not callable(getattr(callback, "on_epoch_end", None)):
                raise TypeError(f"callbacks[{index}] has no on_epoch_end(epoch, logs) method")
        if isinstance(early_stopping, EarlyStopping):
            stoppers = [early_stopping]
        elif isinstance(early_stopping, bool):
            stoppers = [EarlyStopping("val_loss", patience, min_delta)] if early_stopping else []
        else:
            raise TypeError(f"early_stopping must be True, False or an EarlyStopping, got "
                            f"{early_stopping!r}")
        stoppers += [callback for callback in callbacks if isinstance(callback, EarlyStopping)]
        watched = {stopper.monitor for stopper in stoppers}
        plateau = getattr(solver.schedule, "plateau", None)
        if plateau is not None:
            watched.add(plateau.monitor)
        if isinstance(solver, LBFGS) and stoppers:
            raise ValueError("early stopping needs epochs of updates; L-BFGS stops by its own "
                             "rule (tol): give no early_stopping with it")
        if (validation_split is None and validation_data is None
                and watched & {"val_loss", "val_accuracy"}):
            validation_split = 0.1
        if validation_data is not None and validation_split is not None:
            raise ValueError("give validation_data or validation_split, not both")
        # The training rows of X (None: all), and the validation set (X, Y, W, its rows).
        train: NDArray[np.intp] | None = None
        validation: tuple[Array, Array, Array | None, NDArray[np.intp] | None] | None = None
        if validation_data is not None:
            if not isinstance(validation_data, tuple | list) or len(validation_data) not in (2,
                                                                                              3):
                raise TypeError("validation_data must be a pair (X_val, y_val) or a triple "
                                "(X_val, y_val, sample_weight_val)")
            X_val, Y_val = check_X_y(*validation_data[:2], self.n_features, self.n_outputs,
                                     self.loss, names=("validation_data[0]",
                                                       "validation_data[1]"))
            X_val, Y_val = X_val.astype(X.dtype, copy=False), self._standardised(  # [files]
                Y_val.astype(X.dtype, copy=False))
            W_val = check_sample_weight(validation_data[2] if len(validation_data) == 3
                                        else None, X_val.shape[0], X.dtype,
                                        name="validation_data[2]")
            validation = (X_val, Y_val, W_val, None)
        elif validation_split is not None:
            check_fraction("validation_split", validation_split)
            train, held_out = stratified_split(self._class_labels(Y), validation_split, rng)
            if len(train) == 0 or len(held_out) == 0:
                raise ValueError(f"validation_split={validation_split} leaves no sample on one "
                                 f"side of the split of {len(X)} samples")
            validation = (X, Y, W, held_out)
        n_samples = X.shape[0] if train is None else len(train)
        batch_size = n_samples if batch_size is None else min(
            check_positive_int("batch_size", batch_size), n_samples
        )
        if isinstance(restarts, bool) or not isinstance(restarts, int | np.integer):
            raise TypeError(f"restarts must be an integer >= 0, got {restarts!r}")
        if restarts < 0:
            raise ValueError(f"restarts must be an integer >= 0, got {restarts!r}")
        restarts = int(restarts)
        shuffle = check_bool("shuffle", shuffle)
        if isinstance(solver, Optimizer):  # another network's state: refused before any change
            solver.check_state(sum(layer.n_parameters for layer in self.layers))
        progress = Progress(verbose, log_every, epochs)
        if validation is None and watched & {"val_loss", "val_accuracy"}:
            raise ValueError(f"monitoring {sorted(watched)} needs validation data")
        run = _Run(X, Y, W, train, validation, epochs, batch_size, shuffle, rng, callbacks,
                   stoppers)

        self._prepare(X.dtype)
        self.feature_names_in_ = feature_names(training_data)  # [files]
        history_before = self.history.copy()
        converged = self._train_once(run, solver, progress)
        if restarts:
            converged = self._restart_while_stuck(run, restarts, history_before,
                                                  progress.verbose) or converged
        can_stop = bool(stoppers) or isinstance(solver.schedule, Adaptive)
        if can_stop and not converged:
            warnings.warn(f"training used all its {epochs} epochs before its stopping rule "
                          f"said it had converged; give it more epochs",
                          ConvergenceWarning, stacklevel=2)
        if progress.verbose:
            for finding in self.diagnose(*run.diagnosis_set()):
                print(f"Diagnosis: {finding}", file=sys.stdout)
        return self

    def _train_once(self, run: _Run, optimizer: Optimizer | LBFGS, progress: Progress) -> bool:
        """Train with ``optimizer`` for ``run.epochs`` epochs; return whether a stopping rule
        (early stopping, a schedule, L-BFGS's tolerance) ended training before that."""
        self.optimizer_ = optimizer
        self.stop_training = False
        if isinstance(optimizer, LBFGS):
            return self._train_lbfgs(run, optimizer, progress)
        n_samples = run.n_samples
        schedule = optimizer.schedule
        for stopper in run.stoppers:
            stopper.reset()
        restoring = next((s for s in run.stoppers if s.restore_best_weights), None)
        orders = self._epoch_orders(run)
        epoch = len(self.history) + 1
        last_epoch = epoch + run.epochs - 1
        last_finite = self._snapshot(), _copy_state(optimizer)
        best = last_finite
        # Callbacks, validation and stopping rules act between epochs: the engine must yield
        # after each one (a schedule by epoch too).
        per_epoch = (run.validation is not None or bool(run.callbacks) or bool(run.stoppers)
                     or progress.bar is not None or (schedule is not None and schedule.by_epoch))
        batches_per_epoch = -(-n_samples // run.batch_size)
        stop = False
        for callback in run.callbacks:
            if set_model := callback_hook(callback, "set_model"):
                set_model(self)
        self._begin_epoch(run, epoch)
        try:
            with InterruptGuard() as guard:
                start_iterations = optimizer.iterations
                for totals in self._run_epochs(run, orders, optimizer, guard, per_epoch):
                    snapshot = self._snapshot()
                    if not self._is_finite(snapshot):
                        raise NonFiniteLoss(batches_per_epoch)  # the last update
                    last_finite = snapshot, _copy_state(optimizer)
                    for index, total in enumerate(totals):
                        logs = self._epoch_logs(run, total / run.total_weight)
                        logs["learning_rate"] = optimizer.learning_rate_at(
                            start_iterations + index * batches_per_epoch)
                        self.history.append(epoch, **logs)
                        progress.update(epoch, logs)
                        stop = self._end_epoch(run, epoch, logs, optimizer)
                        if restoring is not None and restoring.best_epoch == epoch:
                            best = last_finite
                        epoch += 1
                    start_iterations = optimizer.iterations
                    if stop:
                        break
                    if epoch <= last_epoch:
                        self._begin_epoch(run, epoch)
            self._say_how_it_stopped(progress, run, restoring, epoch - 1, stop)
        except NonFiniteLoss as failure:
            if restoring is not None and restoring.best_epoch:  # early stopping's best weights
                self._restore(best[0])
                _set_state(optimizer, best[1])
                self.best_epoch_ = restoring.best_epoch
            elif not self._is_finite(self._snapshot()):
                self._restore(last_finite[0])
                _set_state(optimizer, last_finite[1])
            raise TrainingDivergedError(epoch, failure.batch, optimizer.learning_rate,
                                        getattr(self, "best_epoch_", None)
                                        if restoring is not None else None) from None
        finally:
            progress.close()
        if restoring is not None and restoring.best_epoch:
            self._restore(best[0])
            _set_state(optimizer, best[1])
            self.best_epoch_ = restoring.best_epoch
        return stop

    def _say_how_it_stopped(self, progress: Progress, run: _Run,
                            restoring: EarlyStopping | None, last: int, stopped: bool) -> None:
        """Say which rule stopped training, and which epoch's weights early stopping keeps."""
        rule = next((stopper for stopper in run.stoppers if stopper.should_stop), None)
        if stopped and rule is not None:
            plateau = rule.plateau
            reason = (f"{rule.monitor} did not improve by {plateau.min_delta:g} or more for "
                      f"{plateau.patience} epochs")
            progress.say(f"Early stopping at epoch {last}: {reason}" if restoring is None else
                         f"Early stopping at epoch {last}: restored the weights of epoch "
                         f"{restoring.best_epoch}, {restoring.monitor} "
                         f"{restoring.plateau.best:.3f}")
        elif restoring is not None and restoring.best_epoch and restoring.best_epoch != last:
            progress.say(f"Restored the weights of epoch {restoring.best_epoch}, the best "
                         f"{restoring.monitor} ({restoring.plateau.best:.3f})")

    @staticmethod
    def _begin_epoch(run: _Run, epoch: int) -> None:
        """Before an epoch: the callbacks' ``on_epoch_begin``, for those that have one."""
        for callback in run.callbacks:
            if begin := callback_hook(callback, "on_epoch_begin"):
                begin(epoch)

    @staticmethod
    def _epoch_orders(run: _Run) -> Iterator[NDArray[np.intp] | None]:
        """Each epoch's order of the training rows: None (all rows in their own order)
        without shuffling or split, else the previous epoch's order shuffled again
        (scikit-learn's ``sample_idx``)."""
        order = np.arange(run.X.shape[0]) if run.rows is None else run.rows
        for _ in range(run.epochs):
            if run.shuffle:
                order = order[run.rng.permutation(len(order))]
            yield order if run.shuffle or run.rows is not None else None

    def _epoch_logs(self, run: _Run, loss: float) -> dict[str, float]:
        """An epoch's values: its mean training loss ``loss`` and, with validation data, the
        validation loss and accuracy."""
        logs = {"loss": loss}
        if run.validation is not None:
            logs["val_loss"] = self._evaluation_loss(*run.validation)
            logs["val_accuracy"] = self._accuracy(*run.validation)
        return logs

    def _end_epoch(self, run: _Run, epoch: int, logs: dict[str, float],
                   optimizer: Optimizer | LBFGS) -> bool:
        """After an epoch: the stopping rules, the schedule and the callbacks; whether to stop."""
        stop = False
        for stopper in run.stoppers:
            stopper.improved(epoch, logs)
            stop = stop or stopper.should_stop
        schedule = optimizer.schedule
        if schedule is not None and schedule.by_epoch:
            stop = schedule.end_epoch(logs, run.n_samples) or stop
        callbacks_stop = any([callback.on_epoch_end(epoch, dict(logs)) is True
                              for callback in run.callbacks])
        return stop or callbacks_stop or self.stop_training

    def _train_lbfgs(self, run: _Run, solver: LBFGS, progress: Progress) -> bool:
        """Minimise the whole set's loss with L-BFGS; one history entry per iteration."""
        epoch = len(self.history) + 1
        last_iterate = self._snapshot()
        guard = InterruptGuard()
        X, Y, W = run.take(run.X), run.take(run.Y), run.take(run.W)

        def objective(flat: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
            self._set_flat_parameters(flat)
            with np.errstate(over="ignore", invalid="ignore"):
                loss, gradient = self._objective(X, Y, W)
            return loss, gradient.astype(np.float64)

        def on_iteration(flat: NDArray[np.float64], loss: float) -> None:
            nonlocal epoch, last_iterate
            self._set_flat_parameters(flat)
            last_iterate = self._snapshot()
            logs = self._epoch_logs(run, loss)
            logs["learning_rate"] = solver.learning_rate
            self.history.append(epoch, **logs)
            progress.update(epoch, logs)
            if self._end_epoch(run, epoch, logs, solver):
                raise StopIteration
            epoch += 1
            guard.check()  # Ctrl-C: stop after this complete iteration

        flat = np.concatenate([w.ravel() for w in self.get_weights()]).astype(np.float64)
        try:
            with guard:
                result = solver.minimize(objective, flat, run.epochs, on_iteration)
                guard.check()
        except BaseException:  # Ctrl-C or an error: the weights of the last iteration
            self._restore(last_iterate)
            raise
        finally:
            progress.close()
        self._set_flat_parameters(result.x)
        if not np.isfinite(result.fun):
            self._restore(last_iterate)
            raise TrainingDivergedError(epoch, 1, solver.learning_rate)
        self.lbfgs_result_ = result
        return bool(result.status == 0 or self.stop_training)

    def _restart_while_stuck(self, run: _Run, restarts: int, history_before: History,
                             verbose: int) -> bool:
        """While diagnosed as stuck, train again from new initial weights (drawn by each
        layer's initialiser from ``run.rng``), up to ``restarts`` times; keep the run with the
        lowest final training loss, and record in ``history.start`` which one it was."""
        stuck = {f.code for f in self.diagnose(*run.diagnosis_set())} & STUCK
        if not stuck:
            return False
        template = self.optimizer_
        best = (self.history.loss[-1], self._snapshot(), self.history, template, 0)
        converged = False
        try:
            for start in range(1, restarts + 1):
                if verbose:
                    print(f"Diagnosis: training is stuck "
                          f"({'; '.join(STUCK_WORDS[code] for code in sorted(stuck))}): "
                          f"restart {start} of {restarts} from new initial weights",
                          file=sys.stdout)
                self.set_weights([draw for layer in self.layers for draw in (
                    initialize(layer.init, layer.n_inputs, layer.n_neurons, run.rng,
                               self.dtype),
                    np.zeros((layer.n_neurons, 1), dtype=self.dtype))])
                self._prepare(self.dtype)
                self.history = history_before.copy()
                optimizer = template.fresh()
                converged = self._train_once(run, optimizer, Progress(0, 1, run.epochs))
                if self.history.loss[-1] < best[0]:
                    best = (self.history.loss[-1], self._snapshot(), self.history, optimizer,
                            start)
                stuck = {f.code for f in self.diagnose(*run.diagnosis_set())} & STUCK
                if not stuck:
                    break
        finally:  # an error or Ctrl-C in a restart keeps the best finished run, not the half
            loss, weights, self.history, self.optimizer_, self.history.start = best
            self._restore(weights)
        if verbose:
            kept = f"restart {self.history.start}" if self.history.start else "the first run"
            print(f"Kept {kept}: final loss {loss:.3f}", file=sys.stdout)
        return converged

    def diagnose(self, X: object, y: object) -> list[Finding]:
        """What looks wrong after training on ``(X, y)``; see ``scratchnn.diagnostics``."""
        return diagnose(self, X, y)

    def numpy_copy(self) -> Perceptron:
        """An independent NumPy-engine copy of this model (weights, history, optimizer)."""
        raise NotImplementedError

    def _choose_optimizer(self, optimizer: str | Optimizer | LBFGS | None,
                          learning_rate: float | Schedule | None) -> Optimizer | LBFGS:
        """The optimizer of a fit: the one given, plain SGD for a learning rate alone (the
        spec), or the model's last one (``optimizer_``), which keeps its state."""
        if isinstance(optimizer, LBFGS) or optimizer == "lbfgs":
            if learning_rate is not None:
                raise ValueError(f"L-BFGS takes no learning rate (its line search chooses each "
                                 f"step), got learning_rate={learning_rate!r}")
            return optimizer if isinstance(optimizer, LBFGS) else LBFGS()
        if optimizer is not None:
            return get_optimizer(optimizer, learning_rate)
        if learning_rate is not None:
            return SGD(learning_rate)
        previous = getattr(self, "optimizer_", None)
        return previous if isinstance(previous, Optimizer | LBFGS) else SGD(0.01)

    def _class_labels(self, Y: Array) -> NDArray[Any]:
        """One label per sample for stratifying: the class, the 0/1 pattern, or the target."""
        if isinstance(self.layers[-1].activation, Softmax):
            return Y.argmax(axis=1)
        if Y.shape[1] == 1:
            return Y[:, 0]
        return Y @ (2.0 ** np.arange(Y.shape[1]))

    def _summed_data_loss(self, X: Array, Y: Array, W: Array | None) -> float:
        """``Σ w_i l_i`` over the rows of ``(X, Y)`` (of the model's dtype), without penalty
        and without training."""
        raise NotImplementedError

    def _penalty_value(self, weight: float) -> float:
        """The layers' weight penalty in the mean loss of a set of total weight ``weight``."""
        raise NotImplementedError

    def _chunks(self, X: Array, rows: NDArray[np.intp] | None) -> Iterator[tuple[Batch, Array]]:
        """The rows ``rows`` of ``X`` (all with None) in chunks of ``CHUNK_VALUES`` values of the
        widest layer, in the model's dtype, each with its row indices: a memory-mapped ``X``
        is read a chunk at a time, never copied whole."""
        n_rows = X.shape[0] if rows is None else len(rows)
        widest = max([self.n_features] + [layer.n_neurons for layer in self.layers])
        for batch in iter_batches(n_rows, max(1, CHUNK_VALUES // widest), rows):
            yield batch, X[batch].astype(self.dtype, copy=False)

    def _predict_in_chunks(self, X: Array, rows: NDArray[np.intp] | None = None) -> Array:
        """The output activations (n_rows, n_outputs) of the rows ``rows`` of ``X`` (all with
        None), a chunk at a time."""
        outputs = [self._forward_rows(chunk) for _, chunk in self._chunks(X, rows)]
        return outputs[0] if len(outputs) == 1 else np.concatenate(outputs)

    def _evaluation_loss(self, X: Array, Y: Array, W: Array | None = None,
                         rows: NDArray[np.intp] | None = None) -> float:
        """Mean loss on the rows ``rows`` of ``(X, Y)`` (all with None), weighted by ``W``,
        penalty included, without training, a chunk at a time."""
        total = 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            for batch, chunk in self._chunks(X, rows):
                total += self._summed_data_loss(chunk, Y[batch],
                                                None if W is None else W[batch])
        weight = batch_weight(X.shape[0] if rows is None else len(rows),
                              W if W is None or rows is None else W[rows])
        return total / weight + self._penalty_value(weight)

    def _accuracy(self, X: Array, Y: Array, W: Array | None = None,
                  rows: NDArray[np.intp] | None = None) -> float:
        """Accuracy of ``predict`` against encoded labels ``Y`` (R² for a regression output,
        as scikit-learn's ``r2_score`` averaged over the outputs), weighted by ``W``, on the
        rows ``rows`` (all with None)."""
        output = self._predict_in_chunks(X, rows)
        if rows is not None:
            Y, W = Y[rows], None if W is None else W[rows]
        activation = self.layers[-1].activation
        if isinstance(activation, Softmax):
            return float(np.average(output.argmax(axis=1) == Y.argmax(axis=1), weights=W))
        if isinstance(activation, Sigmoid):
            return float(np.average(np.all((output >= 0.5) == (Y == 1), axis=1), weights=W))
        weights = np.ones(len(Y)) if W is None else W
        residual = (weights[:, None] * (Y - output) ** 2).sum(axis=0)
        total = (weights[:, None] * (Y - np.average(Y, axis=0, weights=weights)) ** 2).sum(axis=0)
        scores = np.where(total > 0, 1 - residual / np.where(total > 0, total, 1),
                          np.where(residual == 0, 1.0, 0.0))
        return float(scores.mean())

    def _prepare(self, dtype: np.dtype[Any]) -> None:
        """Before training: convert the parameters to the data's dtype (float32 stays)."""
        if dtype != self.dtype:
            self.set_weights([w.astype(dtype) for w in self.get_weights()])

    def to_onnx(self, path: str | os.PathLike[str] | None = None) -> Any:
        """The ONNX model (``onnx.ModelProto``) of this network, written to ``path`` if given:
        input ``input`` (batch, n_features), output ``output`` (batch, n_outputs), the
        values of ``predict_proba``; see ``scratchnn.export.onnx``."""
        try:
            from .export.onnx import to_onnx
        except ImportError:
            raise ImportError("ONNX export needs onnx: pip install 'scratchnn[onnx]'") from None
        return to_onnx(self, path)

    def to_sklearn(self) -> Any:
        """A fitted scikit-learn ``MLPClassifier`` or ``MLPRegressor`` with these weights."""
        from .export.sklearn import to_sklearn

        return to_sklearn(self)

    def to_keras(self) -> Any:
        """A Keras ``Sequential`` of ``Dense`` layers with these weights (not compiled)."""
        from .export.keras import to_keras

        return to_keras(self)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Save the model to ``path`` (an ``.npz``, written atomically); see ``scratchnn.load``."""
        from .io import save

        save(self, path)

    # -- prediction ----------------------------------------------------------------------
    def predict_proba(self, X: object) -> Array:
        """Return the output activations, shape (n_samples, n_outputs) (a regression's on the
        targets' own scale)."""
        output = self._predict_in_chunks(check_X(X, self.n_features,
                                                 names=self.feature_names_in_))  # [files]
        scale = self.target_standardization  # [files]
        return output if scale is None else scale.original(output)

    def _standardised(self, Y: Array) -> Array:  # [files]
        """Encoded targets as the network learns them: standardised, if the model says so."""
        scale = self.target_standardization
        return Y if scale is None else scale.rows(Y.astype(np.result_type(Y.dtype, np.float32)))

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
        return output[:, 0] if output.shape[1] == 1 else output

    def evaluate(self, X: object, y: object, sample_weight: object = None,
                 return_dict: bool = False) -> tuple[float, float] | dict[str, float]:
        """Keras's ``evaluate``: the mean loss on ``(X, y)`` (weighted, penalty included) and
        the accuracy, or R² for a regression, as ``(loss, score)`` or
        ``{"loss": ..., "accuracy" or "r2": ...}``."""
        rows = check_X(X, self.n_features, names=self.feature_names_in_)  # [files]
        Y = self._standardised(encode_labels(y, rows.shape[0], self.n_outputs, self.loss
                                             ).astype(self.dtype))  # [files]
        weights = check_sample_weight(sample_weight, rows.shape[0], self.dtype)
        loss, score = self._evaluation_loss(rows, Y, weights), self._accuracy(rows, Y, weights)
        if not return_dict:
            return loss, score
        regression = not isinstance(self.layers[-1].activation, Sigmoid | Softmax)
        return {"loss": loss, "r2" if regression else "accuracy": score}

    def score(self, X: object, y: object, sample_weight: object = None) -> float:
        """Return the accuracy of ``predict`` on ``(X, y)`` (R² for a regression output),
        weighted by ``sample_weight``."""
        rows = check_X(X, self.n_features, names=self.feature_names_in_)  # [files]
        weights = check_sample_weight(sample_weight, rows.shape[0], self.dtype)
        return self._accuracy(rows, self._standardised(  # [files]: R² is the same on either scale
            encode_labels(y, rows.shape[0], self.n_outputs, self.loss)), weights)
