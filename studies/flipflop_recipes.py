"""How robust is a FORCE recipe for the 3-bit flip-flop? Train several seeds, take a census of each.

    python studies/flipflop_recipes.py                  # chapter 03's recipe and the recommended one, seeds 0-4
    python studies/flipflop_recipes.py --seeds 0 1 --recipes g0.5-a50-len7
    python studies/flipflop_recipes.py --recipes all --log runs.jsonl

For each recipe and seed (the seed draws the reservoir and the training sequence): frozen-weight
sign accuracy and settled accuracy on a fresh sequence (rate 0.01, seed 1000 + seed), the census
counts by number of unstable dimensions, and whether the census is complete (8/12/6/1, all
eight memories, every saddle connecting the corners of a face of its own dimension). A run
*passes* if the census is complete, accuracy >= 0.98 and settled accuracy >= 0.99. Also
reported: the same two accuracies on chapter 03's own test sequence (rate 0.02, seed 1000)
and the norm of the trained readout. Each network takes about 6 s at N = 500 (train ~2 s,
census ~4 s) on one core, too long for many of them inside the chapter. The last line printed
is JSON; ``--log`` appends every run to a JSON-lines file as it finishes.

A recipe sets N, g, alpha (P0 = I/alpha), n_steps, update_every, and the training pulses:
pulse_rate, pulse_length (both FlipFlopTask options), amplitude (the pulses scaled, targets
still +/-1), input_noise, and chunk (see :func:`training_sequence`). The test pulses are
always the task's defaults (length 11, amplitude 1). The measurements and the conclusion are
in ``studies/flipflop_recipes.md``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from threadpoolctl import threadpool_limits

import rnnlab
from rnnlab.flipflop.census import census

RECIPES = {
    "g0.6": {"g": 0.6, "alpha": 1.0, "n_steps": 30_000},
    "g0.6-long": {"g": 0.6, "alpha": 1.0, "n_steps": 60_000},
    "g0.8-a100": {"g": 0.8, "alpha": 100.0, "n_steps": 30_000},
    "g0.8-a100-long": {"g": 0.8, "alpha": 100.0, "n_steps": 60_000},
    "g0.8-a100-rate0.02": {"g": 0.8, "alpha": 100.0, "n_steps": 30_000, "pulse_rate": 0.02},
    "g0.9-a100": {"g": 0.9, "alpha": 100.0, "n_steps": 30_000},
    "g0.8-a100-N1000": {"g": 0.8, "alpha": 100.0, "n_steps": 30_000, "N": 1000},
    # gain
    "g0.3": {"g": 0.3, "alpha": 1.0, "n_steps": 30_000},
    "g0.4": {"g": 0.4, "alpha": 1.0, "n_steps": 30_000},
    "g0.5": {"g": 0.5, "alpha": 1.0, "n_steps": 30_000},
    "g0.7": {"g": 0.7, "alpha": 1.0, "n_steps": 30_000},
    # P0 = I / alpha
    "g0.6-a10": {"g": 0.6, "alpha": 10.0, "n_steps": 30_000},
    "g0.6-a100": {"g": 0.6, "alpha": 100.0, "n_steps": 30_000},
    # pulse design
    "g0.6-len5": {"g": 0.6, "alpha": 1.0, "n_steps": 30_000, "pulse_length": 5},
    "g0.6-len20": {"g": 0.6, "alpha": 1.0, "n_steps": 30_000, "pulse_length": 20},
    "g0.6-rate0.02": {"g": 0.6, "alpha": 1.0, "n_steps": 30_000, "pulse_rate": 0.02},
    # every 500 steps all three channels are pulsed at once: corner-to-corner jumps
    # across faces and through the cube
    "g0.6-chunk500": {"g": 0.6, "alpha": 1.0, "n_steps": 30_000, "chunk": 500},
    # around the best of the first screen (g 0.6, alpha 100)
    "g0.6-a30": {"g": 0.6, "alpha": 30.0, "n_steps": 30_000},
    "g0.6-a300": {"g": 0.6, "alpha": 300.0, "n_steps": 30_000},
    "g0.5-a100": {"g": 0.5, "alpha": 100.0, "n_steps": 30_000},
    "g0.7-a100": {"g": 0.7, "alpha": 100.0, "n_steps": 30_000},
    "g0.4-a100": {"g": 0.4, "alpha": 100.0, "n_steps": 30_000},
    "g0.5-a50": {"g": 0.5, "alpha": 50.0, "n_steps": 30_000},
    "g0.5-a200": {"g": 0.5, "alpha": 200.0, "n_steps": 30_000},
    "g0.6-a100-long": {"g": 0.6, "alpha": 100.0, "n_steps": 60_000},
    "g0.6-a100-chunk500": {"g": 0.6, "alpha": 100.0, "n_steps": 30_000, "chunk": 500},
    "g0.6-a100-rate0.02": {"g": 0.6, "alpha": 100.0, "n_steps": 30_000, "pulse_rate": 0.02},
    "g0.5-a100-rate0.02": {"g": 0.5, "alpha": 100.0, "n_steps": 30_000, "pulse_rate": 0.02},
    "g0.5-a50-len9": {"g": 0.5, "alpha": 50.0, "n_steps": 30_000, "pulse_length": 9},
    "g0.5-a50-len8": {"g": 0.5, "alpha": 50.0, "n_steps": 30_000, "pulse_length": 8},
    "g0.4-a100-len9": {"g": 0.4, "alpha": 100.0, "n_steps": 30_000, "pulse_length": 9},
    "g0.4-a100-len8": {"g": 0.4, "alpha": 100.0, "n_steps": 30_000, "pulse_length": 8},
    "g0.5-a100-len8": {"g": 0.5, "alpha": 100.0, "n_steps": 30_000, "pulse_length": 8},
    "g0.5-a50-len7": {"g": 0.5, "alpha": 50.0, "n_steps": 30_000, "pulse_length": 7},
    "g0.5-a50-len6": {"g": 0.5, "alpha": 50.0, "n_steps": 30_000, "pulse_length": 6},
    "g0.6-a50-len7": {"g": 0.6, "alpha": 50.0, "n_steps": 30_000, "pulse_length": 7},
    "g0.5-a20-len7": {"g": 0.5, "alpha": 20.0, "n_steps": 30_000, "pulse_length": 7},
    "g0.5-a50-len7-N1000": {
        "g": 0.5,
        "alpha": 50.0,
        "n_steps": 30_000,
        "pulse_length": 7,
        "N": 1000,
    },
    "g0.5-a100-len7": {"g": 0.5, "alpha": 100.0, "n_steps": 30_000, "pulse_length": 7},
    "g0.5-a50-len7-rate0.02": {
        "g": 0.5,
        "alpha": 50.0,
        "n_steps": 30_000,
        "pulse_length": 7,
        "pulse_rate": 0.02,
    },
    "g0.5-a50-amp0.7": {"g": 0.5, "alpha": 50.0, "n_steps": 30_000, "amplitude": 0.7},
    "g0.4-a100-amp0.8": {"g": 0.4, "alpha": 100.0, "n_steps": 30_000, "amplitude": 0.8},
    "g0.5-a100-amp0.8": {"g": 0.5, "alpha": 100.0, "n_steps": 30_000, "amplitude": 0.8},
    "g0.5-a50-amp0.8": {"g": 0.5, "alpha": 50.0, "n_steps": 30_000, "amplitude": 0.8},
    "g0.6-a100-len15": {"g": 0.6, "alpha": 100.0, "n_steps": 30_000, "pulse_length": 15},
    "g0.6-a100-N1000": {"g": 0.6, "alpha": 100.0, "n_steps": 30_000, "N": 1000},
    # second screen: variants of g0.5-a50-len7 (seeds 0-9, then 10-29 for any >= 9/10)
    **{
        name: {"g": 0.5, "alpha": 50.0, "n_steps": 30_000, "pulse_length": 7, **change}
        for name, change in {
            "g0.5-a50-len7-amp0.8": {"amplitude": 0.8},
            "g0.5-a30-len7": {"alpha": 30.0},
            "g0.5-a70-len7": {"alpha": 70.0},
            "g0.45-a50-len7": {"g": 0.45},
            "g0.55-a50-len7": {"g": 0.55},
            "g0.5-a50-len7-rate0.005": {"pulse_rate": 0.005},
            "g0.5-a50-len7-rate0.015": {"pulse_rate": 0.015},
            "g0.5-a50-len7-20k": {"n_steps": 20_000},
            "g0.5-a50-len7-40k": {"n_steps": 40_000},
            "g0.5-a50-len7-ue1": {"update_every": 1},
            "g0.5-a50-len7-ue4": {"update_every": 4},
            "g0.5-a50-len7-N300": {"N": 300},
            "g0.5-a50-len7-N700": {"N": 700},
        }.items()
    },
    # noise on the inputs during training (not on the targets)
    "g0.6-noise0.3": {"g": 0.6, "alpha": 1.0, "n_steps": 30_000, "input_noise": 0.3},
    "g0.6-noise1": {"g": 0.6, "alpha": 1.0, "n_steps": 30_000, "input_noise": 1.0},
    "g0.6-a100-noise0.3": {"g": 0.6, "alpha": 100.0, "n_steps": 30_000, "input_noise": 0.3},
    "g0.6-a100-noise1": {"g": 0.6, "alpha": 100.0, "n_steps": 30_000, "input_noise": 1.0},
    "g0.5-a100-noise0.3": {"g": 0.5, "alpha": 100.0, "n_steps": 30_000, "input_noise": 0.3},
}

RECOMMENDED = "g0.5-a50-len7"  # see studies/flipflop_recipes.md


def training_sequence(r: dict, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets a recipe trains on.

    ``chunk`` (optional) splits the ``n_steps`` into sequences of that length, each starting
    with a pulse on every channel (``pulse_at_start``), so the network is sent from one
    corner of the cube to a random other one (across a face or through the cube) every
    ``chunk`` steps; the targets stay consistent across the joins because the start pulses
    set every channel. ``amplitude`` scales the input pulses (the targets stay +/-1).
    ``input_noise`` adds white Gaussian noise of that standard deviation to every input
    channel at every step (not to the targets): filtered by the network it nudges the state
    along the same directions B the pulses use, part of the way towards the neighbouring
    corners, and FORCE learns to bring it back, which shapes the flow along the edges.
    """
    task = rnnlab.FlipFlopTask(
        3,
        pulse_rate=r.get("pulse_rate", 0.01),
        pulse_length=r.get("pulse_length", 11),
        pulse_at_start=True,
    )
    chunk = r.get("chunk")
    if chunk is None:
        u, y = task.generate(r["n_steps"], seed=seed)
    else:
        rng = np.random.default_rng(seed)
        parts = [task.generate(chunk, seed=rng) for _ in range(r["n_steps"] // chunk)]
        u, y = (np.concatenate(a) for a in zip(*parts, strict=True))
    u = r.get("amplitude", 1.0) * u
    sigma = r.get("input_noise", 0.0)
    if sigma:
        u = u + sigma * np.random.default_rng([seed, 1]).standard_normal(u.shape)
    return u, y


def run(name: str, seed: int) -> dict:
    r = RECIPES[name]
    esn = rnnlab.ESN(r.get("N", 500), n_in=3, n_out=3, g=r["g"], seed=seed)
    u_train, y_train = training_sequence(r, seed)
    t0 = time.perf_counter()
    rnnlab.train_force(
        esn, u_train, y_train, alpha=r["alpha"], update_every=r.get("update_every", 2)
    )
    t_train = time.perf_counter() - t0
    test = rnnlab.FlipFlopTask(3, pulse_rate=0.01, pulse_at_start=True)  # the same test for all
    u, y = test.generate(5000, seed=1000 + seed)
    scores = rnnlab.evaluate(esn, u, y)
    states, _ = esn.run(u)
    c = census(esn, states, seed=0)
    chapter = rnnlab.evaluate(  # the test sequence of chapter 03 (rate 0.02, seed 1000)
        esn, *rnnlab.FlipFlopTask(3, pulse_rate=0.02, pulse_at_start=True).generate(5000, seed=1000)
    )
    # the same test without cut pulses: onsets that would cut a running pulse on their channel
    # are dropped (FlipFlopTask(whole_pulses=True)), the rest of the sequence is the same
    whole = rnnlab.evaluate(
        esn,
        *rnnlab.FlipFlopTask(3, pulse_rate=0.01, pulse_at_start=True, whole_pulses=True).generate(
            5000, seed=1000 + seed
        ),
    )
    accuracy = round(scores["accuracy"], 4)
    settled = round(scores["settled_accuracy"], 4)
    return {
        "recipe": name,
        "seed": seed,
        "accuracy": accuracy,
        "settled_accuracy": settled,
        "counts": [c.counts().get(k, 0) for k in range(4)],
        "n_points": c.points.n_points,
        "complete": c.complete,
        "passed": bool(c.complete and accuracy >= 0.98 and settled >= 0.99),
        "wrong_zero_bits": [
            int(k) for k in c.points.n_unstable[c.zero_bits != c.points.n_unstable]
        ],
        "readout_agrees": int((c.bits == c.connected_bits).all(axis=1).sum()),
        "readout_norm": round(float(np.linalg.norm(esn.W_o)), 2),
        "whole_accuracy": round(whole["accuracy"], 4),
        "whole_settled": round(whole["settled_accuracy"], 4),
        "passed_whole": bool(
            c.complete and whole["accuracy"] >= 0.98 and whole["settled_accuracy"] >= 0.99
        ),
        "chapter_accuracy": round(chapter["accuracy"], 4),
        "chapter_settled": round(chapter["settled_accuracy"], 4),
        "train_s": round(t_train, 1),
        "census_s": round(c.seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--recipes",
        nargs="+",
        default=["g0.6", RECOMMENDED],
        choices=[*RECIPES, "all"],
        metavar="NAME",
        help="recipe names (keys of RECIPES), or 'all'",
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--log", help="append each run as one JSON line to this file")
    args = parser.parse_args()
    if "all" in args.recipes:
        args.recipes = list(RECIPES)
    rows = []
    with threadpool_limits(1):
        for name in args.recipes:
            for seed in args.seeds:
                row = run(name, seed)
                rows.append(row)
                if args.log:
                    with open(args.log, "a") as fh:
                        fh.write(json.dumps(row) + "\n")
                print(
                    f"{name:>15} seed {seed}: acc {row['accuracy']:.3f} settled "
                    f"{row['settled_accuracy']:.3f}  counts {row['counts']}  "
                    f"{'complete' if row['complete'] else 'incomplete'}  "
                    f"{'PASS' if row['passed'] else 'fail'}  "
                    f"(train {row['train_s']} s, census {row['census_s']} s)",
                    flush=True,
                )
    summary = {name: sum(r["passed"] for r in rows if r["recipe"] == name) for name in args.recipes}
    for name, n in summary.items():
        print(f"{name}: passes in {n} of {len(args.seeds)} seeds")
    print(
        json.dumps(
            {"study": "flipflop_recipes", "passed": summary, "seeds": args.seeds, "runs": rows}
        )
    )


if __name__ == "__main__":
    main()
