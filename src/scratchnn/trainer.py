"""The training loop, apart from the model (as Keras keeps its trainer apart from its layers).

``plan_fit`` checks every argument of ``fit`` and settles the fit's plan (the training and
validation rows, the stopping rules, the batch size, the optimizer) before anything changes;
``Trainer(model, plan).fit()`` runs it.  The trainer holds every piece of per-fit state (the
optimizer in use, the best weights and epoch, the last finite weights, the epoch), and it ends
with the fit: the model keeps only what a user reads afterwards (its weights, ``history``,
``optimizer_``, ``best_epoch_``).  A fit that fails before its first update leaves the model
exactly as it was; after that, with the weights of its last complete update.  The engine does
the updates, through the hooks of ``scratchnn.engine.Engine``.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .callbacks import callback_hook
from .diagnostics import STUCK, diagnose, sample_rows, stuck_words
from .errors import NonFiniteLoss, TrainingDivergedError, convergence_warning
from .history import History
from .initializers import FitRandom, RandomState, check_fit_random_state, initialize
from .interrupt import InterruptGuard
from .language import LocalizedValueError, say
from .layers import initial_normalization
from .losses import batch_weight
from .optimizers import SGD, Optimizer, get_optimizer
from .schedules import Adaptive, Schedule
from .solvers import LBFGS
from .spec import optimizer_state, set_optimizer_state
from .training import Callback, EarlyStopping, Progress, stratified_split
from .validation import (
    check_bool,
    check_fraction,
    check_non_negative,
    check_positive_int,
    check_sample_weight,
    check_X_y,
    feature_names,
)

if TYPE_CHECKING:
    from .base import BaseModel

__all__ = ["FitPlan", "Trainer", "iter_batches", "plan_fit"]

Array = NDArray[np.floating]
#: A batch of row indices into the training set: a slice (no copy) or an index array.
Batch = slice | NDArray[np.intp]
#: A validation set: ``(X, Y, W, rows)``, the rows ``rows`` of ``X, Y, W`` (None: all).
Validation = tuple[Array, Array, Array | None, NDArray[np.intp] | None]


def iter_batches(
    n_samples: int, batch_size: int, order: NDArray[np.intp] | None
) -> Iterator[Batch]:
    """Yield the batches of one epoch: slices in order, or chunks of a shuffled ``order``."""
    for start in range(0, n_samples, batch_size):
        stop = min(start + batch_size, n_samples)
        yield slice(start, stop) if order is None else order[start:stop]


@dataclass
class FitPlan:
    """What one fit will do, settled before it starts and shared by its restarts.

    ``W`` holds the sample weights (None: all 1); the training set is the rows ``rows`` of
    ``X, Y, W`` (None: all of them), so that a validation split copies nothing;
    ``validation`` the validation set, the same way; ``stoppers`` the early-stopping rules.
    """

    X: Array
    Y: Array
    W: Array | None
    rows: NDArray[np.intp] | None
    validation: Validation | None
    epochs: int
    batch_size: int
    shuffle: bool
    rng: FitRandom
    callbacks: list[Callback]
    stoppers: list[EarlyStopping]
    solver: Optimizer | LBFGS
    restarts: int
    verbose: bool | int
    log_every: int
    #: The training data's column names (a DataFrame's), as ``feature_names_in_``.
    feature_names: list[str] | None

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

    def epoch_orders(self) -> Iterator[NDArray[np.intp] | None]:
        """Each epoch's order of the training rows: None (all rows in their own order)
        without shuffling or split, else the previous epoch's order shuffled again
        (scikit-learn's ``sample_idx``)."""
        order = np.arange(self.X.shape[0]) if self.rows is None else self.rows
        for _ in range(self.epochs):
            if self.shuffle:
                order = order[self.rng.permutation(len(order))]
            yield order if self.shuffle or self.rows is not None else None


def choose_optimizer(model: BaseModel, optimizer: str | Optimizer | LBFGS | None,
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
    return model.optimizer_ if model.optimizer_ is not None else SGD(0.01)


def _check_callbacks(callbacks: object) -> list[Callback]:
    listed = list(callbacks) if isinstance(callbacks, list | tuple) else callbacks
    if not isinstance(listed, list):
        raise TypeError(f"callbacks must be a list of objects with on_epoch_end(epoch, "
                        f"logs), got {callbacks!r}")
    for index, callback in enumerate(listed):
        if not callable(getattr(callback, "on_epoch_end", None)):
            raise TypeError(f"callbacks[{index}] has no on_epoch_end(epoch, logs) method")
    return listed


def _check_stoppers(early_stopping: object, callbacks: list[Callback]) -> list[EarlyStopping]:
    if isinstance(early_stopping, EarlyStopping):
        stoppers = [early_stopping]
    elif isinstance(early_stopping, bool):
        stoppers = [EarlyStopping("val_loss")] if early_stopping else []
    else:
        raise TypeError(f"early_stopping must be True, False or an EarlyStopping, got "
                        f"{early_stopping!r}")
    return stoppers + [callback for callback in callbacks if isinstance(callback, EarlyStopping)]


def _validation_data(model: BaseModel, validation_data: object, dtype: np.dtype[Any]
                     ) -> Validation:
    if not isinstance(validation_data, tuple | list) or len(validation_data) not in (2, 3):
        raise TypeError("validation_data must be a pair (X_val, y_val) or a triple "
                        "(X_val, y_val, sample_weight_val)")
    X_val, Y_val = check_X_y(validation_data[0], validation_data[1], model.n_features,
                             model.n_outputs, model.loss,
                             names=("validation_data[0]", "validation_data[1]"))
    X_val, Y_val = X_val.astype(dtype, copy=False), model._learnt(Y_val.astype(dtype,
                                                                           copy=False))
    W_val = check_sample_weight(validation_data[2] if len(validation_data) == 3 else None,
                                X_val.shape[0], dtype, name="validation_data[2]")
    return X_val, Y_val, W_val, None


def _class_weighted(model: BaseModel, Y: Array, W: Array | None, class_weight: object
                    ) -> Array | None:
    """The sample weights ``W`` (None: all 1) times Keras's ``class_weight``, a dict from the
    class of a sample (its 0/1 label for one sigmoid output, its class index for softmax) to
    a weight; a class it leaves out weighs 1."""
    if class_weight is None:
        return W
    if not isinstance(class_weight, Mapping):
        hint = (" ('balanced' is scikit-learn's: give sample_weight=sklearn.utils.class_weight"
                ".compute_sample_weight('balanced', y), or use scratchnn.sklearn.MLPClassifier("
                "class_weight='balanced'))" if class_weight == "balanced" else "")
        raise TypeError(f"class_weight must be a dict {{class index: weight}}, as Keras's, got "
                        f"{class_weight!r}{hint}")
    kind = model.output_kind
    if not kind.one_label_per_sample:
        raise ValueError(f"class_weight weighs the classes of a model with one sigmoid output or "
                         f"a softmax output; this model's output is {kind.value}")
    classes = kind.strata(Y)
    present = np.unique(classes).astype(np.intp).tolist()
    weights = np.ones(len(Y), dtype=Y.dtype)
    for label, weight in class_weight.items():
        if isinstance(label, bool) or not isinstance(label, int | float | np.number) or (
                label not in present):  # 1.0 names class 1, as in Keras's dict
            raise ValueError(f"class_weight names the class {label!r}, which is not in the "
                             f"labels (their classes: {present})")
        weights[classes == label] = check_non_negative(f"class_weight[{label!r}]", weight)
    weighted = weights if W is None else W * weights
    if not weighted.sum() > 0:
        raise ValueError("class_weight leaves every sample a weight of 0: no sample would count")
    return weighted


def plan_fit(
    model: BaseModel, training_data: object, labels: object, epochs: int,
    learning_rate: float | Schedule | None, *, batch_size: int | None, shuffle: bool,
    verbose: bool | int, random_state: RandomState | np.random.RandomState, log_every: int,
    optimizer: str | Optimizer | LBFGS | None, validation_data: object,
    validation_split: float | None, early_stopping: bool | EarlyStopping,
    callbacks: Sequence[Callback], restarts: int, sample_weight: object, class_weight: object,
) -> FitPlan:
    """Check every argument of ``fit`` (see ``BaseModel.fit``) and settle the fit's plan;
    raise, before anything changes, on the first that is wrong."""
    X, Y = check_X_y(training_data, labels, model.n_features, model.n_outputs, model.loss,
                     names=("training_data", "labels"))
    Y = model._learnt(Y)
    W = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    # Class weights weigh the training loss only; a validation split keeps the sample
    # weights alone, as Keras's.
    W_train = _class_weighted(model, Y, W, class_weight)
    epochs = check_positive_int("epochs", epochs)
    rng = check_fit_random_state(random_state)
    solver = choose_optimizer(model, optimizer, learning_rate)
    checked_callbacks = _check_callbacks(callbacks)
    stoppers = _check_stoppers(early_stopping, checked_callbacks)
    watched = {stopper.monitor for stopper in stoppers}
    plateau = getattr(solver.schedule, "plateau", None)
    if plateau is not None:
        watched.add(plateau.monitor)
    if isinstance(solver, LBFGS) and stoppers:
        raise LocalizedValueError("lbfgs_early_stopping")
    if (validation_split is None and validation_data is None
            and watched & {"val_loss", "val_accuracy"}):
        validation_split = 0.1
    if validation_data is not None and validation_split is not None:
        raise ValueError("give validation_data or validation_split, not both")
    train: NDArray[np.intp] | None = None
    validation: Validation | None = None
    if validation_data is not None:
        validation = _validation_data(model, validation_data, X.dtype)
    elif validation_split is not None:
        check_fraction("validation_split", validation_split)
        train, held_out = stratified_split(model.output_kind.strata(Y), validation_split, rng)
        if len(train) == 0 or len(held_out) == 0:
            raise LocalizedValueError("split_one_side", fraction=validation_split, count=len(X))
        validation = (X, Y, W, held_out)
    n_samples = X.shape[0] if train is None else len(train)
    batch_size = n_samples if batch_size is None else min(
        check_positive_int("batch_size", batch_size), n_samples)
    if any(layer.batch_norm for layer in model.layers):
        _check_batch_norm(solver, batch_size)
    if isinstance(restarts, bool) or not isinstance(restarts, int | np.integer):
        raise TypeError(f"restarts must be an integer >= 0, got {restarts!r}")
    if restarts < 0:
        raise ValueError(f"restarts must be an integer >= 0, got {restarts!r}")
    shuffle = check_bool("shuffle", shuffle)
    if isinstance(solver, Optimizer):  # another network's state: refused before any change
        solver.check_state(sum(layer.n_parameters for layer in model.layers))
    if validation is None and watched & {"val_loss", "val_accuracy"}:
        raise ValueError(f"monitoring {sorted(watched)} needs validation data")
    Progress.check(verbose, log_every)
    return FitPlan(X, Y, W_train, train, validation, epochs, batch_size, shuffle, rng,
                   checked_callbacks, stoppers, solver, int(restarts), verbose, log_every,
                   feature_names(training_data))


def _check_batch_norm(solver: Optimizer | LBFGS, batch_size: int) -> None:
    """Batch normalisation trains on batches of several samples, by epochs of updates."""
    if isinstance(solver, LBFGS):
        raise LocalizedValueError("batch_norm_lbfgs")
    if batch_size < 2:
        raise LocalizedValueError("batch_norm_batch_size")


class Trainer:
    """One fit of one model, and all its state (see the module's description)."""

    def __init__(self, model: BaseModel, plan: FitPlan) -> None:
        self.model = model
        self.plan = plan
        #: The optimizer of the run in progress (a restart trains a fresh one).
        self.optimizer = plan.solver
        #: The epoch whose weights early stopping keeps, in this fit (None: none kept).
        self.best_epoch: int | None = None
        #: Updates made by this fit (a fit that failed before any is undone whole).
        self.updated = False
        self.lbfgs_result: Any = None

    # -- the fit -------------------------------------------------------------------------
    def fit(self) -> None:
        """Run the plan: train, restart while stuck, warn, diagnose."""
        model, plan = self.model, self.plan
        if model.training:
            raise RuntimeError(f"fit was called on a {type(model).__name__} that is already "
                               f"training (from a callback of its own fit?); a model trains "
                               f"one fit at a time")
        # Until the first update, only the dtype (of the data) changes the parameters, and
        # nothing changes the optimizer's state or the history: what to put back is small.
        weights_before = model.get_weights() if plan.X.dtype != model.dtype else None
        before = (model.optimizer_, model.best_epoch_, model.stop_training,
                  model.feature_names_in_)
        model.training = True
        model.feature_names_in_ = plan.feature_names
        try:
            model._prepare(plan.X.dtype)
            history_before = model.history.copy()
            converged = self._train_once(self.optimizer, Progress(plan.verbose, plan.log_every,
                                                                  plan.epochs))
            if plan.restarts:
                converged = self._restart_while_stuck(history_before) or converged
        except BaseException:
            if not self.updated:  # nothing was learnt: the model as it was, exactly
                if weights_before is not None:
                    model.set_weights(weights_before)
                (model.optimizer_, model.best_epoch_, model.stop_training,
                 model.feature_names_in_) = before
            raise
        finally:
            model.training = False
        if self.best_epoch is not None:
            model.best_epoch_ = self.best_epoch
        if self.lbfgs_result is not None:
            model.lbfgs_result_ = self.lbfgs_result
        can_stop = bool(plan.stoppers) or isinstance(self.optimizer.schedule, Adaptive)
        if can_stop and not converged:
            warnings.warn(say("not_converged", epochs=plan.epochs), convergence_warning(),
                          stacklevel=3)
        if plan.verbose:
            for finding in diagnose(model, *plan.diagnosis_set()):
                print(say("diagnosis", finding=finding), file=sys.stdout)

    # -- one run -------------------------------------------------------------------------
    def _train_once(self, optimizer: Optimizer | LBFGS, progress: Progress) -> bool:
        """Train with ``optimizer`` for ``plan.epochs`` epochs; return whether a stopping rule
        (early stopping, a schedule, L-BFGS's tolerance) ended training before that."""
        model, plan = self.model, self.plan
        self.optimizer = optimizer
        model.optimizer_ = optimizer
        model.stop_training = False
        if isinstance(optimizer, LBFGS):
            return self._train_lbfgs(optimizer, progress)
        schedule = optimizer.schedule
        for stopper in plan.stoppers:
            stopper.reset()
        restoring = next((s for s in plan.stoppers if s.restore_best_weights), None)
        self.best_epoch = None
        epoch = len(model.history) + 1
        last_epoch = epoch + plan.epochs - 1
        last_finite = model._snapshot(), optimizer_state(optimizer)
        best = last_finite
        # Callbacks, validation and stopping rules act between epochs: the engine must yield
        # after each one (a schedule by epoch too).
        per_epoch = (plan.validation is not None or bool(plan.callbacks) or bool(plan.stoppers)
                     or progress.bar is not None or (schedule is not None and schedule.by_epoch))
        batches_per_epoch = -(-plan.n_samples // plan.batch_size)
        start_iterations = first_iteration = optimizer.iterations
        stop = False
        try:
            for callback in plan.callbacks:
                if set_model := callback_hook(callback, "set_model"):
                    set_model(model)
            self._begin_epoch(epoch)
            with InterruptGuard() as guard:
                for totals in model._run_epochs(plan, plan.epoch_orders(), optimizer, guard,
                                                per_epoch):
                    self.updated = True
                    snapshot = model._snapshot()
                    if not model._is_finite(snapshot):
                        raise NonFiniteLoss(batches_per_epoch)  # the last update
                    last_finite = snapshot, optimizer_state(optimizer)
                    for index, total in enumerate(totals):
                        logs = self._epoch_logs(total / plan.total_weight)
                        logs["learning_rate"] = optimizer.learning_rate_at(
                            start_iterations + index * batches_per_epoch)
                        model.history.append(epoch, **logs)
                        progress.update(epoch, logs)
                        stop = self._end_epoch(epoch, logs, optimizer)
                        if restoring is not None and restoring.best_epoch == epoch:
                            best = last_finite
                        epoch += 1
                    start_iterations = optimizer.iterations
                    if stop:
                        break
                    if epoch <= last_epoch:
                        self._begin_epoch(epoch)
            self._say_how_it_stopped(progress, restoring, epoch - 1, stop)
        except NonFiniteLoss as failure:
            if restoring is not None and restoring.best_epoch:  # early stopping's best weights
                model._restore(best[0])
                set_optimizer_state(optimizer, best[1])
                self.best_epoch = restoring.best_epoch
            elif not model._is_finite(model._snapshot()):
                model._restore(last_finite[0])
                set_optimizer_state(optimizer, last_finite[1])
            raise TrainingDivergedError(epoch, failure.batch, optimizer.learning_rate,
                                        self.best_epoch) from None
        finally:
            self.updated = self.updated or optimizer.iterations != first_iteration
            progress.close()
        if restoring is not None and restoring.best_epoch:
            model._restore(best[0])
            set_optimizer_state(optimizer, best[1])
            self.best_epoch = restoring.best_epoch
        return stop

    def _say_how_it_stopped(self, progress: Progress, restoring: EarlyStopping | None,
                            last: int, stopped: bool) -> None:
        """Say which rule stopped training, and which epoch's weights early stopping keeps."""
        rule = next((stopper for stopper in self.plan.stoppers if stopper.should_stop), None)
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

    def _begin_epoch(self, epoch: int) -> None:
        """Before epoch ``epoch`` (from 1): the callbacks' ``on_epoch_begin``, for those that
        have one, with the epoch from 0 as Keras's."""
        for callback in self.plan.callbacks:
            if begin := callback_hook(callback, "on_epoch_begin"):
                begin(epoch - 1)

    def _epoch_logs(self, loss: float) -> dict[str, float]:
        """An epoch's values: its mean training loss ``loss`` and, with validation data, the
        validation loss and accuracy."""
        logs = {"loss": loss}
        if self.plan.validation is not None:
            logs["val_loss"] = self.model._evaluation_loss(*self.plan.validation)
            logs["val_accuracy"] = self.model._accuracy(*self.plan.validation)
        return logs

    def _end_epoch(self, epoch: int, logs: dict[str, float],
                   optimizer: Optimizer | LBFGS) -> bool:
        """After epoch ``epoch`` (from 1): the stopping rules, the schedule and the callbacks
        (which receive the epoch from 0, as Keras's); whether to stop."""
        plan = self.plan
        stop = False
        for stopper in plan.stoppers:
            stopper.improved(epoch, logs)
            stop = stop or stopper.should_stop
        schedule = optimizer.schedule
        if schedule is not None and schedule.by_epoch:
            stop = schedule.end_epoch(logs, plan.n_samples) or stop
        callbacks_stop = any([callback.on_epoch_end(epoch - 1, dict(logs)) is True
                              for callback in plan.callbacks])
        return stop or callbacks_stop or self.model.stop_training

    def _train_lbfgs(self, solver: LBFGS, progress: Progress) -> bool:
        """Minimise the whole set's loss with L-BFGS; one history entry per iteration."""
        model, plan = self.model, self.plan
        epoch = len(model.history) + 1
        last_iterate = model._snapshot()
        guard = InterruptGuard()
        X, Y, W = plan.take(plan.X), plan.take(plan.Y), plan.take(plan.W)

        def objective(flat: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
            model._set_flat_parameters(flat)
            with np.errstate(over="ignore", invalid="ignore"):
                loss, gradient = model._objective(X, Y, W)
            return loss, gradient.astype(np.float64)

        def on_iteration(flat: NDArray[np.float64], loss: float) -> None:
            nonlocal epoch, last_iterate
            model._set_flat_parameters(flat)
            last_iterate = model._snapshot()
            self.updated = True
            logs = self._epoch_logs(loss)
            logs["learning_rate"] = solver.learning_rate
            model.history.append(epoch, **logs)
            progress.update(epoch, logs)
            if self._end_epoch(epoch, logs, solver):
                raise StopIteration
            epoch += 1
            guard.check()  # Ctrl-C: stop after this complete iteration

        flat = np.concatenate([w.ravel() for w in model.get_weights()]).astype(np.float64)
        try:
            with guard:
                result = solver.minimize(objective, flat, plan.epochs, on_iteration)
                guard.check()
        except BaseException:  # Ctrl-C or an error: the weights of the last iteration
            model._restore(last_iterate)
            raise
        finally:
            progress.close()
        model._set_flat_parameters(result.x)
        if not np.isfinite(result.fun):
            model._restore(last_iterate)
            raise TrainingDivergedError(epoch, 1, solver.learning_rate)
        self.lbfgs_result = result
        return bool(result.status == 0 or model.stop_training)

    def _restart_while_stuck(self, history_before: History) -> bool:
        """While diagnosed as stuck, train again from new initial weights (drawn by each
        layer's initialiser from ``plan.rng``), up to ``plan.restarts`` times; keep the run
        with the lowest final training loss, and record in ``history.start`` which one it
        was."""
        model, plan = self.model, self.plan
        stuck = {f.code for f in diagnose(model, *plan.diagnosis_set())} & STUCK
        if not stuck:
            return False
        template = self.optimizer
        best = (model.history.loss[-1], model._snapshot(), model.history, template, 0,
                self.best_epoch)
        converged = False
        try:
            for start in range(1, plan.restarts + 1):
                if plan.verbose:
                    print(say("restart", why="; ".join(stuck_words(code)
                                                         for code in sorted(stuck)),
                              start=start, count=plan.restarts), file=sys.stdout)
                model.set_weights([draw for layer in model.layers for draw in (
                    initialize(layer.init, layer.n_inputs, layer.n_neurons, plan.rng,
                               model.dtype),
                    np.zeros((layer.n_neurons, 1), dtype=model.dtype))])
                model._set_batch_norm([initial_normalization(layer.n_neurons, model.dtype)
                                       if layer.batch_norm else None for layer in model.layers])
                model._prepare(model.dtype)
                model.history = history_before.copy()
                optimizer = template.fresh()
                converged = self._train_once(optimizer, Progress(0, 1, plan.epochs))
                if model.history.loss[-1] < best[0]:
                    best = (model.history.loss[-1], model._snapshot(), model.history,
                            optimizer, start, self.best_epoch)
                stuck = {f.code for f in diagnose(model, *plan.diagnosis_set())} & STUCK
                if not stuck:
                    break
        finally:  # an error or Ctrl-C in a restart keeps the best finished run, not the half
            loss, weights, model.history, model.optimizer_, model.history.start, \
                self.best_epoch = best
            model._restore(weights)
            assert model.optimizer_ is not None
            self.optimizer = model.optimizer_
        if plan.verbose:
            print(say("kept_restart", start=model.history.start, loss=loss)
                  if model.history.start else say("kept_first", loss=loss), file=sys.stdout)
        return converged

