"""Graph functions traced once per network shape and shared by every model of that shape.

Tracing a fit's graph and compiling its step with XLA costs seconds, where the fit of a small
network costs a fraction of one: a model that traced its own functions paid them at every
fit of a new model (each clone in ``cross_val_score`` or ``GridSearchCV``).  Here each
``tf.function`` takes the model's variables as its first argument (``TFPerceptron._state``)
instead of capturing one model's: TensorFlow traces on their shapes and dtypes, so a later
model of the same shape runs the graphs already traced and compiled, on its own variables.

A graph function's Python body runs only while TensorFlow traces it; it runs the method of
the model that called, with that model's attributes pointed at the traced arguments
(``TFPerceptron._bound``).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Hashable, Iterator
from typing import TYPE_CHECKING, Any

import tensorflow as tf

if TYPE_CHECKING:
    from .model import TFPerceptron

__all__ = ["GraphFunction", "graph_functions"]

#: The graph functions of each network shape (``TFPerceptron._graph_key``), by name.
_SHARED: dict[Hashable, dict[str, tuple[Any, list[Any] | None]]] = {}
#: The model whose call is running (and, if TensorFlow traces, whose method is traced).
_caller = threading.local()


@contextlib.contextmanager
def _calling(model: TFPerceptron) -> Iterator[None]:
    previous = getattr(_caller, "model", None)
    _caller.model = model
    try:
        yield
    finally:
        _caller.model = previous


def _run_bound(method: str, keywords: dict[str, Any], state: dict[str, Any],
               *args: Any) -> Any:
    """The body of every graph function: the calling model's ``method``, run on ``state``."""
    model = _caller.model
    with model._bound(state):
        return getattr(model, method)(*args, **keywords)


def _function(method: str, signature: list[Any] | None, compile_: Callable[..., Any],
              keywords: dict[str, Any] | None = None,
              **options: Any) -> tuple[Any, list[Any] | None]:
    # A partial is its own key in TensorFlow's count of retracing (a plain function's code is
    # shared by every function made of it, whose traces would add up to a warning).
    body = functools.partial(_run_bound, method, keywords or {})
    return compile_(body, **options), signature


def graph_functions(model: TFPerceptron, shared: bool) -> dict[str, GraphFunction]:
    """The graph functions of ``model``, by name: those of its shape if ``shared`` (made by the
    first model of that shape), else its own."""
    key = model._graph_key() if shared else None
    functions = _SHARED.get(key) if shared else None
    if functions is None:
        functions = _make(model)
        if shared:
            _SHARED[key] = functions
    return {name: GraphFunction(model, function, signature)
            for name, (function, signature) in functions.items()}


def _make(model: TFPerceptron) -> dict[str, tuple[Any, list[Any] | None]]:
    dtype = model.network.parameters[0].dtype
    rows = tf.TensorSpec([None, model.n_features], dtype)
    labels = tf.TensorSpec([None, model.n_outputs], dtype)
    weights = tf.TensorSpec([None], dtype)
    orders = tf.TensorSpec([None, None], tf.int32)
    size = tf.TensorSpec([], tf.int32)
    compile_ = (lambda f, **_: f) if model.run_eagerly else tf.function
    functions = {
        "train_step": _function("_train_step", [rows, labels], compile_,
                                jit_compile=model.jit_compile),
        "weighted_train_step": _function("_train_step", [rows, labels, weights], compile_,
                                         jit_compile=model.jit_compile),
        "predict": _function("_predict_rows", [rows], compile_),
        "data_loss": _function("_data_loss_sum", [rows, labels], compile_),
        "weighted_data_loss": _function("_data_loss_sum", [rows, labels, weights], compile_),
        "loss_and_gradient": _function("_full_batch_objective", [rows, labels], compile_),
        "weighted_loss_and_gradient": _function("_full_batch_objective",
                                                [rows, labels, weights], compile_),
        "stream": _function("_fit_batches", None, compile_, {"weighted": False}),
        "weighted_stream": _function("_fit_batches", None, compile_, {"weighted": True}),
    }
    for in_order in (True, False):
        for weighted in (False, True):
            functions[f"epochs_{in_order}_{weighted}"] = _function(
                "_fit_epochs", [rows, labels, weights, orders, size], compile_,
                {"in_order": in_order, "weighted": weighted})
    return functions


class GraphFunction:
    """A graph function as one model calls it: with the model's arguments (``(x, y)``, ...),
    its variables passed before them."""

    def __init__(self, model: TFPerceptron, function: Any,
                 signature: list[Any] | None) -> None:
        self.model = model
        self.function = function
        self.signature = signature
        self._concrete: Any = None

    def __call__(self, *args: Any) -> Any:
        with _calling(self.model):
            state = self.model._state()
            if self.signature is None or self.model.run_eagerly:
                return self.function(state, *args)
            if self._concrete is None:
                # Traced for any number of rows (the signature), so that no set or batch of
                # another size traces it again; called as it is, without the dispatch on the
                # arguments' types.
                self._concrete = self.function.get_concrete_function(state, *self.signature)
            return self._concrete(state, *args)

    def get_concrete_function(self) -> Callable[..., Any]:
        """The traced function for the signature, on this model's variables as they are now."""
        with _calling(self.model):
            state = self.model._state()
            concrete = self.function.get_concrete_function(state, *(self.signature or []))
        return functools.partial(concrete, state)

    def experimental_get_tracing_count(self) -> int:
        count: int = self.function.experimental_get_tracing_count()
        return count
