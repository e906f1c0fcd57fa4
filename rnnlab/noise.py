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

Which memories survive is a question about fixed points: :func:`find_memories` finds the
:math:`2^n` stable points of the unperturbed network, :func:`track_memories` follows each of
them into the perturbed networks (does it still exist nearby, is it still stable, does it
still read out its bit pattern), :func:`perturbed_census` counts every fixed point of one
perturbed network with :func:`rnnlab.census.census`, and :func:`memory_distances` measures how
far apart the memories are.

References
----------
.. [1] E. V. Jang, "Recurrent neural networks: a dynamical systems perspective", §8 and
   Fig. 9 (noise added to the recurrent weights of trained flip-flop networks).
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse.linalg

from ._blas import single_blas_thread
from ._validation import as_matrix, as_vector, positive_float, positive_int
from .esn import ESN
from .systems import RateRNN

__all__ = [
    "MemoryFate",
    "NoiseSweep",
    "find_memories",
    "linear_shift",
    "memory_distances",
    "noise_levels",
    "noise_matrices",
    "noise_sweep",
    "perturbed",
    "perturbed_census",
    "run_perturbed",
    "track_memories",
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
    _check_esn(esn)
    E = as_matrix(E, "E", shape=(esn.N, esn.N))
    net = copy.copy(esn)
    net.W_r = esn.W_r + E
    net.W_o = esn.W_o.copy()
    return net


# -- batched simulation -----------------------------------------------------------------------
@single_blas_thread
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
        _check_esn(net)
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
    etas = _check_etas(etas)
    Z = _check_noise(Z, first.N)
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


def _scores(Z, U: np.ndarray, Y: np.ndarray, settle: int) -> dict[str, np.ndarray]:
    """:func:`rnnlab.force.evaluate`'s three numbers for outputs ``(..., T, n_out)``.

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
        Per level and draw, as :func:`rnnlab.force.evaluate` defines them.
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
        As in :func:`rnnlab.force.evaluate`.
    x0 : array_like, shape (N,), optional
        Initial state (default ``esn.x0``).

    Returns
    -------
    NoiseSweep, or a list of them for a sequence of networks
    """
    first = esn if isinstance(esn, ESN) else next(iter(esn), None)
    _check_esn(first)
    etas = noise_levels() if etas is None else _check_etas(etas)
    settle = positive_int(settle, "settle")
    if Z is None:
        if seed is None:
            raise TypeError("seed is required (or pass the draws as Z)")
        Z = noise_matrices(first.N, n_draws, seed=seed)
    elif seed is not None:
        raise TypeError("give either seed (to draw the noise) or Z (the draws), not both")
    Z = _check_noise(Z, first.N)
    U = _check_inputs(inputs, len(Z), first.n_in, "inputs")
    Y = _check_inputs(targets, len(Z), first.n_out, "targets")
    if Y.shape[:2] != U.shape[:2]:
        raise ValueError(f"targets must match inputs, got {Y.shape} and {U.shape}")
    U, Y = (U[0], Y[0]) if len(U) == 1 else (U, Y)
    single = isinstance(esn, ESN)
    outputs, _ = run_perturbed(esn if single else list(esn), U, etas, Z, x0=x0)
    s = _scores(outputs[None] if single else outputs, U, Y, settle)
    seed = int(seed) if isinstance(seed, int | np.integer) else None
    sweeps = [
        NoiseSweep(etas, s["mse"][m], s["accuracy"][m], s["settled_accuracy"][m], seed)
        for m in range(len(s["mse"]))
    ]
    return sweeps[0] if single else sweeps


# -- memories as fixed points -----------------------------------------------------------------
@dataclass(repr=False)
class Memories:
    """The stable fixed points of a trained flip-flop network, one per bit pattern.

    Attributes
    ----------
    x : ndarray, shape (K, N)
        The memories.
    patterns : ndarray of int, shape (K, n_out)
        Their bit patterns, :math:`\\operatorname{sign}(W_o\\phi(x))`.
    missing : list of tuple
        Patterns for which no stable point was found.
    """

    x: np.ndarray
    patterns: np.ndarray
    missing: list

    def __len__(self) -> int:
        return len(self.x)

    def __repr__(self) -> str:
        return f"Memories({len(self)} of {len(self) + len(self.missing)} patterns)"


@single_blas_thread
def find_memories(
    esn: ESN, *, pulse_length: int = 11, gap: int = 40, hold: int = 300, tol_fixed: float = 1e-20
) -> Memories:
    """The :math:`2^n` memories: write each bit pattern, let the network settle, polish.

    For every pattern :math:`p \\in \\{-1, +1\\}^n` the network starts at ``esn.x0`` and
    its channels are written one after the other, as in the task: channel :math:`j` gets the
    pulse :math:`p_j` for ``pulse_length`` steps followed by ``gap`` silent steps. The
    pattern is written twice (a pulse that arrives while the network holds no memory yet
    can fail to switch it), then ``hold`` more silent steps follow (all patterns in one
    batch). Newton's method polishes the end states into fixed points (:math:`q <`
    ``tol_fixed``) and the rightmost eigenvalue of the Jacobian (Arnoldi) tests their
    stability. A pattern is stored when its run ends at a *stable* fixed point whose
    readout has the signs of :math:`p`, distinct from the other patterns' points. A pattern
    not reached this way gets a second chance: from each memory that differs from it in one
    bit, that bit is flipped by a pulse. A pattern still missing was not reached by the
    task's own inputs; it may be absent or have too small a basin.

    Returns
    -------
    Memories
    """
    _check_esn(esn)
    pulse_length, gap = positive_int(pulse_length, "pulse_length"), positive_int(gap, "gap")
    hold = positive_int(hold, "hold")
    tol_fixed = positive_float(tol_fixed, "tol_fixed")
    n = esn.n_out
    if esn.n_in != n:
        raise ValueError(f"a flip-flop network has n_in = n_out, got {esn.n_in} and {n}")
    patterns = np.array(list(itertools.product((-1.0, 1.0), repeat=n)), dtype=int)
    W_c = esn.W_r + esn.W_fb @ esn.W_o
    system = esn.closed_loop()
    timing = (pulse_length, gap, hold)
    start = np.broadcast_to(esn.x0, (len(patterns), esn.N))
    X = _write(esn, W_c, start, [(j, patterns[:, j]) for j in list(range(n)) * 2], timing)
    ok, X = _memories_at(esn, system, X, patterns, tol_fixed)
    # Second chance for a pattern not reached: from each memory one bit away, flip that bit.
    for p in np.flatnonzero(~ok):
        for q in np.flatnonzero(ok & (np.sum(patterns != patterns[p], axis=1) == 1)):
            j = int(np.flatnonzero(patterns[q] != patterns[p])[0])
            Xp = _write(esn, W_c, X[q : q + 1], [(j, patterns[p : p + 1, j])], timing)
            ok_p, Xp = _memories_at(esn, system, Xp, patterns[p : p + 1], tol_fixed)
            if ok_p[0] and np.all(np.max(np.abs(X[ok] - Xp[0]), axis=1) >= 1e-5):
                ok[p], X[p] = True, Xp[0]
                break
    return Memories(
        x=X[ok],
        patterns=patterns[ok],
        missing=[tuple(int(b) for b in p) for p in patterns[~ok]],
    )


def _write(esn: ESN, W_c, X0, pulses, timing) -> np.ndarray:
    """Run from states ``X0``: each (channel, signs) pulse, a gap, then the hold."""
    pulse_length, gap, hold = timing
    a, f = esn.dt_over_tau, esn.phi.f
    X = np.array(X0, dtype=float)
    for j, signs in pulses:
        pulse = np.outer(signs, esn.B[:, j])
        for t in range(pulse_length + gap):
            X += a * (-X + f(X) @ W_c.T + (pulse if t < pulse_length else 0.0))
    for _ in range(hold):
        X += a * (-X + f(X) @ W_c.T)
    return X


def _memories_at(esn: ESN, system, X, patterns, tol_fixed):
    """Polish the states by Newton's method; which are distinct stable points with their pattern."""
    lus = [scipy.linalg.lu_factor(J, check_finite=False) for J in system._jacobian(X)]
    X, fixed = _chord(system, X, lus, 50, tol_fixed)
    ok = fixed & np.all(_pattern(esn, X) == patterns, axis=1)
    for k in np.flatnonzero(ok):
        ok[k] = _rightmost(system, X[k]) < 0
        if ok[k] and k and np.any(np.max(np.abs(X[:k][ok[:k]] - X[k]), axis=1) < 1e-5):
            ok[k] = False
    return ok, X


@dataclass(repr=False)
class MemoryFate:
    """What happens to each memory in perturbed copies of a network.

    Attributes
    ----------
    etas : ndarray, shape (L,)
    patterns : ndarray of int, shape (K, n_out)
        The memories' bit patterns.
    exists : ndarray of bool, shape (L, D, K)
        The memory's branch of fixed points continues up to this level (see
        :func:`track_memories`); False once it has vanished.
    stable : ndarray of bool, shape (L, D, K)
        ... and the point is stable and reads out the memory's bit pattern: the memory
        *survives*.
    shift : ndarray, shape (L, D, K)
        RMS distance :math:`|x^*_\\eta - x^*|/\\sqrt N` the memory moved (nan where it
        vanished).
    """

    etas: np.ndarray
    patterns: np.ndarray
    exists: np.ndarray
    stable: np.ndarray
    shift: np.ndarray

    @property
    def survived(self) -> np.ndarray:
        """Fraction of memories surviving per level and draw, shape ``(L, D)``."""
        return self.stable.mean(axis=2)

    @property
    def vanished(self) -> np.ndarray:
        """Fraction of memories with no fixed point left nearby, shape ``(L, D)``."""
        return 1.0 - self.exists.mean(axis=2)

    @property
    def destabilised(self) -> np.ndarray:
        """Fraction still existing but unstable or with another bit pattern, ``(L, D)``."""
        return (self.exists & ~self.stable).mean(axis=2)

    def first_loss(self) -> float:
        """The smallest :math:`\\eta` at which some draw lost some memory (nan if none)."""
        lost = ~self.stable.all(axis=(1, 2))
        return float(self.etas[np.argmax(lost)]) if lost.any() else float("nan")

    def table(self) -> str:
        """Per level: mean fractions of memories surviving, vanished and destabilised."""
        lines = [f"{'eta':>8}  {'survived':>8}  {'vanished':>8}  {'unstable':>8}  {'moved':>8}"]
        for i, eta in enumerate(self.etas):
            moved = self.shift[i][self.stable[i]]
            lines.append(
                f"{eta:>8.1e}  {self.survived[i].mean():>8.2f}  {self.vanished[i].mean():>8.2f}  "
                f"{self.destabilised[i].mean():>8.2f}  "
                f"{np.median(moved) if moved.size else float('nan'):>8.1e}"
            )
        lines.append(f"{self.exists.shape[1]} draws, {self.exists.shape[2]} memories")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.table()


@single_blas_thread
def track_memories(
    esn: ESN,
    memories: Memories,
    etas,
    Z,
    *,
    max_halvings: int = 6,
    max_iter: int = 30,
    tol_fixed: float = 1e-20,
) -> MemoryFate:
    """Follow each memory into the perturbed networks :math:`W_r + \\eta Z_d` by continuation.

    For each draw :math:`d` the noise is turned up from :math:`\\eta = 0` through the levels
    ``etas`` (increasing), and each memory is followed as a fixed point of the perturbed
    closed loop: at every step :math:`\\eta \\to \\eta + h` Newton's method starts from the
    point at :math:`\\eta` (chord steps with the last factorised Jacobian, refactorised where
    they stop halving :math:`|F|`). Where Newton fails the step is halved; where it still
    fails after ``max_halvings`` halvings the branch has ended: the memory has met the saddle
    next to it and both vanished (a saddle-node bifurcation, where the branch folds back),
    and it stays vanished at every larger :math:`\\eta`. On a branch that continues, the
    rightmost eigenvalue of the Jacobian (Arnoldi) tells whether the point is still stable,
    and its readout whether it still holds its bit pattern. Nothing limits how far a memory
    may move, as long as it moves continuously.

    Parameters
    ----------
    esn : ESN
    memories : Memories
        From :func:`find_memories`.
    etas : array_like, shape (L,)
        Increasing noise levels (0 allowed).
    Z : array_like, shape (D, N, N)
    max_halvings : int
        Step halvings before a branch is declared ended.
    max_iter : int
        Newton iterations per step.
    tol_fixed : float
        A point is fixed when :math:`q = \\tfrac12|F|^2 <` ``tol_fixed``.

    Returns
    -------
    MemoryFate
    """
    _check_esn(esn)
    if not isinstance(memories, Memories):
        raise TypeError(f"memories must come from find_memories, got {type(memories).__name__}")
    etas, Z = _check_etas(etas), _check_noise(Z, esn.N)
    if np.any(np.diff(etas) <= 0):
        raise ValueError("etas must increase (the memories are followed from eta = 0 upwards)")
    max_halvings = positive_int(max_halvings, "max_halvings")
    max_iter = positive_int(max_iter, "max_iter")
    tol_fixed = positive_float(tol_fixed, "tol_fixed")
    L, D, K, N = len(etas), len(Z), len(memories), esn.N
    exists = np.zeros((L, D, K), dtype=bool)
    stable = np.zeros((L, D, K), dtype=bool)
    shift = np.full((L, D, K), np.nan)
    W_c = esn.closed_loop().W
    for d, k in itertools.product(range(D), range(K)):
        branch = _Branch(W_c, Z[d], esn.phi, memories.x[k], max_iter, tol_fixed)
        h = etas[0] if etas[0] > 0 else etas[min(1, L - 1)]
        for l, target in enumerate(etas):
            halvings = 0
            while branch.eta < target and halvings <= max_halvings:
                if branch.step(min(target, branch.eta + h)):
                    h *= 2.0
                else:
                    h, halvings = h / 2.0, halvings + 1
            if branch.eta < target:
                break  # the branch has ended: vanished here and beyond
            pattern = np.sign(esn.phi.f(branch.x) @ esn.W_o.T).astype(int)
            exists[l, d, k] = True
            stable[l, d, k] = _rightmost(branch.system, branch.x) < 0 and np.array_equal(
                pattern, memories.patterns[k]
            )
            shift[l, d, k] = np.linalg.norm(branch.x - memories.x[k]) / np.sqrt(N)
    return MemoryFate(
        etas=etas, patterns=memories.patterns.copy(), exists=exists, stable=stable, shift=shift
    )


class _Branch:
    """One memory followed along eta Z: the current point, level and Jacobian factors."""

    def __init__(self, W_c, Z, phi, x, max_iter, tol_fixed):
        self.W_c, self.Z, self.phi = W_c, Z, phi
        self.max_iter, self.tol_fixed = max_iter, tol_fixed
        self.eta, self.x = 0.0, x.copy()
        self.system = RateRNN(W_c, phi=phi)
        self.lu = self._factor(self.system, self.x)

    @staticmethod
    def _factor(system, x):
        return scipy.linalg.lu_factor(system._jacobian(x[None])[0], check_finite=False)

    def step(self, eta: float) -> bool:
        """Newton's method at level ``eta`` from the current point; True if it converged."""
        system = RateRNN(self.W_c + eta * self.Z, phi=self.phi)
        x, lu, refactors = self.x.copy(), self.lu, 0
        F = system._rhs(x[None])[0]
        for _ in range(self.max_iter):
            x = x - scipy.linalg.lu_solve(lu, F, check_finite=False)
            F_new = system._rhs(x[None])[0]
            if 0.5 * F_new @ F_new < self.tol_fixed:
                self.eta, self.x, self.system = eta, x, system
                self.lu = lu  # chord steps reuse it until they slow down
                return True
            if np.linalg.norm(F_new) > 0.5 * np.linalg.norm(F):
                if refactors == 3 or not np.all(np.isfinite(F_new)):
                    return False
                lu, refactors = self._factor(system, x), refactors + 1
            F = F_new
        return False


def _pattern(esn: ESN, X: np.ndarray) -> np.ndarray:
    return np.sign(esn.phi.f(X) @ esn.W_o.T).astype(int)


def _chord(system, X0, lus, max_iter, tol_fixed):
    """Chord steps from each start ``X0[k]`` with the LU factors ``lus[k]``; a start is given up
    as soon as a step fails to halve its |F|. Returns the end points and which are fixed."""
    X = X0.copy()
    F = system._rhs(X)
    speed = np.linalg.norm(F, axis=1)
    fixed = 0.5 * speed**2 < tol_fixed
    alive = ~fixed
    for _ in range(max_iter):
        if not alive.any():
            break
        for k in np.flatnonzero(alive):
            X[k] -= scipy.linalg.lu_solve(lus[k], F[k], check_finite=False)
        F[alive] = system._rhs(X[alive])
        new = np.linalg.norm(F, axis=1)
        fixed |= alive & (0.5 * new**2 < tol_fixed)
        alive &= ~fixed & (new <= 0.5 * speed)
        speed = new
    return X, fixed


def _rightmost(system, x) -> float:
    """Real part of the rightmost eigenvalue of J(x) (Arnoldi; dense for small N)."""
    J = system._jacobian(x[None])[0]
    if len(x) <= 50:
        return float(np.max(np.linalg.eigvals(J).real))
    try:
        lam = scipy.sparse.linalg.eigs(
            J, k=1, which="LR", v0=np.ones(len(x)), return_eigenvectors=False, tol=1e-10
        )
    except scipy.sparse.linalg.ArpackNoConvergence:
        lam = np.linalg.eigvals(J)
    return float(np.max(lam.real))


def linear_shift(esn: ESN, memories: Memories, Z) -> np.ndarray:
    """How far each memory moves per unit of noise, to first order in :math:`\\eta`.

    With :math:`E = \\eta Z` the perturbed vector field at the memory is
    :math:`F_E(x^*) = E\\,\\phi(x^*)`, and one Newton step gives the new fixed point
    :math:`x^* + \\delta`, :math:`\\delta = -(J^*)^{-1} E\\,\\phi(x^*) + O(\\eta^2)`. So
    :math:`|\\delta|/\\sqrt N \\approx \\eta\\,\\chi` with

    .. math::

        \\chi = \\frac{|(J^*)^{-1} Z\\,\\phi(x^*)|}{\\sqrt N}.

    A soft memory (an eigenvalue of :math:`J^*` near 0) has a large :math:`\\chi`.

    Parameters
    ----------
    esn : ESN
    memories : Memories
    Z : array_like, shape (D, N, N)

    Returns
    -------
    chi : ndarray, shape (D, K)
        :math:`\\chi` per draw and memory (RMS per unit, like :func:`memory_distances`).
    """
    _check_esn(esn)
    if not isinstance(memories, Memories):
        raise TypeError(f"memories must come from find_memories, got {type(memories).__name__}")
    Z = _check_noise(Z, esn.N)
    J = esn.closed_loop()._jacobian(memories.x)
    ZR = np.einsum("dij,kj->dki", Z, esn.phi.f(memories.x))  # Z_d phi(x*_k)
    shift = np.stack([np.linalg.solve(J[k], ZR[:, k].T).T for k in range(len(J))], axis=1)
    return np.linalg.norm(shift, axis=2) / np.sqrt(esn.N)


def memory_distances(memories: Memories) -> dict[str, np.ndarray]:
    """How far apart the memories are (RMS distance per unit, :math:`|x_i - x_j|/\\sqrt N`).

    Returns
    -------
    dict
        ``pairwise`` (K, K): all distances; ``nearest`` (K,): to the nearest other memory;
        ``neighbours`` (n_pairs,): between memories that differ in exactly one bit (the
        pairs an input pulse switches between, joined through an edge saddle).
    """
    if not isinstance(memories, Memories):
        raise TypeError(f"memories must come from find_memories, got {type(memories).__name__}")
    X, P = memories.x, memories.patterns
    if len(X) < 2:
        raise ValueError(f"need at least 2 memories to measure distances, got {len(X)}")
    d = np.sqrt(np.maximum(_sqdist(X, X), 0.0) / X.shape[1])
    off = d + np.diag(np.full(len(X), np.inf))
    i, j = np.triu_indices(len(X), 1)
    one_bit = np.sum(P[i] != P[j], axis=1) == 1
    return {"pairwise": d, "nearest": off.min(axis=1), "neighbours": d[i[one_bit], j[one_bit]]}


def perturbed_census(esn: ESN, E, states, **census_kwargs):
    """:func:`rnnlab.census.census` of the perturbed network :math:`W_r + E`.

    Parameters
    ----------
    esn : ESN
    E : array_like, shape (N, N)
        The perturbation, e.g. ``eta * noise_matrices(N, 1, seed=0)[0]``.
    states : array_like, shape (T, N)
        States for the trajectory starts (e.g. the perturbed network's own test run).
    **census_kwargs
        Passed on (``seed`` is required there).

    Returns
    -------
    Census
    """
    from .census import census  # the census imports the fixed-point machinery; only here

    return census(perturbed(esn, E), states, **census_kwargs)


# -- checks -----------------------------------------------------------------------------------
def _check_esn(esn) -> None:
    if not isinstance(esn, ESN):
        raise TypeError(f"esn must be an rnnlab.ESN, got {type(esn).__name__}")


def _check_etas(etas) -> np.ndarray:
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


def _check_noise(Z, N: int) -> np.ndarray:
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


def _sqdist(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return np.sum(A * A, axis=1)[:, None] - 2.0 * A @ B.T + np.sum(B * B, axis=1)[None, :]
