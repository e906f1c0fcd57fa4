"""Trained networks that ship with the package, and the recipes that make them.

A recipe is everything needed to retrain a network from scratch (network size, gain,
task, training length, seed). The shipped file is that recipe's result, so a later
chapter or the book can start from a trained network at once; ``train_recipe`` redoes
the training (a few seconds) and gives the same readout up to round-off.
"""

from __future__ import annotations

from pathlib import Path

from .bptt import TanhRNN, train_flipflop
from .esn import ESN
from .force import train_force
from .tasks import FlipFlopTask

__all__ = [
    "DELAYED_RECIPE",
    "DELAYS",
    "RECIPES",
    "delayed_task",
    "load_delayed_network",
    "load_network",
    "train_delayed_network",
    "train_recipe",
]

_DATA = Path(__file__).parent / "data"

#: Chapter 03's default: the 3-bit flip-flop with gain 0.6 and every channel pulsed at t = 0.
RECIPES: dict[str, dict] = {
    "flipflop3": {
        "esn": {"N": 500, "n_in": 3, "n_out": 3, "g": 0.6, "seed": 0},
        "task": {"n_bits": 3, "pulse_rate": 0.01, "pulse_at_start": True},
        "train": {"n_steps": 30_000, "alpha": 1.0, "update_every": 2, "seed": 0},
    },
}

# Chapter 06 (noise): 4-bit networks trained like "flipflop3", three seeds each. The tanh
# and logistic networks of one seed share their reservoir, W_fb, B and x0 (the same seed
# draws them): only the rate function differs. The transferred 4-bit networks of the same
# chapter are rnnlab.transfer.TransferredESN files made by tools/make_networks.py.
for _seed in (0, 1, 2):
    for _phi in ("tanh", "logistic"):
        RECIPES[f"flipflop4_{_phi}_seed{_seed}"] = {
            "esn": {"N": 500, "n_in": 4, "n_out": 4, "g": 0.6, "phi": _phi, "seed": _seed},
            "task": {"n_bits": 4, "pulse_rate": 0.01, "pulse_at_start": True},
            "train": {"n_steps": 30_000, "alpha": 1.0, "update_every": 2, "seed": 0},
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


#: Chapter 08: discrete-time tanh RNNs (:mod:`rnnlab.bptt`) trained by stateful truncated
#: BPTT on the delayed 3-bit flip-flop, one network per delay in ``DELAYS``. Pulses last 3
#: steps (with 1-step pulses the same training did not learn the task in 40 000 steps).
DELAYS: tuple[int, ...] = (0, 2, 4, 8)
DELAYED_RECIPE: dict = {
    "model": {"N": 100, "n_in": 3, "n_out": 3, "readout": "tanh", "seed": 0},
    "task": {"n_bits": 3, "pulse_rate": 0.05, "pulse_length": 3, "pulse_at_start": True},
    "train": {
        "n_steps": 30_000,
        "unroll": 10,
        "batch_size": 16,
        "lr": 3e-4,
        "seed": 0,
        "validate_every": 500,
        "target_accuracy": 0.995,
    },
}


def _check_delay(delay: int) -> int:
    if delay not in DELAYS:
        raise ValueError(f"delay must be one of {DELAYS}, got {delay!r}")
    return int(delay)


def delayed_task(delay: int) -> FlipFlopTask:
    """The delayed 3-bit flip-flop of :data:`DELAYED_RECIPE` with target delay ``delay``."""
    return FlipFlopTask(**DELAYED_RECIPE["task"], delay=int(delay))


def train_delayed_network(delay: int, *, progress: bool = False):
    """Train chapter 08's network for ``delay`` from :data:`DELAYED_RECIPE`.

    Returns
    -------
    model : TanhRNN
        With ``info`` holding the delay, the task and the training summary.
    history : TrainingHistory
    """
    delay = _check_delay(delay)
    r = DELAYED_RECIPE
    model = TanhRNN(**r["model"])
    task = delayed_task(delay)
    history = train_flipflop(model, task, **r["train"], progress=progress)
    model.info = {
        "delay": delay,
        "pulse_rate": task.pulse_rate,
        "pulse_length": task.pulse_length,
        "train_steps": history.n_steps,
        "val_accuracy": 1.0 - history.best_value,
    }
    return model, history


def load_delayed_network(delay: int) -> TanhRNN:
    """Load chapter 08's shipped network for ``delay`` (one of :data:`DELAYS`)."""
    return TanhRNN.load(_DATA / f"delayed_flipflop_d{_check_delay(delay)}.npz")
