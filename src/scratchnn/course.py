"""The course's TensorFlow weights (document A) as a scratchnn network.

Document A holds its parameters with the samples as rows: ``W1: [input_size, hidden_size]``,
``b1: [hidden_size]``, and computes ``x @ W1 + b1``.  scratchnn's layers hold the samples as
columns: ``weights`` of shape (n_neurons, n_inputs) and ``biases`` of shape (n_neurons, 1),
``W · a + b``.  ``from_course_weights`` turns the one into the other:

>>> import numpy as np
>>> from scratchnn.course import from_course_weights
>>> W1, b1 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.zeros(3)   # 2 inputs, 3 hidden
>>> W2, b2 = np.ones((3, 1)), np.zeros(1)
>>> model = from_course_weights(W1, b1, W2, b2)
>>> model.layers[0].weights.shape, model.layers[0].biases.shape
((3, 2), (3, 1))

A square weight matrix (the course's XOR network has a 2 x 2 ``W1``) reads the same in
both layouts, so the layout must then be said: ``layout="course"`` (``x @ W + b``) or
``layout="scratchnn"`` (``W · a + b``, taken as it is).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from .base import BaseModel
from .layers import Layer

__all__ = ["LAYOUTS", "from_course_weights"]

LAYOUTS = ("course", "scratchnn")


def _arrays(parameters: Sequence[Any]) -> list[np.ndarray[Any, Any]]:
    if len(parameters) < 2 or len(parameters) % 2:
        raise ValueError(f"give the parameters as W1, b1, W2, b2, ...: an even number of "
                         f"arrays, got {len(parameters)}")
    arrays = [np.asarray(p) for p in parameters]  # tf.Variable and tensors too
    for index, array in enumerate(arrays):
        if array.dtype not in (np.float32, np.float64):
            arrays[index] = array.astype(np.float64)
    for number, (W, b) in enumerate(zip(arrays[0::2], arrays[1::2], strict=True), start=1):
        if W.ndim != 2 or b.size not in W.shape or b.ndim > 2:
            raise ValueError(f"W{number} must be a matrix and b{number} hold one number per "
                             f"neuron, got shapes {W.shape} and {b.shape}")
    return arrays


def _layout(weights: list[np.ndarray[Any, Any]], layout: str | None) -> str:
    """The layout said, or the one the shapes show; refuse what they cannot tell apart."""
    if layout is not None:
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {list(LAYOUTS)} or None, got {layout!r}")
        return layout
    square = [f"W{number} {W.shape[0]}x{W.shape[1]}" for number, W in
              enumerate(weights, start=1) if W.shape[0] == W.shape[1]]
    chains_as_course = all(a.shape[1] == b.shape[0] for a, b in itertools.pairwise(weights))
    chains_as_ours = all(a.shape[0] == b.shape[1] for a, b in itertools.pairwise(weights))
    if square or chains_as_course == chains_as_ours:
        reason = (f"{', '.join(square)} is square" if square else
                  "the shapes chain both ways" if chains_as_course else
                  "the shapes chain in neither layout")
        raise ValueError(f"the layout of the weights cannot be told from their shapes "
                         f"({reason}): say layout='course' (W1 of shape [input_size, "
                         f"hidden_size], x @ W1 + b1) or layout='scratchnn' (weights of "
                         f"shape (n_neurons, n_inputs), W · a + b)")
    if not chains_as_course:
        raise ValueError("these weights chain as scratchnn's layout (n_neurons, n_inputs), "
                         "not the course's [n_inputs, n_neurons]: say layout='scratchnn'")
    return "course"


def from_course_weights(*parameters: Any, engine: str = "numpy",
                        activations: str | Sequence[str] = "sigmoid",
                        layout: str | None = None, loss: str = "binary_crossentropy",
                        **settings: Any) -> BaseModel:
    """A ``Perceptron`` (``engine="numpy"``) or a ``TFPerceptron`` (``"tensorflow"``)
    holding copies of the course's ``W1, b1, W2, b2, ...``.

    Parameters
    ----------
    *parameters : array-like or tf.Variable
        ``W1, b1, W2, b2, ...`` in the course's layout: ``Wk`` of shape [n_inputs,
        n_neurons], ``bk`` of shape [n_neurons] (or [1, n_neurons]).
    engine : {"numpy", "tensorflow"}
    activations : str or list of str, default "sigmoid"
        Each layer's activation (one name: every layer's, as in document A).
    layout : {"course", "scratchnn"} or None
        Required when a weight matrix is square; ``"scratchnn"`` takes ``Wk`` as (n_neurons,
        n_inputs) and ``bk`` as (n_neurons, 1) already.
    loss : str, default "binary_crossentropy"
    **settings
        Passed to ``TFPerceptron`` (``jit_compile``, ``run_eagerly``, ...).
    """
    if engine not in ("numpy", "tensorflow"):
        raise ValueError(f"engine must be 'numpy' or 'tensorflow', got {engine!r}")
    arrays = _arrays(parameters)
    weights = arrays[0::2]
    names = [activations] * len(weights) if isinstance(activations, str) else list(activations)
    if len(names) != len(weights):
        raise ValueError(f"activations must name one activation per layer ({len(weights)}), "
                         f"got {len(names)}")
    if _layout(weights, layout) == "course":
        weights = [W.T for W in weights]
    layers = []
    for W, b, activation in zip(weights, arrays[1::2], names, strict=True):
        if b.size != W.shape[0]:
            raise ValueError(f"a bias must hold one number per neuron ({W.shape[0]}), got "
                             f"shape {b.shape}")
        layers.append(Layer.from_parameters(np.array(W, order="C"),
                                            b.reshape(-1, 1).astype(W.dtype), activation))
    if engine == "numpy":
        from .numpy_engine import Perceptron

        if settings:
            raise TypeError(f"the NumPy engine takes no settings, got {sorted(settings)}")
        return Perceptron(layers, loss)
    from .tf_engine import TFPerceptron

    return TFPerceptron(layers, loss, **settings)
