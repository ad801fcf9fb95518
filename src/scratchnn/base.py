"""The model's user API, the same on both engines.

A model is its layers and their description (``get_spec``); an engine (``scratchnn.engine``)
stores the parameters and supplies the hooks that touch them.  What a user calls is written
once, here: ``fit`` (which plans the fit and hands it to ``scratchnn.trainer``), ``predict``,
``predict_proba``, ``evaluate``, ``score``, ``summary``, ``diagnose``, the roads out
(``save``, ``export``, ``to_onnx``, ``to_sklearn``, ``to_keras``, pickling) and prediction
and evaluation a chunk of rows at a time.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from numpy.typing import NDArray

from .activations import Softmax
from .diagnostics import Finding, diagnose
from .engine import Engine
from .history import History
from .initializers import RandomState
from .layers import Layer
from .losses import Loss, batch_weight, get_loss
from .optimizers import Optimizer
from .outputs import OutputKind
from .preprocessing import Standardization
from .schedules import Schedule
from .solvers import LBFGS
from .spec import LayerSpec, NetworkSpec
from .trainer import Batch, Trainer, iter_batches, plan_fit
from .training import Callback, EarlyStopping
from .validation import check_sample_weight, check_X, encode_labels

if TYPE_CHECKING:
    from .numpy_engine import Perceptron

Array = NDArray[np.floating]
#: Values per chunk (rows times the widest layer) when a whole set is predicted or
#: evaluated: the activations held at once stay bounded (and a memory-mapped set is read a
#: chunk at a time), whatever its length.
CHUNK_VALUES = 1 << 20

__all__ = ["BaseModel", "check_layers"]


def check_layers(layers: object) -> list[Layer]:
    """Check that ``layers`` is a non-empty list of Layers whose sizes chain."""
    if not isinstance(layers, list | tuple) or not layers:
        raise TypeError(f"layers must be a non-empty list of Layer objects, got {layers!r}")
    for index, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(f"layers[{index}] must be a Layer, got {layer!r}")
    for index, (previous, layer) in enumerate(itertools.pairwise(layers), start=1):
        if layer.n_inputs != previous.n_neurons:
            raise ValueError(
                f"layers[{index}] has n_inputs={layer.n_inputs} but layers[{index - 1}] has "
                f"n_neurons={previous.n_neurons}; consecutive layer sizes must match"
            )
    for index, layer in enumerate(layers[:-1]):
        if isinstance(layer.activation, Softmax):
            raise ValueError(f"layers[{index}]: softmax is only supported on the output layer")
    if layers[-1].dropout:
        raise ValueError(f"layers[{len(layers) - 1}]: dropout is for hidden layers, not the "
                         f"output layer (got dropout={layers[-1].dropout})")
    return list(layers)


class BaseModel(Engine):
    """The model API common to the NumPy and TensorFlow engines."""

    def __init__(self, layers: list[Layer], loss: str | Loss = "binary_crossentropy") -> None:
        self.layers: list[Any] = check_layers(layers)
        self.loss = get_loss(loss)
        self.history = History()
        #: Standardised inputs, applied before the first layer (None: the inputs as they are).
        self.standardization: Standardization | None = None
        #: The label of each class, for the command line's output (None: 0, 1, ...).
        self.class_labels: list[Any] | None = None
        #: The names of the input columns, as scikit-learn's (None: unnamed inputs).
        self.feature_names_in_: list[str] | None = None
        #: The name of the target column (None: unnamed).
        self.target_name_: str | None = None
        #: The standardisation of a regression's targets (None: trained on them as they are):
        #: the network learns standardised targets, and predicts on the targets' own scale.
        self.target_standardization: Standardization | None = None
        #: The optimizer of the last fit, with its state: a later fit continues it.
        self.optimizer_: Optimizer | LBFGS | None = None
        #: The epoch whose weights early stopping restored in the last fit (None: none).
        self.best_epoch_: int | None = None
        #: Set to True (by a callback) to stop the fit after this epoch, as in Keras.
        self.stop_training = False
        #: Whether a fit is running (a model trains one fit at a time).
        self.training = False
        #: SciPy's result of the last fit by L-BFGS (None: none).
        self.lbfgs_result_: Any = None

    # -- the description -----------------------------------------------------------------
    def get_spec(self) -> NetworkSpec:
        """The description of this network (``scratchnn.spec``): copies of its layers'
        settings and parameters, its loss, standardisation, labels, names, history and
        optimizer.  ``spec.build(engine)`` makes a model of it again."""
        described = NetworkSpec([], self.loss, self.standardization, self.class_labels,
                                self.feature_names_in_, self.target_name_, self.history,
                                self.optimizer_, self.target_standardization).copy()
        described.layers = [LayerSpec.of(layer) for layer in self.layers]
        return described

    def _adopt(self, spec: NetworkSpec) -> None:
        """Take what ``spec`` holds besides the layers and the loss (not copies: the caller
        gives ``spec`` up)."""
        self.standardization, self.class_labels = spec.standardization, spec.class_labels
        self.feature_names_in_, self.target_name_ = spec.feature_names, spec.target_name
        self.history, self.optimizer_ = spec.history, spec.optimizer
        self.target_standardization = spec.target_standardization

    def _restore_spec(self, spec: NetworkSpec) -> None:
        """Put this model back as ``spec`` (taken from it by ``get_spec``, and given up)
        describes it: its parameters in their dtype, and the rest."""
        self.set_weights(spec.weights())
        self._set_batch_norm([layer.normalization() for layer in spec.layers])
        self._adopt(spec)

    def _settings(self) -> dict[str, Any]:
        """The engine's own constructor settings that a copy keeps (none by default)."""
        return {}

    def __getstate__(self) -> dict[str, Any]:
        """A pickle holds the description (parameters, optimizer state, history and the
        rest), never what a forward pass or a fit left behind."""
        return {"spec": self.get_spec(), "settings": self._settings()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._init_from_spec(state["spec"], **state["settings"])

    @classmethod
    def from_spec(cls, spec: NetworkSpec, *, adopt: bool = False, **settings: Any) -> Self:
        model = cls.__new__(cls)
        model._init_from_spec(spec if adopt else spec.copy(), **settings)
        return model

    def _init_from_spec(self, spec: NetworkSpec, **settings: Any) -> None:
        """Initialise this (new) model as ``spec`` describes, with ``settings``, taking its
        arrays and objects as they are (the caller gives ``spec`` up)."""
        type(self).__init__(self, [layer.layer() for layer in spec.layers], spec.loss,
                            **settings)
        self._adopt(spec)

    def numpy_copy(self) -> Perceptron:
        """An independent NumPy-engine copy of this model (weights, history, optimizer)."""
        copy: Perceptron = self.get_spec().build("numpy", adopt=True)  # type: ignore[assignment]
        return copy

    def _check_weights(self, weights: object) -> list[Array]:
        """``weights`` as arrays, if they are ``[W1, b1, W2, b2, ...]`` of the right shapes,
        all of one floating dtype and finite; else raise, before anything changes."""
        if not isinstance(weights, list | tuple):
            raise TypeError(f"weights must be a list of arrays [W1, b1, W2, b2, ...], got "
                            f"{type(weights).__name__}")
        arrays = [np.asarray(w) for w in weights]
        expected = [shape for layer in self.layers for shape in
                    ((layer.n_neurons, layer.n_inputs), (layer.n_neurons, 1))]
        if [a.shape for a in arrays] != expected:
            raise ValueError(
                f"weights must have the shapes {expected}, got {[a.shape for a in arrays]}")
        dtypes = {a.dtype for a in arrays}
        if len(dtypes) != 1 or next(iter(dtypes)) not in (np.float32, np.float64):
            raise TypeError(f"weights must all be float32 or all float64 arrays, got dtypes "
                            f"{sorted(str(d) for d in dtypes)}")
        for index, array in enumerate(arrays):
            if not np.isfinite(array).all():
                raise ValueError(f"weights[{index}] holds NaN or infinite values")
        return arrays

    # -- shape and description -----------------------------------------------------------
    @property
    def n_features(self) -> int:
        """Number of inputs of the first layer."""
        return int(self.layers[0].n_inputs)

    @property
    def n_outputs(self) -> int:
        """Number of neurons of the output layer."""
        return int(self.layers[-1].n_neurons)

    @property
    def output_kind(self) -> OutputKind:
        """What the outputs mean: binary, multi-label, multi-class, regression or count."""
        return OutputKind.of(self.layers[-1].activation, self.n_outputs)

    @property
    def loss_curve_(self) -> list[float]:
        """Per-epoch training loss, as scikit-learn's ``loss_curve_``."""
        return self.history.loss

    def summary(self) -> str:
        """Return a table of the layers: sizes, activation, parameter shapes and counts (a
        batch-normalised layer's count includes its ``gamma`` and ``beta``)."""
        rows = [f"{type(self).__name__} ({self.engine} engine, loss={self.loss.name}, "
                f"dtype={self.dtype})"]
        header = f"{'layer':<6}{'inputs':>8}{'neurons':>9}  {'activation':<11}{'weights':<14}"
        rows += [header + f"{'biases':<10}{'parameters':>10}", "-" * 68]
        for index, layer in enumerate(self.layers, start=1):
            rows.append(
                f"{index:<6}{layer.n_inputs:>8}{layer.n_neurons:>9}  "
                f"{layer.activation.name:<11}{layer.weights.shape!s:<14}"
                f"{layer.biases.shape!s:<10}{layer.n_parameters:>10}"
            )
            if layer.batch_norm:
                rows.append(f"{'':<25}batch normalisation: gamma and beta {layer.biases.shape}, "
                            f"moving mean and variance (not trained)")
        rows.append(f"total parameters: {sum(layer.n_parameters for layer in self.layers)}")
        return "\n".join(rows)

    def __repr__(self) -> str:
        layers = ", ".join(repr(layer) for layer in self.layers)
        return f"{type(self).__name__}([{layers}], loss={self.loss.name!r})"

    # -- training ------------------------------------------------------------------------
    def fit(
        self,
        training_data: object,
        labels: object,
        epochs: int = 100,
        learning_rate: float | Schedule | None = None,
        *,
        batch_size: int | None = 1,
        shuffle: bool = False,
        verbose: bool | int = True,
        random_state: RandomState | np.random.RandomState = None,
        log_every: int = 1,
        optimizer: str | Optimizer | LBFGS | None = None,
        validation_data: tuple[object, ...] | None = None,
        validation_split: float | None = None,
        early_stopping: bool | EarlyStopping = False,
        callbacks: Sequence[Callback] = (),
        restarts: int = 0,
        sample_weight: object = None,
        class_weight: dict[int, float] | None = None,
    ) -> Self:
        """Train the network by gradient descent on the mean loss.

        Parameters
        ----------
        training_data : array-like of shape (n_samples, n_features)
        labels : array-like of shape (n_samples,) or (n_samples, n_outputs)
            0/1 for binary cross-entropy, class indices or one-hot rows for categorical
            cross-entropy, targets for mean squared error.
        epochs : int, default 100
            Passes over the training set.
        learning_rate : float, optional
            With no ``optimizer``: the step size of plain stochastic gradient descent, as in
            the spec (default 0.01).  With an optimizer name: its learning rate.
        batch_size : int or None, default 1
            Samples per update: 1 is the spec's sample-by-sample algorithm, ``None`` the whole
            set.  The gradient of a batch is the mean of its per-sample gradients.
        shuffle : bool, default False
            Visit the samples in a new random order every epoch.
        verbose : {0, 1, 2} or bool, default True
            0: silent; 1: ``Loss at epoch N: L.LLL`` every ``log_every`` epochs; 2: a progress
            bar (tqdm) with the current losses.
        random_state : int, Generator, RandomState or None
            Seeds the shuffling, the validation split and the dropout masks.  Each epoch's
            order is the previous one shuffled again, as scikit-learn's: with its legacy
            ``numpy.random.RandomState`` the orders are scikit-learn's own.
        log_every : int, default 1
        optimizer : {"sgd", "adam", "lbfgs"}, Optimizer or LBFGS, optional
            An optimizer object keeps its state from one fit to the next; by default a model
            that was trained before continues with its last optimizer (``optimizer_``).  Its
            learning rate may be a schedule (``scratchnn.schedules``).  ``LBFGS`` trains on the
            whole set, ``epochs`` being its most iterations.
        validation_data : (X_val, y_val) or (X_val, y_val, sample_weight_val), optional
            Data to compute ``history.val_loss`` and ``history.val_accuracy`` on after each
            epoch.
        validation_split : float, optional
            Instead of ``validation_data``: this fraction of the training data, drawn at
            random (seeded by ``random_state``) from each class in proportion (stratified),
            is held out for validation.
        early_stopping : bool or EarlyStopping, default False
            True: ``EarlyStopping()``, which stops when the validation loss has not improved
            for 10 epochs in a row and restores the weights of the best epoch
            (``best_epoch_``).  Without validation data, 10% of the training data is held out.
            An ``EarlyStopping`` object sets what is watched, its ``patience`` and
            ``min_delta`` (``monitor="loss"`` is a convergence rule on the training loss,
            scikit-learn's ``tol``).  When training uses all its epochs first, a
            ``ConvergenceWarning`` says so.
        callbacks : sequence of objects with ``on_epoch_end(epoch, logs)``
            Called after every epoch; returning True (or setting ``model.stop_training``)
            stops training.  ``EarlyStopping`` objects here act as ``early_stopping``.
        restarts : int, default 0
            If training ends stuck (diagnosed ``base_rate`` or ``plateau``), train again from
            new initial weights, drawn by each layer's initialiser from ``random_state``, up
            to this many times, until a run is not stuck; keep the run with the lowest final
            training loss.  ``history.start`` tells which start won (0: the first).
        sample_weight : array-like of shape (n_samples,), optional
            Weights >= 0 of the samples: the loss is the weighted mean ``Σ w_i l_i / Σ w_i``
            of each batch (a weight of 2 counts a sample twice, 0 leaves it out).
        class_weight : dict {class: weight}, optional
            Keras's: each training sample's weight is multiplied by its class's (1 for a class
            left out), the class being the 0/1 label for one sigmoid output and the class index
            for softmax.  Training with it is training with those products as
            ``sample_weight``; a validation split is weighted by ``sample_weight`` alone, as
            Keras's.  For scikit-learn's ``"balanced"``, give ``sample_weight=
            sklearn.utils.class_weight.compute_sample_weight("balanced", y)``.

        With ``verbose`` >= 1, a short diagnosis is printed at the end if anything looks
        wrong (see ``diagnose``).

        Returns
        -------
        self
            The trained model; ``history`` holds the per-epoch values.
        """
        plan = plan_fit(self, training_data, labels, epochs, learning_rate,
                        batch_size=batch_size, shuffle=shuffle, verbose=verbose,
                        random_state=random_state, log_every=log_every, optimizer=optimizer,
                        validation_data=validation_data, validation_split=validation_split,
                        early_stopping=early_stopping, callbacks=callbacks, restarts=restarts,
                        sample_weight=sample_weight, class_weight=class_weight)
        Trainer(self, plan).fit()
        return self

    def diagnose(self, X: object, y: object) -> list[Finding]:
        """What looks wrong after training on ``(X, y)``; see ``scratchnn.diagnostics``."""
        return diagnose(self, X, y)

    # -- prediction and evaluation -------------------------------------------------------
    def _chunks(self, X: Array, rows: NDArray[np.intp] | None) -> Iterator[tuple[Batch, Array]]:
        """The rows ``rows`` of ``X`` (all with None) in chunks of ``CHUNK_VALUES`` values of the
        widest layer, in the model's dtype, each with its row indices: a memory-mapped ``X``
        is read a chunk at a time, never copied whole."""
        n_rows = X.shape[0] if rows is None else len(rows)
        widest = max([self.n_features] + [layer.n_neurons for layer in self.layers])
        for batch in iter_batches(n_rows, max(1, CHUNK_VALUES // widest), rows):
            yield batch, X[batch].astype(self.dtype, copy=False)

    def _predict_in_chunks(self, X: Array, rows: NDArray[np.intp] | None = None) -> Array:
        """The output activations (n_rows, n_outputs) of the rows ``rows`` of ``X`` (all with
        None), a chunk at a time."""
        outputs = [self._forward_rows(chunk) for _, chunk in self._chunks(X, rows)]
        return outputs[0] if len(outputs) == 1 else np.concatenate(outputs)

    def _evaluation_loss(self, X: Array, Y: Array, W: Array | None = None,
                         rows: NDArray[np.intp] | None = None) -> float:
        """Mean loss on the rows ``rows`` of ``(X, Y)`` (all with None), weighted by ``W``,
        penalty included, without training, a chunk at a time."""
        total = 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            for batch, chunk in self._chunks(X, rows):
                total += self._summed_data_loss(chunk, Y[batch],
                                                None if W is None else W[batch])
        weight = batch_weight(X.shape[0] if rows is None else len(rows),
                              W if W is None or rows is None else W[rows])
        return total / weight + self._penalty_value(weight)

    def _accuracy(self, X: Array, Y: Array, W: Array | None = None,
                  rows: NDArray[np.intp] | None = None) -> float:
        """``output_kind.score`` of the rows ``rows`` of ``X`` (all with None) against encoded
        labels ``Y``, weighted by ``W``: accuracy, or R² for a regression."""
        output = self._predict_in_chunks(X, rows)
        if rows is not None:
            Y, W = Y[rows], None if W is None else W[rows]
        return self.output_kind.score(output, Y, W)

    def predict_proba(self, X: object) -> Array:
        """Return the output activations, shape (n_samples, n_outputs) (a regression's on the
        targets' own scale).  Named columns (a DataFrame's) must be the model's
        ``feature_names_in_``, as scikit-learn checks them."""
        output = self._predict_in_chunks(self._inputs(X))
        scale = self.target_standardization
        return output if scale is None else scale.original(output)

    def _inputs(self, X: object) -> Array:
        """``X`` checked as the rows of this model's inputs: its features, by name if named."""
        return check_X(X, self.n_features, names=self.feature_names_in_)

    def _learnt(self, Y: Array) -> Array:
        """Encoded targets as the network learns them: standardised, if the model says so."""
        scale = self.target_standardization
        return Y if scale is None else scale.rows(Y)

    def predict(self, X: object) -> NDArray[Any]:
        """Return predictions: class labels for classifiers, values for a regression.

        One sigmoid output: 0/1 by the 0.5 threshold, shape (n_samples,); several sigmoid
        outputs: a 0/1 column each; softmax: the index of the largest probability.
        """
        return self.output_kind.predict(self.predict_proba(X))

    def evaluate(self, X: object, y: object, sample_weight: object = None,
                 return_dict: bool = False) -> tuple[float, float] | dict[str, float]:
        """Keras's ``evaluate``: the mean loss on ``(X, y)`` (weighted, penalty included) and
        the accuracy, or R² for a regression, as ``(loss, score)`` or
        ``{"loss": ..., "accuracy" or "r2": ...}``."""
        rows = self._inputs(X)
        Y = self._learnt(encode_labels(y, rows.shape[0], self.n_outputs, self.loss
                                       ).astype(self.dtype))
        weights = check_sample_weight(sample_weight, rows.shape[0], self.dtype)
        loss, score = self._evaluation_loss(rows, Y, weights), self._accuracy(rows, Y, weights)
        if not return_dict:
            return loss, score
        return {"loss": loss, self.output_kind.score_name: score}

    def score(self, X: object, y: object, sample_weight: object = None) -> float:
        """Return the accuracy of ``predict`` on ``(X, y)`` (R² for a regression output),
        weighted by ``sample_weight``."""
        rows = self._inputs(X)
        weights = check_sample_weight(sample_weight, rows.shape[0], self.dtype)
        # R² is the same on the standardised scale as on the targets' own
        return self._accuracy(rows, self._learnt(encode_labels(y, rows.shape[0],
                                                               self.n_outputs, self.loss)),
                              weights)

    # -- roads out -----------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> None:
        """Save the model to ``path`` (an ``.npz``, written atomically); see ``scratchnn.load``."""
        from .io import save

        save(self, path)

    def to_onnx(self, path: str | os.PathLike[str] | None = None) -> Any:
        """The ONNX model (``onnx.ModelProto``) of this network, written to ``path`` if given:
        input ``input`` (batch, n_features), output ``output`` (batch, n_outputs), the
        values of ``predict_proba``; see ``scratchnn.export.onnx``."""
        try:
            from .export.onnx import to_onnx
        except ImportError:
            raise ImportError("ONNX export needs onnx: pip install 'scratchnn[onnx]'") from None
        return to_onnx(self.get_spec(), path)

    def export(self, path: str | os.PathLike[str]) -> None:
        """Write this network as a TensorFlow SavedModel directory at ``path``, with the
        serving signature ``serving_default`` (input ``input``, output ``output``, the values
        of ``predict_proba``); see ``scratchnn.export.savedmodel``.  Needs TensorFlow."""
        from .export.savedmodel import export_savedmodel

        export_savedmodel(self.get_spec(), path)

    def to_sklearn(self) -> Any:
        """A fitted scikit-learn ``MLPClassifier`` or ``MLPRegressor`` with these weights."""
        from .export.sklearn import to_sklearn

        return to_sklearn(self.get_spec())

    def to_keras(self) -> Any:
        """A Keras ``Sequential`` of ``Dense`` layers with these weights (not compiled)."""
        from .export.keras import to_keras

        return to_keras(self.get_spec())
