r"""Robustness of a trained echo state network to noise in its recurrent weights (Jang §8).

Every draw replaces the reservoir by a perturbed copy,

.. math::

    W_r \;\to\; W_r + \eta Z, \qquad Z_{ij} \sim \mathcal N(0, 1)\ \text{i.i.d.},

so each entry gets noise of standard deviation :math:`\eta` (Jang: :math:`\mathcal N(0, \eta)`),
and the network runs with every weight frozen,

.. math::

    r = \phi(x), \quad z = W_o r, \quad
    x \leftarrow x + \frac{\Delta t}{\tau}\big(-x + (W_c + \eta Z)\, r + B u\big),
    \qquad W_c = W_r + W_{fb} W_o .

The noise is *not* scaled with :math:`1/\sqrt N`: the spectral radius of :math:`\eta Z` is
about :math:`\eta\sqrt N`, so the level at which a network breaks depends on its size.

**One batch, not a loop over trials.** :func:`noise_sweep` draws ``n_draws`` standard normal
matrices :math:`Z_d` once and uses draw :math:`d` at every level :math:`\eta_l` (common random
numbers: each level still gets independent :math:`\mathcal N(0, \eta_l^2)` draws, and the
differences between levels are not blurred by different draws). All :math:`L \times D`
networks are then simulated together, the states kept as an ``(L, D, N)`` array. A step costs
one matrix product :math:`R\,W_c^\top` for all rates :math:`R` of shape ``(L·D, N)`` and, per draw,
one product :math:`Z_d R_d^\top` with the ``(N, L)`` rates of all levels: ``D + 1`` passes over an
:math:`N \times N` matrix instead of the :math:`L \cdot D` matrix-vector products of a loop over
trials (``benchmarks/noise_sweep.py`` times both).

Which memories survive is a question about fixed points: they are found (and their distances
measured) in :mod:`rnnlab.flipflop.memories`, and followed into the perturbed networks as :math:`\eta`
grows (with their first-order shift and the census of a perturbed network) in
:mod:`rnnlab.flipflop.noise_memories`.

References
----------
.. [1] E. V. Jang, "Recurrent neural networks: a dynamical systems perspective", §8 and
   Fig. 9 (noise added to the recurrent weights of trained flip-flop networks).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import as_matrix, as_vector, positive_float, positive_int
from rnnlab.models.esn import ESN

__all__ = [
    "NoiseSweep",
    "noise_levels",
    "noise_matrices",
    "noise_sweep",
    "perturbed",
    "run_perturbed",
]

METRICS = ("mse", "accuracy", "settled_accuracy")


# -- the perturbations ------------------------------------------------------------------------
def noise_levels(n_levels: int = 20, low: float = 1e-4, high: float = 1.0) -> np.ndarray:
    """The noise levels :math:`\\eta` on a log grid (Jang / COURSE: 20 levels, 1e-4 to 1).

    Examples
    --------
    >>> noise_levels(5)
    array([1.e-04, 1.e-03, 1.e-02, 1.e-01, 1.e+00])
    """
    n_levels = positive_int(n_levels, "n_levels")
    low, high = positive_float(low, "low"), positive_float(high, "high")
    if not low < high:
        raise ValueError(f"low must be below high, got low={low:g}, high={high:g}")
    return np.logspace(np.log10(low), np.log10(high), n_levels)


def noise_matrices(N: int, n_draws: int, *, seed: int | np.random.Generator) -> np.ndarray:
    """``n_draws`` standard normal :math:`N \\times N` matrices :math:`Z_d`.

    Returns
    -------
    Z : ndarray, shape (n_draws, N, N)
        The perturbation of draw :math:`d` at level :math:`\\eta` is :math:`\\eta Z_d`.
    """
    N, n_draws = positive_int(N, "N"), positive_int(n_draws, "n_draws")
    return _rng(seed).standard_normal((n_draws, N, N))


def perturbed(esn: ESN, E) -> ESN:
    """A copy of ``esn`` whose reservoir is :math:`W_r + E` (readout, feedback, input shared).

    The copy cannot be saved and reloaded as itself: :meth:`ESN.load` regenerates
    :math:`W_r` from the seed and refuses the file (its checksum is the perturbed one).
    """
    check_esn(esn)
    E = as_matrix(E, "E", shape=(esn.N, esn.N))
    net = copy.copy(esn)
    net.W_r = esn.W_r + E
    net.W_o = esn.W_o.copy()
    return net


# -- batched simulation -----------------------------------------------------------------------
@blas_limited
def run_perturbed(
    esn, inputs, etas, Z, *, x0=None, project=None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Run every perturbed network :math:`W_r + \\eta_l Z_d` on one input sequence, as a batch.

    Parameters
    ----------
    esn : ESN or sequence of ESN
        Trained network(s) (readouts frozen). Several networks of the same size share the
        draws and run in the same batch (their products with :math:`Z_d` become one).
    inputs : array_like, shape (T, n_in) or (D, T, n_in)
        One input sequence for every run, or one per draw.
    etas : array_like, shape (L,)
        Noise levels :math:`\\eta_l \\ge 0` (0 gives the unperturbed network).
    Z : array_like, shape (D, N, N)
        Standard normal draws (:func:`noise_matrices`); draw :math:`d` is used at every level.
    x0 : array_like, shape (N,), optional
        Initial state of every run (default each network's ``x0``).
    project : callable, optional
        Maps states ``(..., N)`` to ``(..., k)`` coordinates (e.g. ``PCA.transform``) to keep
        the trajectories; the full states, ``L·D·T·N`` numbers, are not kept. One network only.

    Returns
    -------
    outputs : ndarray, shape (L, D, T, n_out), or (M, L, D, T, n_out) for M networks
        :math:`z_t` of each run, as in :meth:`ESN.run`.
    projected : ndarray, shape (L, D, T, k), or None
        The projected states :math:`x_t` when ``project`` is given.
    """
    nets = [esn] if isinstance(esn, ESN) else list(esn) if isinstance(esn, list | tuple) else [esn]
    for net in nets:
        check_esn(net)
    first = nets[0]
    for net in nets[1:]:
        same = (net.N, net.n_in, net.n_out, net.dt_over_tau)
        if same != (first.N, first.n_in, first.n_out, first.dt_over_tau):
            raise ValueError(
                "networks run together must share N, n_in, n_out and dt_over_tau, got "
                f"{(first.N, first.n_in, first.n_out, first.dt_over_tau)} and {same}"
            )
    if project is not None and len(nets) > 1:
        raise ValueError("project works with one network at a time")
    etas = check_etas(etas)
    Z = check_noise(Z, first.N)
    M, L, D, N = len(nets), len(etas), len(Z), first.N
    U = _check_inputs(inputs, D, first.n_in, "inputs")  # (D or 1, T, n_in)
    T = U.shape[1]

    W_c = [net.W_r + net.W_fb @ net.W_o for net in nets]
    # drive[t, d, m] = B_m u_t (of draw d's sequence), shape (T, D or 1, M, 1, N)
    drive = np.stack([U @ net.B.T for net in nets], axis=2).transpose(1, 0, 2, 3)[:, :, :, None]
    # Draw-major layout: X[d, m, l] is the state of draw d, network m, level l, so the rates
    # of one draw, R[d], are contiguous for the product R_d Z_d^T = (Z_d R_d^T)^T.
    X = np.empty((D, M, L, N))
    for m, net in enumerate(nets):
        X[:, m] = net.x0 if x0 is None else as_vector(x0, "x0", size=N)
    R = np.empty_like(X)
    recurrent = np.empty_like(X)
    noise = np.empty((D, M * L, N))
    eta = etas[None, None, :, None]
    a = first.dt_over_tau
    outputs = np.empty((T, D, M, L, first.n_out))
    projected = None
    for t in range(T):
        for m, net in enumerate(nets):
            R[:, m] = net.phi.f(X[:, m])
            outputs[t, :, m] = R[:, m] @ net.W_o.T
            recurrent[:, m] = (R[:, m].reshape(D * L, N) @ W_c[m].T).reshape(D, L, N)
        if project is not None:
            P = np.asarray(project(X[:, 0]))
            if projected is None:
                projected = np.empty((T, *P.shape))
            projected[t] = P
        np.matmul(R.reshape(D, M * L, N), Z.transpose(0, 2, 1), out=noise)
        recurrent += eta * noise.reshape(D, M, L, N)
        recurrent += drive[t]
        recurrent -= X
        X += a * recurrent
    outputs = outputs.transpose(2, 3, 1, 0, 4)  # (M, L, D, T, n_out)
    if projected is not None:
        projected = projected.transpose(2, 1, 0, 3)
    out = np.ascontiguousarray(outputs)
    return (out[0] if isinstance(esn, ESN) else out), projected


