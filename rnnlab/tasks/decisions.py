r"""The perception and decision tasks of the "initial hypotheses" report (chapter 09).

Both hold their inputs constant through a trial, corrupted by white noise of standard
deviation ``input_noise`` at every step, and ask for a constant output.

- **Perception** (1 input, 1 output): input level 0.8 → target 0.5, input level 0.5 →
  target 0.8. The network must invert the relation between two noisy levels.
- **Decision** (2 inputs, 1 output): levels :math:`u_1 \ne u_2` drawn from a grid in
  [0.2, 0.8]; the target is ``high`` (0.8) when input 2 is larger and ``low`` (0.2) when
  input 1 is larger (the report's Fig. 1: the output falls as :math:`u_1 - u_2` turns
  positive).

The network starts every trial at rest (:math:`r = 0`) and needs a few time constants to
settle, so the loss ignores the first ``grace`` steps (``mask`` is 0 there). This is our
choice; the report only says "L2 loss over time".

Every generator takes an explicit ``seed``: the same seed gives the same trials.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab._internal.validation import positive_float, positive_int

__all__ = [
    "DECISION_LEVELS",
    "RECIPES",
    "Trials",
    "accuracy",
    "decision_trials",
    "perception_trials",
]

#: Input levels of the decision task (ties are never drawn).
DECISION_LEVELS = np.round(np.arange(0.2, 0.81, 0.1), 10)


@dataclass
class Trials:
    """A batch of trials.

    Attributes
    ----------
    inputs : ndarray, shape (B, T, n_in)
        Noisy inputs :math:`u_t`.
    targets : ndarray, shape (B, T, n_out)
    mask : ndarray, shape (T,)
        1 where the loss counts, 0 in the grace period.
    levels : ndarray, shape (B, n_in)
        The noise-free input levels of every trial (the condition).
    """

    inputs: np.ndarray
    targets: np.ndarray
    mask: np.ndarray
    levels: np.ndarray

    @property
    def n_trials(self) -> int:
        return self.inputs.shape[0]


def _common(n_trials, n_time, grace, input_noise, seed):
    n_trials = positive_int(n_trials, "n_trials")
    n_time = positive_int(n_time, "n_time")
    if (
        isinstance(grace, bool)
        or not isinstance(grace, int | np.integer)
        or not 0 <= grace < n_time
    ):
        raise ValueError(f"grace must be an integer in [0, n_time), got {grace!r}")
    input_noise = positive_float(input_noise, "input_noise", allow_zero=True)
    if seed is None:
        raise ValueError("seed is required (an int or a numpy Generator)")
    mask = np.ones(n_time)
    mask[:grace] = 0.0
    return n_trials, n_time, input_noise, np.random.default_rng(seed), mask


def perception_trials(
    n_trials: int,
    n_time: int = 100,
    *,
    seed,
    input_noise: float = 0.05,
    grace: int = 20,
    levels=None,
) -> Trials:
    r"""Perception task: input 0.8 → output 0.5, input 0.5 → output 0.8.

    Parameters
    ----------
    n_trials, n_time : int
        Batch size and steps per trial (100 steps = 1 s at :math:`\Delta t` = 10 ms).
    seed : int or numpy.random.Generator
    input_noise : float
        Standard deviation of the white noise on the input.
    grace : int
        Steps at the start of a trial left out of the loss.
    levels : array_like of {0.5, 0.8}, shape (n_trials,), optional
        The input level of every trial; by default drawn at random, half and half in law.

    Returns
    -------
    Trials
        ``inputs`` ``(B, T, 1)``, ``targets`` ``(B, T, 1)``, ``levels`` ``(B, 1)``.
    """
    n_trials, n_time, input_noise, rng, mask = _common(n_trials, n_time, grace, input_noise, seed)
    if levels is None:
        lv = rng.choice([0.5, 0.8], size=n_trials)
    else:
        lv = np.asarray(levels, dtype=np.float64).reshape(-1)
        if lv.shape != (n_trials,) or not np.all(np.isin(lv, [0.5, 0.8])):
            raise ValueError(f"levels must be {n_trials} values from {{0.5, 0.8}}, got {levels!r}")
    target = np.where(lv == 0.8, 0.5, 0.8)
    u = lv[:, None, None] + input_noise * rng.standard_normal((n_trials, n_time, 1))
    y = np.broadcast_to(target[:, None, None], (n_trials, n_time, 1)).copy()
    return Trials(u, y, mask, lv[:, None])


def decision_trials(
    n_trials: int,
    n_time: int = 100,
    *,
    seed,
    input_noise: float = 0.05,
    grace: int = 20,
    levels=None,
    high: float = 0.8,
    low: float = 0.2,
) -> Trials:
    r"""Decision task: which of two inputs is larger? Target ``high`` if :math:`u_2 > u_1`, else ``low``.

    Parameters
    ----------
    n_trials, n_time : int
    seed : int or numpy.random.Generator
    input_noise : float
    grace : int
    levels : array_like, shape (n_trials, 2), optional
        :math:`(u_1, u_2)` of every trial, unequal; by default two different values drawn
        from :data:`DECISION_LEVELS`.
    high, low : float
        The two target values.

    Returns
    -------
    Trials
        ``inputs`` ``(B, T, 2)``, ``targets`` ``(B, T, 1)``, ``levels`` ``(B, 2)``.
    """
    n_trials, n_time, input_noise, rng, mask = _common(n_trials, n_time, grace, input_noise, seed)
    if levels is None:
        lv = np.array([rng.choice(DECISION_LEVELS, size=2, replace=False) for _ in range(n_trials)])
    else:
        lv = np.asarray(levels, dtype=np.float64)
        if lv.shape != (n_trials, 2):
            raise ValueError(f"levels must have shape ({n_trials}, 2), got {lv.shape}")
        if np.any(lv[:, 0] == lv[:, 1]):
            raise ValueError("levels must have u1 != u2 in every trial (a tie has no answer)")
    target = np.where(lv[:, 1] > lv[:, 0], high, low)
    u = lv[:, None, :] + input_noise * rng.standard_normal((n_trials, n_time, 2))
    y = np.broadcast_to(target[:, None, None], (n_trials, n_time, 1)).copy()
    return Trials(u, y, mask, lv)


def accuracy(outputs, trials: Trials, *, last: int = 20) -> float:
    r"""Fraction of trials answered right: the output averaged over the last ``last`` steps
    is nearer the trial's own target than the other target value.

    Parameters
    ----------
    outputs : array_like, shape (B, T, 1)
        The network's :math:`z_t`.
    trials : Trials
        The trials that produced them (two target values in total).
    last : int
        Steps averaged at the end of each trial.
    """
    Z = np.asarray(outputs, dtype=np.float64)
    if Z.shape != trials.targets.shape:
        raise ValueError(
            f"outputs must have shape {trials.targets.shape} (as the targets), got {Z.shape}"
        )
    last = positive_int(last, "last")
    values = np.unique(trials.targets)
    if values.size > 2:
        raise ValueError(f"accuracy needs two target values, got {values}")
    mid = values.mean() if values.size == 2 else 0.5
    z = Z[:, -last:, 0].mean(axis=1)
    y = trials.targets[:, -1, 0]
    return float(np.mean((z > mid) == (y > mid)))


#: The report's two networks (§2) and this course's training length: network size, inputs,
#: scale of the input weights and biases, the trial generator and the Adam steps.
RECIPES: dict[str, dict] = {
    "perception": {
        "N": 128,
        "n_in": 1,
        "input_scale": 1 / np.sqrt(3),
        "trials": perception_trials,
        "n_steps": 200,
    },
    "decision": {
        "N": 256,
        "n_in": 2,
        "input_scale": 0.5,
        "trials": decision_trials,
        "n_steps": 300,
    },
}


def check_task(task: str) -> dict:
    """The recipe of ``task``, or a ValueError naming the tasks there are."""
    if task not in RECIPES:
        raise ValueError(f"task must be one of {sorted(RECIPES)}, got {task!r}")
    return RECIPES[task]
