"""One page's training: its configuration, data, network (a NumPy-engine ``Perceptron``) and
optimizer, trained a slice of time at a time, and the frames the page draws.

A configuration is a dict, checked whole before anything changes (a bad one raises a
``ValueError`` naming the setting and leaves the session as it was):

``dataset``      "xor", "circles", "moons", "spirals", "gauss", a logic gate "and",
                 "or", "nand", "xor gate", or "xor course": the course's 4-point XOR table,
                 inputs 0 and 1, which brings the course's network and training with it
                 (2-2-1 sigmoid, weights drawn from a normal distribution, one sample at a
                 time in the table's order, learning rate 0.01, binary cross-entropy)
``noise``        0 to 50 (percent)
``train_ratio``  10 to 90 (percent of the points used for training)
``batch_size``   1 to 30
``shuffle``      whether each epoch takes the training points in a new random order
``features``     a non-empty list of "x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"
``hidden``       0 to 6 hidden layers of 1 to 8 neurons, e.g. [4, 2]
``activation``   "relu", "tanh", "sigmoid" or "linear" (the hidden layers'; the output is a
                 sigmoid with binary cross-entropy)
``learning_rate`` a number in (0, 10]
``optimizer``    "sgd" or "adam"
``l2``           the weight penalty, 0 to 1 (Keras's ``L2``)
``dropout``      the hidden layers' dropout rate, 0 to 0.9
``seed``         an integer >= 0: the data and the initial weights (Reset draws new weights
                 from the next seed and keeps the data, drawn from the seed it had)

The session keeps what its training was, stretch by stretch (the epochs trained with the same
settings), so that ``code()`` writes a script that trains the same network on the same data the
same way: run, it ends with the page's weights and losses (to rounding, 1e-9).
"""

from __future__ import annotations

import math
import reprlib
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from ..diagnostics import diagnose
from ..errors import TrainingDivergedError
from ..initializers import random_seed
from ..io import load, save
from ..language import speaking
from ..numpy_engine import Perceptron
from ..optimizers import SGD, Adam, Optimizer
from ..regularizers import L2
from .code import write_code
from .data import COURSE_XOR, DATASETS, FEATURES, GATES, dataset, features, plane
from .words import check_language, word

__all__ = ["DEFAULTS", "ModelWouldBeLost", "Session", "Stretch", "check_config"]

DEFAULTS: dict[str, Any] = {
    "dataset": "circles", "noise": 0, "train_ratio": 50, "batch_size": 10, "shuffle": True,
    "features": ["x1", "x2"], "hidden": [4, 2], "activation": "tanh", "learning_rate": 0.03,
    "optimizer": "sgd", "l2": 0, "dropout": 0, "seed": 0,
}
#: What choosing the course's XOR brings with it: the course's network and training.
COURSE: dict[str, Any] = {
    "features": ["x1", "x2"], "hidden": [2], "activation": "sigmoid", "learning_rate": 0.01,
    "optimizer": "sgd", "batch_size": 1, "shuffle": False, "l2": 0, "dropout": 0,
}
#: The course draws every weight from a normal distribution (and the biases are zero).
COURSE_INIT = "normal"
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
#: The settings that need a new network, the ones that need new data, and the ones a
#: stretch of training is trained with.
NETWORK = ("features", "hidden", "activation")
DATA = ("dataset", "noise", "train_ratio", "seed")
TRAINING = ("optimizer", "learning_rate", "batch_size", "shuffle", "l2", "dropout")
#: The diagnoses the page leaves out: it shows the loss falling, live.
NOT_SHOWN = frozenset({"too_short", "still_falling"})
#: While playing, a frame diagnoses again only after this many seconds (it costs a pass).
DIAGNOSIS_SECONDS = 0.5
BOUNDARY_RESOLUTION, UNIT_RESOLUTION = 48, 20
#: The most points of the loss curve a frame carries (of the epochs since the last frame).
CURVE_POINTS = 20


def _shown(value: object) -> str:
    """``value`` for an error message, cut short (a setting may hold a 400-digit number)."""
    return reprlib.repr(value)


