"""``python -m benchmarks``: scratchnn against scikit-learn, Keras and the BLAS floor.

Prints a table per section and writes ``benchmarks/results.json``.  Every figure is the
median of ``--repeats`` runs after a warm-up, all in this one process (the memory figure in a
fresh process of its own).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import distributed, larger_than_memory, mnist, scaling, sklearn_dropin, xor
from benchmarks.timing import in_subprocess


def print_table(title: str, table: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title}")
    columns = sorted({key for row in table.values() for key in row}, key=COLUMN_ORDER.index)
    print(f"{'':<58}" + "".join(f"{column:>18}" for column in columns))
    for name, row in table.items():
        cells = []
        for column in columns:
            value = row.get(column, "")
            if isinstance(value, float):
                value = f"{value * 1e6:.1f} us" if column == "seconds_per_epoch" else (
                    f"{value:.3f}")
            cells.append(f"{value!s:>18}")
        print(f"{name:<58}" + "".join(cells))


COLUMN_ORDER = ["seconds", "sklearn_seconds", "floor_seconds", "seconds_per_epoch", "vs_floor",
                "vs_sklearn", "sklearn_vs_floor", "vs_keras", "vs_reference", "vs_python_loop",
                "vs_one_device", "accuracy", "epochs", "same_predictions", "skipped",
                "first_epoch_seconds", "peak_mb"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rows", type=int, default=60_000, help="MNIST-shaped rows")
    parser.add_argument("--scaling-rows", type=int, default=10_000)
    parser.add_argument("--xor-epochs", type=int, default=2_000)
    parser.add_argument("--large-rows", type=int, default=400_000,
                        help="rows of the memory-mapped set (784 float32 columns)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path, default=Path(__file__).with_name("results.json"))
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, one repeat: checks that everything runs")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.scaling_rows, args.xor_epochs, args.repeats = 1024, 1024, 20, 1
        args.large_rows = 20_000
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "numpy": np.__version__, "platform": platform.platform()},
    }
    results["mnist"] = mnist.run(args.rows, args.repeats)
    memory = in_subprocess("benchmarks.memory", str(args.rows))
    memory["limit_mb"] = 1.25 * memory["x_mb"] + 100
    results["mnist"]["memory"] = memory
    print_table(f"MNIST-shaped epoch, {args.rows} rows, 784-256-128-10, batch 128 "
                f"(median of {args.repeats})", results["mnist"]["table"])
    print(f"BLAS floor timed again after the rows: {results['mnist']['floor_drift']:.2f}x the "
          f"first time (far from 1: the machine changed speed during the run)")
    print(f"peak resident memory of the numpy engine's run: {memory['peak_mb']:.0f} MB "
          f"(X is {memory['x_mb']:.0f} MB; limit 1.25 X + 100 MB = {memory['limit_mb']:.0f} MB)")
    results["sklearn"] = sklearn_dropin.run(args.repeats, quick=args.quick)
    print_table("scratchnn.sklearn against scikit-learn's MLPClassifier, the same parameters "
                "and data (fit)", results["sklearn"]["table"])
    results["xor"] = xor.run(args.xor_epochs, args.repeats)
    print_table(f"XOR, time per epoch over {args.xor_epochs} epochs", results["xor"]["table"])
    results["scaling"] = scaling.run(args.scaling_rows, args.repeats)
    print_table(f"NumPy engine scaling, {args.scaling_rows} rows", results["scaling"]["table"])
    results["distributed"] = distributed.run(args.rows, args.repeats)
    print_table(f"TensorFlow engine under tf.distribute, MNIST-shaped epoch, {args.rows} rows",
                results["distributed"]["table"])
    results["larger_than_memory"] = larger_than_memory.run(args.large_rows)
    print_table(f"One epoch on a {args.large_rows} x 784 float32 set "
                f"({results['larger_than_memory']['x_mb']:.0f} MB), memory-mapped or in "
                f"memory, 784-64-10, batch 128; peak_mb: resident memory over the engine's own",
                results["larger_than_memory"]["table"])
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
