r"""Where a saddle's unstable manifold leads: the attractors each fixed point connects.

A saddle :math:`x^*` with :math:`k` unstable dimensions has a :math:`k`-dimensional
unstable manifold, tangent at :math:`x^*` to the span of the eigenvectors of
:math:`J(x^*)` whose eigenvalues are unstable (:math:`\operatorname{Re}\lambda > 0` for a
flow, :math:`|\lambda| > 1` for a map). A state pushed off the saddle a little way inside
that subspace,

.. math::

    x_0 = x^* \pm \varepsilon\, d, \qquad d \in \operatorname{span}\{v_1, \dots, v_k\},\ |d| = 1,

leaves it along the manifold, and almost every such state ends at an attractor. Which
attractors are reached from a generic push can depend on the push: when one unstable
eigenvalue is much larger than another, almost every push leaves along the fast
direction, and the corners the slow one leads to are reached only from a thin sector.
Pushes along each eigenvector, both ways, reach them. The set
of attractors reached is what the saddle *connects*: in a flip-flop network the saddle on
an edge of the cube of memories connects the two memories at the ends of that edge, and a
saddle at the centre of a :math:`k`-face the memories around that face. This is a label
that does not depend on where the saddle's readout happens to sit, which an off-centre
saddle can make misleading.

:func:`connections` pushes every point off along :math:`2k` directions (both signs of
each unstable eigenvector, :func:`unstable_directions`) plus ``n_random`` random
antithetic pairs of combinations of them, runs all the pushed states as one batch (Euler steps for a flow, the map
itself for a map) and stops each one when it is within ``arrive_tol`` (max-norm) of one of
the given attractors.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse.linalg

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import as_matrix, positive_float, positive_int
from rnnlab.dynamics.systems import DynamicalSystem

__all__ = ["connections", "unstable_directions"]


def unstable_directions(system: DynamicalSystem, x, n_unstable: int) -> np.ndarray:
    r"""Unit vectors along the unstable eigenvectors of :math:`J(x^*)`.

    One real unit vector per unstable dimension: the eigenvector of each real unstable
    eigenvalue, and the real and imaginary parts of the eigenvector of each complex pair.
    Together they span the unstable subspace. A push along one of them leaves the point
    along that eigen-direction even when another unstable eigenvalue is much larger, which a
    push along an arbitrary combination would not.

    Parameters
    ----------
    system : DynamicalSystem
    x : array_like, shape (N,)
        A fixed point.
    n_unstable : int
        Its number of unstable dimensions (at least 1).

    Returns
    -------
    ndarray, shape (n_unstable, N)
    """
    x = np.asarray(x, dtype=float)
    k = positive_int(n_unstable, "n_unstable")
    M = system.stability_matrix(x)
    N = len(x)
    lam = V = None
    if N > 50 and k + 3 < N:
        try:
            # k + 1 eigenvalues, so that a complex pair is never split at the boundary
            lam, V = scipy.sparse.linalg.eigs(
                M, k=k + 1, which="LM" if system.discrete else "LR", v0=np.ones(N), tol=1e-10
            )
        except scipy.sparse.linalg.ArpackNoConvergence:
            lam = None
    if lam is None:
        lam, V = np.linalg.eig(M)
    key = np.abs(lam) if system.discrete else lam.real
    order = np.argsort(-key, kind="stable")[:k]
    out, done = [], set()
    for i in order:
        if i in done:
            continue
        v = V[:, i]
        if abs(lam[i].imag) > 1e-10 * max(1.0, abs(lam[i])):
            out.extend([v.real, v.imag])  # the pair's real plane
            done.update(
                np.flatnonzero(np.abs(lam - np.conj(lam[i])) < 1e-8 * max(1.0, abs(lam[i])))
            )
        else:
            out.append(v.real)
        done.add(i)
    D = np.array(out[:k])
    return D / np.linalg.norm(D, axis=1, keepdims=True)


@blas_limited
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
        Random antithetic pairs of directions per point (Gaussian combinations of the
        eigen-directions), on top of the :math:`2k` signed eigen-directions.
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
        E = unstable_directions(system, X[i], k)  # (k, N)
        C = rng.standard_normal((n_random, k))
        D = np.vstack([E, C @ E])
        D /= np.linalg.norm(D, axis=1, keepdims=True)
        for d in np.vstack([D, -D]):
            starts.append(X[i] + radius * d)
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
