"""Why training went wrong, in plain language: findings from the loss curve and the network.

``diagnose(model, X, y)`` (also ``model.diagnose(X, y)``) returns a list of ``Finding``s, each
with a ``code``, a plain-language ``message``, the ``advice`` of what to try, and the numbers
behind it in ``details``.  An empty list means nothing looks wrong.

Codes
-----
``base_rate``
    The loss is stuck near the entropy of the label frequencies (ln 2 for balanced binary
    labels): the network outputs the same probabilities for every sample.
``plateau``
    The loss has stopped falling while training samples are still misclassified: a bad local
    minimum (on XOR, typically three points of four right).
``dead_relu``
    ReLU units that are never active on the training set, counted per layer (reported when
    a quarter or more of a layer's units are dead).
``saturated``
    Sigmoid or tanh units whose output is at its limit for nearly every sample.
``vanishing_gradients`` / ``exploding_gradients``
    The first layer's gradient is orders of magnitude smaller / larger than the last's, or a
    gradient is huge.
``unstable``
    The loss rises or oscillates: the learning rate is too high.
``too_short``
    Fewer than ten epochs, and the training set not yet learnt: too few to judge (no run is
    called stuck before it has a loss curve).
``still_falling``
    The loss was still falling clearly at the last epoch (the last fifth of the epochs made
    over a tenth of the whole decrease), and is still above a twentieth of where it started:
    train longer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .activations import ReLU, Sigmoid, Tanh
from .outputs import OutputKind
from .validation import check_X_y

if TYPE_CHECKING:
    from .base import BaseModel
    from .numpy_engine import Perceptron

__all__ = ["STUCK", "STUCK_WORDS", "Finding", "diagnose", "sample_rows"]

#: The findings that mean a run is stuck, so that restarting from new weights may help.
STUCK = frozenset({"base_rate", "plateau"})
#: Diagnosing looks at most at this many training samples (drawn at random, seeded).
MAX_SAMPLES = 2000
#: Fewer epochs than this are too few to call a run stuck: its loss curve has no shape yet.
MIN_EPOCHS = 10
#: What each way of being stuck means, in words, for the messages that name it.
STUCK_WORDS = {"base_rate": "the network predicts the base rate for every sample",
               "plateau": "the loss stopped falling with samples still misclassified"}


@dataclass(frozen=True)
class Finding:
    """One thing that went wrong: ``code``, ``message``, ``advice`` and the numbers."""

    code: str
    message: str
    advice: str
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.message} Try: {self.advice}"


def _label_entropy(model: BaseModel, Y: NDArray[np.floating]) -> float | None:
    """The loss of always predicting the label frequencies (None for a regression)."""
    kind = model.output_kind
    if not kind.is_classifier:
        return None
    p = Y.mean(axis=0)
    if kind is OutputKind.MULTICLASS:
        p = p[p > 0]
        return float(-(p * np.log(p)).sum())
    p = p[(p > 0) & (p < 1)]
    return float(-(p * np.log(p) + (1 - p) * np.log1p(-p)).sum())


def _loss_curve_findings(model: BaseModel, Y: NDArray[np.floating], outputs: NDArray[Any],
                         accuracy: float) -> list[Finding]:
    findings: list[Finding] = []
    losses = np.asarray(model.history.loss)
    if len(losses) == 0:
        return findings
    final = float(losses[-1])
    entropy = _label_entropy(model, Y)
    solved = entropy is not None and accuracy >= 1.0
    if len(losses) < MIN_EPOCHS:  # too few epochs to tell a stuck run from a young one
        if not solved:
            findings.append(Finding(
                "too_short",
                f"Training ran {len(losses)} epoch{'s' if len(losses) > 1 else ''}, too few "
                f"to judge: the loss is {final:.3f} and may well keep falling.",
                f"train longer (at least {MIN_EPOCHS} epochs, often hundreds).",
                {"epochs": len(losses), "loss": final}))
        return findings
    window = max(2, len(losses) // 5)
    recent = losses[-window:]
    relative_change = float((recent[0] - recent[-1]) / max(abs(recent[0]), 1e-12))
    flat = abs(relative_change) < 0.01
    restart = ("the restarts did not help: add hidden neurons, or try another learning rate "
               "or initialiser." if model.history.start is not None else
               "restart from other initial weights (fit(..., restarts=5)), a larger learning "
               "rate, or another initialiser.")
    spread = float(outputs.std(axis=0).max())
    if flat and entropy is not None and entropy > 0 and abs(final - entropy) < 0.05 * entropy \
            and spread < 0.05:
        findings.append(Finding(
            "base_rate",
            f"The loss is stuck at {final:.3f}, the entropy of the label frequencies "
            f"({entropy:.3f}): the network predicts the base rate for every sample.",
            restart, {"loss": final, "label_entropy": entropy, "output_spread": spread}))
    if flat and entropy is not None and not solved and not findings:
        findings.append(Finding(
            "plateau",
            f"The loss has stopped falling at {final:.3f} (it changed by "
            f"{relative_change:.2%} over the last {window} epochs) while "
            f"{1 - accuracy:.0%} of the training samples are misclassified: training is "
            f"stuck in a bad minimum.",
            restart.replace("a larger learning rate, or another initialiser", "or add hidden "
                            "neurons"),
            {"loss": final, "relative_change": relative_change, "train_accuracy": accuracy}))
    differences = np.diff(losses[len(losses) // 2:])
    # A converged run's loss wobbles in its last digits: only a rise above that is a rise.
    rises = float(np.mean(differences > 1e-9 * abs(final))) if len(differences) else 0.0
    # Dropout's random masks make the training loss wobble however small the step.
    with_dropout = any(layer.dropout for layer in model.layers)
    if not with_dropout and (rises > 0.3 or final > 1.5 * float(losses.min()) + 1e-12):
        findings.append(Finding(
            "unstable",
            f"The loss rises or oscillates: it went up in {rises:.0%} of the epochs of the "
            f"second half, and ends at {final:.3g} against a best of {losses.min():.3g}.",
            "a smaller learning rate (a tenth, say).",
            {"rising_fraction": rises, "final_loss": final,
             "best_loss": float(losses.min())}))
    elif (recent[0] - recent[-1] > 0.1 * (losses[0] - final) > 0
          and final > 0.05 * float(losses[0])):
        findings.append(Finding(
            "still_falling",
            f"The loss was still falling at the last epoch ({relative_change:.0%} lower "
            f"over the last {window} epochs, now {final:.3g}).",
            "train longer (more epochs) or with a larger learning rate.",
            {"relative_change": relative_change, "loss": final}))
    return findings


def _unit_finding(code: str, counts: dict[str, tuple[int, int]], message: str, advice: str,
                  key: str) -> list[Finding]:
    """A finding about units, with "layer i: n of total" filled into ``message``."""
    if not counts:
        return []
    listed = ", ".join(f"{layer}: {n} of {total}" for layer, (n, total) in counts.items())
    return [Finding(code, message.format(listed), advice,
                    {key: {layer: n for layer, (n, _) in counts.items()}})]


def _unit_findings(network: Perceptron, learnt: bool) -> list[Finding]:
    """Dead ReLU and saturated units: they matter while there is something left to learn, so
    not once every training sample is classified right."""
    if learnt:
        return []
    dead, saturated = {}, {}
    for index, layer in enumerate(network.layers[:-1], start=1):
        assert layer.output is not None
        a = layer.output
        if isinstance(layer.activation, ReLU):
            count = int(np.sum(~np.any(a > 0, axis=1)))
            if count >= layer.n_neurons / 4:  # a few dead units in a wide layer are normal
                dead[f"layer {index}"] = (count, layer.n_neurons)
        elif isinstance(layer.activation, Sigmoid | Tanh):
            limit = np.abs(a - 0.5) > 0.49 if isinstance(layer.activation, Sigmoid) else (
                np.abs(a) > 0.99)
            count = int(np.sum(limit.mean(axis=1) > 0.95))
            if count:
                saturated[f"layer {index}"] = (count, layer.n_neurons)
    with_he = all(layer.init == "he" for layer in network.layers[:-1]
                  if isinstance(layer.activation, ReLU))
    return _unit_finding(
        "dead_relu", dead,
        "Some ReLU units are never active on the training set ({}); they no longer learn.",
        "a smaller learning rate" + ("" if with_he else ", He initialisation (init='he')")
        + ", or tanh units.", "dead_units",
    ) + _unit_finding(
        "saturated", saturated,
        "Some sigmoid/tanh units are saturated (at their limit for over 95% of the samples: "
        "{}); their gradient is nearly zero.",
        "scale the inputs (to mean 0, variance 1), Xavier initialisation (init='xavier'), or "
        "a smaller learning rate.", "saturated_units")


def _gradient_findings(network: Perceptron) -> list[Finding]:
    norms = [float(np.linalg.norm(layer.d_weights)) for layer in network.layers]
    details = {"gradient_norms": {f"layer {i}": n for i, n in enumerate(norms, start=1)}}
    first, last = norms[0], norms[-1]
    if len(norms) > 1 and last > 1e-8 and first < 1e-4 * last:
        return [Finding(
            "vanishing_gradients",
            f"The gradients vanish towards the input: the first layer's is {first:.2g}, the "
            f"last layer's {last:.2g}.",
            "ReLU units with He initialisation, fewer layers, or scaled inputs.", details)]
    if max(norms) > 1e3 or (len(norms) > 1 and first > 1e4 * max(last, 1e-12)):
        return [Finding(
            "exploding_gradients",
            f"The gradients are exploding (norms per layer: "
            f"{', '.join(f'{n:.2g}' for n in norms)}).",
            "a smaller learning rate, scaled inputs, or smaller initial weights.", details)]
    return []


def sample_rows(n_samples: int, random_state: int = 0) -> NDArray[np.intp] | None:
    """The rows of ``n_samples`` that the diagnosis looks at: ``MAX_SAMPLES`` of them drawn
    with ``random_state``, or None (all) if there are no more than that."""
    if n_samples <= MAX_SAMPLES:
        return None
    return np.random.default_rng(random_state).choice(n_samples, MAX_SAMPLES, replace=False)


def diagnose(model: BaseModel, X: object, y: object, random_state: int = 0) -> list[Finding]:
    """What looks wrong with ``model`` after training on ``(X, y)``, as a list of findings.

    Looks at the loss history and, on at most 2,000 training samples, at the units' outputs
    and the gradient norms per layer.  Works on either engine (the TensorFlow model is copied
    to the NumPy engine).  The model is not changed.
    """
    inputs, Y = check_X_y(X, y, model.n_features, model.n_outputs, model.loss)
    Y = model._learnt(Y)  # as the network learns them (a regression's target standardised)
    rows = sample_rows(len(inputs), random_state)
    if rows is not None:
        inputs, Y = inputs[rows], Y[rows]
    network = model.numpy_copy()
    with np.errstate(over="ignore", invalid="ignore"):
        columns = inputs.astype(network.dtype).T
        outputs = network._forward(columns).T
        # the gradients training sees: batch normalisation with the batch's statistics
        network._backward(Y.T.astype(network.dtype), network._forward(columns, training=True))
    kind = model.output_kind
    accuracy = kind.score(outputs, Y) if kind.is_classifier else math.nan  # none: regression
    return (_loss_curve_findings(model, Y, outputs, accuracy)
            + _unit_findings(network, learnt=accuracy == 1.0) + _gradient_findings(network))
