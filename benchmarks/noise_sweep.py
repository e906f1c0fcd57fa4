"""Benchmark: the batched noise sweep (rnnlab.flipflop.noise) against a loop over trials.

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

Why the ratio is modest at N = 500, and what bounds it: every trial has its own matrix
W_c + eta_l Z_d, so no trial's product can be shared with another's. The batch computes
W_c r and Z_d r separately (2 N^2 multiply-adds per state and step: W_c is shared by all
trials, Z_d by the levels of one draw); the loop forms W_c + eta Z_d once per trial and needs
N^2 per step. The batch wins only by running matrix-matrix products (BLAS 3) instead of
matrix-vector products (BLAS 2, memory bound) and by leaving the Python loop over trials. So
its speed-up is at most about (GEMM rate / GEMV rate) / 2 plus what the Python overhead of the
loop adds. The script measures both rates at the benchmark's size in the same run and prints
that bound (``bound`` in the JSON) beside the measured ratio. At N = 500 the bound is below
2x on these machines; at N = 100, where the loop's per-step Python overhead dominates, the
batch is many times faster (``speedup_small``, a network of that size trained on the spot).

    python benchmarks/noise_sweep.py           # 20 levels x 10 draws x 1000 steps: a few minutes
    python benchmarks/noise_sweep.py --quick   # 8 levels x 10 draws x 200 steps: ~half a minute
    python benchmarks/noise_sweep.py --N 100   # only a smaller network
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from threadpoolctl import threadpool_limits

import rnnlab
from rnnlab.flipflop.noise import noise_levels, noise_matrices, noise_sweep, perturbed
from rnnlab.models.force import evaluate


def loop_over_trials(esn, u, y, etas, Z) -> dict[str, np.ndarray]:
    """The baseline: one perturbed network and one run at a time."""
    scores = {m: np.empty((len(etas), len(Z))) for m in ("mse", "accuracy", "settled_accuracy")}
    for i, eta in enumerate(etas):
        for d in range(len(Z)):
            s = evaluate(perturbed(esn, eta * Z[d]), u, y)
            for m, v in scores.items():
                v[i, d] = s[m]
    return scores


def blas_rates(N: int, columns: int, seed: int = 0) -> dict[str, float]:
    """Multiply-add rates (GFLOP/s) of W r (GEMV) and W R, R with ``columns`` columns (GEMM)."""
    rng = np.random.default_rng(seed)
    W, r, R = rng.normal(size=(N, N)), rng.normal(size=N), rng.normal(size=(N, columns))
    rates = {}
    for name, f, flops in (
        ("gemv", lambda: W @ r, 2 * N * N),
        ("gemm", lambda: W @ R, 2 * N * N * columns),
    ):
        best = np.inf
        for _ in range(5):
            n = max(1, int(2e8 // flops))
            t0 = time.process_time()
            for _ in range(n):
                f()
            best = min(best, (time.process_time() - t0) / n)
        rates[name] = flops / best / 1e9
    return rates


def network(N: int, seed: int):
    """The shipped 3-bit network at N = 500, else one trained on the spot (10 000 steps)."""
    if N == 500:
        return rnnlab.load_network("flipflop3")
    task = rnnlab.FlipFlopTask(3, pulse_rate=0.01, pulse_at_start=True)
    esn = rnnlab.ESN(N, 3, 3, g=0.6, seed=seed)
    rnnlab.train_force(esn, *task.generate(10_000, seed=seed))
    return esn


def compare(esn, args) -> dict:
    """Time the batched sweep and the loop over trials on ``esn``; check they agree."""
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
    return {
        "speedup": round(speedup, 2),
        "speedup_wall": round(wall["loop"] / wall["batched"], 2),
        "batched_cpu_s": round(cpu["batched"], 3),
        "loop_cpu_s": round(cpu["loop"], 3),
        "same_results": same,
        "max_difference_calm": float(diff[calm].max()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=20)
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--N", type=int, default=500, help="500: the shipped network")
    parser.add_argument(
        "--small-N", type=int, default=100, help="second, smaller network (0: none)"
    )
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="8 levels, 200 steps")
    args = parser.parse_args()
    if args.quick:
        args.levels, args.steps = 8, 200

    with threadpool_limits(1):  # both methods on one BLAS thread: the CPU time is the work
        main_run = compare(network(args.N, args.seed), args)
        rates = blas_rates(args.N, args.levels * args.draws)
        bound = rates["gemm"] / rates["gemv"] / 2
        print(
            f"N = {args.N}: GEMV {rates['gemv']:.1f} GFLOP/s, GEMM {rates['gemm']:.1f} GFLOP/s; "
            f"the batch does twice the loop's arithmetic, so without the loop's Python "
            f"overhead its speed-up is at most about {bound:.1f}x"
        )
        small = {}
        if args.small_N:
            print()
            small = compare(network(args.small_N, args.seed), args)
    result = {
        "benchmark": "noise_sweep",
        **main_run,
        "N": args.N,
        "levels": args.levels,
        "draws": args.draws,
        "steps": args.steps,
        "gemv_gflops": round(rates["gemv"], 1),
        "gemm_gflops": round(rates["gemm"], 1),
        "bound": round(bound, 2),
    }
    if small:
        result.update(
            {
                "small_N": args.small_N,
                "speedup_small": small["speedup"],
                "same_results_small": small["same_results"],
            }
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
