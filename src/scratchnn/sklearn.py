"""scikit-learn's ``MLPClassifier`` and ``MLPRegressor``, as a mapping onto scratchnn's engines.

A drop-in replacement: the same parameters with the same names, defaults and meanings, the
same fitted attributes, and the same model.  With an integer ``random_state`` the estimator
draws scikit-learn's initial weights (Glorot uniform, as ``_init_coef``), its
early-stopping split and its shuffles from the same ``numpy.random.RandomState``, in the same
order, and trains with the same losses, penalty and updates, so ``coefs_`` agree with
scikit-learn's (to rounding with ``sgd`` and ``adam``, to L-BFGS's tolerance with ``lbfgs``).

Each parameter maps onto the engine's concept for it:

====================================  ===================================================
scikit-learn                          scratchnn
====================================  ===================================================
``activation``                        the hidden layers' activation
``alpha``                             ``L2.from_alpha(alpha)`` on every layer's weights
``solver``                            ``SGD``, ``Adam`` or ``LBFGS``
``learning_rate``, ``power_t``        ``InverseScaling`` or ``Adaptive`` (``sgd`` only)
``tol``, ``n_iter_no_change``         ``EarlyStopping`` on the training loss or, with
                                      ``early_stopping``, the validation score
``batch_size="auto"``                 ``min(200, n_samples)``
``loss="poisson"``                    an exponential output and the ``poisson`` loss
====================================  ===================================================

and four settings of scratchnn's own come after scikit-learn's: ``engine`` (``"numpy"`` or
``"tensorflow"``), ``dropout`` (on the hidden layers), ``restarts`` and ``batch_norm`` (batch
normalisation of the hidden layers, Keras's); the classifier also
takes ``class_weight``, as ``SGDClassifier``'s.  Needs scikit-learn:
``pip install 'scratchnn[sklearn]'`` (and SciPy for ``lbfgs``).

Two differences are known, both on purpose:

- for several regression targets scikit-learn reports half the mean squared error over the
  targets but steps along the gradient of half their sum; scratchnn steps along the gradient
  of the loss it reports, so the two part there (one target: equal);
- with sample weights and several batches, scikit-learn's epoch loss (``loss_curve_``)
  weights each batch's weighted mean by the batch's sample count; scratchnn's is the epoch's
  weighted mean.  The weights trained are the same, but a ``tol`` rule on the training loss
  may stop at another epoch.
"""

from __future__ import annotations

import copy
import itertools
import os
import warnings
from numbers import Integral, Real
from typing import Any, ClassVar, Self

import numpy as np
import scipy.sparse
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, MultiOutputMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .base import BaseModel
from .errors import ConvergenceWarning, TrainingDivergedError
from .numpy_engine import Perceptron
from .optimizers import SGD, Adam, Optimizer
from .regularizers import L2
from .schedules import Adaptive, InverseScaling, Schedule
from .sklearn_docs import CLASSIFIER_DOC, REGRESSOR_DOC
from .solvers import LBFGS
from .training import EarlyStopping
from .validation import check_sample_weight

__all__ = ["MLPClassifier", "MLPRegressor", "register_onnx_converters"]

#: scikit-learn's activation names, as scratchnn's; then scratchnn's extension, Keras's
#: activations that scikit-learn does not have.
ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu",
               **{name: name for name in ("leaky_relu", "elu", "gelu", "silu", "softplus")}}
#: scratchnn's output activations, as scikit-learn's ``out_activation_``.
OUT_ACTIVATIONS = {"sigmoid": "logistic", "softmax": "softmax", "linear": "identity",
                   "exp": "exp"}
NON_FINITE = ("Solver produced non-finite parameter weights. The input data may contain large "
              "values and need to be preprocessed.")


def _sgd_or_adam(solver: str) -> bool:
    return solver in ("sgd", "adam")


def _read_only(array: NDArray[np.floating]) -> NDArray[np.floating]:
    """``array`` made read-only: a copy of a TensorFlow variable's value, which writing into
    would not change the variable."""
    array.flags.writeable = False
    return array


