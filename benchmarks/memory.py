"""Peak resident memory of one NumPy-engine epoch, in a process of its own.

``python -m benchmarks.memory ROWS`` prints a JSON object: the size of ``X`` and the peak
resident set of the whole process (interpreter, NumPy, data and training) in MB.
"""

from __future__ import annotations

import json
import sys

from benchmarks.data import mnist_like
from benchmarks.mnist import BATCH, HIDDEN, ScratchnnNumpy, sizes
from benchmarks.timing import peak_memory_mb


def main() -> None:
    (X, y), _ = mnist_like(int(sys.argv[1]), n_test=1)
    ScratchnnNumpy(X, y, sizes(X.shape[1], HIDDEN, 10), BATCH).start()
    print(json.dumps({"x_mb": X.nbytes / 2**20, "peak_mb": peak_memory_mb()}))


if __name__ == "__main__":
    main()
