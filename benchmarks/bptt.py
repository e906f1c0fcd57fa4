"""Benchmark: rnnlab's truncated BPTT for the discrete tanh RNN (chapter 08).

N = 100 hidden units, 3 inputs and outputs, windows of ``unroll`` = 10 steps from the
delayed 3-bit flip-flop (delay 8), batches of 16 and 32. Timed: one full training
iteration (forward, backward, Adam step) of :class:`rnnlab.models.bptt.TanhRNN` under
:func:`rnnlab.models.training_loop.train`, against two numpy baselines in the same run, timed on
the gradient alone (so they do less work than rnnlab's full iteration):

1. ``vectorised_grad``: what a user would write, vectorised over the batch (one matrix
   product per time step forward and backward). This one gives ``speedup``.
2. ``textbook_grad``: loops over the sequences of the batch and sums outer products, one
   time step at a time (printed as a second line, ``speedup_vs_loop``).

All gradients are compared with each other, and rnnlab's with central finite differences
on randomly chosen entries of W and W_out (``grad_rel_error``: |g - g_FD| / |g_FD| over
those entries, the worse of the two matrices). Rates are wall-clock; ``cpu_iters_per_second``
divides by the process's CPU time instead, which is what a loaded shared machine distorts
least. PyTorch autograd is timed too when
it happens to be installed (it is not a dependency). The last line is JSON.

    python benchmarks/bptt.py            # ~20-60 s on a loaded 2-core machine
    python benchmarks/bptt.py --quick    # a few seconds
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from rnnlab._internal.blas import blas_limited
from rnnlab.models.bptt import TanhRNN, flipflop_windows
from rnnlab.models.training_loop import train
from rnnlab.tasks.flipflop import FlipFlopTask


def textbook_grad(model: TanhRNN, X, Yt, S0):
    """The same gradient, written the way it is usually first written: per sequence, per step."""
    W, W_out, W_in, c = model.W, model.W_out, model.W_in, model.target_scale
    B, T, _ = X.shape
    dW, dW_out = np.zeros_like(W), np.zeros_like(W_out)
    for b in range(B):
        S = [S0[b]]
        for t in range(T):
            S.append(np.tanh(W @ S[-1] + W_in @ X[b, t]))
        da_next = np.zeros(model.N)
        for t in range(T, 0, -1):
            y = np.tanh(W_out @ S[t])
            dz = 2 * (y - c * Yt[b, t - 1]) / (B * T * model.n_out) * (1 - y**2)
            dW_out += np.outer(dz, S[t])
            da = (W_out.T @ dz + W.T @ da_next) * (1 - S[t] ** 2)
            dW += np.outer(da, S[t - 1])
            da_next = da
    return {"W": dW, "W_out": dW_out}


def vectorised_grad(model: TanhRNN, X, Yt, S0):
    """The same gradient, vectorised over the batch: one matrix product per step."""
    W, W_out, W_in, c = model.W, model.W_out, model.W_in, model.target_scale
    B, T, _ = X.shape
    drive = X @ W_in.T  # (B, T, N)
    S = np.empty((B, T + 1, model.N))
    S[:, 0] = S0
    for t in range(T):
        S[:, t + 1] = np.tanh(S[:, t] @ W.T + drive[:, t])
    Y = np.tanh(S[:, 1:] @ W_out.T)  # (B, T, n_out)
    dZ = 2 * (Y - c * Yt) / (B * T * model.n_out) * (1 - Y**2)
    dW_out = np.einsum("bto,btn->on", dZ, S[:, 1:])
    dW = np.zeros_like(W)
    da_next = np.zeros((B, model.N))
    for t in range(T, 0, -1):
        da = (dZ[:, t - 1] @ W_out + da_next @ W) * (1 - S[:, t] ** 2)
        dW += da.T @ S[:, t - 1]
        da_next = da
    return {"W": dW, "W_out": dW_out}


def fd_error(model: TanhRNN, batch, S0, n_entries: int, rng, h: float = 1e-6) -> float:
    """max over W, W_out of |g - g_FD| / |g_FD| (2-norms over ``n_entries`` random entries)."""
    _, grads, _ = model.loss_and_grad(batch, S0)
    worst = 0.0
    for name in ("W", "W_out"):
        P = model.params[name]
        analytic, fd = [], []
        for _ in range(n_entries):
            idx = tuple(int(rng.integers(0, n)) for n in P.shape)
            old = P[idx]
            P[idx] = old + h
            lp = model.loss_and_grad(batch, S0)[0]
            P[idx] = old - h
            lm = model.loss_and_grad(batch, S0)[0]
            P[idx] = old
            analytic.append(grads[name][idx])
            fd.append((lp - lm) / (2 * h))
        a, f = np.array(analytic), np.array(fd)
        worst = max(worst, float(np.linalg.norm(a - f) / np.linalg.norm(f)))
    return worst


def torch_rate(model: TanhRNN, batches, n_iter: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    W = torch.tensor(model.W.copy(), requires_grad=True)
    W_out = torch.tensor(model.W_out.copy(), requires_grad=True)
    W_in = torch.tensor(model.W_in)
    opt = torch.optim.Adam([W, W_out], lr=3e-4)
    state = torch.zeros(batches[0][0].shape[0], model.N, dtype=torch.float64)
    start = time.perf_counter()
    for k in range(n_iter):
        X, Yt = (torch.tensor(a) for a in batches[k % len(batches)])
        s, outs = state, []
        for t in range(X.shape[1]):
            s = torch.tanh(s @ W.T + X[:, t] @ W_in.T)
            outs.append(torch.tanh(s @ W_out.T))
        loss = ((torch.stack(outs, 1) - model.target_scale * Yt) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        state = s.detach()
    return n_iter / (time.perf_counter() - start)


@blas_limited
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--N", type=int, default=100)
    parser.add_argument("--unroll", type=int, default=10)
    parser.add_argument("--iters", type=int, default=3000, help="timed rnnlab iterations")
    parser.add_argument("--baseline-iters", type=int, default=100)
    parser.add_argument("--fd-entries", type=int, default=20, help="FD-checked entries per matrix")
    parser.add_argument("--quick", action="store_true", help="fewer iterations")
    args = parser.parse_args()
    if args.quick:
        args.iters, args.baseline_iters, args.fd_entries = 300, 20, 5
    task = FlipFlopTask(3, pulse_rate=0.02, pulse_length=1, delay=8, pulse_at_start=True)
    rng = np.random.default_rng(0)
    results = {}
    for B in (16, 32):
        gen = flipflop_windows(task, batch_size=B, unroll=args.unroll, seed=0)
        batches = [next(gen) for _ in range(50)]
        model = TanhRNN(args.N, seed=0)
        S0 = rng.uniform(-0.5, 0.5, size=(B, args.N))
        _, g, _ = model.loss_and_grad(batches[10], S0)
        g_ref = textbook_grad(model, *batches[10], S0)
        g_vec = vectorised_grad(model, *batches[10], S0)
        agree = max(
            max(float(np.max(np.abs(g[k] - g_ref[k]))), float(np.max(np.abs(g[k] - g_vec[k]))))
            for k in g
        )
        err = fd_error(model, batches[10], S0, args.fd_entries, rng)

        cycle = (batches[k % len(batches)] for k in range(args.iters))
        start, cpu = time.perf_counter(), time.process_time()
        train(model, cycle, n_steps=args.iters, lr=3e-4, progress=False)
        rate = args.iters / (time.perf_counter() - start)
        cpu_rate = args.iters / (time.process_time() - cpu)

        start = time.perf_counter()
        for k in range(args.baseline_iters):
            textbook_grad(model, *batches[k % len(batches)], S0)
        loop = args.baseline_iters / (time.perf_counter() - start)
        start = time.perf_counter()
        for k in range(args.iters):
            vectorised_grad(model, *batches[k % len(batches)], S0)
        base = args.iters / (time.perf_counter() - start)
        t_rate = torch_rate(model, batches, max(args.iters // 5, 20))
        print(
            f"batch {B}: rnnlab {rate:.0f} it/s ({cpu_rate:.0f} per CPU second); "
            f"baseline 1, vectorised numpy {base:.0f} it/s (gradient only; x{rate / base:.1f}, "
            f"used for speedup); baseline 2, loop over sequences {loop:.1f} it/s "
            f"(x{rate / loop:.1f}); "
            + (f"torch {t_rate:.0f} it/s, " if t_rate else "torch not installed, ")
            + f"max |g - g_baselines| = {agree:.1e}, FD rel. error {err:.1e}"
        )
        results[B] = {
            "cpu_rate": cpu_rate,
            "rate": rate,
            "base": base,
            "loop": loop,
            "torch": t_rate,
            "err": err,
            "agree": agree,
        }
    out = {
        "benchmark": "bptt",
        "N": args.N,
        "unroll": args.unroll,
        "iters_per_second": round(results[16]["rate"], 1),
        "iters_per_second_batch32": round(results[32]["rate"], 1),
        "cpu_iters_per_second": round(results[16]["cpu_rate"], 1),
        "cpu_iters_per_second_batch32": round(results[32]["cpu_rate"], 1),
        "baseline_iters_per_second": round(results[16]["base"], 2),
        "speedup": round(results[16]["rate"] / results[16]["base"], 2),
        "baseline": "numpy vectorised over the batch, gradient only",
        "loop_baseline_iters_per_second": round(results[16]["loop"], 2),
        "speedup_vs_loop": round(results[16]["rate"] / results[16]["loop"], 1),
        "torch_iters_per_second": None
        if results[16]["torch"] is None
        else round(results[16]["torch"], 1),
        "grad_rel_error": float(f"{max(r['err'] for r in results.values()):.2e}"),
        "max_abs_diff_baselines": float(f"{max(r['agree'] for r in results.values()):.2e}"),
        "quick": args.quick,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
