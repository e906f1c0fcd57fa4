"""Benchmark: the batched noise sweep (rnnlab.noise) against a loop over trials.

The network is chapter 03's shipped 3-bit flip-flop (N = 500), or with ``--N`` a 3-bit network
of that size trained on the spot (FORCE, 10 000 steps). Every trial perturbs its
reservoir, W_r -> W_r + eta Z_d, and runs it with frozen weights on one fresh test sequence:
``--levels`` noise levels from 1e-4 to 1, ``--draws`` draws per level, ``--steps`` steps.

* rnnlab: ``noise_sweep`` simulates all levels x draws at once (one matrix product with
  W_c for all states, one per draw with Z_d for the states of all levels).
* baseline: the per-trial loop a student would write with the library,
  ``evaluate(perturbed(esn, eta * Z[d]), u, y)`` for every level and draw (``ESN.run``:
  one matrix-vector product per step, BLAS on one thread as in rnnlab).

Both use the same draws, so their scores must agree (checked, and printed): to round-off
wherever the perturbed networks are not chaotic (eta sqrt(N) < 1; beyond, the two orders of
summation drift apart exponentially, and the script prints by how much).

Each method runs ``--repeats`` times, alternating, and the fastest run counts. Both the CPU
time of this process and the wall-clock time are reported: on a shared machine the wall clock
depends on the neighbours' load, the CPU time (one BLAS thread) measures the work. The
``speedup`` in the JSON is the CPU-time ratio. The last line is JSON.

Why the ratio is modest at N = 500: the batch needs two products per state and step
(W_c r and Z_d r, 2N^2 multiply-adds) where the loop needs one (with W_c + eta Z_d formed
once per trial). The batch wins only by running matrix-matrix products (BLAS 3) instead of
matrix-vector products (BLAS 2, memory bound) and by leaving the Python loop over trials,
whose overhead matters more the smaller N is (try ``--N 100``).

    python benchmarks/noise_sweep.py           # 20 levels x 10 draws x 1000 steps: a few minutes
    python benchmarks/noise_sweep.py --quick   # 8 levels x 10 draws x 200 steps: ~half a minute
    python benchmarks/noise_sweep.py --N 100   # a smaller network
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
    parser.add_argument("--N", type=int, default=500, help="500: the shipped network")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="8 levels, 200 steps")
    args = parser.parse_args()
    if args.quick:
        args.levels, args.steps = 8, 200

    if args.N == 500:
        esn = rnnlab.load_network("flipflop3")
    else:
        task = rnnlab.FlipFlopTask(3, pulse_rate=0.01, pulse_at_start=True)
        esn = rnnlab.ESN(args.N, 3, 3, g=0.6, seed=args.seed)
        rnnlab.train_force(esn, *task.generate(10_000, seed=args.seed))
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

    timings = {"batched": [], "loop": []}
    for _ in range(args.repeats):
        for name in timings:
            c0, w0 = time.process_time(), time.perf_counter()
            if name == "batched":
                sweep = noise_sweep(esn, u, y, etas, Z=Z)
            else:
                ref = loop_over_trials(esn, u, y, etas, Z)
            timings[name].append((time.process_time() - c0, time.perf_counter() - w0))
    cpu = {k: min(c for c, _ in v) for k, v in timings.items()}
    wall = {k: min(w for _, w in v) for k, v in timings.items()}
    for name in timings:
        print(
            f"{name:>8}: CPU {cpu[name]:.2f} s, wall clock {wall[name]:.2f} s (best of {args.repeats})"
        )

    # Past eta sqrt(N) ~ 1 the perturbation alone makes the network chaotic, and the
    # round-off of two different (equally right) orders of summation grows exponentially.
    diff = np.max([np.abs(getattr(sweep, m) - ref[m]).max(axis=1) for m in ref], axis=0)
    calm = etas * np.sqrt(esn.N) < 1.0
    same = bool(np.all(diff[calm] < 1e-9))
    print(
        f"same scores (MSE, accuracy, settled accuracy) at the {calm.sum()} levels with "
        f"eta sqrt(N) < 1: {same} (max difference {diff[calm].max():.1e})"
    )
    for eta, dv in zip(etas[~calm], diff[~calm], strict=True):
        print(f"  eta = {eta:.2g} (chaotic perturbed networks): max difference {dv:.1e}")
    speedup = cpu["loop"] / cpu["batched"]
    print(f"speedup: {speedup:.1f}x CPU time, {wall['loop'] / wall['batched']:.1f}x wall clock")
    print(
        json.dumps(
            {
                "benchmark": "noise_sweep",
                "speedup": round(speedup, 2),
                "speedup_wall": round(wall["loop"] / wall["batched"], 2),
                "batched_cpu_s": round(cpu["batched"], 3),
                "loop_cpu_s": round(cpu["loop"], 3),
                "batched_wall_s": round(wall["batched"], 3),
                "loop_wall_s": round(wall["loop"], 3),
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
