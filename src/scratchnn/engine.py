"""What an engine provides: the hooks through which the trainer and the model's user API
touch the parameters.

The NumPy engine (``scratchnn.numpy_engine``) and the TensorFlow engine
(``scratchnn.tf_engine``) each implement every abstract method here; everything else (the
training loop, the user API, the roads in and out) is written once, over these hooks.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from .interrupt import InterruptGuard
    from .optimizers import Optimizer
    from .spec import NetworkSpec
    from .trainer import FitPlan

__all__ = ["Engine"]

Array = NDArray[np.floating]


class Engine(abc.ABC):
    """The hooks an engine implements (see the module's description)."""

    engine = ""

    @classmethod
    @abc.abstractmethod
    def from_spec(cls, spec: NetworkSpec, *, adopt: bool = False, **settings: Any) -> Self:
        """A model of the network ``spec`` describes, with copies of everything in it
        (``adopt``: with its arrays and objects as they are, the caller giving ``spec`` up);
        ``settings`` go to the engine's constructor."""

    @property
    @abc.abstractmethod
    def dtype(self) -> np.dtype[np.floating]:
        """Dtype of the parameters."""

    @abc.abstractmethod
    def get_weights(self) -> list[Array]:
        """Return copies of the parameters, ``[W1, b1, W2, b2, ...]``."""

    @abc.abstractmethod
    def set_weights(self, weights: list[Array]) -> None:
        """Set the parameters from ``[W1, b1, W2, b2, ...]`` (shapes must match; a new dtype
        converts the model to it)."""

    @abc.abstractmethod
    def _set_batch_norm(self, normalizations: Sequence[tuple[Array, ...] | None]) -> None:
        """Set batch normalisation's ``(gamma, beta, moving_mean, moving_variance)`` of each
        layer that has it from ``normalizations`` (one a layer, None for the others; of the
        model's dtype)."""

    @abc.abstractmethod
    def _forward_rows(self, X: Array) -> Array:
        """The output activations (n_samples, n_outputs) for rows ``X`` of the model's
        dtype (after the model's standardisation of the inputs)."""

    @abc.abstractmethod
    def _summed_data_loss(self, X: Array, Y: Array, W: Array | None) -> float:
        """``Σ w_i l_i`` over the rows of ``(X, Y)`` (of the model's dtype), without penalty
        and without training."""

    @abc.abstractmethod
    def _penalty_value(self, weight: float) -> float:
        """The layers' weight penalty in the mean loss of a set of total weight ``weight``."""

    @abc.abstractmethod
    def _run_epochs(
        self, plan: FitPlan, orders: Iterator[NDArray[np.intp] | None], optimizer: Optimizer,
        guard: InterruptGuard, per_epoch: bool,
    ) -> Iterator[list[float]]:
        """Train one epoch per item of ``orders`` on ``plan.X, plan.Y`` (weighted by
        ``plan.W``) in batches of ``plan.batch_size``; yield the summed per-sample loss of
        each epoch (``Σ w_i l_i`` plus each batch's penalty times its weight), in lists of the
        epochs run since the last yield (one epoch at a time, or, for an engine that runs many
        epochs in one call, all of them).  Dropout masks come from ``plan.rng``.

        An order is a permutation of the samples, or None for their natural order.  Before
        updating on a batch whose loss is not finite, raise ``NonFiniteLoss``; after each
        complete update, call ``guard.check()``.  ``per_epoch``: the caller acts after every
        epoch (validation, callbacks), so yield after every epoch.
        """

    @abc.abstractmethod
    def _objective(self, X: Array, Y: Array, W: Array | None) -> tuple[float, Array]:
        """The mean loss (penalty included) of the whole set at the current parameters, and
        its gradient, flattened as ``[W1, b1, W2, b2, ...]`` raveled (for L-BFGS)."""

    @abc.abstractmethod
    def _set_flat_parameters(self, flat: NDArray[np.float64]) -> None:
        """Set the parameters from one flat vector ``[W1, b1, W2, b2, ...]`` raveled."""

    def _prepare(self, dtype: np.dtype[Any]) -> None:
        """Before training: convert the parameters to the data's dtype (float32 stays)."""
        if dtype != self.dtype:
            self.set_weights([w.astype(dtype) for w in self.get_weights()])

    def _snapshot(self) -> Any:
        """A copy of the parameters that ``_restore`` can put back."""
        return self.get_weights()

    def _restore(self, snapshot: Any) -> None:
        self.set_weights(snapshot)

    def _is_finite(self, snapshot: Any) -> bool:
        """Whether every parameter of ``snapshot`` (from ``_snapshot``) is finite."""
        return all(bool(np.isfinite(w).all()) for w in snapshot)
