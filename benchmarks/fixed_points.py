"""Benchmark: rnnlab's batched fixed-point finder against what a user would write with scipy.

A random tanh network, N = 1000, g = 1.5 (chaotic), starts sampled from its trajectories
with a little noise. Every method gets the same starts and the same q tolerance. Baselines,
written here as a user would, one start at a time:

1. ``scipy.optimize.minimize`` (method CG, as in Jang's paper; ``--baseline`` picks another)
   on q = |F|^2 / 2 with the matrix-free gradient grad q = J^T F = -F + phi'(x) * (W^T F):
   no N x N Jacobian is built. This one gives ``speedup``.
2. ``scipy.optimize.least_squares`` (Levenberg-Marquardt, MINPACK) on F with the analytic
   Jacobian J = -I + W diag(phi'(x)), stopped at the same q tolerance where it can be.

Prints what each found, the median final q, the times and their ratios; the last line is JSON.

    python benchmarks/fixed_points.py            # ~10 minutes on a 2-core machine
    python benchmarks/fixed_points.py --quick    # N = 300, 6 starts, ~1 minute
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import scipy.optimize

import rnnlab


def _dedup(X: np.ndarray, tol: float = 1e-5) -> int:
    """Number of distinct points (max-abs distance above ``tol``)."""
    kept: list[np.ndarray] = []
    for x in X:
        if all(np.max(np.abs(x - k)) > tol for k in kept):
            kept.append(x)
    return len(kept)


def scipy_minimize_matrix_free(W, starts, method, maxiter):
    """Baseline 1: per-start ``minimize`` on q with the matrix-free gradient."""

    def fun_and_grad(x):
        r = np.tanh(x)
        F = -x + W @ r
        return 0.5 * F @ F, -F + (1.0 - r * r) * (W.T @ F)

    out = []
    for x0 in starts:
        res = scipy.optimize.minimize(
            fun_and_grad, x0, jac=True, method=method, options={"maxiter": maxiter, "gtol": 1e-14}
        )
        out.append((res.x, res.fun, res.nit))
    return out


def scipy_least_squares(W, starts, maxiter):
    """Baseline 2: per-start Levenberg-Marquardt on F with the analytic Jacobian."""
    N = W.shape[0]

    def F(x):
        return -x + W @ np.tanh(x)

    def J(x):
        Jx = W * (1.0 - np.tanh(x) ** 2)[None, :]
        Jx[np.diag_indices(N)] -= 1.0
        return Jx

    out = []
    for x0 in starts:
        # ftol: stop when the relative reduction of |F|^2 is below machine precision;
        # the result is then judged by the same q tolerance as the others.
        res = scipy.optimize.least_squares(
            F, x0, jac=J, method="lm", ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=maxiter
        )
        out.append((res.x, 0.5 * float(res.fun @ res.fun), res.nfev))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--N", type=int, default=1000)
    parser.add_argument("--g", type=float, default=1.5)
    parser.add_argument("--starts", type=int, default=8)
    parser.add_argument("--tol", type=float, default=1e-16, help="q below which a point is fixed")
    parser.add_argument("--baseline", default="CG", help="scipy.optimize.minimize method")
    parser.add_argument("--maxiter", type=int, default=20000, help="baseline iterations per start")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="N = 300, 6 starts")
    args = parser.parse_args()
    if args.quick:
        args.N, args.starts = 300, 6

    net = rnnlab.random_rnn(args.N, args.g, seed=args.seed)
    rng = np.random.default_rng(args.seed + 1)
    _, traj = rnnlab.simulate(net, rng.normal(size=(4, args.N)), 100.0, every=10)
    starts = rnnlab.sample_states(traj[:, 2:], args.starts, noise=0.01, seed=args.seed)
    common = {"tol_fixed": args.tol, "tol_slow": 1e-6}

    t0 = time.perf_counter()
    ours = rnnlab.find_fixed_points(net, starts, **common)
    t_ours = time.perf_counter() - t0

    W = net.W
    baselines = {}
    t0 = time.perf_counter()
    baselines[f"scipy {args.baseline}, matrix-free grad"] = (
        scipy_minimize_matrix_free(W, starts, args.baseline, args.maxiter),
        time.perf_counter() - t0,
    )
    t0 = time.perf_counter()
    baselines["scipy least_squares LM"] = (
        scipy_least_squares(W, starts, args.maxiter),
        time.perf_counter() - t0,
    )

    rows = []
    rows.append(
        {
            "method": "rnnlab",
            "seconds": round(t_ours, 2),
            "fixed_points": int(ours.n_fixed),
            "slow_points": int(ours.n_slow),
            "starts_below_tol": int(np.sum(ours.q_final < args.tol)),
            "median_final_q": float(np.median(ours.q_final)),
            "median_iterations": float(np.median(ours.n_iter)),
        }
    )
    print(f"{'rnnlab':>34}: {t_ours:8.2f} s  {ours.summary()}")
    for name, (res, t) in baselines.items():
        X = np.array([r[0] for r in res])
        q = np.array([r[1] for r in res])
        fixed = q < args.tol
        rows.append(
            {
                "method": name,
                "seconds": round(t, 2),
                "fixed_points": _dedup(X[fixed]),
                "starts_below_tol": int(fixed.sum()),
                "median_final_q": float(np.median(q)),
                "median_iterations": float(np.median([r[2] for r in res])),
            }
        )
        print(
            f"{name:>34}: {t:8.2f} s  {int(fixed.sum())} of {len(q)} starts reach q < {args.tol:g}, "
            f"{_dedup(X[fixed])} distinct fixed points; median final q {np.median(q):.2e}"
        )
    (_, t_base), (_, t_lm) = baselines.values()
    speedup = t_base / t_ours
    print(
        f"baseline 1 (scipy {args.baseline}, matrix-free gradient; used for speedup): "
        f"{speedup:.1f}x  (goal >= 10x)"
    )
    print(f"baseline 2 (scipy least_squares LM, per start): {t_lm / t_ours:.1f}x")
    print(
        json.dumps(
            {
                "benchmark": "fixed_points",
                "speedup": round(speedup, 2),
                "N": args.N,
                "g": args.g,
                "starts": args.starts,
                "tol_fixed": args.tol,
                "baseline": f"scipy.optimize.minimize {args.baseline} per start, matrix-free gradient",
                "speedup_vs_least_squares_lm": round(t_lm / t_ours, 2),
                "results": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
