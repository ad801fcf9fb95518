"""How the NumPy engine's epoch time grows with the width and the batch size, beside the floor."""

from __future__ import annotations

from typing import Any

from benchmarks.data import mnist_like
from benchmarks.mnist import ScratchnnNumpy, blas_floor, sizes
from benchmarks.timing import median_seconds

WIDTHS = (64, 256, 1024)
BATCH_SIZES = (32, 128, 512)


def run(n_rows: int, repeats: int) -> dict[str, Any]:
    """Epoch seconds for hidden layers (w, w/2) and each batch size, with the floor's."""
    (X, y), _ = mnist_like(n_rows, n_test=1)
    table = {}
    for width in WIDTHS:
        widths = sizes(X.shape[1], (width, width // 2), 10)
        for batch_size in BATCH_SIZES:
            trainer = ScratchnnNumpy(X, y, widths, batch_size)
            trainer.start()
            engine = median_seconds(trainer.epoch, repeats, warmup=0)
            floor = median_seconds(blas_floor(X, widths, batch_size), repeats)
            table[f"hidden ({width}, {width // 2}), batch {batch_size}"] = {
                "seconds": engine, "floor_seconds": floor, "vs_floor": engine / floor}
    return {"rows": n_rows, "table": table}
