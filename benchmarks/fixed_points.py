"""Benchmark: rnnlab's batched fixed-point finder against Jang's per-point scipy minimisation.

A random tanh network, N = 1000, g = 1.5 (chaotic), starts sampled from its trajectories
with a little noise. Both methods get the same starts and the same q tolerance; the
baseline is ``scipy.optimize.minimize`` one start at a time with the analytic gradient
J^T F (method CG, as in Jang's paper; ``--baseline`` picks another). Prints what each
found, the median final q, the times and their ratio; the last line is JSON.

    python benchmarks/fixed_points.py            # ~10 minutes on a 2-core machine
    python benchmarks/fixed_points.py --quick    # N = 300, 6 starts, ~1 minute
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import rnnlab


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

    t0 = time.perf_counter()
    base = rnnlab.minimize_q(net, starts, method=args.baseline, max_iter=args.maxiter, **common)
    t_base = time.perf_counter() - t0

    rows = []
    for name, res, t in (("rnnlab", ours, t_ours), (f"scipy {args.baseline}", base, t_base)):
        found = res.start_status != "not converged"
        rows.append(
            {
                "method": name,
                "seconds": round(t, 2),
                "fixed_points": res.n_fixed,
                "slow_points": res.n_slow,
                "starts_converged": int(found.sum()),
                "median_final_q": float(np.median(res.q_final)),
                "median_q_converged": float(np.median(res.q_final[found])) if found.any() else None,
                "median_iterations": float(np.median(res.n_iter)),
            }
        )
        print(f"{name:>12}: {t:8.2f} s  {res.summary()}")
        print(
            f"{'':>12}  median final q {np.median(res.q_final):.2e}, iterations {res.n_iter.tolist()}"
        )
    speedup = t_base / t_ours
    print(f"speedup (baseline time / rnnlab time): {speedup:.1f}x  (goal >= 10x)")
    print(
        json.dumps(
            {
                "benchmark": "fixed_points",
                "speedup": round(speedup, 2),
                "N": args.N,
                "g": args.g,
                "starts": args.starts,
                "tol_fixed": args.tol,
                "baseline": f"scipy.optimize.minimize {args.baseline} per start, analytic gradient",
                "results": rows,
            }
        )
    )


if __name__ == "__main__":
    main()
