"""scratchnn: neural networks from scratch, on NumPy or on low-level TensorFlow.

``import scratchnn`` never imports TensorFlow; the TensorFlow engine lives in
``scratchnn.tf_engine``.
"""

from . import datasets
from .activations import Linear, ReLU, Sigmoid, Softmax, Tanh, linear, relu, sigmoid, softmax, tanh
from .errors import TrainingDivergedError
from .gradcheck import gradcheck
from .history import History
from .io import load
from .layers import Layer
from .losses import BinaryCrossEntropy, CategoricalCrossEntropy, MeanSquaredError
from .models import Perceptron
from .optimizers import SGD, Adam

__version__ = "0.1.0"

__all__ = [
    "SGD",
    "Adam",
    "BinaryCrossEntropy",
    "CategoricalCrossEntropy",
    "History",
    "Layer",
    "Linear",
    "MeanSquaredError",
    "Perceptron",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "TrainingDivergedError",
    "__version__",
    "datasets",
    "gradcheck",
    "linear",
    "load",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]
