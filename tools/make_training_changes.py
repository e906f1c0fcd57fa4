"""Train chapter 09's leaky-ReLU networks and ship them as rnnlab/data/training_changes_<task>.npz.

For each task and seed: the untrained network of :func:`rnnlab.course.networks.initial_network`
(rebuilt from its seed when loading, so only the change ΔW = W1 - W0 is stored, as float32),
trained by :func:`rnnlab.models.leaky_relu.train_on_task` for the recipe's number of Adam steps.
Network 0's snapshots are summarised for the training-changes app
(:func:`rnnlab.analysis.training_frames.training_frames`).

Usage::

    .venv/bin/python tools/make_training_changes.py            # both tasks (~10 min here)
    .venv/bin/python tools/make_training_changes.py --task perception --n-nets 2
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from rnnlab.analysis.training_frames import training_frames
from rnnlab.course.networks import initial_network
from rnnlab.models.leaky_relu import train_on_task
from rnnlab.tasks.decisions import RECIPES

DATA = Path(__file__).resolve().parents[1] / "rnnlab" / "data"
N_NETS = {"perception": 5, "decision": 3}
SNAPSHOTS = 20  # per training run


def test_trials(task: str):
    """Noise-free test conditions for the app: both perception levels; a grid of decision pairs."""
    make = RECIPES[task]["trials"]
    if task == "perception":
        return make(2, seed=0, input_noise=0.0, levels=[0.5, 0.8])
    pairs = [(a, b) for a in (0.3, 0.5, 0.7) for b in (0.2, 0.4, 0.6, 0.8)]
    return make(len(pairs), seed=0, input_noise=0.0, levels=pairs)


def make(task: str, n_nets: int) -> dict:
    r = RECIPES[task]
    every = max(1, r["n_steps"] // SNAPSHOTS)
    dW, val_loss, snap_mean, frames = [], [], [], {}
    for seed in range(n_nets):
        net = initial_network(task, seed)
        W0 = net.W.copy()
        t0 = time.perf_counter()
        hist, snaps = train_on_task(
            net, r["trials"], n_steps=r["n_steps"], seed=seed, snapshot_every=every
        )
        off = ~np.eye(net.N, dtype=bool)
        print(
            f"{task} seed {seed}: val loss {hist.val_value[0]:.3g} -> {hist.val_value[-1]:.3g} "
            f"in {time.perf_counter() - t0:.0f} s"
        )
        dW.append((net.W - W0).astype(np.float32))
        val_loss.append(hist.val_value)
        snap_mean.append([W[off].mean() for W in snaps["W"]])
        if seed == 0:
            frames = training_frames(net, snaps["step"], snaps["W"], test_trials(task))
    out = {
        "seeds": np.arange(n_nets),
        "dW": np.array(dW),
        "val_step": hist.val_step,
        "val_loss": np.array(val_loss),
        "snap_step": snaps["step"],
        "snap_mean": np.array(snap_mean),
    }
    out.update({f"frame_{k}": v for k, v in frames.items()})
    out["frame_eig"] = out["frame_eig"].astype(np.complex64)
    out["frame_latent"] = out["frame_latent"].astype(np.float32)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--task", choices=sorted(RECIPES), action="append")
    p.add_argument("--n-nets", type=int)
    args = p.parse_args()
    for task in args.task or sorted(RECIPES, reverse=True):
        out = make(task, args.n_nets or N_NETS[task])
        path = DATA / f"training_changes_{task}.npz"
        np.savez_compressed(path, **out)
        print(f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
