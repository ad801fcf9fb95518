"""How often ``scratchnn train`` solves XOR, with and without restarts.

``python -m benchmarks.xor_reliability [--seeds 1000] [--engine numpy]`` trains the spec's
2-2-1 sigmoid network (normal initialisation, zero biases) exactly as ``scratchnn train
--seed S`` does, for seeds 0..N-1, and counts the runs that solve XOR: all four points right
and a mean loss below 0.05.  It prints the success rate with the command line's default
restarts and with none, and the slowest seed's time.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from scratchnn.cli import build_parser
from scratchnn.cli.train import RECIPES, build_model
from scratchnn.datasets import xor


def solve(seed: int, engine: str, restarts: int) -> tuple[bool, float, int]:
    """Train as ``scratchnn train --seed seed``; (solved, seconds, starts used)."""
    args = build_parser().parse_args(["train", "--seed", str(seed), "--engine", engine])
    recipe = RECIPES["xor"]
    for name in ("hidden", "activation", "init"):
        setattr(args, name, getattr(recipe, name))
    X, y = xor()
    start = time.perf_counter()
    model = build_model(args, 2, 2)
    model.fit(X, y, epochs=recipe.epochs, learning_rate=recipe.learning_rate,
              batch_size=recipe.batch_size, random_state=seed, restarts=restarts, verbose=0)
    seconds = time.perf_counter() - start
    solved = model.score(X, y) == 1.0 and model.history.loss[-1] < 0.05
    return solved, seconds, (model.history.start or 0) + 1


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.xor_reliability",
                                     description=__doc__)
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--engine", choices=("numpy", "tensorflow"), default="numpy")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for restarts in (0, RECIPES["xor"].restarts):
        results = [solve(seed, args.engine, restarts) for seed in range(args.seeds)]
        solved = [r[0] for r in results]
        failures = [seed for seed, ok in enumerate(solved) if not ok]
        print(f"{args.engine}, restarts={restarts}: solved {sum(solved)} of {args.seeds} seeds "
              f"({np.mean(solved):.1%}); slowest seed {max(r[1] for r in results):.2f} s; "
              f"most starts used {max(r[2] for r in results)}; failed seeds: {failures[:20]}")


if __name__ == "__main__":
    main()