def scores(Z, U: np.ndarray, Y: np.ndarray, settle: int) -> dict[str, np.ndarray]:
    """:func:`rnnlab.models.force.evaluate`'s three numbers for outputs ``(..., T, n_out)``.

    ``U`` and ``Y`` are one sequence ``(T, n)`` or one per draw ``(D, T, n)``, the draw axis
    being the third from last of ``Z``.
    """
    defined = Y != 0
    right = (np.sign(Z) == np.sign(Y)) & defined
    active = np.any(U != 0, axis=-1).astype(float)
    recent = np.apply_along_axis(
        lambda a: np.convolve(a, np.ones(settle + 1))[: len(a)], -1, active
    )
    settled = defined & ~(recent > 0)[..., None]
    return {
        "mse": np.mean((Z - Y) ** 2, axis=(-2, -1)),
        "accuracy": right.sum(axis=(-2, -1)) / np.maximum(defined.sum(axis=(-2, -1)), 1),
        "settled_accuracy": (right & settled).sum(axis=(-2, -1))
        / np.maximum(settled.sum(axis=(-2, -1)), 1),
    }


# -- the sweep --------------------------------------------------------------------------------
@dataclass(repr=False)
class NoiseSweep:
    """Frozen-weight test scores of perturbed copies of one network (Jang Fig. 9).

    Attributes
    ----------
    etas : ndarray, shape (L,)
        Noise levels :math:`\\eta` (standard deviation of each added weight).
    mse, accuracy, settled_accuracy : ndarray, shape (L, D)
        Per level and draw, as :func:`rnnlab.models.force.evaluate` defines them.
    seed : int or None
        The seed of the draws (None when the draws were passed in).
    """

    etas: np.ndarray
    mse: np.ndarray
    accuracy: np.ndarray
    settled_accuracy: np.ndarray
    seed: int | None = None

    @property
    def n_draws(self) -> int:
        return self.mse.shape[1]

    def _metric(self, metric: str) -> np.ndarray:
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
        return getattr(self, metric)

    def mean(self, metric: str = "mse") -> np.ndarray:
        """Mean over draws, shape ``(L,)``."""
        return self._metric(metric).mean(axis=1)

    def std(self, metric: str = "mse") -> np.ndarray:
        """Standard deviation over draws (the spread between perturbed networks), ``(L,)``."""
        return (
            self._metric(metric).std(axis=1, ddof=1)
            if self.n_draws > 1
            else np.zeros(len(self.etas))
        )

    def sem(self, metric: str = "mse") -> np.ndarray:
        """Standard error of the mean over draws, ``(L,)``."""
        return self.std(metric) / np.sqrt(self.n_draws)

    def breakdown(self, metric: str = "settled_accuracy", threshold: float = 0.9) -> float:
        """The smallest :math:`\\eta` whose mean ``metric`` is below ``threshold`` (above it for
        ``'mse'``), ``nan`` if none is."""
        m = self.mean(metric)
        bad = m > threshold if metric == "mse" else m < threshold
        return float(self.etas[np.argmax(bad)]) if bad.any() else float("nan")

    def halfway(self, metric: str = "settled_accuracy", chance: float = 0.5) -> float:
        """The :math:`\\eta` at which the mean ``metric`` has lost half of its way from its
        value at the smallest :math:`\\eta` down to ``chance`` (0.5 for the sign of a bit).

        A breakdown level that does not depend on how good the network was without noise.
        Between the two levels around the crossing, :math:`\\log\\eta` is interpolated
        linearly; nan if the mean never gets there.
        """
        if metric == "mse":
            raise ValueError("halfway is defined for the accuracies; use breakdown for the MSE")
        m = self.mean(metric)
        level = 0.5 * (m[0] + chance)
        below = np.flatnonzero(m < level)
        if below.size == 0:
            return float("nan")
        i = int(below[0])
        if i == 0:
            return float(self.etas[0])
        lo, hi = np.log(self.etas[i - 1]), np.log(self.etas[i])
        frac = (m[i - 1] - level) / (m[i - 1] - m[i])
        return float(np.exp(lo + frac * (hi - lo)))

    def table(self) -> str:
        """Mean ± standard deviation of each score per level."""
        lines = [f"{'eta':>8}  {'MSE':>15}  {'accuracy':>15}  {'settled':>15}"]
        for i, eta in enumerate(self.etas):
            cells = [f"{self.mean(m)[i]:>7.3f} ± {self.std(m)[i]:<5.3f}" for m in METRICS]
            lines.append(f"{eta:>8.1e}  " + "  ".join(cells))
        lines.append(f"{self.n_draws} draws per level")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.table()


