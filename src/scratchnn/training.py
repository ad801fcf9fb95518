"""The pieces of a fit around the engine's updates: validation split, early stopping,
progress display and callbacks."""

from __future__ import annotations

import math
import sys
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from .initializers import FitRandom
from .language import current_language, say, words
from .validation import check_positive_int

__all__ = ["MONITORS", "Callback", "EarlyStopping", "Plateau", "Progress", "stratified_split"]


class Callback(Protocol):
    """Anything with ``on_epoch_end(epoch, logs)``; returning True stops training.

    ``logs`` holds the epoch's ``loss`` and, with validation data, ``val_loss`` and
    ``val_accuracy``.  Setting ``model.stop_training = True`` stops it too, as in Keras.
    """

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None: ...


def stratified_split(
    labels: NDArray[Any], fraction: float, rng: FitRandom
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Shuffled indices ``(train, validation)``, with ``fraction`` of each class in validation.

    ``labels`` has shape (n_samples,): class labels, or regression targets; when there are
    more distinct values than half the samples they are taken as continuous and the split is
    a plain shuffled one.  Every class keeps at least one training sample.
    """
    classes, inverse = np.unique(labels, return_inverse=True)
    if len(classes) > max(2, len(labels) // 2):  # continuous targets: a plain shuffled split
        inverse = np.zeros(len(labels), dtype=np.intp)
        classes = classes[:1]
    train, validation = [], []
    for index in range(len(classes)):
        members = rng.permutation(np.flatnonzero(inverse == index))
        n_validation = min(round(fraction * len(members)), len(members) - 1)
        validation.append(members[:n_validation])
        train.append(members[n_validation:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(validation))


#: What a plateau rule can watch: the values of ``history`` (and of a callback's ``logs``),
#: each with whether larger is better.
MONITORS = {"loss": False, "val_loss": False, "val_accuracy": True}


class Plateau:
    """Counts the epochs in a row in which ``monitor`` has not improved on its best value by
    at least ``min_delta``; ``reached`` once that count is ``patience``.

    scikit-learn's rule (``tol`` and ``n_iter_no_change``, which stops after
    ``n_iter_no_change + 1`` such epochs): an epoch that improves on the best by less than
    ``min_delta`` still counts as no improvement, but becomes the best.
    """

    def __init__(self, monitor: str, min_delta: float, patience: int) -> None:
        if monitor not in MONITORS:
            raise ValueError(f"monitor must be one of {sorted(MONITORS)}, got {monitor!r}")
        self.monitor = monitor
        self.patience = check_positive_int("patience", patience)
        if isinstance(min_delta, bool) or not isinstance(min_delta, int | float | np.number) or (
                not math.isfinite(min_delta) or min_delta < 0):
            raise ValueError(f"min_delta must be a finite number >= 0, got {min_delta!r}")
        self.min_delta = float(min_delta)
        self.reset()

    def reset(self) -> None:
        self.best = -math.inf if MONITORS[self.monitor] else math.inf
        self.waited = 0

    def update(self, logs: dict[str, float]) -> bool:
        """Record an epoch's ``logs``; return whether its value is the best so far."""
        value = logs[self.monitor]
        gain = value - self.best if MONITORS[self.monitor] else self.best - value
        self.waited = 0 if gain >= self.min_delta else self.waited + 1
        if gain > 0:
            self.best = value
            return True
        return False

    @property
    def reached(self) -> bool:
        return self.waited >= self.patience

    def state(self) -> dict[str, Any]:
        return {"best": self.best, "waited": self.waited}

    def set_state(self, state: dict[str, Any]) -> None:
        self.best, self.waited = float(state["best"]), int(state["waited"])


class EarlyStopping:
    """Stop training when ``monitor`` has stopped improving (Keras's ``EarlyStopping``).

    Stops after ``patience`` epochs in a row without an improvement of at least
    ``min_delta`` (see ``Plateau``) and, with ``restore_best_weights``, puts back the weights
    of the best epoch (``model.best_epoch_``).  ``monitor="loss"`` is scikit-learn's
    convergence rule on the training loss (``tol``, ``n_iter_no_change + 1``);
    ``"val_accuracy"`` its early stopping on the validation score.  Give it to ``fit`` as
    ``early_stopping=`` or among the ``callbacks``.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 10, min_delta: float = 0.0,
                 restore_best_weights: bool = True) -> None:
        self.plateau = Plateau(monitor, min_delta, patience)
        if not isinstance(restore_best_weights, bool):
            raise TypeError(f"restore_best_weights must be True or False, got "
                            f"{restore_best_weights!r}")
        self.restore_best_weights = restore_best_weights
        self.best_epoch = 0

    @property
    def monitor(self) -> str:
        return self.plateau.monitor

    def reset(self) -> None:
        """Forget a previous fit's values (called when a fit starts)."""
        self.plateau.reset()
        self.best_epoch = 0

    def improved(self, epoch: int, logs: dict[str, float]) -> bool:
        """Record the epoch's logs; whether it is the best epoch so far."""
        if self.plateau.update(logs):
            self.best_epoch = epoch
            return True
        return False

    @property
    def should_stop(self) -> bool:
        return self.plateau.reached

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None:
        """Nothing: ``fit`` drives early stopping itself (it keeps the best weights)."""
        return None

    def __repr__(self) -> str:
        return (f"EarlyStopping(monitor={self.monitor!r}, patience={self.plateau.patience}, "
                f"min_delta={self.plateau.min_delta}, "
                f"restore_best_weights={self.restore_best_weights})")


class Progress:
    """What a fit shows: nothing (0), the spec's line every ``log_every`` epochs (1), or a
    tqdm progress bar over the epochs with the current losses (2)."""

    def __init__(self, verbose: bool | int, log_every: int, epochs: int) -> None:
        self.verbose, self.log_every = self.check(verbose, log_every)
        self.count = 0
        self.bar: Any = None
        if verbose == 2:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                raise ImportError(
                    "verbose=2 shows a progress bar with tqdm: pip install 'scratchnn[progress]'"
                ) from None
            self.bar = tqdm(total=epochs, unit=say("unit_epoch"), file=sys.stdout, leave=True)

    @staticmethod
    def check(verbose: object, log_every: object) -> tuple[int, int]:
        """``(verbose, log_every)`` as integers, if they are valid; else raise."""
        if isinstance(verbose, bool):
            verbose = int(verbose)
        if not isinstance(verbose, int) or verbose not in (0, 1, 2):
            raise ValueError(f"verbose must be 0, 1, 2, True or False, got {verbose!r}")
        return verbose, check_positive_int("log_every", log_every)

    def update(self, epoch: int, logs: dict[str, float]) -> None:
        self.count += 1
        if self.bar is not None:
            said = words(current_language())
            self.bar.set_postfix({said.get("bar_" + k, k): f"{v:.4f}" for k, v in logs.items()},
                                 refresh=False)
            self.bar.update(1)
        elif self.verbose and self.count % self.log_every == 0:
            validation = "".join(f" - {name}: {logs[name]:.3f}" for name in
                                 ("val_loss", "val_accuracy") if name in logs)
            # The course's line, word for word in every language: the course (in French)
            # prints it so, and ``scratchnn check`` asks the student's fit for it.
            print(f"Loss at epoch {epoch}: {logs['loss']:.3f}{validation}", file=sys.stdout)

    def say(self, message: str) -> None:
        """A line for the user, below the bar or the per-epoch lines (verbose 1 or 2)."""
        if self.verbose:
            (self.bar.write if self.bar is not None else print)(message)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

