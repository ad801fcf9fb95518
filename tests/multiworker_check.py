"""One worker of two, run by test_distributed.py: ``python -m tests.multiworker_check INDEX
PORT0 PORT1``.  Sets TF_CONFIG for the cluster on 127.0.0.1, trains under
MultiWorkerMirroredStrategy and compares with the NumPy engine; prints one JSON object."""

from __future__ import annotations

import json
import os
import sys

index, ports = int(sys.argv[1]), sys.argv[2:4]
os.environ["TF_CONFIG"] = json.dumps({
    "cluster": {"worker": [f"127.0.0.1:{port}" for port in ports]},
    "task": {"type": "worker", "index": index}})

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

strategy = tf.distribute.MultiWorkerMirroredStrategy()

from scratchnn.tf_engine import TFPerceptron  # noqa: E402
from tests.conftest import make_data, make_model  # noqa: E402

report: dict[str, float | int | str] = {"workers": strategy.num_replicas_in_sync}
X, y = make_data(25, 3, 3, "categorical_crossentropy")  # batches of 7: the last one has 4
for name, settings in [("seeded_shuffle", {"shuffle": True, "random_state": 7}),
                       ("in_order", {"shuffle": False})]:
    numpy_model = make_model([3, 5, 3], "tanh", "softmax", "categorical_crossentropy",
                             init="xavier")
    workers = TFPerceptron.from_perceptron(numpy_model, strategy=strategy)
    for model in (numpy_model, workers):
        model.fit(X, y, epochs=4, batch_size=7, optimizer="adam", learning_rate=0.01,
                  verbose=False, **settings)  # type: ignore[arg-type]
    report[name] = max(float(np.max(np.abs(a - b))) for a, b in
                       zip(workers.get_weights(), numpy_model.get_weights(), strict=True))
try:
    workers.fit(X, y, epochs=1, shuffle=True, verbose=False)
    report["unseeded_shuffle"] = "accepted"
except ValueError as error:
    report["unseeded_shuffle"] = str(error)
print(json.dumps(report), flush=True)
