"""The pieces of a fit around the engine's updates: validation split, early stopping,
progress display and callbacks."""

from __future__ import annotations

import math
import sys
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from .validation import check_positive_int

__all__ = ["Callback", "EarlyStopping", "Progress", "stratified_split"]


class Callback(Protocol):
    """Anything with ``on_epoch_end(epoch, logs)``; returning True stops training.

    ``logs`` holds the epoch's ``loss`` and, with validation data, ``val_loss`` and
    ``val_accuracy``.  Setting ``model.stop_training = True`` stops it too, as in Keras.
    """

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None: ...


def stratified_split(
    labels: NDArray[Any], fraction: float, rng: np.random.Generator
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


class EarlyStopping:
    """Stop when the validation loss has not improved by ``min_delta`` for ``patience`` epochs."""

    def __init__(self, patience: int, min_delta: float) -> None:
        self.patience = check_positive_int("patience", patience)
        if isinstance(min_delta, bool) or not isinstance(min_delta, int | float | np.number) or (
                not math.isfinite(min_delta) or min_delta < 0):
            raise ValueError(f"min_delta must be a finite number >= 0, got {min_delta!r}")
        self.min_delta = float(min_delta)
        self.best_loss = math.inf
        self.best_epoch = 0
        self.waited = 0

    def improved(self, epoch: int, val_loss: float) -> bool:
        """Record the epoch's validation loss; whether it is the best so far."""
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.waited = val_loss, epoch, 0
            return True
        self.waited += 1
        return False

    @property
    def should_stop(self) -> bool:
        return self.waited >= self.patience


class Progress:
    """What a fit shows: nothing (0), the spec's line every ``log_every`` epochs (1), or a
    tqdm progress bar over the epochs with the current losses (2)."""

    def __init__(self, verbose: bool | int, log_every: int, epochs: int) -> None:
        if isinstance(verbose, bool):
            verbose = int(verbose)
        if not isinstance(verbose, int) or verbose not in (0, 1, 2):
            raise ValueError(f"verbose must be 0, 1, 2, True or False, got {verbose!r}")
        self.verbose = verbose
        self.log_every = check_positive_int("log_every", log_every)
        self.count = 0
        self.bar: Any = None
        if verbose == 2:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                raise ImportError(
                    "verbose=2 shows a progress bar with tqdm: pip install 'scratchnn[progress]'"
                ) from None
            self.bar = tqdm(total=epochs, unit="epoch", file=sys.stdout, leave=True)

    def update(self, epoch: int, logs: dict[str, float]) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()}, refresh=False)
            self.bar.update(1)
        elif self.verbose and self.count % self.log_every == 0:
            print(f"Loss at epoch {epoch}: {logs['loss']:.3f}", file=sys.stdout)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

