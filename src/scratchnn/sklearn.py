"""scikit-learn estimators built on the NumPy engine (or the TensorFlow one, ``engine=``).

``MLPClassifier`` and ``MLPRegressor`` follow scikit-learn's conventions (parameters set in
``__init__`` and only stored there, fitted attributes ending in ``_``, ``partial_fit``), so
they work in ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``.  Needs scikit-learn:
``pip install 'scratchnn[sklearn]'``.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, MultiOutputMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .base import BaseModel
from .initializers import check_random_state
from .models import Perceptron

__all__ = ["MLPClassifier", "MLPRegressor"]


class _BaseMLP(BaseEstimator):  # type: ignore[misc]  # scikit-learn ships no type stubs
    """What the classifier and the regressor share: the network, its training, its output."""

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (100,),
        activation: str = "relu",
        solver: str = "adam",
        learning_rate: float = 0.001,
        batch_size: int | None = 32,
        epochs: int = 200,
        shuffle: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 10,
        random_state: int | np.random.Generator | None = None,
        engine: str = "numpy",
        verbose: int = 0,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.random_state = random_state
        self.engine = engine
        self.verbose = verbose

    # Subclasses say how targets become network outputs.
    _output_activation = ""
    _loss = ""

    def _build(self, n_features: int, n_outputs: int, rng: np.random.Generator) -> BaseModel:
        if self.engine not in ("numpy", "tensorflow"):
            raise ValueError(f"engine must be 'numpy' or 'tensorflow', got {self.engine!r}")
        hidden = self.hidden_layer_sizes
        hidden = (hidden,) if isinstance(hidden, int | np.integer) else tuple(hidden)
        model = Perceptron.from_sizes([n_features, *hidden, n_outputs], self.activation,
                                      self._output_activation, self._loss, random_state=rng)
        if self.engine == "tensorflow":
            from .tf_engine import TFPerceptron

            return TFPerceptron.from_perceptron(model)
        return model

    def _train(self, X: NDArray[Any], Y: NDArray[Any], epochs: int, first: bool) -> Self:
        if first:
            self._rng = check_random_state(
                self.random_state if not isinstance(self.random_state, np.random.Generator)
                else np.random.default_rng(self.random_state.integers(2**63)))
            self.model_ = self._build(X.shape[1], Y.shape[1], self._rng)
        self.model_.fit(
            X, Y, epochs=epochs, learning_rate=self.learning_rate,
            optimizer=self.solver if first else None, batch_size=self.batch_size,
            shuffle=self.shuffle, random_state=self._rng, verbose=self.verbose,
            early_stopping=self.early_stopping and first,
            validation_split=self.validation_fraction if self.early_stopping and first else None,
            patience=self.patience,
        )
        self.loss_curve_ = list(self.model_.history.loss)
        self.n_iter_ = len(self.model_.history)
        return self

    def _output(self, X: object) -> NDArray[np.floating]:
        check_is_fitted(self, "model_")
        return self.model_.predict_proba(validate_data(self, X, reset=False))


class MLPClassifier(ClassifierMixin, _BaseMLP):  # type: ignore[misc]
    """A multilayer perceptron classifier: sigmoid output for two classes, softmax for more.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (100,)
    activation : {"relu", "tanh", "sigmoid", "linear"}, default "relu"
    solver : {"adam", "sgd"}, default "adam"
        The optimizer (``optimizer`` in ``fit``).
    learning_rate : float, default 0.001
    batch_size : int or None, default 32
        ``None``: the whole training set.
    epochs : int, default 200
    shuffle, early_stopping, validation_fraction, patience, random_state, verbose
        As in ``Perceptron.fit``.
    engine : {"numpy", "tensorflow"}, default "numpy"

    Attributes
    ----------
    classes_ : ndarray, the class labels (any type: strings too).
    model_ : the trained ``Perceptron`` (or ``TFPerceptron``).
    loss_curve_ : list of float; n_iter_ : int; n_features_in_ : int.
    """

    _output_activation = "sigmoid"
    _loss = "binary_crossentropy"

    def _targets(self, y: NDArray[Any]) -> NDArray[np.floating]:
        encoded = self._encoder.transform(y)
        if len(self.classes_) <= 2:
            return encoded.reshape(-1, 1).astype(np.float64)
        return np.eye(len(self.classes_))[encoded]

    def _set_classes(self, classes: NDArray[Any]) -> None:
        self._encoder = LabelEncoder().fit(classes)
        self.classes_ = self._encoder.classes_
        multiclass = len(self.classes_) > 2
        self._output_activation = "softmax" if multiclass else "sigmoid"
        self._loss = "categorical_crossentropy" if multiclass else "binary_crossentropy"

    def fit(self, X: object, y: object) -> Self:
        """Train a new network on ``X`` (n_samples, n_features) and labels ``y``."""
        inputs, labels = validate_data(self, X, y, reset=True)
        check_classification_targets(labels)
        self._set_classes(np.unique(labels))
        return self._train(inputs, self._targets(labels), self.epochs, first=True)

    def partial_fit(self, X: object, y: object, classes: object = None) -> Self:
        """One more epoch on ``(X, y)``; the first call needs ``classes`` (all the labels)."""
        first = not hasattr(self, "model_")
        inputs, labels = validate_data(self, X, y, reset=first)
        check_classification_targets(labels)
        if first:
            if classes is None:
                raise ValueError("classes must be given at the first call to partial_fit")
            self._set_classes(np.unique(np.asarray(classes)))
        elif classes is not None and not np.array_equal(np.unique(np.asarray(classes)),
                                                         self.classes_):
            raise ValueError(f"classes {classes!r} differ from those of the first call, "
                             f"{self.classes_.tolist()!r}")
        unknown = np.setdiff1d(labels, self.classes_)
        if len(unknown):
            raise ValueError(f"y holds labels not in classes: {unknown.tolist()!r}")
        return self._train(inputs, self._targets(labels), 1, first=first)

    def predict_proba(self, X: object) -> NDArray[np.floating]:
        """Class probabilities, shape (n_samples, n_classes), in the order of ``classes_``."""
        output = self._output(X)
        if output.shape[1] == 1:
            output = np.hstack([1 - output, output])
        return output[:, : len(self.classes_)]

    def predict(self, X: object) -> NDArray[Any]:
        """The most probable class of each sample."""
        probabilities = self.predict_proba(X)
        return self.classes_[probabilities.argmax(axis=1)]


class MLPRegressor(MultiOutputMixin, RegressorMixin, _BaseMLP):  # type: ignore[misc]
    """A multilayer perceptron regressor: linear output, mean squared error; one or several
    targets.  Parameters and attributes as ``MLPClassifier`` (without ``classes_``)."""

    _output_activation = "linear"
    _loss = "mean_squared_error"

    def fit(self, X: object, y: object) -> Self:
        """Train a new network on ``X`` and targets ``y`` (n_samples,) or (n_samples, n)."""
        inputs, targets = validate_data(self, X, y, reset=True, multi_output=True,
                                        y_numeric=True)
        self._single_output = targets.ndim == 1
        return self._train(inputs, targets.reshape(len(targets), -1), self.epochs, first=True)

    def partial_fit(self, X: object, y: object) -> Self:
        """One more epoch on ``(X, y)``."""
        first = not hasattr(self, "model_")
        inputs, targets = validate_data(self, X, y, reset=first, multi_output=True,
                                        y_numeric=True)
        if first:
            self._single_output = targets.ndim == 1
        return self._train(inputs, targets.reshape(len(targets), -1), 1, first=first)

    def predict(self, X: object) -> NDArray[np.floating]:
        """Predicted targets, shape (n_samples,) or (n_samples, n_targets) as in ``fit``."""
        output = self._output(X)
        return output[:, 0] if self._single_output else output
