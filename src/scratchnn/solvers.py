"""L-BFGS: a full-batch quasi-Newton solver, beside the optimizers, for small data sets.

As scikit-learn's ``solver="lbfgs"``: ``scipy.optimize.minimize(method="L-BFGS-B")`` over all
the parameters flattened into one vector (``W1, b1, W2, b2, ...``, each raveled), with the
loss of the whole training set (its penalty included) and its gradient computed by the
engine.  Needs SciPy and threadpoolctl: ``pip install 'scratchnn[lbfgs]'``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from .validation import check_positive_int

__all__ = ["LBFGS"]

Objective = Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]]


class LBFGS:
    """The L-BFGS-B solver of SciPy, on the whole training set at each iteration.

    Parameters
    ----------
    max_iter : int or None, default None
        The most iterations (scikit-learn's ``max_iter``); None: ``fit``'s ``epochs``.  Each
        iteration is one entry of ``history``.
    max_fun : int, default 15000
        The most evaluations of the loss and gradient.
    tol : float, default 1e-4
        Stop when the largest gradient component falls below it (SciPy's ``gtol``).
    """

    name: ClassVar[str] = "lbfgs"
    slot_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, max_iter: int | None = None, max_fun: int = 15000,
                 tol: float = 1e-4) -> None:
        self.max_iter = None if max_iter is None else check_positive_int("max_iter", max_iter)
        self.max_fun = check_positive_int("max_fun", max_fun)
        if isinstance(tol, bool) or not isinstance(tol, int | float | np.number) or not (
                np.isfinite(tol) and tol >= 0):
            raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")
        self.tol = float(tol)
        self.iterations = 0
        self.slots: dict[str, list[Any]] = {}
        self.schedule = None

    @property
    def learning_rate(self) -> float:
        """L-BFGS has no learning rate: its line search chooses each step (1.0 is its first
        try)."""
        return 1.0

    def learning_rate_at(self, iteration: int) -> float:
        return self.learning_rate

    def config(self) -> dict[str, Any]:
        return {"max_iter": self.max_iter, "max_fun": self.max_fun, "tol": self.tol}

    def fresh(self) -> LBFGS:
        return LBFGS(**self.config())

    def state(self) -> dict[str, Any]:
        return {"iterations": self.iterations}

    def set_state(self, state: dict[str, Any]) -> None:
        self.iterations = int(state["iterations"])

    @staticmethod
    def require() -> None:
        """Raise an ImportError that says what to install if SciPy or threadpoolctl is
        missing."""
        try:
            import scipy.optimize  # noqa: F401
            import threadpoolctl  # noqa: F401
        except ImportError:
            raise ImportError("the L-BFGS solver needs SciPy and threadpoolctl: pip install "
                              "'scratchnn[lbfgs]'") from None

    def minimize(self, objective: Objective, start: NDArray[np.float64], max_iter: int,
                 on_iteration: Callable[[NDArray[np.float64], float], None]) -> Any:
        """Minimise ``objective`` (the loss and its gradient at a point) from ``start``;
        ``on_iteration(x, loss)`` after each iteration.  Returns SciPy's ``OptimizeResult``."""
        self.require()
        from scipy.optimize import minimize
        from threadpoolctl import threadpool_limits

        def callback(intermediate_result: Any) -> None:
            self.iterations += 1
            on_iteration(intermediate_result.x, float(intermediate_result.fun))

        # SciPy's L-BFGS-B and NumPy each bring a BLAS with its own threads, which spin
        # between calls: alternating, they fight for the cores.  One thread each is faster at
        # every size measured (7x on 2,000 x 20, 1.8x on 20,000 x 100 with 256 units).
        with threadpool_limits(limits=1, user_api="blas"):
            return minimize(objective, start, method="L-BFGS-B", jac=True, callback=callback,
                            options={"maxfun": self.max_fun,
                                     "maxiter": self.max_iter or max_iter, "gtol": self.tol})

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"LBFGS({arguments})"
