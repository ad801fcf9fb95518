"""The docstrings of ``scratchnn.sklearn``'s estimators, where ``help()`` shows them.

Each parameter has scikit-learn's meaning, said first, then what scratchnn does with it; the
parameters the two estimators share are written once, here.
"""

from __future__ import annotations

__all__ = ["CLASSIFIER_DOC", "REGRESSOR_DOC"]

_SHARED_PARAMETERS = """\
hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
    The ith element is the number of neurons in the ith hidden layer.
activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
    The hidden layers' activation: ``f(x) = x``, ``1 / (1 + exp(-x))``, ``tanh(x)`` or
    ``max(0, x)`` (scratchnn's ``linear``, ``sigmoid``, ``tanh`` and ``relu``).
solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
    The optimizer of the weights: L-BFGS (a quasi-Newton method, on the whole set),
    stochastic gradient descent, or Adam (Kingma and Ba).  scratchnn's ``LBFGS``, ``SGD``
    and ``Adam``.
alpha : float, default=0.0001
    Strength of the L2 penalty on the weights (not the biases), divided by the number of
    samples when added to the loss: ``L2.from_alpha(alpha)`` on every layer.
batch_size : int or 'auto', default='auto'
    Samples per update of the stochastic solvers; ``'auto'`` is ``min(200, n_samples)``.
    Not used by ``'lbfgs'``.
learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
    The schedule of the step size (``solver='sgd'`` only): constant ``learning_rate_init``;
    ``learning_rate_init / t ** power_t`` with ``t`` the samples seen (``InverseScaling``);
    or divided by 5 whenever two epochs in a row fail to improve the training loss (or,
    with ``early_stopping``, the validation score) by ``tol`` (``Adaptive``).
learning_rate_init : float, default=0.001
    The initial step size (``solver='sgd'`` or ``'adam'``).
power_t : float, default=0.5
    The exponent of ``'invscaling'`` (``solver='sgd'``).
max_iter : int, default=200
    The most iterations: epochs for ``'sgd'`` and ``'adam'`` (passes over the data, not
    updates), iterations for ``'lbfgs'``.  Training stops earlier when ``tol`` says it has
    converged.
shuffle : bool, default=True
    Whether to shuffle the samples at each epoch (``solver='sgd'`` or ``'adam'``).
random_state : int, RandomState instance or None, default=None
    Draws the initial weights, the early-stopping split and the shuffles.  With an int,
    from the same ``numpy.random.RandomState`` as scikit-learn, in the same order: the same
    weights as scikit-learn's.  Also seeds the dropout masks and the restarts.
tol : float, default=1e-4
    Convergence: when the loss (or, with ``early_stopping``, the validation score) has not
    improved by at least ``tol`` for ``n_iter_no_change`` epochs in a row, training stops
    (unless ``learning_rate='adaptive'``, which lowers the rate instead).  scratchnn's
    ``EarlyStopping(min_delta=tol)``; L-BFGS's tolerance.
verbose : bool, default=False
    Whether to print ``Iteration N, loss = L`` after each epoch.
warm_start : bool, default=False
    Whether ``fit`` continues from the previous fit's network and optimizer instead of new
    ones.
momentum : float, default=0.9
    Momentum of gradient descent, in [0, 1] (``solver='sgd'``).
nesterovs_momentum : bool, default=True
    Whether the momentum is Nesterov's (``solver='sgd'`` and ``momentum > 0``).
early_stopping : bool, default=False
    Whether to hold out ``validation_fraction`` of the training data (stratified, except for
    multi-label targets) and stop when the validation score has not improved by ``tol`` for
    ``n_iter_no_change`` epochs, keeping the weights of the best epoch; without it the
    training loss is watched.  ``solver='sgd'`` or ``'adam'`` only.
validation_fraction : float, default=0.1
    The fraction of the training data held out with ``early_stopping``, in (0, 1).
beta_1 : float, default=0.9
    Adam's decay rate of the first moment estimates, in [0, 1).
beta_2 : float, default=0.999
    Adam's decay rate of the second moment estimates, in [0, 1).
epsilon : float, default=1e-8
    Adam's term for numerical stability.
n_iter_no_change : int, default=10
    The epochs in a row without a ``tol`` improvement before stopping (``solver='sgd'`` or
    ``'adam'``).
max_fun : int, default=15000
    The most calls of the loss function by ``'lbfgs'``.
"""

_CLASS_WEIGHT = """\
class_weight : dict, list of dicts, 'balanced' or None, default=None
    scikit-learn's (as ``SGDClassifier``'s, which ``MLPClassifier`` lacks): each sample's
    weight is multiplied by the weight of its class, ``{class_label: weight}`` (1 for a
    class left out; a list of dicts, one per column, for multi-label targets), or by
    ``n_samples / (n_classes * np.bincount(y))`` with ``'balanced'``; training with it is
    training with ``sample_weight=compute_sample_weight(class_weight, y)`` (times any
    ``sample_weight`` given).  ``partial_fit`` refuses ``'balanced'``, as ``SGDClassifier``
    does: compute the weights once, with ``compute_class_weight``, and give them as a dict.
"""