class _BaseMLP(BaseEstimator):  # type: ignore[misc]  # scikit-learn ships no type stubs
    """What the classifier and the regressor share: the network, its training, its output."""

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "engine": [StrOptions({"numpy", "tensorflow"})],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "restarts": [Interval(Integral, 0, None, closed="left")],
        "batch_norm": ["boolean"],
    }

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool | int = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int | float = 10,
        max_fun: int = 15000,
        engine: str = "numpy",
        dropout: float = 0.0,
        restarts: int = 0,
        batch_norm: bool = False,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.engine = engine
        self.dropout = dropout
        self.restarts = restarts
        self.batch_norm = batch_norm

    # What a subclass says: its loss and output, and how targets become network outputs.
    def _output(self, Y: NDArray[Any]) -> tuple[str, str]:
        """The output activation and the loss for targets ``Y`` (n_samples, n_outputs)."""
        raise NotImplementedError

    def _validate_input(self, X: Any, y: Any, incremental: bool,
                        reset: bool) -> tuple[NDArray[np.floating], NDArray[Any]]:
        raise NotImplementedError

    # -- the network, with scikit-learn's names ----------------------------------------------
    @property
    def coefs_(self) -> list[NDArray[np.floating]]:
        """The weights of each layer, (n_in, n_out) as scikit-learn's: on the NumPy engine,
        views of the network's own weights (changing them changes the network); on the
        TensorFlow engine, read-only arrays of the variables' values (writing into one
        raises ``ValueError: assignment destination is read-only``; assign a new list to
        ``coefs_`` instead).  Assigned before the first ``partial_fit``, they are the network
        it starts from."""
        if not hasattr(self, "model_"):
            return self._assigned("coefs")
        if isinstance(self.model_, Perceptron):
            return [layer.weights.T for layer in self._layers()]
        return [_read_only(w.T) for w in self.model_.get_weights()[0::2]]

    @coefs_.setter
    def coefs_(self, coefs: list[NDArray[np.floating]]) -> None:
        if not hasattr(self, "model_"):
            self._assigned_weights = {**getattr(self, "_assigned_weights", {}), "coefs": coefs}
            return
        weights = self.model_.get_weights()
        weights[0::2] = [np.asarray(c, dtype=self.model_.dtype).T for c in coefs]
        self.model_.set_weights(weights)

    @property
    def intercepts_(self) -> list[NDArray[np.floating]]:
        """The biases of each layer, (n_out,) as scikit-learn's (views or read-only, as
        ``coefs_``)."""
        if not hasattr(self, "model_"):
            return self._assigned("intercepts")
        if isinstance(self.model_, Perceptron):
            return [layer.biases.reshape(-1) for layer in self._layers()]
        return [_read_only(b.reshape(-1)) for b in self.model_.get_weights()[1::2]]

    @intercepts_.setter
    def intercepts_(self, intercepts: list[NDArray[np.floating]]) -> None:
        if not hasattr(self, "model_"):
            self._assigned_weights = {**getattr(self, "_assigned_weights", {}),
                                      "intercepts": intercepts}
            return
        weights = self.model_.get_weights()
        weights[1::2] = [np.asarray(b, dtype=self.model_.dtype).reshape(-1, 1)
                         for b in intercepts]
        self.model_.set_weights(weights)

    def _assigned(self, name: str) -> list[NDArray[np.floating]]:
        assigned = getattr(self, "_assigned_weights", {})
        if name not in assigned:
            raise AttributeError(f"{type(self).__name__} is not fitted: it has no {name}_")
        return assigned[name]

    def _layers(self) -> list[Any]:
        model = self.model_
        if isinstance(model, Perceptron) and not hasattr(model, "_flat_parameters"):
            model._prepare(model.dtype)  # one flat array: the views stay the network's
        return list(model.layers)

    @property
    def _optimizer(self) -> Optimizer | LBFGS:
        """The optimizer, as scikit-learn's private ``_optimizer`` (``learning_rate`` is the
        current rate)."""
        optimizer = self.model_.optimizer_
        if optimizer is None:
            raise AttributeError(f"{type(self).__name__} is not fitted: it has no _optimizer")
        return optimizer

    def _loss_grad_lbfgs(self, packed: NDArray[np.floating], X: Any, y: Any,
                         sample_weight: Any, *buffers: Any) -> tuple[float, NDArray[Any]]:
        """scikit-learn's private hook: the loss and its gradient at the parameters
        ``packed`` as scikit-learn packs them (every layer's weights (n_in, n_out) raveled,
        then every layer's biases)."""
        model = self.model_
        shapes = [(layer.n_inputs, layer.n_neurons) for layer in model.layers]
        sizes = [a * b for a, b in shapes] + [n for _, n in shapes]
        parts = np.split(np.asarray(packed, np.float64), np.cumsum(sizes)[:-1])
        coefs, intercepts = parts[:len(shapes)], parts[len(shapes):]
        model.set_weights([w for coef, intercept, shape in zip(coefs, intercepts, shapes,
                                                               strict=True)
                           for w in (coef.reshape(shape).T, intercept.reshape(-1, 1))])
        model._prepare(model.dtype)
        Y = np.asarray(y, dtype=model.dtype).reshape(len(X), -1)
        weights = None if sample_weight is None else np.asarray(sample_weight, model.dtype)
        loss, flat = model._objective(np.asarray(X, dtype=model.dtype), Y, weights)
        gradients = np.split(np.asarray(flat), np.cumsum(
            [size for layer in model.layers for size in (layer.weights.size,
                                                         layer.n_neurons)])[:-1])
        packed_gradient = [g.reshape(n, m).T.ravel() for g, (m, n) in
                           zip(gradients[0::2], shapes, strict=True)] + list(gradients[1::2])
        return loss, np.concatenate(packed_gradient)

    # -- training ----------------------------------------------------------------------------
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        # [files] an integer count of units each: 2.5 or True is not one (scikit-learn refuses)
        if not all(isinstance(size, Integral) and not isinstance(size, bool | np.bool_)
                   for size in sizes):
            raise ValueError(f"hidden_layer_sizes must hold integers (units per layer), got "
                             f"{sizes}.")
        if np.any(np.array(sizes) <= 0):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(size) for size in sizes]

    def _fit(self, X: Any, y: Any, sample_weight: Any, incremental: bool) -> Self:
        """Train; if anything fails, the estimator is left exactly as it was, its network
        (weights, optimizer, history) included."""
        model: BaseModel | None = self.__dict__.get("model_")
        before = copy.deepcopy({k: v for k, v in self.__dict__.items() if k != "model_"})
        network = None if model is None else model.get_spec()
        try:
            return self._fit_or_raise(X, y, sample_weight, incremental)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            if model is not None and network is not None:
                model._restore_spec(network)
                self.model_ = model
            raise

    def _fit_or_raise(self, X: Any, y: Any, sample_weight: Any, incremental: bool) -> Self:
        self._validate_params()
        if self.batch_norm and self.solver == "lbfgs":
            raise ValueError("batch_norm=True trains by mini-batch updates (its statistics are "
                             "each batch's): use solver='adam' or 'sgd', not 'lbfgs'")
        hidden = self._hidden_sizes()
        first_pass = not hasattr(self, "model_") or (not self.warm_start and not incremental)
        if hasattr(self, "_assigned_weights") and not incremental:
            del self._assigned_weights  # assigned weights serve partial_fit, as scikit-learn's
        inputs: Any
        inputs, targets = self._validate_input(X, y, incremental, reset=first_pass)
        if scipy.sparse.issparse(inputs):
            inputs = inputs.toarray()
        if targets.ndim == 1:
            targets = targets.reshape(-1, 1)
        weights = self._sample_weight(targets, sample_weight, inputs.dtype)
        random_state = check_random_state(self.random_state)
        layer_units = [inputs.shape[1], *hidden, targets.shape[1]]
        if first_pass:
            self._initialize(targets, layer_units, inputs.dtype, random_state,
                             self.__dict__.pop("_assigned_weights", None))
        elif self.model_.n_outputs != targets.shape[1]:
            raise ValueError(f"y has {targets.shape[1]} outputs, but the network was fitted "
                             f"with {self.model_.n_outputs}")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)  # said below, as sklearn
                if _sgd_or_adam(self.solver):
                    self._fit_stochastic(inputs, targets, weights, incremental, random_state)
                else:
                    self._fit_lbfgs(inputs, targets, weights)
        except TrainingDivergedError as error:
            if error.best_epoch is None:
                raise ValueError(NON_FINITE) from error
            # As scikit-learn: early stopping keeps its best weights, and the diverged epoch
            # scores NaN.
            assert self.validation_scores_ is not None
            self.validation_scores_.append(np.nan)
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=3)
        if not all(np.isfinite(w).all() for w in self.model_.get_weights()):
            raise ValueError(NON_FINITE)
        return self

    def _sample_weight(self, Y: NDArray[Any], sample_weight: Any, dtype: np.dtype[Any]
                       ) -> NDArray[np.floating] | None:
        """The weight of each sample (None: all 1), for network targets ``Y``."""
        return None if sample_weight is None else np.asarray(sample_weight, dtype)

    def _initialize(self, Y: NDArray[Any], layer_units: list[int], dtype: np.dtype[Any],
                    random_state: np.random.RandomState,
                    assigned: dict[str, list[Any]] | None = None) -> None:
        """A new network with scikit-learn's initial weights, drawn as ``_init_coef`` does:
        per layer, the weights (n_in, n_out) then the biases, uniform on ``±sqrt(6 / (n_in +
        n_out))`` (2 instead of 6 for a logistic network); or the weights the user assigned
        to ``coefs_`` and ``intercepts_`` before fitting."""
        output, loss = self._output(Y)
        penalty = L2.from_alpha(self.alpha) if self.alpha else None
        model = Perceptron.from_sizes(layer_units, ACTIVATIONS[self.activation], output, loss,
                                      random_state=0, dtype=dtype, kernel_regularizer=penalty,
                                      dropout=self.dropout, batch_norm=self.batch_norm)
        factor = 2.0 if self.activation == "logistic" else 6.0
        weights = []
        for index, (fan_in, fan_out) in enumerate(itertools.pairwise(layer_units)):
            if assigned is not None and {"coefs", "intercepts"} <= set(assigned):
                coef = np.asarray(assigned["coefs"][index], dtype)
                intercept = np.asarray(assigned["intercepts"][index], dtype)
            else:
                bound = np.sqrt(factor / (fan_in + fan_out))
                coef = random_state.uniform(-bound, bound, (fan_in, fan_out))
                intercept = random_state.uniform(-bound, bound, fan_out)
            weights += [coef.T.astype(dtype), intercept.reshape(-1, 1).astype(dtype)]
        model.set_weights(weights)
        self.model_ = model
        if self.engine == "tensorflow":
            from .tf_engine import TFPerceptron

            self.model_ = TFPerceptron.from_perceptron(model)
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = OUT_ACTIVATIONS[output]
        self.t_ = 0
        self.n_iter_ = 0
        self.loss_curve_ = model.history.loss
        self._no_improvement_count = 0
        self._rule: EarlyStopping | None = None
        self.best_loss_: float | None = None
        self.validation_scores_: list[float] | None = None
        self.best_validation_score_: float | None = None

    def _schedule(self) -> float | Schedule:
        """The learning rate: a number, or scikit-learn's schedule (``sgd`` only)."""
        if self.solver != "sgd" or self.learning_rate == "constant":
            return float(self.learning_rate_init)
        if self.learning_rate == "invscaling":
            schedule = InverseScaling(self.learning_rate_init, self.power_t)
            schedule.samples_seen = self.t_
            return schedule
        return Adaptive(self.learning_rate_init, self.tol, self._patience() - 1,
                        monitor="val_accuracy" if self.early_stopping else "loss")

    def _patience(self) -> int:
        """scikit-learn stops after ``n_iter_no_change + 1`` epochs without improvement."""
        if self.n_iter_no_change == np.inf:
            return int(self.max_iter) + 1
        return int(self.n_iter_no_change) + 1

    def _new_optimizer(self) -> Optimizer:
        rate = self._schedule()
        if self.solver == "sgd":
            return SGD(rate, momentum=float(self.momentum),
                       nesterov=bool(self.nesterovs_momentum and self.momentum > 0))
        return Adam(rate, beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)

    def _stopping_rule(self) -> EarlyStopping | None:
        """scikit-learn's rule: ``tol`` on the training loss, or on the validation score with
        early stopping (keeping the best weights); with ``adaptive``, the schedule acts on it
        instead, and early stopping only keeps the best weights."""
        monitor = "val_accuracy" if self.early_stopping else "loss"
        adaptive = self.solver == "sgd" and self.learning_rate == "adaptive"
        if adaptive and not self.early_stopping:
            return None
        patience = int(self.max_iter) + 1 if adaptive else self._patience()
        return EarlyStopping(monitor, patience=patience, min_delta=self.tol,
                             restore_best_weights=self.early_stopping)

    def _fit_stochastic(self, X: NDArray[np.floating], Y: NDArray[Any],
                        sample_weight: NDArray[np.floating] | None, incremental: bool,
                        random_state: np.random.RandomState) -> None:
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        model = self.model_
        if not incremental or not isinstance(model.optimizer_, Optimizer):
            model.optimizer_ = self._new_optimizer()
        validation = None
        if self.early_stopping:
            X, Y, sample_weight, validation = self._split(X, Y, sample_weight, random_state)
        n_samples = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is "
                              "going to be clipped", stacklevel=4)
            batch_size = int(np.clip(self.batch_size, 1, n_samples))
        self._rule = self._stopping_rule()
        epochs_before = len(model.history)
        epochs = 1 if incremental else int(self.max_iter)
        try:
            model.fit(X, Y, epochs=epochs, batch_size=batch_size, shuffle=self.shuffle,
                      random_state=random_state, verbose=0, sample_weight=sample_weight,
                      validation_data=validation, restarts=self.restarts,
                      early_stopping=self._rule or False,
                      callbacks=[_VerboseLines(self)] if self.verbose else [])
        finally:
            self.n_iter_ = len(model.history) - epochs_before
            self.t_ += self.n_iter_ * n_samples
            self._record()
        if not incremental and self.n_iter_ == self.max_iter and not (
                self._rule is not None and self._rule.should_stop):
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                          f"and the optimization hasn't converged yet.",
                          SklearnConvergenceWarning, stacklevel=4)

    def _split(self, X: NDArray[np.floating], Y: NDArray[Any],
               sample_weight: NDArray[np.floating] | None,
               random_state: np.random.RandomState) -> tuple[Any, Any, Any, Any]:
        """scikit-learn's early-stopping split: ``train_test_split`` from the same random
        state, stratified for one output of a classifier."""
        stratify = Y.astype(bool) if isinstance(self, ClassifierMixin) and Y.shape[1] == 1 \
            else None
        arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
        parts = train_test_split(*arrays, random_state=random_state,
                                 test_size=self.validation_fraction, stratify=stratify)
        if parts[1].shape[0] < 2:
            raise ValueError("The validation set is too small. Increase 'validation_fraction' "
                             "or the size of your dataset.")
        train_weight, validation_weight = (parts[4], parts[5]) if sample_weight is not None \
            else (None, None)
        validation = (parts[1], parts[3]) if validation_weight is None else (
            parts[1], parts[3], validation_weight)
        return parts[0], parts[2], train_weight, validation

    def _record(self) -> None:
        """scikit-learn's attributes from the history."""
        history = self.model_.history
        if not len(history):
            return
        self.loss_ = history.loss[-1]
        self.loss_curve_ = history.loss
        self._no_improvement_count = self._rule.plateau.waited if self._rule is not None else 0
        if self.early_stopping and history.val_accuracy:
            self.validation_scores_ = list(history.val_accuracy)
            self.best_validation_score_ = max(self.validation_scores_)
            self.best_loss_ = None
        elif self.solver != "lbfgs":
            self.best_loss_ = min(history.loss)
            self.validation_scores_ = self.best_validation_score_ = None

    def _fit_lbfgs(self, X: NDArray[np.floating], Y: NDArray[Any],
                   sample_weight: NDArray[np.floating] | None) -> None:
        solver = LBFGS(max_iter=int(self.max_iter), max_fun=int(self.max_fun), tol=self.tol)
        self.model_.fit(X, Y, epochs=int(self.max_iter), optimizer=solver, verbose=0,
                        sample_weight=sample_weight, restarts=self.restarts)
        result = self.model_.lbfgs_result_
        self.n_iter_ = min(int(result.nit), int(self.max_iter))
        self._record()
        self.loss_ = float(result.fun)
        if result.status != 0:
            warnings.warn(f"lbfgs failed to converge after {self.n_iter_} iteration(s) "
                          f"(status={result.status}): {result.message}. Increase the number "
                          f"of iterations (max_iter) or scale the data.",
                          SklearnConvergenceWarning, stacklevel=4)

    # -- prediction --------------------------------------------------------------------------
    def _forward(self, X: Any) -> NDArray[np.floating]:
        """The network's outputs for ``X``, (n_samples, n_outputs)."""
        check_is_fitted(self, "model_")
        inputs = validate_data(self, X, accept_sparse=["csr", "csc"],
                               dtype=(np.float64, np.float32), reset=False)
        if scipy.sparse.issparse(inputs):
            inputs = inputs.toarray()
        return self.model_.predict_proba(inputs)

    def to_onnx(self, path: str | os.PathLike[str] | None = None) -> Any:
        """The ONNX model (``onnx.ModelProto``) of this fitted estimator, written to ``path``
        if given: input ``X``, float32 (n_samples, n_features) whatever the training dtype;
        outputs ``label`` and ``probabilities`` (a classifier's, with the labels of
        ``classes_``) or ``variable`` (a regressor's), float32, as skl2onnx's converters of
        scikit-learn's MLPs give them, without ZipMap.  See
        ``scratchnn.export.onnx_estimator``; to convert a whole pipeline, see
        ``register_onnx_converters``.  Needs onnx: ``pip install 'scratchnn[onnx]'``."""
        check_is_fitted(self, "model_")
        try:
            from .export.onnx_estimator import estimator_to_onnx
        except ImportError:
            raise ImportError("ONNX export needs onnx: pip install 'scratchnn[onnx]'") from None
        return estimator_to_onnx(self, path)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

