r"""The memories of a trained flip-flop network, and what noise in the weights does to them.

A memory is a stable fixed point :math:`x^*` of the closed loop of a trained network (feedback
folded into the reservoir, :math:`W_c = W_r + W_{fb} W_o`),

.. math::

    F(x) = -x + W_c\,\phi(x) = 0, \qquad
    \operatorname{Re}\lambda_{\max}\big(J^*\big) < 0, \quad
    J^* = -I + W_c \operatorname{diag}\phi'(x^*),

one for each bit pattern :math:`p = \operatorname{sign}(W_o\phi(x^*)) \in \{-1, +1\}^n`.
:func:`find_memories` finds the :math:`2^n` of them by writing each pattern with the task's
input pulses and polishing the end state by Newton's method.

In a perturbed copy :math:`W_r \to W_r + \eta Z` (:mod:`rnnlab.noise`) the vector field is

.. math::

    F_\eta(x) = -x + (W_c + \eta Z)\,\phi(x),

and :func:`track_memories` follows each memory from :math:`\eta = 0` upwards by
continuation: the branch either continues (the memory moved, and is still stable and still
reads out its pattern, or not) or ends where the memory meets a saddle and both vanish
(:class:`MemoryFate`). To first order in :math:`\eta` the memory moves by

.. math::

    \delta = -(J^*)^{-1}\,\eta Z\,\phi(x^*) + O(\eta^2), \qquad
    \frac{|\delta|}{\sqrt N} \approx \eta\,\chi, \qquad
    \chi = \frac{|(J^*)^{-1} Z\,\phi(x^*)|}{\sqrt N}

(:func:`linear_shift`). The saddle between two memories that differ in one bit lies roughly
half-way between them, so with :math:`d` the RMS distance to the nearest memory
(:func:`memory_distances`) a memory can be expected to vanish near

.. math::

    \eta_c \approx \frac{d}{2\chi},

an order-of-magnitude estimate computed from the unperturbed network alone (chapter 06
compares it with the measured breakdown). :func:`perturbed_census` counts every fixed point
of one perturbed network with :func:`rnnlab.census.census`.

References
----------
.. [1] E. V. Jang, "Recurrent neural networks: a dynamical systems perspective", §8 and
   Fig. 9 (noise added to the recurrent weights of trained flip-flop networks).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse.linalg

from ._blas import single_blas_thread
from ._validation import positive_float, positive_int
from .esn import ESN
from .noise import _check_esn, _check_etas, _check_noise, perturbed
from .systems import RateRNN

__all__ = [
    "Memories",
    "MemoryFate",
    "find_memories",
    "linear_shift",
    "memory_distances",
    "perturbed_census",
    "track_memories",
]


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


def _sqdist(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return np.sum(A * A, axis=1)[:, None] - 2.0 * A @ B.T + np.sum(B * B, axis=1)[None, :]
