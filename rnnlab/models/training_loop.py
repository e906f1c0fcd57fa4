r"""A generic gradient-training loop: batches in, Adam steps, validation, early stopping.

Any model works that exposes

- ``params``: a dict of named float64 arrays (the trained parameters, updated in place), and
- ``loss_and_grad(batch, state) -> (loss, grads, new_state)``: the loss on one batch, its
  gradient with respect to every entry of ``params`` (same names and shapes), and the
  state to hand to the next batch. ``state`` is ``None`` for the first batch; a model
  that does not carry state between batches returns ``None``.

Carrying ``state`` is what makes *stateful truncated* backpropagation through time: the
next window starts where the last one ended, while the gradient stops at the window edge
(:mod:`rnnlab.models.bptt`).

Every ``validate_every`` steps the loop calls ``validate(model)`` (a number, lower is
better, e.g. an error rate on a fresh stream) and keeps a copy of the best parameters.
It stops after ``n_steps``, when the validation value reaches ``target``, or when it has
not improved by ``min_delta`` for ``patience`` validations; with ``restore_best`` the
model ends with the best parameters seen. The loop draws no random numbers: the batches
(and their seeds) come from the caller, so the same batches give the same result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from rnnlab._internal.progress import progress_bar
from rnnlab._internal.validation import positive_float, positive_int
from rnnlab.models.adam import Adam

__all__ = ["TrainingHistory", "train"]


@dataclass
class TrainingHistory:
    """What happened during :func:`train`.

    Attributes
    ----------
    loss : ndarray, shape (n_steps_done,)
        Training loss of every batch (before that batch's update).
    grad_norm : ndarray, shape (n_steps_done,)
        :math:`\\sqrt{\\sum_k |g_k|^2}` over all parameters, before clipping.
    val_step : ndarray of int, shape (n_validations,)
        Steps (number of updates done) at which ``validate`` ran.
    val_value : ndarray, shape (n_validations,)
        What ``validate`` returned there.
    best_step : int
        Step of the best validation value (-1 without validation).
    best_value : float
        The best validation value (nan without validation).
    stopped : str
        ``"n_steps"``, ``"target"`` or ``"patience"``.
    seconds : float
        Wall-clock time of the loop.
    """

    loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    grad_norm: np.ndarray = field(default_factory=lambda: np.zeros(0))
    val_step: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    val_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    best_step: int = -1
    best_value: float = float("nan")
    stopped: str = "n_steps"
    seconds: float = 0.0

    @property
    def n_steps(self) -> int:
        """Number of updates done."""
        return len(self.loss)

    def __repr__(self) -> str:
        best = (
            "" if self.best_step < 0 else f", best {self.best_value:.4g} at step {self.best_step}"
        )
        return (
            f"TrainingHistory({self.n_steps} steps in {self.seconds:.1f} s, "
            f"stopped: {self.stopped}{best})"
        )


def _norm(grads: dict[str, np.ndarray]) -> float:
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))


def train(
    model,
    batches: Iterable,
    *,
    n_steps: int,
    lr: float = 1e-3,
    optimizer: Adam | None = None,
    clip_norm: float | None = None,
    validate: Callable[[object], float] | None = None,
    validate_every: int = 100,
    patience: int | None = None,
    min_delta: float = 0.0,
    target: float | None = None,
    restore_best: bool = True,
    callback: Callable[[int, object, TrainingHistory], None] | None = None,
    progress: bool = True,
    desc: str = "training",
) -> TrainingHistory:
    r"""Train ``model.params`` with Adam on ``batches``.

    Parameters
    ----------
    model : object
        Exposes ``params`` (dict of float64 arrays) and
        ``loss_and_grad(batch, state) -> (loss, grads, new_state)``.
    batches : iterable
        Yields one batch per step, in whatever form ``model.loss_and_grad`` takes.
        Consecutive batches are consecutive windows when the model carries state.
    n_steps : int
        Maximum number of updates.
    lr : float
        Adam learning rate (ignored when ``optimizer`` is given).
    optimizer : Adam, optional
        An optimiser over ``model.params`` (e.g. to continue training); default a new
        :class:`~rnnlab.models.adam.Adam` with ``lr``.
    clip_norm : float, optional
        Rescale the gradient to this global norm when it is larger,
        :math:`g \leftarrow g \cdot \min(1, c / |g|)`.
    validate : callable, optional
        ``validate(model) -> float``, lower is better.
    validate_every : int
        Steps between validations (also after the last step).
    patience : int, optional
        Stop after this many validations without an improvement larger than ``min_delta``.
    min_delta : float
        Smallest decrease that counts as an improvement.
    target : float, optional
        Stop as soon as a validation value is at or below ``target``.
    restore_best : bool
        End with the parameters of the best validation (needs ``validate``).
    callback : callable, optional
        ``callback(step, model, history)`` after every update (``step`` = updates done);
        ``history`` holds the lists so far.
    progress : bool
        Show a progress bar (tqdm; a notebook widget in Jupyter).
    desc : str
        Label of the progress bar.

    Returns
    -------
    TrainingHistory

    Raises
    ------
    FloatingPointError
        If the loss or the gradient becomes NaN or infinite (lower ``lr`` or set ``clip_norm``).
    """
    n_steps, validate_every, patience, min_delta, clip_norm = _checked_settings(
        model, n_steps, validate_every, patience, min_delta, clip_norm, target, validate
    )
    optimizer = _optimizer_for(model, optimizer, lr)
    history = TrainingHistory()
    # Lists while running (what ``callback`` sees), arrays at the end.
    history.loss, history.grad_norm, history.val_step, history.val_value = [], [], [], []
    best = _Best(min_delta, patience, target)
    bar = progress_bar(n_steps, desc) if progress else None
    start = time.perf_counter()
    state = None
    stopped = "n_steps"
    iterator = iter(batches)
    try:
        for step in range(1, n_steps + 1):
            batch = _next_batch(iterator, step, n_steps)
            loss, norm, state = _step(model, optimizer, batch, state, step, clip_norm)
            history.loss.append(float(loss))
            history.grad_norm.append(norm)
            reason = None
            if validate is not None and (step % validate_every == 0 or step == n_steps):
                value = float(validate(model))
                history.val_step.append(step)
                history.val_value.append(value)
                reason = best.record(step, value, model.params)
            if callback is not None:
                callback(step, model, history)
            if bar is not None:
                _show_progress(bar, step, loss, history.val_value, reason)
            if reason is not None:
                stopped = reason
                break
    finally:
        if bar is not None:
            bar.close()

    if validate is not None and restore_best and best.params is not None:
        for k, p in model.params.items():
            p[...] = best.params[k]  # in place: the optimiser and the model share the arrays
    history.loss = np.asarray(history.loss)
    history.grad_norm = np.asarray(history.grad_norm)
    history.val_step = np.asarray(history.val_step, dtype=int)
    history.val_value = np.asarray(history.val_value)
    history.best_step = int(best.step)
    history.best_value = float(best.value) if best.step >= 0 else float("nan")
    history.stopped = stopped
    history.seconds = time.perf_counter() - start
    return history


def _checked_settings(
    model, n_steps, validate_every, patience, min_delta, clip_norm, target, validate
) -> tuple[int, int, int | None, float, float | None]:
    """Check :func:`train`'s model and settings; return the settings normalised."""
    if not isinstance(getattr(model, "params", None), dict) or not callable(
        getattr(model, "loss_and_grad", None)
    ):
        raise TypeError(
            "model must expose a dict `params` and a method `loss_and_grad(batch, state)`"
        )
    n_steps = positive_int(n_steps, "n_steps")
    validate_every = positive_int(validate_every, "validate_every")
    if patience is not None:
        patience = positive_int(patience, "patience")
    min_delta = positive_float(min_delta, "min_delta", allow_zero=True)
    if clip_norm is not None:
        clip_norm = positive_float(clip_norm, "clip_norm")
    if target is not None and not np.isfinite(target):
        raise ValueError(f"target must be a finite number, got {target}")
    if validate is None and (patience is not None or target is not None):
        raise ValueError("patience and target need a validate function")
    return n_steps, validate_every, patience, min_delta, clip_norm


def _optimizer_for(model, optimizer: Adam | None, lr: float) -> Adam:
    """The given optimiser, checked to be over ``model.params``, or a new Adam."""
    if optimizer is None:
        return Adam(model.params, lr=lr)
    if optimizer.params is not model.params:
        raise ValueError("optimizer must have been made over model.params")
    return optimizer


def _next_batch(iterator, step: int, n_steps: int):
    """The batch for ``step``; a clear error when ``batches`` is exhausted."""
    try:
        return next(iterator)
    except StopIteration:
        raise ValueError(f"batches ran out after {step - 1} of n_steps={n_steps}") from None


def _step(model, optimizer: Adam, batch, state, step: int, clip_norm: float | None):
    """One update: loss and gradient on ``batch``, checked, clipped, and an Adam step.

    Returns the loss, the gradient norm before clipping, and the state for the next batch.
    """
    loss, grads, state = model.loss_and_grad(batch, state)
    norm = _norm(grads)
    if not (np.isfinite(loss) and np.isfinite(norm)):
        raise FloatingPointError(
            f"loss or gradient became non-finite at step {step}: lower lr or set clip_norm"
        )
    if clip_norm is not None and norm > clip_norm:
        grads = {k: g * (clip_norm / norm) for k, g in grads.items()}
    optimizer.step(grads)
    return loss, norm, state


class _Best:
    """Early-stopping bookkeeping: the best validation so far and the validations since."""

    def __init__(self, min_delta: float, patience: int | None, target: float | None):
        self.min_delta, self.patience, self.target = min_delta, patience, target
        self.value, self.step, self.params, self.since = np.inf, -1, None, 0

    def record(self, step: int, value: float, params: dict[str, np.ndarray]) -> str | None:
        """Take the validation ``value`` at ``step``; return why to stop, or None."""
        if value < self.value - self.min_delta or self.step < 0:
            self.value, self.step, self.since = value, step, 0
            self.params = {k: p.copy() for k, p in params.items()}
        else:
            self.since += 1
        if self.target is not None and value <= self.target:
            return "target"
        if self.patience is not None and self.since >= self.patience:
            return "patience"
        return None


def _show_progress(bar, step: int, loss, val_values: list[float], reason: str | None) -> None:
    bar.update(1)
    if step % 50 == 0 or reason is not None:
        post = {"loss": f"{loss:.4g}"}
        if val_values:
            post["val"] = f"{val_values[-1]:.4g}"
        bar.set_postfix(post, refresh=False)
