"""One page's training: its configuration, data, network (a NumPy-engine ``Perceptron``) and
optimizer, trained a slice of time at a time, and the frames the page draws.

A configuration is a dict, checked whole before anything changes (a bad one raises a
``ValueError`` naming the setting and leaves the session as it was):

``dataset``      "xor", "circles", "moons", "spirals", "gauss", or a logic gate "and",
                 "or", "nand", "xor gate"
``noise``        0 to 50 (percent)
``train_ratio``  10 to 90 (percent of the points used for training)
``batch_size``   1 to 30
``features``     a non-empty list of "x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"
``hidden``       0 to 6 hidden layers of 1 to 8 neurons, e.g. [4, 2]
``activation``   "relu", "tanh", "sigmoid" or "linear" (the hidden layers'; the output is a
                 sigmoid with binary cross-entropy)
``learning_rate`` a number in (0, 10]
``optimizer``    "sgd" or "adam"
``l2``           the weight penalty, 0 to 1 (Keras's ``L2``)
``dropout``      the hidden layers' dropout rate, 0 to 0.9
``seed``         an integer >= 0: the data and the initial weights
"""

from __future__ import annotations

import reprlib
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from ..errors import TrainingDivergedError
from ..io import load, save
from ..numpy_engine import Perceptron
from ..optimizers import SGD, Adam, Optimizer
from ..plane import Plane
from ..regularizers import L2
from .data import DATASETS, FEATURES, GATES, dataset, features

__all__ = ["DEFAULTS", "Session", "check_config"]

DEFAULTS: dict[str, Any] = {
    "dataset": "circles", "noise": 0, "train_ratio": 50, "batch_size": 10,
    "features": ["x1", "x2"], "hidden": [4, 2], "activation": "tanh", "learning_rate": 0.03,
    "optimizer": "sgd", "l2": 0, "dropout": 0, "seed": 0,
}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
#: The plane every data set lies in, and the grids its pictures are drawn on.
PLANE = Plane(np.array([-6.0, -6.0]), np.array([6.0, 6.0]))
BOUNDARY_RESOLUTION, UNIT_RESOLUTION = 48, 20
#: The most points of the loss curve a frame carries (of the epochs since the last frame).
CURVE_POINTS = 20


def _shown(value: object) -> str:
    """``value`` for an error message, cut short (a setting may hold a 400-digit number)."""
    return reprlib.repr(value)


def _number(config: dict[str, Any], name: str, low: float, high: float,
            integer: bool = False) -> float:
    value = config[name]
    kind = int if integer else (int, float)
    # Comparing, not converting to a float: exact for any integer, false for NaN.
    if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
        what = "an integer" if integer else "a number"
        bounds = f"{low} to {high}" if integer else f"{low:g} to {high:g}"
        raise ValueError(f"{name} must be {what} from {bounds}, got {_shown(value)}")
    return value


def _choice(config: dict[str, Any], name: str, choices: Sequence[str]) -> str:
    value = config[name]
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {_shown(value)}")
    return value


