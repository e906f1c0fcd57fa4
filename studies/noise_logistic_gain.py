"""Does the logistic network need a larger gain? Chapter 06's logistic networks at g = 0.6 and 2.4.

    python studies/noise_logistic_gain.py          # about a minute on one core

The logistic rate phi(x) = 1/(1 + e^-x) has slope at most 1/4, so with the tanh networks'
gain g = 0.6 its reservoir is four times quieter near the origin. This script trains logistic
networks with the "matched" gain g = 2.4 (gain times slope as for tanh) and with g = 0.6, with
the shorter training of chapter 03's first recipe (N = 500, alpha 1, 11-step pulses at rate
0.01, every channel pulsed at t = 0, 30 000 steps, an RLS update every second step, training
sequence seed 0): at 4 bits with reservoir seeds 0 and 1, at 3 bits with seed 0. Each network
is tested with frozen weights on 5 000 steps of its task (seed 1000). It prints one markdown
table row per network; the table is in ``studies/noise_logistic_gain.md``.
"""

from __future__ import annotations

import time

from threadpoolctl import threadpool_limits

import rnnlab

GAINS = (0.6, 2.4)
CASES = ((4, 0), (4, 1), (3, 0))  # (bits, reservoir seed)


def run(bits: int, seed: int, g: float) -> dict:
    """Train one logistic network and test it; returns its row of the table."""
    t0 = time.time()
    task = rnnlab.FlipFlopTask(bits, pulse_rate=0.01, pulse_at_start=True)
    u, y = task.generate(30_000, seed=0)
    esn = rnnlab.ESN(500, bits, bits, g=g, phi="logistic", seed=seed)
    rnnlab.train_force(esn, u, y, alpha=1.0, update_every=2)
    u_test, y_test = task.generate(5000, seed=1000)
    s = rnnlab.evaluate(esn, u_test, y_test)
    return dict(
        bits=bits,
        seed=seed,
        g=g,
        accuracy=s["accuracy"],
        settled=s["settled_accuracy"],
        seconds=time.time() - t0,
    )


def main() -> None:
    print("| bits | seed | g | accuracy | settled | train s |")
    print("|---|---|---|---|---|---|")
    with threadpool_limits(1):
        for bits, seed in CASES:
            for g in GAINS:
                r = run(bits, seed, g)
                print(
                    f"| {r['bits']} | {r['seed']} | {r['g']} | {r['accuracy']:.3f} "
                    f"| {r['settled']:.3f} | {r['seconds']:.0f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
