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
``slow``
    The loss falls steadily but slowly (it looks flat): in every epoch of the last fifth, by
    as much as in the fifth before (half as much while the network still predicts the base
    rate, the saddle small initial weights start from), with no saturated or dead unit.
    The learning rate is too small, or the epochs too few; the run is not stuck, and
    restarting it from other weights would not help.
``unstable``
    The loss rises or oscillates: the learning rate is too high.  Only rises above a
    hundredth of the starting loss count: near zero, a converged loss's relative wiggles
    are not oscillation.
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
from .language import say
from .outputs import OutputKind
from .validation import check_X_y

if TYPE_CHECKING:
    from .base import BaseModel
    from .numpy_engine import Perceptron

__all__ = ["STUCK", "Finding", "diagnose", "sample_rows", "stuck_words"]

#: The findings that mean a run is stuck, so that restarting from new weights may help.
STUCK = frozenset({"base_rate", "plateau"})
#: Diagnosing looks at most at this many training samples (drawn at random, seeded).
MAX_SAMPLES = 2000
#: Fewer epochs than this are too few to call a run stuck: its loss curve has no shape yet.
MIN_EPOCHS = 10
#: A rise of the loss smaller than this fraction of its starting value is noise, not
#: oscillation (the last digits of a loss that has converged near zero).
NOISE = 0.01


def stuck_words(code: str) -> str:
    """What the way of being stuck ``code`` means, in words, for the messages that name it."""
    return say("stuck_" + code)


@dataclass(frozen=True)
class Finding:
    """One thing that went wrong: ``code``, ``message``, ``advice`` and the numbers."""

    code: str
    message: str
    advice: str
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return say("finding", message=self.message, advice=self.advice)


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


def _slow(losses: NDArray[np.floating], window: int, steadiness: float) -> bool:
    """Whether a loss that looks flat is in fact falling steadily, only slowly: a rate too
    small, not a stuck run.  It fell in every epoch of the last ``window``, by more than
    rounding, and by at least ``steadiness`` times as much as over the ``window`` before (a
    run settling into a minimum falls ever less)."""
    if len(losses) < 2 * window + 1:
        return False
    recent = losses[-window - 1:]
    last_drop = float(recent[0] - recent[-1])
    drop_before = float(losses[-2 * window - 1] - losses[-window - 1])
    return bool(np.all(-np.diff(recent) > 1e-12 * abs(float(recent[-1])))
                and last_drop > 1e-6 * abs(float(recent[-1]))
                and last_drop >= steadiness * drop_before)