def noise_sweep(
    esn,
    inputs,
    targets,
    etas=None,
    *,
    n_draws: int = 10,
    seed: int | np.random.Generator | None = None,
    Z=None,
    settle: int = 30,
    x0=None,
) -> NoiseSweep:
    """Test perturbed copies :math:`W_r + \\eta Z` of a trained network on one fresh sequence.

    Parameters
    ----------
    esn : ESN or sequence of ESN
        A trained network, or several of the same size (tested with the same draws, in one
        batch: a paired comparison, and faster than one at a time).
    inputs, targets : array_like, shapes (T, n_in), (T, n_out), or (D, T, ...)
        A fresh test sequence that every perturbed network sees, or one per draw (then the
        spread between draws includes the spread between test sequences).
    etas : array_like, shape (L,), optional
        Noise levels (default :func:`noise_levels`: 20 levels from 1e-4 to 1).
    n_draws : int
        Draws per level (the same draws at every level, see the module docstring).
    seed : int or Generator
        For the draws; required unless ``Z`` is given.
    Z : array_like, shape (D, N, N), optional
        The standard normal draws themselves (e.g. to give two networks the same noise).
    settle : int
        As in :func:`rnnlab.models.force.evaluate`.
    x0 : array_like, shape (N,), optional
        Initial state (default ``esn.x0``).

    Returns
    -------
    NoiseSweep, or a list of them for a sequence of networks
    """
    first = esn if isinstance(esn, ESN) else next(iter(esn), None)
    check_esn(first)
    etas = noise_levels() if etas is None else check_etas(etas)
    settle = positive_int(settle, "settle")
    if Z is None:
        if seed is None:
            raise TypeError("seed is required (or pass the draws as Z)")
        Z = noise_matrices(first.N, n_draws, seed=seed)
    elif seed is not None:
        raise TypeError("give either seed (to draw the noise) or Z (the draws), not both")
    Z = check_noise(Z, first.N)
    U = _check_inputs(inputs, len(Z), first.n_in, "inputs")
    Y = _check_inputs(targets, len(Z), first.n_out, "targets")
    if Y.shape[:2] != U.shape[:2]:
        raise ValueError(f"targets must match inputs, got {Y.shape} and {U.shape}")
    U, Y = (U[0], Y[0]) if len(U) == 1 else (U, Y)
    single = isinstance(esn, ESN)
    outputs, _ = run_perturbed(esn if single else list(esn), U, etas, Z, x0=x0)
    s = scores(outputs[None] if single else outputs, U, Y, settle)
    seed = int(seed) if isinstance(seed, int | np.integer) else None
    sweeps = [
        NoiseSweep(etas, s["mse"][m], s["accuracy"][m], s["settled_accuracy"][m], seed)
        for m in range(len(s["mse"]))
    ]
    return sweeps[0] if single else sweeps


