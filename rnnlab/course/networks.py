"""Trained networks that ship with the package, and the recipes that make them.

A recipe is everything needed to retrain a network from scratch (network size, gain,
task, training length, seed). The shipped file is that recipe's result, so a later
chapter or the book can start from a trained network at once; ``train_recipe`` redoes
the training (a few seconds) and gives the same readout up to round-off.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rnnlab.models.bptt import TanhRNN, train_flipflop
from rnnlab.models.esn import ESN
from rnnlab.models.force import train_force
from rnnlab.models.leaky_relu import LeakyReLURNN
from rnnlab.models.transfer import TransferredESN, continue_force, transfer
from rnnlab.tasks.decisions import check_task
from rnnlab.tasks.flipflop import FlipFlopTask

__all__ = [
    "DELAYED_RECIPE",
    "DELAYS",
    "delayed_task",
    "initial_network",
    "load_delayed_network",
    "load_network",
    "load_trained",
    "train_delayed_network",
    "train_recipe",
]

_DATA = Path(__file__).resolve().parents[1] / "data"

#: Chapter 03's default, "flipflop3": the 3-bit flip-flop at gain 0.5, every channel pulsed at
#: t = 0, RLS started from P0 = I/50 and trained with 7-step pulses (tested with the task's
#: 11-step pulses). "flipflop3_g06" is the course's first recipe (gain 0.6, alpha 1, 11-step
#: pulses), kept because its reservoir matches the 4-bit networks' (g = 0.6): chapters 05 and 06
#: transfer from it, so transferred and from-scratch networks differ only in their training.
RECIPES: dict[str, dict] = {
    "flipflop3": {
        "esn": {"N": 500, "n_in": 3, "n_out": 3, "g": 0.5, "seed": 0},
        "task": {"n_bits": 3, "pulse_rate": 0.01, "pulse_length": 7, "pulse_at_start": True},
        "train": {"n_steps": 30_000, "alpha": 50.0, "update_every": 2, "seed": 0},
    },
    "flipflop3_g06": {
        "esn": {"N": 500, "n_in": 3, "n_out": 3, "g": 0.6, "seed": 0},
        "task": {"n_bits": 3, "pulse_rate": 0.01, "pulse_at_start": True},
        "train": {"n_steps": 30_000, "alpha": 1.0, "update_every": 2, "seed": 0},
    },
}

# Chapters 04-06: 4-bit networks, three seeds each, trained with chapter 04's recipe (chapter
# 03's with twice the pulse rate and twice the steps: four channels share the pulses). The tanh
# and logistic networks of one seed share their reservoir, W_fb, B and x0 (the same seed draws
# them): only the rate function differs. "flipflop4_tanh_seed0" is chapter 04's network.
_TASK4 = {"n_bits": 4, "pulse_rate": 0.02, "pulse_at_start": True}
_TRAIN4 = {"n_steps": 60_000, "alpha": 1.0, "update_every": 2, "seed": 0}
for _seed in (0, 1, 2):
    for _phi in ("tanh", "logistic"):
        RECIPES[f"flipflop4_{_phi}_seed{_seed}"] = {
            "esn": {"N": 500, "n_in": 4, "n_out": 4, "g": 0.6, "phi": _phi, "seed": _seed},
            "task": _TASK4,
            "train": _TRAIN4,
        }
# Chapters 05-06: "flipflop3_g06" plus one bit (new columns of W_fb and B drawn from the transfer
# seed, a zero row of W_o; rnnlab.transfer), FORCE continued on the 4-bit task as above.
for _seed in (0, 1, 2):
    RECIPES[f"flipflop4_transfer_seed{_seed}"] = {
        "transfer": {"source": "flipflop3_g06", "new_bits": 1, "seed": _seed},
        "task": _TASK4,
        "train": _TRAIN4,
    }


def _recipe(name: str) -> dict:
    if name not in RECIPES:
        raise ValueError(f"name must be one of {sorted(RECIPES)}, got {name!r}")
    return RECIPES[name]


def train_recipe(name: str, *, progress: bool = False) -> ESN:
    """Train the network ``name`` from its recipe (what the shipped file holds).

    A transfer recipe starts from the shipped source network (:func:`rnnlab.models.transfer.transfer`)
    and continues FORCE on its task (:func:`rnnlab.models.transfer.continue_force`); the others
    train a new :class:`~rnnlab.ESN` from its seed.
    """
    r = _recipe(name)
    u, y = FlipFlopTask(**r["task"]).generate(r["train"]["n_steps"], seed=r["train"]["seed"])
    settings = {k: r["train"][k] for k in ("alpha", "update_every")}
    if "transfer" in r:
        t = r["transfer"]
        esn = transfer(load_network(t["source"]), new_bits=t["new_bits"], seed=t["seed"])
        continue_force(esn, u, y, **settings, progress=progress)
    else:
        esn = ESN(**r["esn"])
        train_force(esn, u, y, **settings, progress=progress)
    return esn


def load_network(name: str) -> ESN:
    """Load the shipped, trained network ``name`` (e.g. ``'flipflop3'``; see :data:`RECIPES`).

    Transferred networks come back as :class:`~rnnlab.models.transfer.TransferredESN`.
    """
    r = _recipe(name)
    path = _DATA / f"{name}.npz"
    return TransferredESN.load(path) if "transfer" in r else ESN.load(path)


#: Chapter 08: discrete-time tanh RNNs (:mod:`rnnlab.models.bptt`) trained by stateful truncated
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


def initial_network(task: str, seed: int):
    """The untrained network of ``task`` (``'perception'`` or ``'decision'``) for ``seed``:
    :meth:`rnnlab.models.leaky_relu.LeakyReLURNN.random` with the recipe's sizes."""
    r = check_task(task)
    return LeakyReLURNN.random(r["N"], r["n_in"], seed=seed, input_scale=r["input_scale"])


def load_trained(task: str) -> dict:
    """The networks trained by ``tools/make_training_changes.py`` for ``task``.

    Returns
    -------
    dict
        ``seeds`` ``(n_nets,)``; ``W0``, ``W1`` ``(n_nets, N, N)`` (:math:`W_0` rebuilt from
        its seed, :math:`W_1 = W_0 + \\Delta W` with the stored float32 :math:`\\Delta W`);
        ``val_step`` ``(n_val,)``, ``val_loss`` ``(n_nets, n_val)``; ``snap_step``
        ``(n_snap,)``, ``snap_mean`` ``(n_nets, n_snap)`` (mean off-diagonal weight); and
        ``frames``, the snapshot summaries of network 0
        (:func:`rnnlab.widgets.training_changes.training_frames`).
    """
    check_task(task)
    path = _DATA / f"training_changes_{task}.npz"
    with np.load(path) as f:
        data = {k: f[k] for k in f.files}
    seeds = data.pop("seeds")
    W0 = np.array([initial_network(task, int(s)).W for s in seeds])
    out = {"seeds": seeds, "W0": W0, "W1": W0 + data.pop("dW").astype(np.float64)}
    out["frames"] = {k[6:]: data.pop(k) for k in list(data) if k.startswith("frame_")}
    out.update(data)
    return out