_OURS = """\
engine : {'numpy', 'tensorflow'}, default='numpy'
    scratchnn's: the engine that trains the network, ``Perceptron`` or ``TFPerceptron`` (a
    GPU, ``tf.distribute``); the same numbers.
dropout : float, default=0.0
    scratchnn's: the fraction of each hidden layer's units dropped at each update (inverted
    dropout, seeded by ``random_state``), in [0, 1); scikit-learn has none.
restarts : int, default=0
    scratchnn's: if a run ends diagnosed as stuck (predicting the base rate, or on a
    plateau), train again from new initial weights up to this many times, and keep the run
    with the lowest final training loss.
batch_norm : bool, default=False
    scratchnn's: normalise each hidden layer's ``z = W·a + b`` over the batch before its
    activation, as Keras's ``BatchNormalization`` (momentum 0.99, epsilon 1e-3, a learnt scale
    and shift, moving statistics for prediction); the biases of those layers then stay at
    zero.  Trains with ``solver='adam'`` or ``'sgd'`` on batches of 2 samples or more;
    scikit-learn has none.
"""

_ATTRIBUTES = """\
loss_ : float
    The training loss after the last epoch (or iteration).
best_loss_ : float or None
    The lowest training loss reached; None with ``early_stopping`` (see
    ``best_validation_score_``).
loss_curve_ : list of shape (n_iter_,)
    The training loss of each epoch (or iteration).
validation_scores_ : list of shape (n_iter_,) or None
    With ``early_stopping``, the validation score of each epoch ({score}); else None.
best_validation_score_ : float or None
    With ``early_stopping``, the best validation score; else None.
t_ : int
    The number of training samples seen by the solver.
coefs_ : list of shape (n_layers - 1,)
    The weight matrix of each layer, (n_in, n_out): on the NumPy engine, views of the
    network's own weights (writing into them changes the model); on the TensorFlow engine,
    read-only copies of its variables (writing into them raises a ValueError; assigning a
    new list to ``coefs_`` sets the variables). ``intercepts_`` alike.
intercepts_ : list of shape (n_layers - 1,)
    The bias vector of each layer, (n_out,).
n_features_in_ : int
    The number of features seen during ``fit``.
feature_names_in_ : ndarray of shape (n_features_in_,)
    The names of the features seen during ``fit``, when ``X`` had string column names.
n_iter_ : int
    The number of epochs (or L-BFGS iterations) of the last fit.
n_layers_ : int
    The number of layers, input and output included.
n_outputs_ : int
    The number of outputs.
out_activation_ : str
    The output activation: {outputs}.
model_ : Perceptron or TFPerceptron
    scratchnn's: the trained network itself (``gradcheck``, ``diagnose``, ``save``,
    ``plot``, the other engine).
"""

_SEE = """\
See Also
--------
sklearn.neural_network.{name} : the original; ``scratchnn.sklearn`` describes the mapping.
"""

CLASSIFIER_DOC = f"""scikit-learn's multi-layer perceptron classifier, on scratchnn's engines.

Sigmoid outputs for two classes and for multi-label targets, softmax for more classes;
log-loss.  A drop-in for ``sklearn.neural_network.MLPClassifier``: its parameters, with
their names, defaults and meanings, its attributes and behaviour (see ``scratchnn.sklearn``
for the mapping onto the engine), then scratchnn's own settings.

Parameters
----------
{_SHARED_PARAMETERS}{_OURS}{_CLASS_WEIGHT}
Attributes
----------
classes_ : ndarray of shape (n_classes,)
    The class labels (for multi-label targets, the column indices).
{_ATTRIBUTES.format(score="accuracy", outputs="'logistic' or 'softmax'")}
{_SEE.format(name="MLPClassifier")}"""

REGRESSOR_DOC = f"""scikit-learn's multi-layer perceptron regressor, on scratchnn's engines.

A linear output with half the squared error, or an exponential output with half the Poisson
deviance; one or several targets.  A drop-in for ``sklearn.neural_network.MLPRegressor``:
its parameters, with their names, defaults and meanings, its attributes and behaviour (see
``scratchnn.sklearn`` for the mapping onto the engine), then scratchnn's own settings.

Parameters
----------
loss : {{'squared_error', 'poisson'}}, default='squared_error'
    The loss: half the squared error with a linear output, or half the Poisson deviance
    with an exponential output (for counts).
{_SHARED_PARAMETERS}{_OURS}
Attributes
----------
{_ATTRIBUTES.format(score="R²", outputs="'identity' or 'exp'")}
{_SEE.format(name="MLPRegressor")}"""
