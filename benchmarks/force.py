"""Benchmark: rnnlab's FORCE training against a straightforward numpy loop.

Jang's protocol: N = 1000, g = 1.5, the default 3-bit flip-flop (FlipFlopTask(3)),
30 000 steps, an RLS update every 2 steps, alpha = 1, seed 0. rnnlab's ``train_force`` is
timed on the full 30 000 steps (it pins BLAS to one thread). The baseline is the textbook
loop with the same equations and a full P, ``P -= c * np.outer(k, k)``, timed twice: on one
BLAS thread, like rnnlab (this one gives ``speedup``: no part of the ratio is thread
contention), and on the default BLAS threads (printed as a second line,
``speedup_vs_default_threads``). Baselines are timed on fewer steps (``--baseline-steps``,
3 000 by default) and their rates extrapolated, which the output says. Both are first run on a short common sequence (``--check-steps``) and their readouts
compared, to show they compute the same thing. The two timings are repeated, interleaved,
``--repeats`` times (3 by default): on a shared 2-core machine single timings of the baseline
vary by about 25 %, so the speedup reported is the median of the per-repeat ratios, with their
range. The last line is JSON.

    python benchmarks/force.py            # 0.5-3 minutes on a 2-core machine (baseline: most of it)
    python benchmarks/force.py --quick    # N = 300, 5 000 steps, a few seconds
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from threadpoolctl import threadpool_limits

import rnnlab


def reference_force(esn: rnnlab.ESN, inputs, targets, *, alpha=1.0, update_every=2):
    """FORCE as usually written: full P, outer products, default BLAS threads."""
    N = esn.N
    P = np.eye(N) / alpha
    W_o = np.zeros((esn.n_out, N))
    x = esn.x0.copy()
    a, f = esn.dt_over_tau, esn.phi.f
    for t in range(len(inputs)):
        r = f(x)
        z = W_o @ r
        if t % update_every == 0:
            k = P @ r
            c = 1.0 / (1.0 + r @ k)
            P -= c * np.outer(k, k)
            e = z - targets[t]
            W_o -= c * np.outer(e, k)
        x = x + a * (-x + esn.W_r @ r + esn.W_fb @ z + esn.B @ inputs[t])
    return W_o


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--N", type=int, default=1000)
    parser.add_argument("--g", type=float, default=1.5)
    parser.add_argument("--steps", type=int, default=30000, help="rnnlab training steps")
    parser.add_argument("--baseline-steps", type=int, default=3000, help="timed baseline steps")
    parser.add_argument("--check-steps", type=int, default=500, help="common run for the check")
    parser.add_argument("--update-every", type=int, default=2)
    parser.add_argument("--alpha", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="interleaved timing repeats")
    parser.add_argument("--quick", action="store_true", help="N = 300, 5 000 steps, 1 repeat")
    args = parser.parse_args()
    if args.quick:
        args.N, args.steps, args.baseline_steps, args.repeats = 300, 5000, 1000, 1
    args.baseline_steps = min(args.baseline_steps, args.steps)
    args.check_steps = min(args.check_steps, args.steps)

    def network() -> rnnlab.ESN:
        return rnnlab.ESN(args.N, 3, 3, g=args.g, seed=args.seed)

    u, y = rnnlab.FlipFlopTask(3).generate(args.steps, seed=args.seed)
    rls = {"alpha": args.alpha, "update_every": args.update_every}

    # 1. Same thing? Both on the first check_steps steps, from the same network.
    short = network()
    rnnlab.train_force(short, u[: args.check_steps], y[: args.check_steps], **rls)
    W_ref = reference_force(network(), u[: args.check_steps], y[: args.check_steps], **rls)
    diff = float(np.max(np.abs(short.W_o - W_ref)))
    scale = float(np.max(np.abs(W_ref)))
    print(
        f"check: {args.check_steps} common steps, max |W_o(rnnlab) - W_o(numpy)| = {diff:.2e} "
        f"(max |W_o| = {scale:.2e})"
    )

    # 2. The baseline on baseline_steps steps (extrapolated), then rnnlab's full training;
    # repeated, interleaved, so both see the same machine.
    base_rates, default_rates, rates, times = [], [], [], []
    for rep in range(args.repeats):
        with threadpool_limits(1):
            t0 = time.perf_counter()
            reference_force(network(), u[: args.baseline_steps], y[: args.baseline_steps], **rls)
            base_rates.append(args.baseline_steps / (time.perf_counter() - t0))
        t0 = time.perf_counter()
        reference_force(network(), u[: args.baseline_steps], y[: args.baseline_steps], **rls)
        default_rates.append(args.baseline_steps / (time.perf_counter() - t0))
        esn = network()
        t0 = time.perf_counter()
        hist = rnnlab.train_force(esn, u, y, **rls)
        times.append(time.perf_counter() - t0)
        rates.append(args.steps / times[-1])
        print(
            f"repeat {rep + 1}: numpy loop {base_rates[-1]:.0f} steps/s on one BLAS thread, "
            f"{default_rates[-1]:.0f} steps/s on default threads (on {args.baseline_steps} "
            f"steps); rnnlab.train_force {args.steps} steps in {times[-1]:.2f} s = "
            f"{rates[-1]:.0f} steps/s: {rates[-1] / base_rates[-1]:.1f}x "
            f"({rates[-1] / default_rates[-1]:.1f}x vs default threads)"
        )
    ratios = np.array(rates) / np.array(base_rates)
    default_ratios = np.array(rates) / np.array(default_rates)
    speedup = float(np.median(ratios))
    speedup_default = float(np.median(default_ratios))
    seconds = float(np.median(times))
    rate, base_rate = float(np.median(rates)), float(np.median(base_rates))
    default_rate = float(np.median(default_rates))
    if args.baseline_steps < args.steps:
        print(
            f"numpy loop timed on {args.baseline_steps} steps; {args.steps} would take "
            f"~{args.steps / base_rate:.0f} s on one thread, ~{args.steps / default_rate:.0f} s "
            "on default threads (extrapolated)"
        )
    late = hist.error[-min(5000, args.steps) :]
    print(f"  training mse over the last {len(late)} steps: {late.mean():.3g}")

    print(
        f"baseline 1, numpy loop on one BLAS thread (used for speedup): {speedup:.1f}x, median of "
        f"{args.repeats} (range {ratios.min():.1f}-{ratios.max():.1f}x; goal >= 10x)"
    )
    print(
        f"baseline 2, numpy loop on default BLAS threads: {speedup_default:.1f}x "
        f"(range {default_ratios.min():.1f}-{default_ratios.max():.1f}x)"
    )
    print(f"rnnlab {seconds:.1f} s for {args.steps} steps (goal < 20 s)")
    print(
        json.dumps(
            {
                "benchmark": "force",
                "speedup": round(speedup, 2),
                "speedup_range": [round(float(ratios.min()), 2), round(float(ratios.max()), 2)],
                "repeats": args.repeats,
                "seconds": round(seconds, 2),
                "steps_per_second": round(rate, 1),
                "baseline_steps_per_second": round(base_rate, 1),
                "speedup_vs_default_threads": round(speedup_default, 2),
                "default_threads_baseline_steps_per_second": round(default_rate, 1),
                "baseline_steps_timed": args.baseline_steps,
                "baseline_extrapolated": args.baseline_steps < args.steps,
                "max_readout_difference": diff,
                "check_steps": args.check_steps,
                "N": args.N,
                "g": args.g,
                "steps": args.steps,
                "update_every": args.update_every,
                "alpha": args.alpha,
                "seed": args.seed,
                "baseline": "numpy loop, full P, P -= c*np.outer(k, k), one BLAS thread",
                "second_baseline": "the same loop on the default BLAS threads",
            }
        )
    )


if __name__ == "__main__":
    main()