class _VerboseLines:
    """scikit-learn's verbose output: ``Iteration N, loss = L`` after each epoch."""

    def __init__(self, estimator: _BaseMLP) -> None:
        self.estimator = estimator
        self.count = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        self.count += 1
        print(f"Iteration {self.count}, loss = {logs['loss']:.8f}")
        if "val_accuracy" in logs:
            print(f"Validation score: {logs['val_accuracy']:f}")


class MLPClassifier(ClassifierMixin, _BaseMLP):  # type: ignore[misc]
    __doc__ = CLASSIFIER_DOC

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseMLP._parameter_constraints,
        "class_weight": [StrOptions({"balanced"}), dict, list, None]}

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool | int = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int | float = 10,
        max_fun: int = 15000,
        engine: str = "numpy",
        dropout: float = 0.0,
        restarts: int = 0,
        batch_norm: bool = False,
        class_weight: Any = None,
    ) -> None:
        super().__init__(
            hidden_layer_sizes, activation, solver=solver, alpha=alpha, batch_size=batch_size,
            learning_rate=learning_rate, learning_rate_init=learning_rate_init, power_t=power_t,
            max_iter=max_iter, shuffle=shuffle, random_state=random_state, tol=tol,
            verbose=verbose, warm_start=warm_start, momentum=momentum,
            nesterovs_momentum=nesterovs_momentum, early_stopping=early_stopping,
            validation_fraction=validation_fraction, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon, n_iter_no_change=n_iter_no_change, max_fun=max_fun, engine=engine,
            dropout=dropout, restarts=restarts, batch_norm=batch_norm)
        self.class_weight = class_weight

    def _output(self, Y: NDArray[Any]) -> tuple[str, str]:
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax", "categorical_crossentropy"
        return "sigmoid", "binary_crossentropy"

    def _validate_input(self, X: Any, y: Any, incremental: bool,
                        reset: bool) -> tuple[NDArray[np.floating], NDArray[Any]]:
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in the "
                        f"previous call to fit. Previously got {self.classes_}, `y` has "
                        f"{classes}")
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has "
                                 f"{self.classes_}. 'y' has {classes}.")
        return X, self._label_binarizer.transform(y).astype(X.dtype)

    def _sample_weight(self, Y: NDArray[Any], sample_weight: Any, dtype: np.dtype[Any]
                       ) -> NDArray[np.floating] | None:
        """The sample weights times the weights of their classes (``class_weight``), as
        ``compute_sample_weight``: by ``classes_``, as ``SGDClassifier``, so that a
        ``partial_fit`` batch without some class weighs the others the same."""
        if self.class_weight is None:
            return super()._sample_weight(Y, sample_weight, dtype)
        labels = self._label_binarizer.inverse_transform(Y)
        if labels.ndim == 1:
            weights = compute_class_weight(self.class_weight, classes=self.classes_, y=labels)
            by_sample = weights[np.searchsorted(self.classes_, labels)]
        else:  # multi-label: a weight for each column's 0 and 1
            by_sample = compute_sample_weight(self.class_weight, labels)
        if not (np.isfinite(by_sample).all() and by_sample.min() >= 0 and by_sample.sum() > 0):
            raise ValueError(f"class_weight must hold finite weights >= 0, not all 0 for the "
                             f"classes of y, got {self.class_weight!r}")
        if sample_weight is not None:
            by_sample = check_sample_weight(sample_weight, len(labels),
                                            np.dtype(np.float64)) * by_sample
        return by_sample.astype(dtype)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Self:
        """Fit the model to data matrix ``X`` and targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target labels, or a label indicator matrix for multi-label targets.
        sample_weight : array-like of shape (n_samples,), default=None
            The weight of each sample (a weighted mean loss); multiplied by the class weights
            with ``class_weight``.

        Returns
        -------
        self : MLPClassifier
            The trained estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(lambda estimator: _sgd_or_adam(estimator.solver))  # type: ignore[untyped-decorator]
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None,
                    classes: Any = None) -> Self:
        """Train one epoch on ``(X, y)`` (``solver='sgd'`` or ``'adam'`` only).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target labels, or a label indicator matrix for multi-label targets.
        sample_weight : array-like of shape (n_samples,), default=None
            The weight of each sample; multiplied by the class weights with ``class_weight``
            (a dict: ``'balanced'`` is refused here, as ``SGDClassifier`` refuses it).
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole data: needed on the first call, which fixes
            ``classes_``; later calls may leave it out, or must give the same.

        Returns
        -------
        self : MLPClassifier
            The trained estimator.
        """
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            raise ValueError(
                "class_weight 'balanced' is not supported for partial_fit. In order to use "
                "'balanced' weights, use compute_class_weight('balanced', classes=classes, "
                "y=y). In place of y you can use a large enough sample of the full training "
                "set target to properly estimate the class frequency distributions. Pass the "
                "resulting weights as the class_weight parameter.")
        if not hasattr(self, "classes_"):
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            # Multi-label targets give their columns; labels are binarised over ``classes``.
            self._label_binarizer = LabelBinarizer().fit(
                y if type_of_target(y).startswith("multilabel") else classes)
            self.classes_ = unique_labels(classes)
        elif classes is not None and not np.array_equal(self.classes_, unique_labels(classes)):
            raise ValueError(f"`classes={classes!r}` is not the same as on last call to "
                             f"partial_fit, was: {self.classes_!r}")
        return self._fit(X, y, sample_weight, incremental=True)

    def predict_proba(self, X: Any) -> NDArray[np.floating]:
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_`` (for multi-label
            targets, of each label, independently).
        """
        output = self._forward(X)
        if self.n_outputs_ == 1:
            return np.hstack([1 - output, output])
        return output

    def predict_log_proba(self, X: Any) -> NDArray[np.floating]:
        """The logarithm of the probability estimates, ``log(predict_proba(X))``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of ``classes_``.
        """
        probabilities = self.predict_proba(X)
        return np.log(probabilities, out=probabilities)

    def predict(self, X: Any) -> NDArray[Any]:
        """Predict with the trained network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted class of each sample (a label indicator row for multi-label
            targets).
        """
        output = self._forward(X)
        return self._label_binarizer.inverse_transform(
            output.ravel() if self.n_outputs_ == 1 else output)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(MultiOutputMixin, RegressorMixin, _BaseMLP):  # type: ignore[misc]
    __doc__ = REGRESSOR_DOC

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_BaseMLP._parameter_constraints, "loss": [StrOptions({"squared_error", "poisson"})]}

    def __init__(
        self,
        loss: str = "squared_error",
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 0.0001,
        batch_size: int | str = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool | int = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int | float = 10,
        max_fun: int = 15000,
        engine: str = "numpy",
        dropout: float = 0.0,
        restarts: int = 0,
        batch_norm: bool = False,
    ) -> None:
        super().__init__(
            hidden_layer_sizes, activation, solver=solver, alpha=alpha, batch_size=batch_size,
            learning_rate=learning_rate, learning_rate_init=learning_rate_init, power_t=power_t,
            max_iter=max_iter, shuffle=shuffle, random_state=random_state, tol=tol,
            verbose=verbose, warm_start=warm_start, momentum=momentum,
            nesterovs_momentum=nesterovs_momentum, early_stopping=early_stopping,
            validation_fraction=validation_fraction, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon, n_iter_no_change=n_iter_no_change, max_fun=max_fun, engine=engine,
            dropout=dropout, restarts=restarts, batch_norm=batch_norm)
        self.loss = loss

    def _output(self, Y: NDArray[Any]) -> tuple[str, str]:
        return ("exp", "poisson") if self.loss == "poisson" else ("linear", "squared_error")

    def _validate_input(self, X: Any, y: Any, incremental: bool,
                        reset: bool) -> tuple[NDArray[np.floating], NDArray[Any]]:
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             y_numeric=True, dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y.astype(X.dtype, copy=False)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Self:
        """Fit the model to data matrix ``X`` and targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            The targets (counts >= 0 for ``loss='poisson'``).
        sample_weight : array-like of shape (n_samples,), default=None
            The weight of each sample (a weighted mean loss).

        Returns
        -------
        self : MLPRegressor
            The trained estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(lambda estimator: _sgd_or_adam(estimator.solver))  # type: ignore[untyped-decorator]
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> Self:
        """Train one epoch on ``(X, y)`` (``solver='sgd'`` or ``'adam'`` only).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            The weight of each sample.

        Returns
        -------
        self : MLPRegressor
            The trained estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X: Any) -> NDArray[np.floating]:
        """Predict with the trained network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            The predicted values: (n_samples,) for one target.
        """
        output = self._forward(X)
        return output.ravel() if self.n_outputs_ == 1 else output


def register_onnx_converters() -> None:
    """Teach skl2onnx to convert ``MLPClassifier`` and ``MLPRegressor``, so that a pipeline
    holding them converts, preprocessing included::

        from skl2onnx import to_onnx
        scratchnn.sklearn.register_onnx_converters()
        proto = to_onnx(pipeline, X[:1].astype(np.float32))

    The estimators' graphs are ``to_onnx``'s; a classifier's probabilities go through
    skl2onnx's ``ZipMap`` unless ``options={MLPClassifier: {"zipmap": False}}``.  Calling it
    again changes nothing.  Needs skl2onnx: ``pip install 'scratchnn[onnx]'``."""
    try:
        import skl2onnx  # noqa: F401

        from .export.onnx_estimator import register_converters
    except ImportError as error:
        raise ImportError(f"register_onnx_converters needs skl2onnx and onnx ({error}): pip "
                          f"install 'scratchnn[onnx]'") from None
    register_converters(MLPClassifier, MLPRegressor)
