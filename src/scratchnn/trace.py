"""One training step, every formula with its numbers, in the course's notation.

``trace(model, x, y, learning_rate)`` runs the step on one sample with the engine's own
``Layer`` methods (``forward``, the activation's ``backward``, ``backward_from_dz``, the
update) and returns the lines that show it: forward ``zˡ = Wˡ·aˡ⁻¹ + bˡ``, ``aˡ = f(zˡ)``, the
loss and ``daⁿ`` (for the course's binary cross-entropy, with the numbers put in the
formulas), then, layer by layer from the last, ``f'(z)``, ``dz``, ``d_weights``,
``d_biases``, ``da_prev`` and the update.  The model's weights are updated, as by the step itself.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .language import words
from .numpy_engine import Perceptron
from .optimizers import SGD

__all__ = ["format_array", "trace"]

SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sup(index: int) -> str:
    """``index`` as superscript digits: the layer's number in ``zˡ``."""
    return str(index).translate(SUPERSCRIPTS)


def format_array(array: NDArray[np.floating], digits: int = 4) -> str:
    """A column as ``(a, b)ᵀ``, a row as ``(a, b)``, a matrix as ``[[a, b], [c, d]]``."""
    def number(value: float) -> str:
        return f"{value:.{digits}f}".rstrip("0").rstrip(".") if value == round(value, digits) \
            else f"{value:.{digits}f}"

    if array.ndim == 2 and array.shape[1] == 1:
        return "(" + ", ".join(number(v) for v in array[:, 0]) + ")ᵀ"
    if array.ndim == 2 and array.shape[0] == 1:
        return "(" + ", ".join(number(v) for v in array[0]) + ")"
    return "[" + ", ".join("[" + ", ".join(number(v) for v in row) + "]" for row in array) + "]"


def trace(model: Perceptron, x: NDArray[np.floating], y: NDArray[np.floating],
          learning_rate: float, language: str = "en", dataset: str = "",
          index: int = 0) -> list[str]:
    """The lines of one step of plain gradient descent on the sample ``(x, y)``."""
    text = words(language)
    layers, n = model.layers, len(model.layers)
    a = np.asarray(x, dtype=model.dtype).reshape(-1, 1)
    target = np.asarray(y, dtype=model.dtype).reshape(-1, 1)
    sizes = "-".join(str(s) for s in [model.n_features, *(layer.n_neurons for layer in layers)])
    names = "/".join(text.get("name_" + name, name) for name in
                     dict.fromkeys(layer.activation.name for layer in layers))
    lines = [text["step"].format(network=f"{sizes} {names}", index=index, dataset=dataset,
                                 x=format_array(a), y=format_array(target),
                                 learning_rate=f"{learning_rate:g}"), "",
             text["forward"], f"  a{sup(0)} = x = {format_array(a)}"]
    for number, layer in enumerate(layers, start=1):
        i, j = sup(number), sup(number - 1)
        a = layer.forward(a)
        lines += [f"  {text['layer'].format(index=number)}{text['colon']} W{i} = "
                  f"{format_array(layer.weights)}, b{i} = {format_array(layer.biases)}",
                  f"    z{i} = W{i}·a{j} + b{i} = {format_array(layer.z)}",
                  f"    a{i} = {layer.activation.name}(z{i}) = {format_array(a)}"]
    loss = model.loss(target, a)
    da = model.loss.derivative(target, a)
    in_numbers, da_in_numbers = _course_loss(model.loss.name, target, a, sup(n))
    lines += ["", f"{text['loss']}{text['colon']} L = {model.loss.name}(y, a{sup(n)}) = {loss:.4f}",
              *in_numbers, f"  da{sup(n)} = ∂L/∂a{sup(n)} = {da_in_numbers}{format_array(da)}",
              "", text["backward"]]
    for number in range(n, 0, -1):
        layer = layers[number - 1]
        i, j = sup(number), sup(number - 1)
        assert layer.z is not None and layer.output is not None
        dz = layer.activation.backward(da, layer.z, layer.output)
        weights = layer.weights.copy()
        da = layer.backward_from_dz(dz)
        SGD(learning_rate).step(layer.parameters(), layer.gradients())
        lines += [f"  {text['layer'].format(index=number)}{text['colon']}",
                  f"    f'(z{i}) = {layer.activation.name}'(z{i}) = "
                  f"{format_array(layer.activation.derivative(layer.z))}",
                  f"    dz{i} = da{i} ⊙ f'(z{i}) = {format_array(dz)}",
                  f"    d_weights{i} = dz{i} · a{j}ᵀ = {format_array(layer.d_weights)}",
                  f"    d_biases{i} = dz{i} = {format_array(layer.d_biases)}",
                  f"    da_prev = da{j} = W{i}ᵀ · dz{i} = {format_array(da)}"
                  f"   (W{i} = {format_array(weights)}, {text['update']} ↓)",
                  f"    W{i} ← W{i} - {learning_rate:g} · d_weights{i} = "
                  f"{format_array(layer.weights)}",
                  f"    b{i} ← b{i} - {learning_rate:g} · d_biases{i} = "
                  f"{format_array(layer.biases)}"]
    return lines


def _course_loss(loss: str, y: NDArray[np.floating], a: NDArray[np.floating],
                 n: str) -> tuple[list[str], str]:
    """The course's loss with its numbers (a line), and ``daⁿ``'s formula with its numbers
    (the start of its line), for one output and the binary cross-entropy (the course's
    network); nothing otherwise."""
    if loss != "binary_crossentropy" or a.size != 1:
        return [], ""
    t, p = (float(v.ravel()[0]) for v in (y, a))

    def num(value: float) -> str:
        return format_array(np.array([[value]]))[1:-2]

    value = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    return ([f"  L = -(y log(a{n}) + (1 - y) log(1 - a{n})) = -({num(t)} · log({num(p)}) + "
             f"{num(1 - t)} · log({num(1 - p)})) = {value:.4f}"],
            f"(a{n} - y) / (a{n} (1 - a{n})) = ({num(p)} - {num(t)}) / ({num(p)} · "
            f"{num(1 - p)}) = ")