def _number(config: dict[str, Any], name: str, low: float, high: float,
            integer: bool = False, lang: str = "en") -> float:
    """The setting ``name``, a number (an integer) from ``low`` to ``high``; a ValueError in
    ``lang`` (the ones the page's own fields can be given) if not."""
    value = config[name]
    kind = int if integer else (int, float)
    # Comparing, not converting to a float: exact for any integer, false for NaN.
    if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
        bounds = (low, high) if integer else (f"{low:g}", f"{high:g}")
        raise ValueError(word(lang, "integer_setting" if integer else "number_setting",
                              name=name, low=bounds[0], high=bounds[1], value=_shown(value)))
    return value


def _choice(config: dict[str, Any], name: str, choices: Sequence[str]) -> str:
    value = config[name]
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {_shown(value)}")
    return value


def check_config(changes: object, base: dict[str, Any] | None = None,
                 lang: str = "en") -> dict[str, Any]:
    """``base`` (default: ``DEFAULTS``) updated with ``changes``, checked whole; a ValueError
    names the first bad setting (in ``lang`` for a number out of its range)."""
    if not isinstance(changes, dict):
        raise ValueError(f"a configuration must be an object of settings, got "
                         f"{_shown(changes)}")
    unknown = sorted(set(changes) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown setting {_shown(unknown[0])}: the settings are "
                         f"{', '.join(DEFAULTS)}")
    config = {**(base or DEFAULTS), **changes}
    _choice(config, "dataset", [*DATASETS, *GATES, COURSE_XOR])
    _number(config, "noise", 0, 50, lang=lang)
    _number(config, "train_ratio", 10, 90, lang=lang)
    _number(config, "batch_size", 1, 30, integer=True, lang=lang)
    if not isinstance(config["shuffle"], bool):
        raise ValueError(f"shuffle must be true or false, got {_shown(config['shuffle'])}")
    chosen = config["features"]
    if (not isinstance(chosen, list) or not chosen
            or any(not isinstance(name, str) or name not in FEATURES for name in chosen)
            or len(set(chosen)) < len(chosen)):
        raise ValueError(f"features must be a non-empty list of distinct names among "
                         f"{', '.join(FEATURES)}, got {_shown(chosen)}")
    hidden = config["hidden"]
    if not isinstance(hidden, list) or len(hidden) > 6 or any(
            isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 8 for n in hidden):
        raise ValueError(f"hidden must be a list of 0 to 6 layer sizes, each from 1 to 8 "
                         f"neurons, got {_shown(hidden)}")
    _choice(config, "activation", ACTIVATIONS)
    rate = config["learning_rate"]
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 10:
        raise ValueError(f"learning_rate must be a number > 0 and at most 10, got "
                         f"{_shown(rate)}")
    _choice(config, "optimizer", ("sgd", "adam"))
    _number(config, "l2", 0, 1, lang=lang)
    _number(config, "dropout", 0, 0.9, lang=lang)
    _number(config, "seed", 0, 2**31 - 1, integer=True, lang=lang)
    return config


class ModelWouldBeLost(ValueError):
    """A change that would throw away the model the session opened: asked, not done."""


@dataclass
class Stretch:
    """Epochs trained one after the other with the same training ``settings`` (those of
    ``TRAINING``); ``fresh``: the stretch starts with a new optimizer, not the previous one's
    (its kind changed, or, ``undone``, training diverged and its epoch was undone)."""

    settings: dict[str, Any]
    fresh: bool
    undone: bool = False
    epochs: int = 0
    #: The training points' order of the last epoch (a fit shuffles it again each epoch).
    order: NDArray[np.intp] | None = field(default=None, repr=False)
    #: With dropout, the generator's state from which the stretch's fit draws its dropout
    #: seed (before its first shuffle), so that each epoch's fit draws the same one.
    seed_state: Mapping[str, Any] | None = field(default=None, repr=False)


def best_dataset(model: Perceptron) -> str:
    """The data set, drawn as the defaults draw it, that ``model`` (inputs x1, x2) classifies
    best: the one it was most likely trained on."""
    def fit(name: str) -> tuple[float, float]:
        points, labels, _, _ = dataset(name, DEFAULTS["noise"] / 100,
                                       DEFAULTS["train_ratio"] / 100, DEFAULTS["seed"])
        loss, accuracy = cast(tuple[float, float], model.evaluate(points, labels))
        return accuracy, -loss
    with np.errstate(all="ignore"):
        return max([*DATASETS, *GATES, COURSE_XOR], key=fit)


