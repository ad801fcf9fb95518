"""MNIST-shaped epoch of the TensorFlow engine under ``tf.distribute.MirroredStrategy``.

``python -m benchmarks.distributed ROWS DEVICES REPEATS`` runs in a process of its own (the
logical CPU devices must be set before TensorFlow starts) and prints a JSON object with the
median epoch time: DEVICES is 0 for no strategy, or N for a MirroredStrategy over N logical
CPU devices.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from benchmarks.data import mnist_like
from benchmarks.mnist import BATCH, HIDDEN, ScratchnnTensorflow, sizes
from benchmarks.timing import in_subprocess, median_seconds


class Distributed(ScratchnnTensorflow):
    strategy: Any = None

    def start(self) -> None:
        super().start()  # the first epoch, on one device, builds the model
        self.model.use_strategy(self.strategy)
        self.epoch()  # the first distributed epoch traces the distributed step


def main() -> None:
    rows, devices, repeats = (int(argument) for argument in sys.argv[1:4])
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from scratchnn.tf_engine.distributed import make_strategy

    Distributed.strategy = make_strategy(str(devices)) if devices else None
    (X, y), _ = mnist_like(rows, n_test=1)
    trainer = Distributed(X, y, sizes(X.shape[1], HIDDEN, 10), BATCH)
    trainer.start()
    print(json.dumps({"seconds": median_seconds(trainer.epoch, repeats, warmup=0)}))


def run(rows: int, repeats: int) -> dict[str, Any]:
    """Epoch seconds with no strategy and with 1 and 2 logical CPU devices."""
    table = {}
    for devices, name in [(0, "no strategy"), (1, "MirroredStrategy, 1 logical CPU device"),
                          (2, "MirroredStrategy, 2 logical CPU devices")]:
        table[name] = in_subprocess("benchmarks.distributed", str(rows), str(devices),
                                    str(repeats))
    for row in table.values():
        row["vs_one_device"] = row["seconds"] / table["no strategy"]["seconds"]
    return {"rows": rows, "table": table}


if __name__ == "__main__":
    main()