def _loss_curve_findings(model: BaseModel, Y: NDArray[np.floating], outputs: NDArray[Any],
                         accuracy: float, units_healthy: bool) -> list[Finding]:
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
                say("too_short", epochs=len(losses), plural="s" if len(losses) > 1 else "",
                    loss=final),
                say("too_short_advice", minimum=MIN_EPOCHS),
                {"epochs": len(losses), "loss": final}))
        return findings
    window = max(2, len(losses) // 5)
    recent = losses[-window:]
    relative_change = float((recent[0] - recent[-1]) / max(abs(recent[0]), 1e-12))
    flat = abs(relative_change) < 0.01
    spread = float(outputs.std(axis=0).max())
    at_base_rate = (entropy is not None and entropy > 0
                    and abs(final - entropy) < 0.05 * entropy and spread < 0.05)
    # At the base rate, the saddle small initial weights start from and a small rate leaves
    # slowly, a fall half as fast as before is steady; elsewhere it must be as fast (95%).
    steadiness = 0.5 if at_base_rate else 0.95
    if flat and not solved and units_healthy and _slow(losses, window, steadiness):
        findings.append(Finding(
            "slow", say("slow", window=window, drop=float(recent[0] - final), loss=final),
            say("slow_advice"), {"loss": final, "relative_change": relative_change}))
        return findings
    restart = say("restarts_failed" if model.history.start is not None else "restart_advice")
    if flat and at_base_rate:
        findings.append(Finding(
            "base_rate", say("base_rate", loss=final, entropy=entropy),
            restart, {"loss": final, "label_entropy": entropy, "output_spread": spread}))
    if flat and entropy is not None and not solved and not findings:
        findings.append(Finding(
            "plateau",
            say("plateau", loss=final, change=relative_change, window=window,
                wrong=1 - accuracy),
            say("restarts_failed" if model.history.start is not None else "plateau_advice"),
            {"loss": final, "relative_change": relative_change, "train_accuracy": accuracy}))
    differences = np.diff(losses[len(losses) // 2:])
    # A converged loss wobbles in its last digits, and near zero even its relative wobbles
    # are large: only a rise above a hundredth of the starting loss is a rise.
    noise = NOISE * abs(float(losses[0]))
    rises = float(np.mean(differences > noise)) if len(differences) else 0.0
    best = float(losses.min())
    # Dropout's random masks make the training loss wobble however small the step.
    with_dropout = any(layer.dropout for layer in model.layers)
    if not with_dropout and (rises > 0.3 or final - best > max(0.5 * best, noise)):
        findings.append(Finding(
            "unstable", say("unstable", rises=rises, final=final, best=best),
            say("unstable_advice"),
            {"rising_fraction": rises, "final_loss": final, "best_loss": best}))
    elif (recent[0] - recent[-1] > 0.1 * (losses[0] - final) > 0
          and final > 0.05 * float(losses[0])):
        findings.append(Finding(
            "still_falling", say("still_falling", change=relative_change, window=window,
                                 loss=final),
            say("still_falling_advice"), {"relative_change": relative_change, "loss": final}))
    return findings


def _unit_finding(code: str, counts: dict[str, tuple[int, int]], key: str,
                  **advice_values: str) -> list[Finding]:
    """A finding about units, listing "layer i: n of total" in its message."""
    if not counts:
        return []
    listed = ", ".join(say("layer_count", index=layer.split()[-1], count=n, total=total)
                       for layer, (n, total) in counts.items())
    return [Finding(code, say(code, listed=listed), say(code + "_advice", **advice_values),
                    {key: {layer: n for layer, (n, _) in counts.items()}})]


def _unit_counts(network: Perceptron) -> tuple[dict[str, tuple[int, int]],
                                               dict[str, tuple[int, int]]]:
    """The dead ReLU and the saturated sigmoid or tanh units of each hidden layer, as
    ``{"layer i": (count, units)}``, for the layers that have some."""
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
    return dead, saturated


def _unit_findings(network: Perceptron, dead: dict[str, tuple[int, int]],
                   saturated: dict[str, tuple[int, int]], learnt: bool) -> list[Finding]:
    """Dead ReLU and saturated units: they matter while there is something left to learn, so
    not once every training sample is classified right."""
    if learnt:
        return []
    with_he = all(layer.init == "he" for layer in network.layers[:-1]
                  if isinstance(layer.activation, ReLU))
    return (_unit_finding("dead_relu", dead, "dead_units",
                          he="" if with_he else say("dead_relu_he"))
            + _unit_finding("saturated", saturated, "saturated_units"))


def _gradient_findings(network: Perceptron) -> list[Finding]:
    norms = [float(np.linalg.norm(layer.d_weights)) for layer in network.layers]
    details = {"gradient_norms": {f"layer {i}": n for i, n in enumerate(norms, start=1)}}
    first, last = norms[0], norms[-1]
    if len(norms) > 1 and last > 1e-8 and first < 1e-4 * last:
        return [Finding("vanishing_gradients", say("vanishing_gradients", first=first, last=last),
                        say("vanishing_gradients_advice"), details)]
    if max(norms) > 1e3 or (len(norms) > 1 and first > 1e4 * max(last, 1e-12)):
        return [Finding("exploding_gradients",
                        say("exploding_gradients", norms=", ".join(f"{n:.2g}" for n in norms)),
                        say("exploding_gradients_advice"), details)]
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
    to the NumPy engine).  The model is not changed.  The findings speak the current language
    (see ``scratchnn.language.speaking``).
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
    dead, saturated = _unit_counts(network)
    return (_loss_curve_findings(model, Y, outputs, accuracy, not (dead or saturated))
            + _unit_findings(network, dead, saturated, learnt=accuracy == 1.0)
            + _gradient_findings(network))
