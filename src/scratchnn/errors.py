"""Exceptions that scratchnn raises for its own reasons."""

from __future__ import annotations

__all__ = ["ConvergenceWarning", "NonFiniteLoss", "TrainingDivergedError"]


class TrainingDivergedError(ValueError):
    """Training produced a NaN or infinite loss or parameter; the model was rolled back.

    Attributes
    ----------
    epoch, batch : int
        Where it happened, both counted from 1.
    """

    def __init__(self, epoch: int, batch: int, learning_rate: float,
                 best_epoch: int | None = None) -> None:
        self.epoch = epoch
        self.batch = batch
        #: With early stopping: the epoch whose weights the model keeps.
        self.best_epoch = best_epoch
        kept = (f"the weights of its best epoch ({best_epoch}), as early stopping does"
                if best_epoch else "its last finite weights")
        super().__init__(
            f"training diverged at epoch {epoch}, batch {batch}: the loss or a parameter became "
            f"NaN or infinite. The model keeps {kept}. Try a smaller learning rate than "
            f"{learning_rate:g}."
        )


class NonFiniteLoss(Exception):
    """Raised by an engine, before updating, when batch ``batch`` (from 1) has no finite loss."""

    def __init__(self, batch: int) -> None:
        super().__init__(batch)
        self.batch = batch


class ConvergenceWarning(UserWarning):
    """Training ended on its budget of epochs (or iterations) before its stopping rule said
    it had converged, as scikit-learn's ``ConvergenceWarning``."""
