"""Benchmark: the batched noise sweep (rnnlab.noise) against a loop over trials.

The network is chapter 03's shipped 3-bit flip-flop (N = 500). Every trial perturbs its
reservoir, W_r -> W_r + eta Z_d, and runs it with frozen weights on one fresh test sequence:
``--levels`` noise levels from 1e-4 to 1, ``--draws`` draws per level, ``--steps`` steps.

* rnnlab: ``noise_sweep`` simulates all levels x draws at once (one matrix product with
  W_c for all states, one per draw with Z_d for the states of all levels).
* baseline: the per-trial loop a student would write with the library,
  ``evaluate(perturbed(esn, eta * Z[d]), u, y)`` for every level and draw (``ESN.run``:
  one matrix-vector product per step, BLAS on one thread as in rnnlab).

Both use the same draws, so their scores must agree (checked, and printed): to round-off
wherever the perturbed networks are not chaotic (eta sqrt(N) < 2; beyond, the two orders of
summation drift apart exponentially, and the script prints by how much). The last line is
JSON.

Why the ratio is modest at N = 500: the batch needs two products per state and step
(W_c r and Z_d r, 2N^2 multiply-adds) where the loop needs one (with W_c + eta Z_d formed
once per trial). The batch wins only by running matrix-matrix products (BLAS 3) instead of
matrix-vector products (BLAS 2, memory bound) and by leaving the Python loop over trials.

    python benchmarks/noise_sweep.py           # 20 levels x 10 draws x 1000 steps: ~1 minute
    python benchmarks/noise_sweep.py --quick   # 8 levels x 10 draws x 200 steps: a few seconds
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import rnnlab
from rnnlab.force import evaluate
from rnnlab.noise import noise_levels, noise_matrices, noise_sweep, perturbed


def loop_over_trials(esn, u, y, etas, Z) -> dict[str, np.ndarray]:
    """The baseline: one perturbed network and one run at a time."""
    scores = {m: np.empty((len(etas), len(Z))) for m in ("mse", "accuracy", "settled_accuracy")}
    for i, eta in enumerate(etas):
        for d in range(len(Z)):
            s = evaluate(perturbed(esn, eta * Z[d]), u, y)
            for m, v in scores.items():
                v[i, d] = s[m]
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=20)
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="8 levels, 200 steps")
    args = parser.parse_args()
    if args.quick:
        args.levels, args.steps = 8, 200

    esn = rnnlab.load_network("flipflop3")
    u, y = rnnlab.FlipFlopTask(3, pulse_rate=0.02, pulse_at_start=True).generate(
        args.steps, seed=1000
    )
    etas = noise_levels(args.levels)
    Z = noise_matrices(esn.N, args.draws, seed=args.seed)
    trials = args.levels * args.draws
    print(
        f"N = {esn.N}, {args.levels} levels x {args.draws} draws = {trials} trials "
        f"x {args.steps} steps"
    )

    t0 = time.perf_counter()
    sweep = noise_sweep(esn, u, y, etas, Z=Z)
    t_batch = time.perf_counter() - t0
    print(f"rnnlab batched sweep: {t_batch:.2f} s")

    t0 = time.perf_counter()
    ref = loop_over_trials(esn, u, y, etas, Z)
    t_loop = time.perf_counter() - t0
    print(f"loop over trials:     {t_loop:.2f} s")

    # Past eta sqrt(N) ~ 1 the perturbation alone makes the network chaotic, and the
    # round-off of two different (equally right) orders of summation grows exponentially.
    diff = np.max([np.abs(getattr(sweep, m) - ref[m]).max(axis=1) for m in ref], axis=0)
    calm = etas * np.sqrt(esn.N) < 2.0
    same = bool(np.all(diff[calm] < 1e-9))
    print(
        f"same scores (MSE, accuracy, settled accuracy) at the {calm.sum()} levels with "
        f"eta sqrt(N) < 2: {same} (max difference {diff[calm].max():.1e})"
    )
    for eta, dv in zip(etas[~calm], diff[~calm], strict=True):
        print(f"  eta = {eta:.2g} (chaotic perturbed networks): max difference {dv:.1e}")
    speedup = t_loop / t_batch
    print(f"speedup: {speedup:.1f}x")
    print(
        json.dumps(
            {
                "benchmark": "noise_sweep",
                "speedup": round(speedup, 2),
                "batched_s": round(t_batch, 3),
                "loop_s": round(t_loop, 3),
                "N": esn.N,
                "levels": args.levels,
                "draws": args.draws,
                "steps": args.steps,
                "same_results": same,
                "max_difference_calm": float(diff[calm].max()),
            }
        )
    )


if __name__ == "__main__":
    main()
