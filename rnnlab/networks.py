"""Trained networks that ship with the package, and the recipes that make them.

A recipe is everything needed to retrain a network from scratch (network size, gain,
task, training length, seed). The shipped file is that recipe's result, so a later
chapter or the book can start from a trained network at once; ``train_recipe`` redoes
the training (a few seconds) and gives the same readout up to round-off.
"""

from __future__ import annotations

from pathlib import Path

from .esn import ESN
from .force import train_force
from .tasks import FlipFlopTask

__all__ = ["RECIPES", "load_network", "train_recipe"]

_DATA = Path(__file__).parent / "data"

#: Chapter 03's default: the 3-bit flip-flop with gain 0.6 and every channel pulsed at t = 0.
RECIPES: dict[str, dict] = {
    "flipflop3": {
        "esn": {"N": 500, "n_in": 3, "n_out": 3, "g": 0.6, "seed": 0},
        "task": {"n_bits": 3, "pulse_rate": 0.01, "pulse_at_start": True},
        "train": {"n_steps": 30_000, "alpha": 1.0, "update_every": 2, "seed": 0},
    },
}


def _recipe(name: str) -> dict:
    if name not in RECIPES:
        raise ValueError(f"name must be one of {sorted(RECIPES)}, got {name!r}")
    return RECIPES[name]


def train_recipe(name: str, *, progress: bool = False) -> ESN:
    """Train the network ``name`` from its recipe (what the shipped file holds)."""
    r = _recipe(name)
    esn = ESN(**r["esn"])
    u, y = FlipFlopTask(**r["task"]).generate(r["train"]["n_steps"], seed=r["train"]["seed"])
    train_force(
        esn,
        u,
        y,
        alpha=r["train"]["alpha"],
        update_every=r["train"]["update_every"],
        progress=progress,
    )
    return esn


def load_network(name: str) -> ESN:
    """Load the shipped, trained network ``name`` (e.g. ``'flipflop3'``)."""
    _recipe(name)
    return ESN.load(_DATA / f"{name}.npz")
