r"""Where a saddle's unstable manifold leads: the attractors each fixed point connects.

A saddle :math:`x^*` with :math:`k` unstable dimensions has a :math:`k`-dimensional
unstable manifold, tangent at :math:`x^*` to the span of the eigenvectors of
:math:`J(x^*)` whose eigenvalues are unstable (:math:`\operatorname{Re}\lambda > 0` for a
flow, :math:`|\lambda| > 1` for a map). A state pushed off the saddle a little way inside
that subspace,

.. math::

    x_0 = x^* + \varepsilon\, Q d, \qquad Q^\top Q = I_k,\ |d| = 1,

leaves it along the manifold, and almost every such state ends at an attractor. The set
of attractors reached is what the saddle *connects*: in a flip-flop network the saddle on
an edge of the cube of memories connects the two memories at the ends of that edge, and a
saddle at the centre of a :math:`k`-face the memories around that face. This is a label
that does not depend on where the saddle's readout happens to sit, which an off-centre
saddle can make misleading.

:func:`connections` pushes every point off along :math:`2k` directions (the signed
vectors of an orthonormal basis of the unstable subspace) plus ``n_random`` random
antithetic pairs, runs all the pushed states as one batch (Euler steps for a flow, the map
itself for a map) and stops each one when it is within ``arrive_tol`` (max-norm) of one of
the given attractors.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse.linalg

from ._blas import single_blas_thread
from ._validation import as_matrix, positive_float, positive_int
from .systems import DynamicalSystem

__all__ = ["connections", "unstable_basis"]


def unstable_basis(system: DynamicalSystem, x, n_unstable: int) -> np.ndarray:
    r"""Orthonormal basis :math:`Q` of the unstable subspace of :math:`J(x^*)`.

    The real and imaginary parts of the eigenvectors of the ``n_unstable`` least stable
    eigenvalues span a real subspace of that dimension (a complex pair contributes the real
    and imaginary parts of one vector); :math:`Q` is its orthonormal basis.

    Parameters
    ----------
    system : DynamicalSystem
    x : array_like, shape (N,)
        A fixed point.
    n_unstable : int
        Its number of unstable dimensions (at least 1).

    Returns
    -------
    ndarray, shape (N, n_unstable)
    """
    x = np.asarray(x, dtype=float)
    k = positive_int(n_unstable, "n_unstable")
    M = system.stability_matrix(x)
    N = len(x)
    if k + 2 < N - 1 and N > 50:
        try:
            # k + 1 so that a complex pair is never split at the boundary
            lam, V = scipy.sparse.linalg.eigs(
                M, k=k + 1, which="LM" if system.discrete else "LR", v0=np.ones(N), tol=1e-10
            )
        except scipy.sparse.linalg.ArpackNoConvergence:
            lam, V = np.linalg.eig(M)
    else:
        lam, V = np.linalg.eig(M)
    key = np.abs(lam) if system.discrete else lam.real
    V = V[:, np.argsort(-key, kind="stable")[:k]]
    A = np.hstack([V.real, V.imag])
    U, s, _ = np.linalg.svd(A, full_matrices=False)
    if np.sum(s > 1e-8 * s[0]) < k:
        raise np.linalg.LinAlgError(f"the unstable subspace at x has rank < {k}")
    return U[:, :k]


@single_blas_thread
def connections(
    system: DynamicalSystem,
    points,
    n_unstable,
    attractors,
    *,
    radius: float = 0.05,
    n_random: int = 1,
    dt: float = 0.1,
    max_steps: int = 2000,
    arrive_tol: float = 0.05,
    seed: int | np.random.Generator,
) -> list[tuple[int, ...]]:
    r"""The attractors reached along the unstable manifold of each point.

    Parameters
    ----------
    system : DynamicalSystem
    points : array_like, shape (n_points, N)
        Fixed points.
    n_unstable : array_like of int, shape (n_points,)
        Their numbers of unstable dimensions; a stable point (0) connects to nothing and
        gets an empty tuple.
    attractors : array_like, shape (n_attractors, N)
        The stable fixed points a pushed state may end at.
    radius : float
        :math:`\varepsilon`, the length of the push off the point.
    n_random : int
        Random antithetic pairs of directions :math:`\pm Q d` per point, on top of the
        :math:`2k` signed basis vectors.
    dt : float
        Euler step of a flow (ignored for a map).
    max_steps : int
        A pushed state that has not arrived after this many steps counts for nothing.
    arrive_tol : float
        Arrived when within this max-norm distance of an attractor.
    seed : int or Generator
        For the random directions.

    Returns
    -------
    list of tuple of int
        For each point, the sorted indices of the attractors reached.
    """
    X = as_matrix(points, "points", shape=(None, system.dim))
    A = as_matrix(attractors, "attractors", shape=(None, system.dim))
    k_all = np.asarray(n_unstable)
    if k_all.shape != (len(X),) or not np.issubdtype(k_all.dtype, np.integer) or np.any(k_all < 0):
        raise ValueError(
            f"n_unstable must be {len(X)} non-negative integers (one per point), got {n_unstable!r}"
        )
    radius = positive_float(radius, "radius")
    n_random = _count(n_random)
    dt = positive_float(dt, "dt")
    max_steps = positive_int(max_steps, "max_steps")
    arrive_tol = positive_float(arrive_tol, "arrive_tol")
    rng = np.random.default_rng(seed)

    starts, owner = [], []
    if len(A) == 0:  # nothing to arrive at
        return [() for _ in range(len(X))]
    for i in np.flatnonzero(k_all > 0):
        k = int(k_all[i])
        Q = unstable_basis(system, X[i], k)
        D = rng.standard_normal((n_random, k))
        D /= np.linalg.norm(D, axis=1, keepdims=True)
        D = np.vstack([np.eye(k), D])
        for d in np.vstack([D, -D]):
            starts.append(X[i] + radius * (Q @ d))
            owner.append(i)
    reached = _run_to_attractors(
        system, np.array(starts).reshape(-1, system.dim), A, dt, max_steps, arrive_tol
    )
    owner = np.array(owner, dtype=int)
    return [tuple(sorted({int(j) for j in reached[owner == i] if j >= 0})) for i in range(len(X))]


def _count(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"n_random must be a non-negative integer, got {value!r}")
    return int(value)


def _run_to_attractors(
    system, X0, A, dt, max_steps, arrive_tol, check_every: int = 10
) -> np.ndarray:
    """Index of the attractor each state ends at (-1: none within ``max_steps``)."""
    X = X0.copy()
    dest = np.full(len(X), -1)
    alive = np.arange(len(X))
    h = 1.0 if system.discrete else dt
    for step in range(1, max_steps + 1):
        X[alive] += h * system._rhs(X[alive])
        if step % check_every and step != max_steps:
            continue
        d = np.max(np.abs(X[alive][:, None, :] - A[None]), axis=2)
        j = d.argmin(axis=1)
        there = d[np.arange(len(alive)), j] < arrive_tol
        dest[alive[there]] = j[there]
        alive = alive[~there]
        if alive.size == 0:
            break
    return dest
