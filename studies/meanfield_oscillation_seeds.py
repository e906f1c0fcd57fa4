"""Chapter 07's oscillatory instability, three targets: the theory's crossing and network seeds.

    python studies/meanfield_oscillation_seeds.py       # everything (about a minute)

Chapter 07 trains a tanh reservoir on the targets {0.5, 1, 1.5} (the paper's Fig. 1D) and
looks at the output poles at A = 0.5. The mean-field theory puts a complex pair there that
crosses into the right half-plane as the gain g grows; the chapter shows the instability at
g = 1.3 on one network. This study records (1) the gain at which the theory's pair crosses
Re = 0, by bisection, and (2) the pair of single networks (`TrainedReservoir.output_poles(0,
k=2)`, the two closed-loop eigenvalues the output sees most) for several seeds, at the
paper's g = 1 with N = 1500 and at the chapter's g = 1.3 with N = 1000.

The last line printed is JSON. The md record is ``studies/meanfield_oscillation_seeds.md``.
"""

from __future__ import annotations

import json

import numpy as np
from threadpoolctl import threadpool_limits

from rnnlab.theory.meanfield_targets import mean_field_targets
from rnnlab.theory.open_loop import random_reservoir, train_open_loop

TARGETS = (0.5, 1.0, 1.5)
#: (N, g, seeds) of the networks.
NETWORKS = ((1500, 1.0, (0, 1)), (1000, 1.3, (0, 1, 2, 3)))


def theory_real_part(g: float) -> float:
    """Real part of the mean-field output pole of largest real part at A = 0.5."""
    return float(np.max(mean_field_targets("tanh", g, TARGETS).output_poles(0).real))


def crossing(lo: float = 1.0, hi: float = 1.1, tol: float = 1e-3) -> float:
    """The gain in [lo, hi] at which the theory's pair crosses Re = 0 (bisection to tol)."""
    if not (theory_real_part(lo) < 0 < theory_real_part(hi)):
        raise ValueError(f"the pair does not cross Re = 0 between g = {lo} and g = {hi}")
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if theory_real_part(mid) < 0 else (lo, mid)
    return 0.5 * (lo + hi)


def network_pair(N: int, g: float, seed: int) -> tuple[float, float]:
    """(Re, |Im|) of the largest-residue output pole of one network at A = 0.5."""
    W, w_fb = random_reservoir(N, g, seed=seed)
    net = train_open_loop(W, w_fb, list(TARGETS))
    poles, _ = net.output_poles(0, k=2)
    p = poles[0]
    return round(float(p.real), 3), round(abs(float(p.imag)), 3)


def main() -> dict:
    with threadpool_limits(1):
        g_cross = round(crossing(), 2)
        print(f"mean-field crossing at g = {g_cross:.2f}", flush=True)
        rows = []
        for N, g, seeds in NETWORKS:
            for seed in seeds:
                re, im = network_pair(N, g, seed)
                rows.append({"N": N, "g": g, "seed": seed, "re": re, "im": im})
                print(f"| {N} | {g} | {seed} | {re:+.3f} | {im:.3f} |", flush=True)
    out = {"crossing": g_cross, "networks": rows}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
