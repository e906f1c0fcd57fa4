"""Jang's Table 1 protocol against chapter 03's, over seeds and gains: the gain decides.

    python studies/flipflop_protocols.py                 # every setting, seeds 0-4 (~4 min)
    python studies/flipflop_protocols.py --settings chapter-g0.8 --seeds 0 1

Chapter 03 trains one network with Jang's Table 1 (N = 1000, g = 1.5) and one with its own
recipe (N = 500, g = 0.5) and compares them. This study repeats the comparison on more seeds
and gains. For each setting and seed (the seed draws the reservoir and the training
sequence) it reports the number of unstable dimensions of the origin before training
(:math:`W_o = 0`) and after, the frozen-weight sign and settled accuracy on a fresh sequence
of the setting's own task (seed 1000 + seed), and, for :math:`g \\le 1`, the census counts
(how many stable points, i.e. memories). For :math:`g > 1` no census is taken: the origin
alone has far more unstable dimensions than the cube's centre may have.

Settings:

- ``jang-N1000``, ``jang-N500``: Jang's Table 1 (g = 1.5, alpha = 1, pulses at rate 0.02,
  11 steps long, none at t = 0, so a target is 0 until its channel's first pulse);
- ``chapter-gG``: chapter 03's recipe (N = 500, alpha = 50, 7-step training pulses at rate
  0.01, every channel pulsed at t = 0; test with 11-step pulses at rate 0.02) with gain G;
  ``chapter-g1.5`` changes only the gain of the chapter's recipe to Jang's.

The last line printed is JSON. The md record is ``studies/flipflop_protocols.md``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from threadpoolctl import threadpool_limits

import rnnlab
from rnnlab.flipflop.census import census

JANG = {"alpha": 1.0, "train_rate": 0.02, "train_length": 11, "at_start": False}
CHAPTER = {"alpha": 50.0, "train_rate": 0.01, "train_length": 7, "at_start": True}

SETTINGS = {
    "jang-N1000": {"N": 1000, "g": 1.5, **JANG},
    "jang-N500": {"N": 500, "g": 1.5, **JANG},
    "chapter-g1.5": {"N": 500, "g": 1.5, **CHAPTER},
    "chapter-g1.0": {"N": 500, "g": 1.0, **CHAPTER},
    "chapter-g0.8": {"N": 500, "g": 0.8, **CHAPTER},
    "chapter-g0.5": {"N": 500, "g": 0.5, **CHAPTER},
}


def origin_unstable(esn: rnnlab.ESN, W_o=None) -> int:
    """Eigenvalues of the closed loop's Jacobian at the origin with Re > 0."""
    lam = esn.closed_loop(W_o=W_o).eigenvalues(np.zeros(esn.N))
    return int(rnnlab.n_unstable(lam))


def run(name: str, seed: int) -> dict:
    """Train one network of setting ``name`` with ``seed`` and measure it."""
    if name not in SETTINGS:
        raise ValueError(f"name must be one of {sorted(SETTINGS)}, got {name!r}")
    s = SETTINGS[name]
    esn = rnnlab.ESN(s["N"], g=s["g"], seed=seed)
    before = origin_unstable(esn, np.zeros((3, esn.N)))
    train = rnnlab.FlipFlopTask(
        3,
        pulse_rate=s["train_rate"],
        pulse_length=s["train_length"],
        pulse_at_start=s["at_start"],
    )
    t0 = time.perf_counter()
    rnnlab.train_force(esn, *train.generate(30_000, seed=seed), alpha=s["alpha"])
    t_train = time.perf_counter() - t0
    test = rnnlab.FlipFlopTask(3, pulse_rate=0.02, pulse_at_start=s["at_start"])
    u, y = test.generate(5000, seed=1000 + seed)
    scores = rnnlab.evaluate(esn, u, y)
    out = {
        "setting": name,
        "seed": seed,
        "origin_before": before,
        "origin_after": origin_unstable(esn),
        "accuracy": round(scores["accuracy"], 4),
        "settled_accuracy": round(scores["settled_accuracy"], 4),
        "counts": None,
        "train_s": round(t_train, 1),
    }
    if s["g"] <= 1.0:
        states, _ = esn.run(u)
        c = census(esn, states, seed=0)
        out["counts"] = [c.counts().get(k, 0) for k in range(4)] + [
            sum(v for k, v in c.counts().items() if k >= 4)
        ]
    return out


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS))
    parser.add_argument("--seeds", nargs="+", type=int, default=list(range(5)))
    args = parser.parse_args(argv)
    results = []
    with threadpool_limits(1):
        for name in args.settings:
            for seed in args.seeds:
                r = run(name, seed)
                results.append(r)
                counts = "-" if r["counts"] is None else "/".join(map(str, r["counts"]))
                print(
                    f"| {name} | {seed} | {r['origin_before']} | {r['origin_after']} "
                    f"| {r['accuracy']:.3f} | {r['settled_accuracy']:.3f} | {counts} "
                    f"| {r['train_s']} |",
                    flush=True,
                )
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
