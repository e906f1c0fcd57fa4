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

:func:`fit_damped_oscillation` measures such an oscillation: its frequency per step, its
decay, and the phase shift between two components. For a map
:math:`\mathbf x_t = G(\mathbf x_{t-1})` near a fixed point, a complex pair of eigenvalues
:math:`\mu = |\mu| e^{\pm i\theta}` of :math:`\partial G/\partial \mathbf x` turns the
state by :math:`\theta = \arg\mu` per step and scales it by :math:`|\mu|`; the fitted
frequency and decay are to be compared with :math:`\arg\mu` and :math:`|\mu|`
(:func:`leading_rotations` lists them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import least_squares

from rnnlab._internal.validation import check_real, positive_int
from rnnlab.analysis.projection import PCA

__all__ = [
    "DampedOscillation",
    "TriggeredAverage",
    "fit_damped_oscillation",
    "held_bits",
    "leading_rotations",
    "switch_times",
    "triggered_average",
]


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


@dataclass(frozen=True)
class DampedOscillation:
    r"""A damped oscillation fitted to one or several signals (:func:`fit_damped_oscillation`).

    The model, with :math:`\tau = t - t_0` and one frequency and decay shared by all signals:

    .. math::

        x_j(t) = c_j + A_j\, r^{\tau} \cos(\omega \tau + \varphi_j).

    Attributes
    ----------
    frequency : float
        :math:`\omega`, radians per step, in :math:`[0, \pi]` (a signal sampled once per step
        cannot show a faster turn: :math:`\omega` and :math:`2\pi - \omega` look the same).
    decay : float
        :math:`r`, the factor by which the amplitude changes per step (< 1: damped).
    offsets, amplitudes, phases : ndarray, shape (n_signals,)
        :math:`c_j`, :math:`A_j \ge 0` and :math:`\varphi_j \in (-\pi, \pi]` (at :math:`t_0`).
    t0 : float
        The first sample time, where the phases and amplitudes are taken.
    r2 : float
        Fraction of the signals' variance (about their means) the fit explains.
    """

    frequency: float
    decay: float
    offsets: np.ndarray
    amplitudes: np.ndarray
    phases: np.ndarray
    t0: float
    r2: float

    @property
    def frequency_deg(self) -> float:
        r""":math:`\omega` in degrees per step, comparable with :math:`\arg\mu` in degrees."""
        return float(np.degrees(self.frequency))

    @property
    def period(self) -> float:
        r""":math:`2\pi/\omega` steps (inf for :math:`\omega = 0`)."""
        return float(2 * np.pi / self.frequency) if self.frequency > 0 else float("inf")

    def phase_shift(
        self, i: int = 0, j: int = 1, *, sign_free: bool = False, degrees: bool = True
    ) -> float:
        r"""How far signal ``i`` runs ahead of signal ``j``: :math:`\varphi_i - \varphi_j`.

        Wrapped to :math:`(-180°, 180°]`; positive means signal ``i`` peaks first. A quarter
        period is :math:`\pm 90°`.

        Parameters
        ----------
        i, j : int
            Indices of the two signals.
        sign_free : bool
            Fold the shift to :math:`[0°, 90°]`, the shift that does not depend on the signs of
            the signals. Use it for principal components, whose signs are arbitrary (flipping
            one adds 180°).
        degrees : bool
            Degrees (default) or radians.
        """
        n = len(self.phases)
        for value, name in ((i, "i"), (j, "j")):
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise TypeError(f"{name} must be an integer index, got {value!r}")
            if not -n <= value < n:
                raise IndexError(f"{name} must index one of the {n} fitted signals, got {value}")
        d = float(np.angle(np.exp(1j * (self.phases[i] - self.phases[j]))))
        if d == -np.pi:
            d = np.pi
        if sign_free:
            d = abs(d)
            d = min(d, np.pi - d)
        return float(np.degrees(d)) if degrees else d

    def __call__(self, t: ArrayLike) -> np.ndarray:
        """The fitted signals at times ``t``, shape ``(len(t), n_signals)``."""
        tau = np.asarray(t, dtype=float)[:, None] - self.t0
        env = self.decay**tau
        return self.offsets + self.amplitudes * env * np.cos(self.frequency * tau + self.phases)


def _design(tau: np.ndarray, omega: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Columns 1, r^tau cos(omega tau), r^tau sin(omega tau); shape (..., K, 3)."""
    env = r[..., None] ** tau
    arg = omega[..., None] * tau
    return np.stack([np.ones_like(env), env * np.cos(arg), env * np.sin(arg)], axis=-1)


def fit_damped_oscillation(
    t: ArrayLike,
    signals: ArrayLike,
    *,
    decay_range: tuple[float, float] = (0.3, 1.3),
) -> DampedOscillation:
    r"""Fit :math:`x_j(t) = c_j + A_j r^{t - t_0} \cos(\omega (t - t_0) + \varphi_j)` by least squares.

    One frequency :math:`\omega` and one decay :math:`r` are shared by all signals (give two
    principal components of a triggered average to measure their phase shift); each signal has
    its own offset, amplitude and phase. For fixed :math:`(\omega, r)` the model is linear in
    :math:`c_j, a_j = A_j\cos\varphi_j, b_j = -A_j\sin\varphi_j`, so the fit scans a grid of
    :math:`(\omega, r)` (1° steps in :math:`(0, \pi)`, 31 decays in ``decay_range``),
    solving the linear part exactly at each point, and then refines all parameters together
    (``scipy.optimize.least_squares``, trust-region reflective).

    Parameters
    ----------
    t : array_like, shape (K,)
        Sample times (steps), strictly increasing. :math:`t_0` is ``t[0]``.
    signals : array_like, shape (K,) or (K, n_signals)
        One or several signals sampled at ``t``. At least 6 samples: the model of one signal has
        5 parameters.
    decay_range : (float, float)
        The decays :math:`r` the grid scans (the refinement may leave it, staying > 0).

    Returns
    -------
    DampedOscillation

    Raises
    ------
    ValueError
        If the shapes do not match, ``t`` is not strictly increasing, a value is not finite,
        there are fewer than 6 samples, or ``decay_range`` is not ``0 < low < high``.

    Examples
    --------
    >>> t = np.arange(20)
    >>> x = np.c_[0.9**t * np.cos(0.8 * t + 1.2), 0.9**t * np.cos(0.8 * t)]
    >>> fit = fit_damped_oscillation(t, x)
    >>> round(fit.frequency, 3), round(fit.decay, 3), round(fit.phase_shift(0, 1), 1)
    (0.8, 0.9, 68.8)
    """
    tt = np.asarray(t)
    X = np.asarray(signals)
    check_real(tt, "t")
    check_real(X, "signals")
    if tt.ndim != 1:
        raise ValueError(f"t must be a 1-D array of sample times, got shape {tt.shape}")
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or len(X) != len(tt):
        raise ValueError(
            f"signals must have shape (K,) or (K, n_signals) with K = len(t) = {len(tt)}, "
            f"got {np.asarray(signals).shape}"
        )
    if len(tt) < 6:
        raise ValueError(f"need at least 6 samples to fit a damped oscillation, got {len(tt)}")
    tt = tt.astype(float)
    X = X.astype(float)
    if not (np.all(np.isfinite(tt)) and np.all(np.isfinite(X))):
        raise ValueError("t and signals must be finite (no NaN or inf)")
    if np.any(np.diff(tt) <= 0):
        raise ValueError("t must be strictly increasing")
    try:
        low, high = (float(v) for v in decay_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"decay_range must be two numbers (low, high), got {decay_range!r}"
        ) from None
    if not 0 < low < high or not np.isfinite(high):
        raise ValueError(f"decay_range must satisfy 0 < low < high, got {decay_range!r}")

    tau = tt - tt[0]
    omegas = np.radians(np.arange(1.0, 180.0, 1.0))
    decays = np.linspace(low, high, 31)
    Om, R = np.meshgrid(omegas, decays, indexing="ij")
    env = decays[:, None] ** tau  # (n_r, K); cos and sin separately per omega: (n_w, K)
    D = np.empty((len(omegas), len(decays), len(tau), 3))
    D[..., 0] = 1.0
    D[..., 1] = np.cos(omegas[:, None] * tau)[:, None, :] * env
    D[..., 2] = np.sin(omegas[:, None] * tau)[:, None, :] * env
    D = D.reshape(-1, len(tau), 3)  # (G, K, 3), G = n_w n_r, in the order of Om.ravel()
    # The exact linear part at every grid point, from the normal equations (a tiny ridge
    # keeps them solvable where cos(omega tau) is nearly constant; the refinement is exact).
    Dt = D.transpose(0, 2, 1)
    DtD = Dt @ D
    DtX = Dt @ X
    ridge = 1e-10 * np.trace(DtD, axis1=1, axis2=2)[:, None, None] * np.eye(3)
    coef = np.linalg.solve(DtD + ridge, DtX)  # (G, 3, n)
    rss = np.sum(X**2) - np.einsum("gin,gin->g", coef, DtX)
    g = int(np.argmin(rss))

    n = X.shape[1]

    def residuals(p: np.ndarray) -> np.ndarray:
        Dp = _design(tau, np.array(p[0]), np.array(p[1]))
        return (Dp @ p[2:].reshape(3, n) - X).ravel()

    p0 = np.concatenate([[Om.ravel()[g], R.ravel()[g]], coef[g].ravel()])
    lower = np.r_[0.0, 1e-6, np.full(3 * n, -np.inf)]
    upper = np.r_[np.pi, np.inf, np.full(3 * n, np.inf)]
    sol = least_squares(residuals, p0, bounds=(lower, upper), method="trf", x_scale="jac")
    p = sol.x if 2 * sol.cost <= rss[g] else p0
    omega, r = float(p[0]), float(p[1])
    c, a, b = p[2:].reshape(3, n)
    tss = float(np.sum((X - X.mean(axis=0)) ** 2))
    res = float(np.sum(residuals(p) ** 2))
    return DampedOscillation(
        frequency=omega,
        decay=r,
        offsets=c,
        amplitudes=np.hypot(a, b),
        phases=np.arctan2(-b, a),
        t0=float(tt[0]),
        r2=1.0 - res / tss if tss > 0 else float("nan"),
    )


def leading_rotations(eigenvalues: ArrayLike, n_pairs: int) -> tuple[np.ndarray, np.ndarray]:
    r"""The ``n_pairs`` complex pairs with the largest :math:`|\mu|`: their moduli and angles.

    A pair :math:`\mu = |\mu| e^{\pm i\theta}` of a map's stability matrix turns the state by
    :math:`\theta = \arg\mu` per step in the plane of its eigenvector's real and imaginary
    parts and scales it by :math:`|\mu|`; the pairs with the largest :math:`|\mu|` are the
    rotations that last longest. Real eigenvalues (:math:`|\operatorname{Im}\mu| \le
    10^{-9}(1 + |\mu|)`) are skipped; each pair is listed once, by its member with
    :math:`\operatorname{Im}\mu > 0`.

    Parameters
    ----------
    eigenvalues : array_like of complex, shape (N,)
    n_pairs : int
        How many pairs to return (fewer if the spectrum has fewer).

    Returns
    -------
    moduli : ndarray, shape (n,)
        :math:`|\mu|`, largest first.
    angles : ndarray, shape (n,)
        :math:`\arg\mu \in (0, \pi)`, radians per step.
    """
    mu = np.asarray(eigenvalues)
    if mu.ndim != 1 or not np.issubdtype(mu.dtype, np.number):
        raise ValueError(f"eigenvalues must be a 1-D array of numbers, got shape {mu.shape}")
    if not np.all(np.isfinite(mu)):
        raise ValueError("eigenvalues must be finite")
    n_pairs = positive_int(n_pairs, "n_pairs")
    mu = mu.astype(complex)
    upper = mu[mu.imag > 1e-9 * (1 + np.abs(mu))]
    upper = upper[np.argsort(-np.abs(upper), kind="stable")][:n_pairs]
    return np.abs(upper), np.angle(upper)
