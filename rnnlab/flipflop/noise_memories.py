r"""What noise in the recurrent weights does to the memories of a trained flip-flop network.

The memories are the stable fixed points :math:`x^*` of the closed loop,
:math:`F(x) = -x + W_c\,\phi(x) = 0` with :math:`W_c = W_r + W_{fb} W_o`, one per bit pattern
(:func:`rnnlab.flipflop.memories.find_memories`). In a perturbed copy :math:`W_r \to W_r + \eta Z`
(:mod:`rnnlab.flipflop.noise`) the vector field is

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

(:func:`linear_shift`), where :math:`J^*` is the Jacobian of :math:`F` at :math:`x^*`. The
saddle between two memories that differ in one bit lies roughly half-way between them, so with
:math:`d` the RMS distance to the nearest memory (:func:`rnnlab.flipflop.memories.memory_distances`) a
memory can be expected to vanish near

.. math::

    \eta_c \approx \frac{d}{2\chi},

an order-of-magnitude estimate computed from the unperturbed network alone (chapter 06
compares it with the measured breakdown). :func:`perturbed_census` counts every fixed point
of one perturbed network with :func:`rnnlab.flipflop.census.census`.

References
----------
.. [1] E. V. Jang, "Recurrent neural networks: a dynamical systems perspective", §8 and
   Fig. 9 (noise added to the recurrent weights of trained flip-flop networks).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import positive_float, positive_int
from rnnlab.dynamics.stability import rightmost_real_part
from rnnlab.dynamics.systems import RateRNN
from rnnlab.fixedpoints.newton import chord_newton, lu_at
from rnnlab.flipflop.memories import Memories
from rnnlab.flipflop.noise import check_esn, check_etas, check_noise, perturbed
from rnnlab.models.esn import ESN

__all__ = ["MemoryFate", "linear_shift", "perturbed_census", "track_memories"]


# -- memories under noise ---------------------------------------------------------------------
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


@blas_limited
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
    check_esn(esn)
    if not isinstance(memories, Memories):
        raise TypeError(f"memories must come from find_memories, got {type(memories).__name__}")
    etas, Z = check_etas(etas), check_noise(Z, esn.N)
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
    start_lu: dict[int, tuple] = {}  # J at each memory (eta = 0), the same for every draw
    for d, k in itertools.product(range(D), range(K)):
        branch = _Branch(W_c, Z[d], esn.phi, memories.x[k], max_iter, tol_fixed, start_lu.get(k))
        start_lu[k] = branch.lu
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
            # The readout first: the Arnoldi iteration only where the pattern is still right.
            stable[l, d, k] = np.array_equal(pattern, memories.patterns[k]) and (
                rightmost_real_part(branch.system._jacobian(branch.x[None])[0]) < 0
            )
            shift[l, d, k] = np.linalg.norm(branch.x - memories.x[k]) / np.sqrt(N)
    return MemoryFate(
        etas=etas, patterns=memories.patterns.copy(), exists=exists, stable=stable, shift=shift
    )


class _Branch:
    """One memory followed along eta Z: the current point, level and Jacobian factors."""

    def __init__(self, W_c, Z, phi, x, max_iter, tol_fixed, lu=None):
        self.W_c, self.Z, self.phi = W_c, Z, phi
        self.max_iter, self.tol_fixed = max_iter, tol_fixed
        self.eta, self.x = 0.0, x.copy()
        self.system = RateRNN(W_c, phi=phi)
        self.lu = lu_at(self.system, self.x) if lu is None else lu

    def step(self, eta: float) -> bool:
        """Newton's method at level ``eta`` from the current point; True if it converged."""
        system = RateRNN(self.W_c + eta * self.Z, phi=self.phi)
        X, done, lus = chord_newton(
            system,
            self.x[None],
            self.lu,
            max_iter=self.max_iter,
            converged=lambda X, F: 0.5 * np.sum(F * F, axis=1) < self.tol_fixed,
            refactor=3,
            return_lu=True,
        )
        if done[0]:
            self.eta, self.x, self.system = eta, X[0], system
            self.lu = lus[0]  # chord steps reuse it until they slow down
        return bool(done[0])


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
    check_esn(esn)
    if not isinstance(memories, Memories):
        raise TypeError(f"memories must come from find_memories, got {type(memories).__name__}")
    Z = check_noise(Z, esn.N)
    J = esn.closed_loop()._jacobian(memories.x)
    ZR = np.einsum("dij,kj->dki", Z, esn.phi.f(memories.x))  # Z_d phi(x*_k)
    shift = np.stack([np.linalg.solve(J[k], ZR[:, k].T).T for k in range(len(J))], axis=1)
    return np.linalg.norm(shift, axis=2) / np.sqrt(esn.N)


def perturbed_census(esn: ESN, E, states, **census_kwargs):
    """:func:`rnnlab.flipflop.census.census` of the perturbed network :math:`W_r + E`.

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
    from rnnlab.flipflop.census import (
        census,  # the census imports the fixed-point machinery; only here
    )

    return census(perturbed(esn, E), states, **census_kwargs)
