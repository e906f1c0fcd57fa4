r"""Event-triggered averages of the hidden state around one kind of memory switch.

To see *how* a network moves from one memory to another, collect every time :math:`t_e`
at which the input asks for the same switch (e.g. the bits :math:`(-1,-1,-1)` become
:math:`(-1,-1,+1)`) and average the state over these events, aligned on the input pulse:

.. math::

    \bar S(\tau) = \frac{1}{E} \sum_{e=1}^{E} S_{t_e + \tau}, \qquad
    \tau = -\text{pre}, \dots, \text{post}.

Averaging removes what differs between the events (earlier history, noise) and keeps the
common transition. The principal components of :math:`\bar S(\tau)` (a PCA of the
*average*, :math:`\text{pre} + \text{post} + 1` samples) show its structure: in a network
that must delay its answer, pairs of components that oscillate a quarter period apart
(the delayed flip-flop paper, Fig. 3c), the signature of rotations that count time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_real, positive_int
from .projection import PCA

__all__ = ["TriggeredAverage", "held_bits", "switch_times", "triggered_average"]


def held_bits(inputs) -> np.ndarray:
    """The bits the pulses ask for: the sign of the last pulse on each channel (0 before any).

    Parameters
    ----------
    inputs : array_like, shape (T, n_bits)

    Returns
    -------
    ndarray, shape (T, n_bits)
    """
    U = np.asarray(inputs)
    check_real(U, "inputs")
    if U.ndim != 2:
        raise ValueError(f"inputs must have shape (T, n_bits), got {U.shape}")
    T = len(U)
    idx = np.where(U != 0, np.arange(T)[:, None], -1)
    last = np.maximum.accumulate(idx, axis=0)  # index of the last pulse so far, -1 if none
    return np.where(last >= 0, np.sign(U[np.maximum(last, 0), np.arange(U.shape[1])]), 0.0)


def switch_times(inputs, before, after) -> np.ndarray:
    """Times ``t`` at which the held bits change from ``before`` (at t-1) to ``after`` (at t).

    Parameters
    ----------
    inputs : array_like, shape (T, n_bits)
    before, after : sequence of ±1, length n_bits

    Returns
    -------
    ndarray of int, shape (n_events,)
        The onsets of the pulses that ask for the switch.
    """
    bits = held_bits(inputs)
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    for v, name in ((b, "before"), (a, "after")):
        if v.shape != (bits.shape[1],) or not np.all(np.abs(v) == 1):
            raise ValueError(f"{name} must be {bits.shape[1]} values of ±1, got {v.tolist()}")
    if np.array_equal(a, b):
        raise ValueError("before and after must differ")
    hit = np.all(bits[:-1] == b, axis=1) & np.all(bits[1:] == a, axis=1)
    return np.flatnonzero(hit) + 1


@dataclass
class TriggeredAverage:
    """An event-triggered average and the PCA of it.

    Attributes
    ----------
    lags : ndarray of int, shape (K,)
        :math:`\\tau = -\\text{pre}, \\dots, \\text{post}` (0: the pulse onset).
    states : ndarray, shape (K, N)
        :math:`\\bar S(\\tau)`.
    outputs : ndarray, shape (K, n_out)
        The average output.
    times : ndarray of int, shape (n_events,)
        Event onsets used.
    pca : PCA
        Fitted to ``states``.
    projection : ndarray, shape (K, n_components)
        ``states`` in the principal components.
    """

    lags: np.ndarray
    states: np.ndarray
    outputs: np.ndarray
    times: np.ndarray
    pca: PCA
    projection: np.ndarray

    @property
    def n_events(self) -> int:
        """Number of events averaged."""
        return len(self.times)


def triggered_average(
    states,
    outputs,
    inputs,
    *,
    before=(-1, -1, -1),
    after=(-1, -1, 1),
    pre: int = 5,
    post: int = 20,
    quiet: int | None = None,
    n_components: int = 9,
) -> TriggeredAverage:
    """Average states and outputs around every switch ``before`` → ``after``.

    Parameters
    ----------
    states : array_like, shape (T, N)
        Hidden states of one long run, :math:`S_t` aligned with ``inputs``.
    outputs : array_like, shape (T, n_out)
    inputs : array_like, shape (T, n_bits)
    before, after : sequence of ±1
        The switch (default the paper's :math:`(-1,-1,-1) \\to (-1,-1,+1)`).
    pre, post : int
        Steps kept before and after the onset.
    quiet : int, optional
        Keep only events with no other pulse onset within ``quiet`` steps before and
        ``post`` steps after (default ``pre``), so the average is one clean transition.
    n_components : int
        Principal components of the average kept (at most ``pre + post + 1`` and N).

    Returns
    -------
    TriggeredAverage
    """
    S = np.asarray(states, dtype=float)
    Y = np.asarray(outputs, dtype=float)
    U = np.asarray(inputs, dtype=float)
    if S.ndim != 2 or Y.ndim != 2 or U.ndim != 2 or not (len(S) == len(Y) == len(U)):
        raise ValueError(
            "states, outputs and inputs must be (T, N), (T, n_out), (T, n_bits) with the same T, "
            f"got {S.shape}, {Y.shape}, {U.shape}"
        )
    pre = positive_int(pre, "pre")
    post = positive_int(post, "post")
    quiet = pre if quiet is None else int(quiet)
    T = len(S)
    times = switch_times(U, before, after)
    onsets = np.flatnonzero(
        np.any((U != 0) & ~np.vstack([np.zeros((1, U.shape[1]), bool), U[:-1] != 0]), axis=1)
    )
    keep = []
    for t in times:
        if t - max(pre, quiet) < 0 or t + post >= T:
            continue
        others = onsets[(onsets >= t - quiet) & (onsets <= t + post) & (onsets != t)]
        if len(others) == 0:
            keep.append(t)
    times = np.asarray(keep, dtype=int)
    if len(times) == 0:
        raise ValueError(
            f"no clean switch {tuple(before)} -> {tuple(after)} in the run: use a longer run "
            "or smaller pre/post/quiet"
        )
    lags = np.arange(-pre, post + 1)
    idx = times[:, None] + lags[None, :]
    mean_S = S[idx].mean(axis=0)
    pca = PCA(min(n_components, len(lags) - 1, S.shape[1])).fit(mean_S)
    return TriggeredAverage(
        lags=lags,
        states=mean_S,
        outputs=Y[idx].mean(axis=0),
        times=times,
        pca=pca,
        projection=pca.transform(mean_S),
    )
