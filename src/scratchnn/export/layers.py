"""What every route reads off a model: its layers as (weights, biases, activation name)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ..activations import ACTIVATIONS

if TYPE_CHECKING:
    from ..base import BaseModel

__all__ = ["dense_layers"]


def dense_layers(model: BaseModel, known: dict[str, str], target: str
                 ) -> list[tuple[NDArray[np.floating], NDArray[np.floating], str]]:
    """``(W, b, name)`` per layer, ``W`` (n_neurons, n_inputs) and ``b`` (n_neurons,), with
    the activation's name in ``known`` (scratchnn's name to ``target``'s).  A model's
    standardisation is folded into the first layer (``W / s`` and ``b - W·m / s``): the
    same predictions, with no step of its own.

    Raises a ValueError naming any layer whose activation ``target`` has no equivalent.
    """
    weights = model.get_weights()
    if model.standardization is not None:  # folded into the first layer: W·(x - m)/s + b
        scale = model.standardization.scale.astype(weights[0].dtype)
        mean = model.standardization.mean.astype(weights[0].dtype)
        weights[0] = weights[0] / scale
        weights[1] = weights[1] - weights[0] @ mean.reshape(-1, 1)
    layers = []
    for index, layer in enumerate(model.layers):
        name = layer.activation.name
        if ACTIVATIONS.get(name) != layer.activation or name not in known:
            raise ValueError(
                f"layers[{index}] has the activation {layer.activation!r}, which {target} has "
                f"no equivalent for; supported: {sorted(known)}")
        layers.append((weights[2 * index], weights[2 * index + 1].reshape(-1), known[name]))
    return layers
