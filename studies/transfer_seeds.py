"""Chapter 05's seeds: transfer versus training from scratch, three seeds each.

    python studies/transfer_seeds.py > runs.jsonl    # ~2 minutes on one core

The source is the shipped 3-bit network ``flipflop3_g06`` (g 0.6). Each transferred network
gets one new bit (:func:`rnnlab.models.transfer.transfer`, seeds 1, 2, 3 for the new columns of
W_fb and B) and continues FORCE on chapter 05's 4-bit task (60 000 steps, pulse rate 0.02,
every channel pulsed at t = 0, alpha 1, an RLS update every second step). Each network is
tested with frozen weights on chapter 05's test sequence (rate 0.02, seed 1000). The networks
trained from scratch with the same task (reservoir seeds 0, 1, 2) are chapter 04's recipe in
``studies/four_bit_recipes.md``. One JSON line per network; the results are in
``studies/transfer_seeds.md``.
"""

from __future__ import annotations

import json
import time

from threadpoolctl import threadpool_limits

import rnnlab
from rnnlab.models.transfer import continue_force, transfer

SEEDS = (1, 2, 3)


def run(seed: int, source, u, y, u_test, y_test) -> dict:
    t0 = time.time()
    net = transfer(source, new_bits=1, seed=seed)
    continue_force(net, u, y, alpha=1.0, update_every=2)
    s = rnnlab.evaluate(net, u_test, y_test)
    return {
        "seed": seed,
        "acc": round(s["accuracy"], 3),
        "settled": round(s["settled_accuracy"], 3),
        "s": round(time.time() - t0),
    }


def main() -> None:
    task = rnnlab.FlipFlopTask(4, pulse_rate=0.02, pulse_at_start=True)
    u, y = task.generate(60_000, seed=0)
    u_test, y_test = task.generate(5000, seed=1000)
    source = rnnlab.load_network("flipflop3_g06")
    with threadpool_limits(1):
        for seed in SEEDS:
            print(json.dumps(run(seed, source, u, y, u_test, y_test)), flush=True)


if __name__ == "__main__":
    main()
