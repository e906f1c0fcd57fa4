"""Chapter 10's sine-wave generator (after Sussillo & Barak 2013): task, recipe, loader.

A static input level :math:`u_j = j/51 + 0.25` (:math:`j = 0, \\dots, 50`) selects the
frequency :math:`\\omega_j = 0.1 + 0.5\\,j/50` rad per unit time (time in units of the
time constant :math:`\\tau`) of the sine wave :math:`y = 0.2\\sin(\\omega_j t)` the readout must
produce. The network is an :class:`rnnlab.ESN` (one input, one fed-back readout) trained by
FORCE (:func:`rnnlab.models.force.train_force`) on blocks of 1000 Euler steps, one input level per
block, every level once per pass in a shuffled order (:data:`SINE_RECIPE`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rnnlab.models.esn import ESN
from rnnlab.models.force import train_force

__all__ = [
    "N_LEVELS",
    "SINE_RECIPE",
    "levels",
    "load_sine_network",
    "run_level",
    "sine_training_sequence",
    "target_frequencies",
    "train_sine_network",
]

_PATH = Path(__file__).resolve().parents[1] / "data" / "sine_wave.npz"

#: Number of input levels (and target frequencies).
N_LEVELS = 51

#: How the shipped network was trained (``tools/make_sine_network.py``).
SINE_RECIPE = {
    "N": 500,
    "g": 1.0,
    "dt_over_tau": 0.1,
    "seed": 1,
    "alpha": 1.0,
    "passes": 3,
    "block_steps": 1000,
    "amplitude": 0.2,
}


def levels() -> np.ndarray:
    """The 51 static input levels :math:`u_j = j/51 + 0.25`."""
    return np.arange(N_LEVELS) / N_LEVELS + 0.25


def target_frequencies() -> np.ndarray:
    """The target angular frequencies :math:`\\omega_j`, rad per unit time, 0.1 to 0.6."""
    return 0.1 + 0.5 * np.arange(N_LEVELS) / (N_LEVELS - 1)


def sine_training_sequence(recipe: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ``(T, 1)`` and targets ``(T, 1)``: the recipe's shuffled blocks, one level each."""
    r = SINE_RECIPE if recipe is None else recipe
    rng = np.random.default_rng(r["seed"])
    order = np.concatenate([rng.permutation(N_LEVELS) for _ in range(r["passes"])])
    t = np.arange(r["block_steps"]) * r["dt_over_tau"]
    u, w = levels(), target_frequencies()
    inputs = np.concatenate([np.full(r["block_steps"], u[j]) for j in order])[:, None]
    targets = r["amplitude"] * np.concatenate([np.sin(w[j] * t) for j in order])[:, None]
    return inputs, targets


def train_sine_network(*, progress: bool = False) -> ESN:
    """Train a network by :data:`SINE_RECIPE` (about a minute on one core)."""
    r = SINE_RECIPE
    esn = ESN(r["N"], 1, 1, g=r["g"], dt_over_tau=r["dt_over_tau"], seed=r["seed"])
    inputs, targets = sine_training_sequence(r)
    train_force(esn, inputs, targets, alpha=r["alpha"], progress=progress)
    return esn


def load_sine_network() -> ESN:
    """The shipped network (``rnnlab/data/sine_wave.npz``), trained by :data:`SINE_RECIPE`."""
    return ESN.load(_PATH)


def run_level(esn: ESN, u: float, *, steps: int = 4000, settle: int = 1000):
    """Run ``esn`` at the static input ``u`` from its ``x0``; drop the first ``settle`` steps.

    Returns
    -------
    t : ndarray, shape (steps - settle,)
        Times in units of :math:`\\tau` (step times ``dt_over_tau``).
    x : ndarray, shape (steps - settle, N)
    z : ndarray, shape (steps - settle,)
    """
    if not isinstance(esn, ESN) or esn.n_in != 1 or esn.n_out != 1:
        raise TypeError(f"esn must be an rnnlab.ESN with one input and one readout, got {esn!r}")
    if not 0 <= settle < steps:
        raise ValueError(f"settle must be in [0, steps), got settle={settle}, steps={steps}")
    x, z = esn.run(np.full((steps, 1), float(u)))
    t = np.arange(settle, steps) * esn.dt_over_tau
    return t, x[settle:], z[settle:, 0]