# -- checks -----------------------------------------------------------------------------------
def check_esn(esn) -> None:
    if not isinstance(esn, ESN):
        raise TypeError(f"esn must be an rnnlab.ESN, got {type(esn).__name__}")


def check_etas(etas) -> np.ndarray:
    e = np.asarray(etas)
    if e.ndim != 1 or e.size == 0:
        raise ValueError(f"etas must be a non-empty 1-D array of noise levels, got shape {e.shape}")
    e = as_vector(e, "etas")
    if np.any(e < 0):
        raise ValueError(f"etas must be >= 0 (standard deviations), got min {e.min():g}")
    return e


def _check_inputs(a, n_draws: int, width: int, name: str) -> np.ndarray:
    """A sequence ``(T, width)`` as ``(1, T, width)``, or one per draw ``(n_draws, T, width)``."""
    arr = np.asarray(a)
    if arr.ndim == 2:
        return as_matrix(arr, name, shape=(None, width))[None]
    if arr.ndim != 3 or arr.shape[0] != n_draws or arr.shape[2] != width:
        raise ValueError(
            f"{name} must have shape (T, {width}) or ({n_draws}, T, {width}) (one sequence per "
            f"draw), got {arr.shape}"
        )
    return np.stack([as_matrix(x, name) for x in arr])


def check_noise(Z, N: int) -> np.ndarray:
    Z = np.asarray(Z)
    if Z.ndim != 3 or Z.shape[1:] != (N, N) or Z.shape[0] == 0:
        raise ValueError(f"Z must have shape (n_draws, {N}, {N}) (noise_matrices), got {Z.shape}")
    if Z.dtype != np.float64 or not np.all(np.isfinite(Z)):
        raise ValueError("Z must be a finite float64 array")
    return Z


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer | np.random.Generator):
        raise TypeError(f"seed must be an integer or a numpy Generator, got {seed!r}")
    return np.random.default_rng(seed)
