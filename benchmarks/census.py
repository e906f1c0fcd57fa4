"""Benchmark: the fixed-point census of the chapter's network against per-start scipy LM.

Trains the chapter-03 network from its recipe (``rnnlab.course.networks.RECIPES["flipflop3"]``:
N = 500, g = 0.5, alpha = 50, 30 000 FORCE steps on the 3-bit flip-flop with 7-step pulses at
rate 0.01 and a pulse on every channel at t = 0; ``--N`` and ``--seed`` change those two), runs
``rnnlab.flipflop.census`` on the states of a fresh test run and times it. Then, from the SAME
starts the census made (``Census.starts``, every round), it runs
``scipy.optimize.least_squares(F, x0, jac=J, method='lm')`` one start at a time with the
analytic Jacobian, keeps the roots with q = |F|^2 / 2 below the census's ``tol_fixed``,
merges those closer than 1e-5 (max-norm) and compares the points found and the times.
The last line printed is JSON.

    python benchmarks/census.py            # baseline from every start: ~5 minutes
    python benchmarks/census.py --quick    # baseline from 40 starts, its time extrapolated
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import scipy.optimize
from threadpoolctl import threadpool_limits

import rnnlab
from rnnlab.course.networks import RECIPES
from rnnlab.flipflop.census import census


def train(N: int, seed: int):
    """Chapter 03's recipe at size N and seed; returns the network, test states, scores, time."""
    r = RECIPES["flipflop3"]
    u, y = rnnlab.FlipFlopTask(**r["task"]).generate(r["train"]["n_steps"], seed=seed)
    esn = rnnlab.ESN(**{**r["esn"], "N": N, "seed": seed})
    t0 = time.perf_counter()
    rnnlab.train_force(
        esn, u, y, alpha=r["train"]["alpha"], update_every=r["train"]["update_every"]
    )
    seconds = time.perf_counter() - t0
    ut, yt = rnnlab.FlipFlopTask(3, pulse_rate=0.02, pulse_at_start=True).generate(
        5000, seed=seed + 1000
    )
    scores = rnnlab.evaluate(esn, ut, yt)
    states, _ = esn.run(ut)
    return esn, states, scores, seconds


def scipy_roots(system, starts, tol_fixed: float, max_nfev: int):
    """Per-start ``least_squares(method='lm')``; returns the final states and their q."""

    def F(x):
        return system.rhs(x)

    def J(x):
        return system.jacobian(x)

    X = np.empty_like(starts)
    q = np.empty(len(starts))
    for i, x0 in enumerate(starts):
        res = scipy.optimize.least_squares(
            F, x0, jac=J, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=max_nfev
        )
        X[i], q[i] = res.x, 0.5 * res.fun @ res.fun
    return X, q


def distinct(X, q, tol_fixed: float, dedup_tol: float = 1e-5) -> np.ndarray:
    """The fixed points among ``X`` (q < tol_fixed), duplicates merged, lowest q first."""
    kept: list[np.ndarray] = []
    for i in np.argsort(q):
        if q[i] < tol_fixed and all(np.max(np.abs(X[i] - y)) >= dedup_tol for y in kept):
            kept.append(X[i])
    return np.array(kept).reshape(-1, X.shape[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--N", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="baseline from 40 starts only")
    parser.add_argument("--baseline-starts", type=int, default=None, help="baseline subsample")
    parser.add_argument("--max-nfev", type=int, default=2000, help="baseline budget per start")
    args = parser.parse_args()
    n_base = 40 if args.quick and args.baseline_starts is None else args.baseline_starts

    with threadpool_limits(limits=1, user_api="blas"):  # train_force runs BLAS level 2
        esn, states, scores, t_train = train(args.N, args.seed)
    print(
        f"trained N={args.N} seed={args.seed} in {t_train:.1f} s: accuracy "
        f"{scores['accuracy']:.3f}, settled accuracy {scores['settled_accuracy']:.3f}"
    )

    c0, t0 = time.process_time(), time.perf_counter()
    c = census(esn, states, seed=args.seed)
    t_census, cpu_census = time.perf_counter() - t0, time.process_time() - c0
    print(f"\nrnnlab.census: {t_census:.2f} s ({cpu_census:.2f} s CPU)")
    print(c.table())

    starts = c.starts
    rng = np.random.default_rng(args.seed)
    if n_base is not None and n_base < len(starts):
        chosen = np.sort(rng.choice(len(starts), size=n_base, replace=False))
    else:
        chosen = np.arange(len(starts))
    system = esn.closed_loop()
    tol = c.points.tol_fixed
    with threadpool_limits(limits=1, user_api="blas"):
        c0, t0 = time.process_time(), time.perf_counter()
        X, q = scipy_roots(system, starts[chosen], tol, args.max_nfev)
        t_run, cpu_run = time.perf_counter() - t0, time.process_time() - c0
    scale = len(starts) / len(chosen)
    t_base, cpu_base = t_run * scale, cpu_run * scale
    roots = distinct(X, q, tol)
    P = c.points.x
    shared = sum(np.min(np.max(np.abs(P - r), axis=1)) < 1e-5 for r in roots) if len(P) else 0
    # what the census says the same starts reach, for a like-for-like count
    census_from_chosen = len(set(c.start_point[chosen].tolist()) - {-1})
    print(
        f"\nscipy least_squares(method='lm'), one start at a time, {len(chosen)} of "
        f"{len(starts)} starts: {t_run:.1f} s ({cpu_run:.1f} s CPU)"
        + (f", {t_base:.0f} s extrapolated to all starts" if scale > 1 else "")
    )
    print(
        f"  {int(np.sum(q < tol))} starts converged (q < {tol:g}), {len(roots)} distinct points, "
        f"{shared} of them census points; the census reached {census_from_chosen} distinct "
        f"points from these starts and {c.points.n_points} in all"
    )
    speedup, speedup_cpu = t_base / t_census, cpu_base / cpu_census
    print(f"speedup (scipy time / census time): {speedup:.1f}x wall, {speedup_cpu:.1f}x CPU")
    print(
        json.dumps(
            {
                "benchmark": "census",
                "speedup": round(speedup, 2),
                "speedup_cpu": round(speedup_cpu, 2),
                "seconds": round(t_census, 2),
                "cpu_seconds": round(cpu_census, 2),
                "n_found": c.points.n_points,
                "counts": c.counts(),
                "complete": c.complete,
                "n_starts": len(starts),
                "n_minimised": int(c.start_minimised.sum()),
                "baseline": "scipy.optimize.least_squares(method='lm'), analytic J",
                "baseline_starts": len(chosen),
                "baseline_seconds": round(t_base, 1),
                "baseline_extrapolated": bool(scale > 1),
                "baseline_n_found": len(roots),
                "baseline_in_census": int(shared),
                "N": args.N,
                "seed": args.seed,
                "train_seconds": round(t_train, 1),
                "accuracy": round(scores["accuracy"], 4),
                "settled_accuracy": round(scores["settled_accuracy"], 4),
            }
        )
    )


if __name__ == "__main__":
    main()
