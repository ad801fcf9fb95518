"""scratchnn: neural networks from scratch, on NumPy or on low-level TensorFlow.

``import scratchnn`` never imports TensorFlow; the TensorFlow engine lives in
``scratchnn.tf_engine``.
"""

from . import datasets
from .activations import (
    Exponential,
    Linear,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    linear,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from .callbacks import CSVLogger, EarlyStopping, LearningRateScheduler, ModelCheckpoint
from .check import check
from .errors import ConvergenceWarning, TrainingDivergedError
from .gradcheck import gradcheck
from .history import History
from .io import load
from .layers import Layer
from .losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    HalfSquaredError,
    MeanSquaredError,
    Poisson,
)
from .numpy_engine import Perceptron
from .optimizers import SGD, Adam
from .regularizers import L2
from .schedules import Adaptive, CosineDecay, ExponentialDecay, InverseScaling, ReduceOnPlateau
from .solvers import LBFGS
from .spec import NetworkSpec
from .version import __version__

__all__ = [
    "L2",
    "LBFGS",
    "SGD",
    "Adam",
    "Adaptive",
    "BinaryCrossEntropy",
    "CSVLogger",
    "CategoricalCrossEntropy",
    "ConvergenceWarning",
    "CosineDecay",
    "EarlyStopping",
    "Exponential",
    "ExponentialDecay",
    "HalfSquaredError",
    "History",
    "InverseScaling",
    "Layer",
    "LearningRateScheduler",
    "Linear",
    "MeanSquaredError",
    "ModelCheckpoint",
    "NetworkSpec",
    "Perceptron",
    "Poisson",
    "ReLU",
    "ReduceOnPlateau",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "TrainingDivergedError",
    "__version__",
    "check",
    "datasets",
    "gradcheck",
    "linear",
    "load",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]
