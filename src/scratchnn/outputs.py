"""The kind of output a network gives, decided once from its output layer.

Everything that depends on it asks this module: prediction, accuracy and score, the
stratified validation split, the diagnoses, the plots and the command line.

==============  ===========================  ==========================  ===============
kind            output layer                 ``predict``                 ``score``
==============  ===========================  ==========================  ===============
``binary``      one sigmoid unit             0/1 by the 0.5 threshold    accuracy
``multilabel``  several sigmoid units        a 0/1 column each           subset accuracy
``multiclass``  softmax                      index of the largest        accuracy
``regression``  linear, or any other         the values                  R²
``count``       exponential (Poisson)        the values                  R²
==============  ===========================  ==========================  ===============
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .activations import Activation, Exponential, Sigmoid, Softmax

__all__ = ["OutputKind"]


class OutputKind(enum.Enum):
    """What a network's outputs mean (see the module's table)."""

    BINARY = "binary"
    MULTILABEL = "multilabel"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"
    COUNT = "count"

    @classmethod
    def of(cls, activation: Activation, n_outputs: int) -> OutputKind:
        """The kind of an output layer of ``n_outputs`` units with ``activation``."""
        if isinstance(activation, Softmax):
            return cls.MULTICLASS
        if isinstance(activation, Sigmoid):
            return cls.BINARY if n_outputs == 1 else cls.MULTILABEL
        if isinstance(activation, Exponential):
            return cls.COUNT
        return cls.REGRESSION

    @property
    def is_classifier(self) -> bool:
        """Whether the outputs are class probabilities."""
        return self in (OutputKind.BINARY, OutputKind.MULTILABEL, OutputKind.MULTICLASS)

    @property
    def one_label_per_sample(self) -> bool:
        """Whether each sample has one class (binary or multiclass): its label and the
        probability of each class describe it."""
        return self in (OutputKind.BINARY, OutputKind.MULTICLASS)

    @property
    def score_name(self) -> str:
        """What ``score`` measures: ``"accuracy"`` or ``"r2"``."""
        return "accuracy" if self.is_classifier else "r2"

    def predict(self, output: NDArray[np.floating]) -> NDArray[Any]:
        """Predictions from the output activations ``output`` (n_samples, n_outputs)."""
        if self is OutputKind.MULTICLASS:
            return output.argmax(axis=1)
        if self.is_classifier:
            labels = (output >= 0.5).astype(np.intp)
            return labels[:, 0] if self is OutputKind.BINARY else labels
        return output[:, 0] if output.shape[1] == 1 else output

    def score(self, output: NDArray[np.floating], Y: NDArray[np.floating],
              weights: NDArray[np.floating] | None = None) -> float:
        """Accuracy of the predictions from ``output`` against encoded targets ``Y`` (both
        (n_samples, n_outputs)), weighted by ``weights``; for a regression, R² averaged over
        the outputs, as scikit-learn's ``r2_score``."""
        if self is OutputKind.MULTICLASS:
            return float(np.average(output.argmax(axis=1) == Y.argmax(axis=1), weights=weights))
        if self.is_classifier:
            return float(np.average(np.all((output >= 0.5) == (Y == 1), axis=1),
                                    weights=weights))
        w = np.ones(len(Y)) if weights is None else weights
        residual = (w[:, None] * (Y - output) ** 2).sum(axis=0)
        total = (w[:, None] * (Y - np.average(Y, axis=0, weights=w)) ** 2).sum(axis=0)
        scores = np.where(total > 0, 1 - residual / np.where(total > 0, total, 1),
                          np.where(residual == 0, 1.0, 0.0))
        return float(scores.mean())

    def strata(self, Y: NDArray[np.floating]) -> NDArray[Any]:
        """One label per sample to stratify a split by: the class, the 0/1 pattern of a
        multi-label row, or the target of a regression (which ``stratified_split`` takes as
        classes only when it has few distinct values)."""
        if self is OutputKind.MULTICLASS:
            return Y.argmax(axis=1)
        if Y.shape[1] == 1:
            return Y[:, 0]
        return Y @ (2.0 ** np.arange(Y.shape[1]))
