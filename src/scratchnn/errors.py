"""Exceptions that scratchnn raises for its own reasons."""

from __future__ import annotations

import functools
import sys

from .language import Phrase

__all__ = ["ConvergenceWarning", "NonFiniteLoss", "TrainingDivergedError",
           "convergence_warning"]


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
        kept = (Phrase("diverged_best", epoch=best_epoch) if best_epoch
                else Phrase("diverged_last"))
        super().__init__(Phrase("diverged", epoch=epoch, batch=batch, kept=kept,
                                learning_rate=learning_rate))


class NonFiniteLoss(Exception):
    """Raised by an engine, before updating, when batch ``batch`` (from 1) has no finite loss."""

    def __init__(self, batch: int) -> None:
        super().__init__(batch)
        self.batch = batch


class ConvergenceWarning(UserWarning):
    """Training ended on its budget of epochs (or iterations) before its stopping rule said
    it had converged, as scikit-learn's ``ConvergenceWarning``.

    One warning for both libraries' filters: ``import scratchnn`` does not import
    scikit-learn, so this class cannot derive from scikit-learn's; but a fit warns with
    ``convergence_warning()``, which is a subclass of both this class and scikit-learn's
    ``ConvergenceWarning`` once scikit-learn is imported (as it is when a filter names its
    class), so ``warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)``
    silences it too.
    """


def convergence_warning() -> type[ConvergenceWarning]:
    """The class a fit warns with: ``ConvergenceWarning`` or, when scikit-learn's exceptions
    are imported, the subclass of it and of scikit-learn's ``ConvergenceWarning``."""
    sklearn_exceptions = sys.modules.get("sklearn.exceptions")
    if sklearn_exceptions is None:
        return ConvergenceWarning
    return _with_sklearns(sklearn_exceptions.ConvergenceWarning)


@functools.cache
def _with_sklearns(sklearns: type[Warning]) -> type[ConvergenceWarning]:
    return type("ConvergenceWarning", (ConvergenceWarning, sklearns),
                {"__module__": __name__, "__doc__": ConvergenceWarning.__doc__})