class Session:
    """The training of one page: ``configure`` it, ``advance`` it, draw its ``frame``."""

    def __init__(self, model: Perceptron | None = None, source: Path | None = None,
                 lang: str = "en") -> None:
        """A session with the default configuration, or continuing ``model`` (a saved
        2-input network with one sigmoid output, read from the file ``source``) on the data
        set it classifies best, the course's XOR for the course's network; its messages,
        code and diagnoses in ``lang``."""
        #: The language of the messages, the code and the diagnoses.
        self.lang = check_language(lang)
        self.config = dict(DEFAULTS)
        #: The model opened, as it was opened: Reset and a new data set start from it again.
        self.opened: Perceptron | None = None
        self.source = source
        if model is not None:
            if model.n_features != 2 or model.n_outputs != 1:
                raise ValueError(f"the playground opens a network of 2 inputs (x1, x2) and 1 "
                                 f"output, got {model.n_features} inputs and "
                                 f"{model.n_outputs} outputs")
            activation = model.layers[0].activation.name if len(model.layers) > 1 else "tanh"
            name = best_dataset(model)
            self.config = check_config({
                **(COURSE if name == COURSE_XOR else {}), "dataset": name,
                "hidden": [layer.n_neurons for layer in model.layers[:-1]],
                "activation": activation if activation in ACTIVATIONS else "tanh",
                "features": ["x1", "x2"]})
            self.opened = model.numpy_copy()
        self._build()

    def configure(self, changes: object, discard: bool = False) -> None:
        """Apply the settings ``changes``; new data starts training again, and so does a new
        network (features, layers, activation), which throws an opened model away only with
        ``discard`` (else a ``ModelWouldBeLost`` asks); the training settings (rate, optimizer,
        batch, shuffling, penalty, dropout) carry on from where training is."""
        if isinstance(changes, dict) and changes.get("dataset") == COURSE_XOR != \
                self.config["dataset"]:
            brought = {key: value for key, value in COURSE.items()
                       if self.opened is None or key not in NETWORK}
            changes = {**brought, **changes}
        config = check_config(changes, self.config, self.lang)
        new_network = any(config[key] != self.config[key] for key in NETWORK)
        if new_network and self.opened is not None and not discard:
            raise ModelWouldBeLost(word(self.lang, "discard"))
        if new_network:
            self.opened = None
        rebuild = new_network or any(config[key] != self.config[key] for key in DATA)
        self.config = config
        if rebuild:
            self._build()
        else:
            self._set_training()

    def reset(self) -> None:
        """Start again from new initial weights (the next seed; an opened model: its own),
        on the same data; epoch 0."""
        self.config["seed"] = (self.config["seed"] + 1) % 2**31
        self._build(keep_data=True)

    def _build(self, keep_data: bool = False) -> None:
        config = self.config
        if not keep_data:
            self.data_seed = config["seed"]
            self.train_points, self.train_labels, self.test_points, self.test_labels = dataset(
                config["dataset"], config["noise"] / 100, config["train_ratio"] / 100,
                self.data_seed)
            self.plane = plane(config["dataset"])
        self.X_train = features(self.train_points, config["features"])
        self.X_test = features(self.test_points, config["features"])
        if self.opened is not None:
            self.model = self.opened.numpy_copy()
        else:
            self.model = Perceptron.from_sizes(
                [len(config["features"]), *config["hidden"], 1], config["activation"],
                "sigmoid", "binary_crossentropy", init=self.init, random_state=config["seed"])
        self.rng = np.random.default_rng(config["seed"])
        self.epoch = 0
        self.losses: list[tuple[int, float, float]] = []
        self.reported = 0  # the losses up to here were in a frame
        self.stretches: list[Stretch] = []
        self.optimizer: Optimizer | None = None
        #: The last diagnoses shown, and when (``time.perf_counter``).
        self.diagnosed: tuple[float, list[dict[str, str]]] = (-math.inf, [])
        self._set_training()
        self._record()

    @property
    def init(self) -> str | None:
        """The initialiser of a new network: the course's for the course's data, else the
        activation's own."""
        return COURSE_INIT if self.config["dataset"] == COURSE_XOR else None

    def _set_training(self, undone: bool = False) -> None:
        """The penalty, dropout and optimizer of the configuration (the optimizer's state
        kept while its kind stays, unless an epoch was ``undone``), from the next epoch on:
        a new stretch if they changed."""
        config = self.config
        for layer in self.model.layers:
            layer.kernel_regularizer = L2(config["l2"]) if config["l2"] else None
        for layer in self.model.layers[:-1]:
            layer.dropout = config["dropout"]
        kind = SGD if config["optimizer"] == "sgd" else Adam
        fresh = undone or not isinstance(self.optimizer, kind)
        if fresh:
            self.optimizer = kind(config["learning_rate"])
        else:
            assert self.optimizer is not None
            self.optimizer.learning_rate = config["learning_rate"]
        settings = {key: config[key] for key in TRAINING}
        last = self.stretches[-1] if self.stretches else None
        if last is not None and not fresh and last.settings == settings:
            return  # the same training goes on
        if last is not None and last.epochs == 0:  # nothing was trained with it
            self.stretches.pop()
            fresh, undone = fresh or last.fresh, undone or last.undone
        self.stretches.append(Stretch(settings, fresh, undone))

    def _evaluate(self) -> tuple[float, float]:
        """The training and the test loss now."""
        train_loss, _ = cast(tuple[float, float],
                             self.model.evaluate(self.X_train, self.train_labels))
        test_loss, _ = cast(tuple[float, float],
                            self.model.evaluate(self.X_test, self.test_labels))
        return train_loss, test_loss

    def _record(self) -> None:
        self.losses.append((self.epoch, *self._evaluate()))

    def step(self) -> None:
        """Train one epoch, as the epoch of a ``fit`` over the whole stretch would: the
        stretch's order of the points shuffled again.  An epoch that diverges (a loss or a
        weight becomes NaN or infinite) is undone, the optimizer starts afresh, and a
        ValueError says so."""
        stretch = self.stretches[-1]
        before = self.model.get_weights(), self.rng.bit_generator.state
        if stretch.seed_state is None and any(layer.dropout for layer in self.model.layers):
            stretch.seed_state = self.rng.bit_generator.state
            random_seed(self.rng)  # drawn by the stretch's fit first, then its shuffles
        order = np.arange(len(self.X_train)) if stretch.order is None else stretch.order
        if stretch.settings["shuffle"]:
            order = order[self.rng.permutation(len(order))]
        assert self.optimizer is not None
        with np.errstate(over="ignore", invalid="ignore"):  # caught below, not warned about
            try:
                self.model.fit(self.X_train[order], self.train_labels[order], epochs=1,
                               batch_size=stretch.settings["batch_size"],
                               optimizer=self.optimizer, random_state=self._fit_random(stretch),
                               verbose=0)
                losses = self._evaluate()
            except TrainingDivergedError:
                losses = (np.nan, np.nan)
        if not (np.isfinite(losses).all()
                and all(np.isfinite(w).all() for w in self.model.get_weights())):
            self.model.set_weights(before[0])
            self.rng.bit_generator.state = before[1]
            if stretch.epochs == 0:
                stretch.seed_state = None
            self._set_training(undone=True)
            raise ValueError(word(self.lang, "diverged", epoch=self.epoch + 1,
                                  rate=f"{self.config['learning_rate']:g}"))
        stretch.order = order
        stretch.epochs += 1
        self.epoch += 1
        self.losses.append((self.epoch, *losses))

    def _fit_random(self, stretch: Stretch) -> np.random.Generator:
        """The generator an epoch's ``fit`` draws its dropout seed from: one at the
        stretch's seed state, so every epoch of the stretch gets its seed (the script's one
        ``fit``: the same masks); the session's own without dropout (nothing is drawn)."""
        if stretch.seed_state is None:
            return self.rng
        generator = np.random.default_rng()
        generator.bit_generator.state = stretch.seed_state
        return generator

    def advance(self, seconds: float) -> float:
        """Train epoch after epoch for about ``seconds`` (no epoch is begun that would likely
        end past them, but the first); return the epochs per second."""
        start, epochs = time.perf_counter(), 0
        while True:
            self.step()
            epochs += 1
            elapsed = time.perf_counter() - start
            if elapsed * (epochs + 1) / epochs >= seconds:
                return epochs / elapsed

    # -- what the page draws ----------------------------------------------------------------
    def points(self) -> dict[str, Any]:
        """The training and test points and labels, the plane's bounds, and every feature's
        picture over the plane (chosen or not), for the page to draw."""
        grid = self.plane.points(UNIT_RESOLUTION)
        return {"train": np.column_stack([self.train_points, self.train_labels]).tolist(),
                "test": np.column_stack([self.test_points, self.test_labels]).tolist(),
                "low": self.plane.low.tolist(), "high": self.plane.high.tolist(),
                "features": {name: np.round(features(grid, [name])[:, 0], 3).tolist()
                             for name in FEATURES}}

    def _unit_outputs(self, resolution: int) -> list[NDArray[Any]]:
        """Each layer's outputs over the plane's grid, features first: arrays (units,
        resolution²), computed by the layers' own ``forward``."""
        inputs = features(self.plane.points(resolution), self.config["features"]).T
        outputs: list[NDArray[Any]] = [inputs]
        activations: NDArray[Any] = inputs
        if self.model.standardization is not None:
            activations = self.model.standardization.columns(activations)
        for layer in self.model.layers:
            activations = layer.forward(activations)
            outputs.append(activations)
        return outputs

    def diagnoses(self) -> list[dict[str, str]]:
        """What the library's ``diagnose`` finds wrong now, but for what the page shows
        anyway (the loss still falling, too few epochs): each finding's ``code`` and
        ``text``, in the session's language (the library's own words)."""
        with np.errstate(all="ignore"), speaking(self.lang):
            findings = diagnose(self.model, self.X_train, self.train_labels)
            return [{"code": finding.code, "text": str(finding)}
                    for finding in findings if finding.code not in NOT_SHOWN]

    def frame(self, epochs_per_second: float = 0.0) -> dict[str, Any]:
        """What the page shows now: the epoch, the losses since the last frame's (at most
        ``CURVE_POINTS`` of them, the last one always), the
        output's probability over the plane (``boundary``, row by row from the bottom),
        every hidden unit's output over the plane (``units``, a list per hidden layer),
        the weights and biases (``weights[l][j][i]`` from unit i of layer l to unit j of
        layer l + 1), and the diagnoses (``diagnoses``: what looks wrong, in words)."""
        new = self.losses[self.reported:]
        self.reported = len(self.losses)
        boundary = self._unit_outputs(BOUNDARY_RESOLUTION)[-1][0]
        hidden = self._unit_outputs(UNIT_RESOLUTION)[1:-1]
        return {
            "type": "frame", "epoch": self.epoch,
            "losses": new[::max(1, len(new) // CURVE_POINTS)][:-1] + new[-1:],
            "train_loss": self.losses[-1][1], "test_loss": self.losses[-1][2],
            "epochs_per_second": round(epochs_per_second, 1),
            "boundary": np.round(boundary, 4).tolist(), "resolution": BOUNDARY_RESOLUTION,
            "units": [np.round(layer, 3).tolist() for layer in hidden],
            "unit_resolution": UNIT_RESOLUTION,
            "weights": [layer.weights.tolist() for layer in self.model.layers],
            "biases": [layer.biases[:, 0].tolist() for layer in self.model.layers],
            "diagnoses": self._frame_diagnoses(playing=epochs_per_second > 0),
        }

    def _frame_diagnoses(self, playing: bool) -> list[dict[str, str]]:
        """The diagnoses for a frame: none before training, the last ones while playing if
        they are recent."""
        now = time.perf_counter()
        if not self.epoch:
            return []
        if not playing or now - self.diagnosed[0] >= DIAGNOSIS_SECONDS:
            self.diagnosed = now, self.diagnoses()
        return self.diagnosed[1]

    def model_bytes(self) -> bytes:
        """The network as the bytes of an ``.npz`` that ``scratchnn.load`` reads."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "playground.npz"
            save(self.model, path)
            return path.read_bytes()

    @staticmethod
    def open(path: str | Path, lang: str = "en") -> Session:
        """A session continuing the model saved at ``path``."""
        model = load(path, engine="numpy")  # a TensorFlow-engine file too, on this engine
        return Session(cast(Perceptron, model), Path(path).resolve(), lang)

    def code(self) -> str:
        """The scratchnn Python that builds this network on the same data and trains it as
        the page did, stretch by stretch: it ends at the page's weights and losses."""
        return write_code(self, self.lang)
