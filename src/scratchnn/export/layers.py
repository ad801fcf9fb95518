"""What every export reads off a network's description: its layers as (weights, biases,
activation name), the standardisation folded into the first layer."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..activations import ACTIVATIONS
from ..spec import NetworkSpec

__all__ = ["dense_layers"]


def dense_layers(spec: NetworkSpec, known: dict[str, str], target: str,
                 batch_norm: bool = True,
                 ) -> list[tuple[NDArray[np.floating], NDArray[np.floating], str]]:
    """``(W, b, name)`` per layer of ``spec.folded_layers(batch_norm)`` (``W`` (n_neurons,
    n_inputs), ``b`` (n_neurons,), the standardisation folded in), with the activation's name
    in ``known`` (scratchnn's name to ``target``'s).

    Raises a ValueError naming any layer whose activation ``target`` has no equivalent.
    """
    layers = []
    for index, (weights, biases, activation) in enumerate(spec.folded_layers(batch_norm)):
        name = activation.name
        if ACTIVATIONS.get(name) != activation or name not in known:
            raise ValueError(
                f"layers[{index}] has the activation {activation!r}, which {target} has "
                f"no equivalent for; supported: {sorted(known)}")
        layers.append((weights, biases, known[name]))
    return layers