def check_config(changes: object, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """``base`` (default: ``DEFAULTS``) updated with ``changes``, checked whole; a ValueError
    names the first bad setting."""
    if not isinstance(changes, dict):
        raise ValueError(f"a configuration must be an object of settings, got "
                         f"{_shown(changes)}")
    unknown = sorted(set(changes) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown setting {_shown(unknown[0])}: the settings are "
                         f"{', '.join(DEFAULTS)}")
    config = {**(base or DEFAULTS), **changes}
    _choice(config, "dataset", [*DATASETS, *GATES])
    _number(config, "noise", 0, 50)
    _number(config, "train_ratio", 10, 90)
    _number(config, "batch_size", 1, 30, integer=True)
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
    _number(config, "l2", 0, 1)
    _number(config, "dropout", 0, 0.9)
    _number(config, "seed", 0, 2**31 - 1, integer=True)
    return config


class Session:
    """The training of one page: ``configure`` it, ``advance`` it, draw its ``frame``."""

    def __init__(self, model: Perceptron | None = None) -> None:
        """A session with the default configuration, or continuing ``model`` (a saved
        2-input network with one sigmoid output) on it."""
        self.config = dict(DEFAULTS)
        self.started_from: Perceptron | None = None
        if model is not None:
            if model.n_features != 2 or model.n_outputs != 1:
                raise ValueError(f"the playground opens a network of 2 inputs (x1, x2) and 1 "
                                 f"output, got {model.n_features} inputs and "
                                 f"{model.n_outputs} outputs")
            activation = model.layers[0].activation.name if len(model.layers) > 1 else "tanh"
            self.config = check_config({
                "hidden": [layer.n_neurons for layer in model.layers[:-1]],
                "activation": activation if activation in ACTIVATIONS else "tanh",
                "features": ["x1", "x2"]})
            self.started_from = model
        self._build()

    def configure(self, changes: object) -> None:
        """Apply the settings ``changes``; a new data set, features or network starts
        training again, other settings (rate, optimizer, penalty, batch) carry on."""
        config = check_config(changes, self.config)
        rebuild = any(config[key] != self.config[key] for key in (
            "dataset", "noise", "train_ratio", "features", "hidden", "activation", "seed"))
        self.config = config
        if rebuild:
            self.started_from = None
            self._build()
        else:
            self._set_training()

    def reset(self) -> None:
        """New initial weights (the next seed), the same data; epoch 0."""
        self.config["seed"] = (self.config["seed"] + 1) % 2**31
        self.started_from = None
        self._build(keep_data=True)

    def _build(self, keep_data: bool = False) -> None:
        config = self.config
        if not keep_data:
            self.train_points, self.train_labels, self.test_points, self.test_labels = dataset(
                config["dataset"], config["noise"] / 100, config["train_ratio"] / 100,
                config["seed"])
        self.X_train = features(self.train_points, config["features"])
        self.X_test = features(self.test_points, config["features"])
        if self.started_from is not None:
            self.model = self.started_from
        else:
            self.model = Perceptron.from_sizes(
                [len(config["features"]), *config["hidden"], 1], config["activation"],
                "sigmoid", "binary_crossentropy", random_state=config["seed"])
        self.rng = np.random.default_rng(config["seed"])
        self.epoch = 0
        self.losses: list[tuple[int, float, float]] = []
        self.reported = 0  # the losses up to here were in a frame
        self._set_training()
        self._record()

    def _set_training(self) -> None:
        """The penalty, dropout and optimizer of the configuration (optimizer state kept
        while its kind stays)."""
        config = self.config
        for layer in self.model.layers:
            layer.kernel_regularizer = L2(config["l2"]) if config["l2"] else None
        for layer in self.model.layers[:-1]:
            layer.dropout = config["dropout"]
        kind = SGD if config["optimizer"] == "sgd" else Adam
        previous = getattr(self, "optimizer", None)
        if isinstance(previous, kind):
            previous.learning_rate = config["learning_rate"]
            self.optimizer: Optimizer = previous
        else:
            self.optimizer = kind(config["learning_rate"])

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
        """Train one epoch.  An epoch that diverges (a loss or a weight becomes NaN or
        infinite) is undone, the optimizer starts afresh, and a ValueError says so."""
        before = self.model.get_weights()
        with np.errstate(over="ignore", invalid="ignore"):  # caught below, not warned about
            try:
                self.model.fit(self.X_train, self.train_labels, epochs=1,
                               batch_size=self.config["batch_size"], optimizer=self.optimizer,
                               shuffle=True, random_state=self.rng, verbose=0)
                losses = self._evaluate()
            except TrainingDivergedError:
                losses = (np.nan, np.nan)
        if not (np.isfinite(losses).all()
                and all(np.isfinite(w).all() for w in self.model.get_weights())):
            self.model.set_weights(before)
            rate = self.config["learning_rate"]
            self.optimizer = type(self.optimizer)(rate)
            raise ValueError(f"training diverged in epoch {self.epoch + 1}: a loss or a weight "
                             f"became NaN or infinite. The epoch is undone; try a smaller "
                             f"learning rate than {rate:g}")
        self.epoch += 1
        self.losses.append((self.epoch, *losses))

    def advance(self, seconds: float) -> float:
        """Train epoch after epoch for about ``seconds``; return the epochs per second."""
        start, epochs = time.perf_counter(), 0
        while True:
            self.step()
            epochs += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return epochs / elapsed

    # -- what the page draws ----------------------------------------------------------------
    def points(self) -> dict[str, Any]:
        """The training and test points and labels, the plane's bounds, and every feature's
        picture over the plane (chosen or not), for the page to draw."""
        grid = PLANE.points(UNIT_RESOLUTION)
        return {"train": np.column_stack([self.train_points, self.train_labels]).tolist(),
                "test": np.column_stack([self.test_points, self.test_labels]).tolist(),
                "low": PLANE.low.tolist(), "high": PLANE.high.tolist(),
                "features": {name: np.round(features(grid, [name])[:, 0], 3).tolist()
                             for name in FEATURES}}

    def _unit_outputs(self, resolution: int) -> list[NDArray[Any]]:
        """Each layer's outputs over the plane's grid, features first: arrays (units,
        resolution²), computed by the layers' own ``forward``."""
        inputs = features(PLANE.points(resolution), self.config["features"]).T
        outputs: list[NDArray[Any]] = [inputs]
        activations: NDArray[Any] = inputs
        if self.model.standardization is not None:
            activations = self.model.standardization.columns(activations)
        for layer in self.model.layers:
            activations = layer.forward(activations)
            outputs.append(activations)
        return outputs

    def frame(self, epochs_per_second: float = 0.0) -> dict[str, Any]:
        """What the page shows now: the epoch, the losses since the last frame's (at most
        ``CURVE_POINTS`` of them, the last one always), the
        output's probability over the plane (``boundary``, row by row from the bottom),
        every hidden unit's output over the plane (``units``, a list per hidden layer),
        and the weights and biases (``weights[l][j][i]`` from unit i of layer l to unit j of
        layer l + 1)."""
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
        }

    def model_bytes(self) -> bytes:
        """The network as the bytes of an ``.npz`` that ``scratchnn.load`` reads."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "playground.npz"
            save(self.model, path)
            return path.read_bytes()

    @staticmethod
    def open(path: str | Path) -> Session:
        """A session continuing the model saved at ``path``."""
        model = load(path, engine="numpy")  # a TensorFlow-engine file too, on this engine
        return Session(cast(Perceptron, model))

    def code(self) -> str:
        """The scratchnn Python that builds and trains this configuration for as many epochs
        as the page has trained, on the same data."""
        c = self.config
        optimizer = "SGD" if c["optimizer"] == "sgd" else "Adam"
        names = sorted({"Perceptron", optimizer} | ({"L2"} if c["l2"] else set()))
        options = "".join([f", kernel_regularizer=L2({c['l2']})" if c["l2"] else "",
                           f", dropout={c['dropout']}" if c["dropout"] else ""])
        sizes = [len(c["features"]), *c["hidden"], 1]
        code = f'''"""The playground's network: {c["dataset"]}, features {", ".join(c["features"])},
hidden layers {c["hidden"]} ({c["activation"]}), {optimizer} at {c["learning_rate"]}."""
from scratchnn import {", ".join(names)}
from scratchnn.playground.data import dataset, features

train_points, y_train, test_points, y_test = dataset(
    {c["dataset"]!r}, noise={c["noise"] / 100}, train_ratio={c["train_ratio"] / 100},
    seed={c["seed"]})
X_train = features(train_points, {c["features"]!r})
X_test = features(test_points, {c["features"]!r})

model = Perceptron.from_sizes({sizes!r}, {c["activation"]!r}, "sigmoid", "binary_crossentropy",
                              random_state={c["seed"]}{options})
model.fit(X_train, y_train, epochs={max(self.epoch, 1)}, batch_size={c["batch_size"]},
          optimizer={optimizer}({c["learning_rate"]}), shuffle=True, random_state={c["seed"]},
          verbose=0)
print(f"test loss {{model.evaluate(X_test, y_test)[0]:.3f}}, "
      f"test accuracy {{model.score(X_test, y_test):.1%}}")
'''
        return code
