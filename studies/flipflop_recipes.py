"""How robust is a FORCE recipe for the 3-bit flip-flop? Train several seeds, take a census of each.

    python studies/flipflop_recipes.py                  # the candidate recipes, seeds 0-4
    python studies/flipflop_recipes.py --seeds 0 1 --recipes g0.6

For each recipe and seed: frozen-weight sign accuracy and settled accuracy on a fresh
sequence, the census counts by number of unstable dimensions, and whether the census is
complete (8/12/6/1, all eight memories, every saddle connecting the corners of a face of
its own dimension). Chapter 03 quotes the result; it takes about a minute per network here,
too long to run inside the chapter. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import time

from threadpoolctl import threadpool_limits

import rnnlab
from rnnlab.census import census

RECIPES = {
    "g0.6": {"g": 0.6, "alpha": 1.0, "n_steps": 30_000},
    "g0.6-long": {"g": 0.6, "alpha": 1.0, "n_steps": 60_000},
    "g0.8-a100": {"g": 0.8, "alpha": 100.0, "n_steps": 30_000},
    "g0.8-a100-long": {"g": 0.8, "alpha": 100.0, "n_steps": 60_000},
    "g0.8-a100-rate0.02": {"g": 0.8, "alpha": 100.0, "n_steps": 30_000, "pulse_rate": 0.02},
    "g0.9-a100": {"g": 0.9, "alpha": 100.0, "n_steps": 30_000},
    "g0.8-a100-N1000": {"g": 0.8, "alpha": 100.0, "n_steps": 30_000, "N": 1000},
}


def run(name: str, seed: int) -> dict:
    r = RECIPES[name]
    task = rnnlab.FlipFlopTask(3, pulse_rate=r.get("pulse_rate", 0.01), pulse_at_start=True)
    esn = rnnlab.ESN(r.get("N", 500), n_in=3, n_out=3, g=r["g"], seed=seed)
    t0 = time.perf_counter()
    rnnlab.train_force(
        esn, *task.generate(r["n_steps"], seed=seed), alpha=r["alpha"], update_every=2
    )
    t_train = time.perf_counter() - t0
    test = rnnlab.FlipFlopTask(3, pulse_rate=0.01, pulse_at_start=True)  # the same test for all
    u, y = test.generate(5000, seed=1000 + seed)
    scores = rnnlab.evaluate(esn, u, y)
    states, _ = esn.run(u)
    c = census(esn, states, seed=0)
    return {
        "recipe": name,
        "seed": seed,
        "accuracy": round(scores["accuracy"], 4),
        "settled_accuracy": round(scores["settled_accuracy"], 4),
        "counts": [c.counts().get(k, 0) for k in range(4)],
        "n_points": c.points.n_points,
        "complete": c.complete,
        "wrong_zero_bits": [
            int(k) for k in c.points.n_unstable[c.zero_bits != c.points.n_unstable]
        ],
        "readout_agrees": int((c.bits == c.connected_bits).all(axis=1).sum()),
        "train_s": round(t_train, 1),
        "census_s": round(c.seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES), choices=list(RECIPES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    rows = []
    with threadpool_limits(1):
        for name in args.recipes:
            for seed in args.seeds:
                row = run(name, seed)
                rows.append(row)
                print(
                    f"{name:>15} seed {seed}: acc {row['accuracy']:.3f} settled "
                    f"{row['settled_accuracy']:.3f}  counts {row['counts']}  "
                    f"{'complete' if row['complete'] else 'incomplete'}  "
                    f"(train {row['train_s']} s, census {row['census_s']} s)",
                    flush=True,
                )
    summary = {
        name: sum(r["complete"] for r in rows if r["recipe"] == name) for name in args.recipes
    }
    for name, n in summary.items():
        print(f"{name}: complete in {n} of {len(args.seeds)} seeds")
    print(
        json.dumps(
            {"study": "flipflop_recipes", "complete": summary, "seeds": args.seeds, "runs": rows}
        )
    )


if __name__ == "__main__":
    main()
