"""Do chapter 03's 3-bit recipes train four bits? Seeds 0-2, census of each (chapter 04's box).

    python studies/four_bit_recipes.py > runs.jsonl    # ~15 minutes on one core

Three recipes on the 4-bit flip-flop (N = 500, every channel pulsed at t = 0, an RLS update
every second step): chapter 03's final recipe (g 0.5, alpha 50, 7-step training pulses) with
its own 30 000 steps at pulse rate 0.01, the same with chapter 04's 60 000 steps at rate 0.02,
and chapter 04's recipe (g 0.6, alpha 1, 11-step pulses, 60 000 steps at 0.02). Each network
is tested with frozen weights on chapter 04's test sequence (rate 0.02, 11-step pulses, seed
1000) and its census taken from the states of that test run (``census(esn, X, n_samples=30,
seed=0)``). One JSON line per network; the results are in ``studies/four_bit_recipes.md``.
"""

from __future__ import annotations

import json
import time

from threadpoolctl import threadpool_limits

import rnnlab
from rnnlab.flipflop.census import census

RECIPES = {
    "g0.5-a50-len7-30k-r0.01": dict(g=0.5, alpha=50.0, n_steps=30_000, rate=0.01, length=7),
    "g0.5-a50-len7-60k-r0.02": dict(g=0.5, alpha=50.0, n_steps=60_000, rate=0.02, length=7),
    "g0.6-a1-60k-r0.02 (ch04)": dict(g=0.6, alpha=1.0, n_steps=60_000, rate=0.02, length=11),
}


def run(name: str, seed: int, u_test, y_test) -> dict:
    r = RECIPES[name]
    t0 = time.time()
    esn = rnnlab.ESN(500, 4, 4, g=r["g"], seed=seed)
    task = rnnlab.FlipFlopTask(
        4, pulse_rate=r["rate"], pulse_length=r["length"], pulse_at_start=True
    )
    u, y = task.generate(r["n_steps"], seed=seed)
    rnnlab.train_force(esn, u, y, alpha=r["alpha"], update_every=2)
    s = rnnlab.evaluate(esn, u_test, y_test)
    X, _ = esn.run(u_test)
    c = census(esn, X, n_samples=30, seed=0)
    return {
        "recipe": name,
        "seed": seed,
        "acc": round(s["accuracy"], 3),
        "settled": round(s["settled_accuracy"], 3),
        "counts": {str(k): v for k, v in c.counts().items()},
        "memories": len(c.stable_patterns),
        "complete": bool(c.complete),
        "s": round(time.time() - t0),
    }


def main() -> None:
    test = rnnlab.FlipFlopTask(4, pulse_rate=0.02, pulse_at_start=True)
    u_test, y_test = test.generate(5000, seed=1000)
    with threadpool_limits(1):
        for name in RECIPES:
            for seed in (0, 1, 2):
                print(json.dumps(run(name, seed, u_test, y_test)), flush=True)


if __name__ == "__main__":
    main()
