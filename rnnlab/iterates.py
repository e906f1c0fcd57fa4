r"""Periodic orbits of maps: fixed points of the k-th iterate.

A discrete-time network :math:`x_{t+1} = G(x_t)` can hold a memory as a *cycle*
:math:`x^{(0)} \to x^{(1)} \to \dots \to x^{(k-1)} \to x^{(0)}` instead of a fixed point.
A fixed-point search of :math:`G` cannot see it: no point of the cycle has
:math:`G(x) = x`. Every point of a period-:math:`k` orbit is, however, a fixed point of
the iterate :math:`G^k = G \circ \dots \circ G`. :class:`IteratedMap` is that iterate as a
:class:`~rnnlab.DynamicalSystem` map, so :func:`~rnnlab.find_fixed_points` finds the
orbits and the map rule (:math:`|\lambda| < 1`) classifies them.

With :math:`x_0 = x`, :math:`x_{j+1} = G(x_j)` and :math:`M_j = \partial G(x_j)`:

.. math::

    F_k(x) = G^k(x) - x = x_k - x, \qquad
    \partial G^k(x) = M_{k-1} M_{k-2} \cdots M_0 \quad\text{(chain rule)}, \qquad
    J_k = \partial G^k - I .

The eigenvalues of :math:`\partial G^k` at a point of the orbit are the orbit's
*multipliers* (the same at every point of the orbit): it is stable when all have
modulus below 1. For the exact Hessian of the speed, the contraction
:math:`\sum_m V_m \nabla^2 (G^k)_m` follows from the chain rule for second derivatives,

.. math::

    \sum_m V_m \nabla^2 (G^k)_m = \sum_{j=0}^{k-1} A_j^\top\, C(x_j, w_{j+1})\, A_j, \qquad
    w_k = V, \quad w_j = M_j^\top w_{j+1}, \quad A_j = M_{j-1}\cdots M_0 ,

with :math:`C(y, w) = \sum_m w_m \nabla^2 G_m(y)` the base map's curvature.

A fixed point of :math:`G^k` is also one of :math:`G^k` when its period is any divisor of
:math:`k`: the true fixed points of :math:`G` are found too. :func:`minimal_period` tells
them apart, and :func:`find_periodic_points` reports it for every point.

A flow :math:`\dot x = F(x)` simulated by Euler steps is the map
:math:`G(x) = x + \Delta t\, F(x)` (:func:`euler_map`); the echo state network of
:mod:`rnnlab.esn` is run exactly this way, with :math:`\Delta t = \Delta t/\tau`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_states, positive_float, positive_int
from .fixed_point_result import FixedPoints
from .fixed_points import find_fixed_points
from .systems import DynamicalSystem

__all__ = [
    "EulerMap",
    "IteratedMap",
    "PeriodicPoints",
    "euler_map",
    "find_periodic_points",
    "minimal_period",
]


def _check_map(system, name: str = "system") -> DynamicalSystem:
    if not isinstance(system, DynamicalSystem):
        raise TypeError(f"{name} must be an rnnlab DynamicalSystem, got {type(system).__name__}")
    if not system.discrete:
        raise ValueError(
            f"{name} must be a map (discrete=True), got the flow {system!r}; "
            "for a flow simulated by Euler steps use euler_map(system, dt)"
        )
    return system


class EulerMap(DynamicalSystem):
    r"""The Euler step of a flow as a map, :math:`G(x) = x + \Delta t\, F(x)`.

    Stored as a map through its displacement :math:`\Delta t\, F(x)`, so its Jacobian is
    :math:`\Delta t\, J(x)` and stability follows the map rule on :math:`I + \Delta t\, J`.
    Its fixed points are the flow's; its cycles are artefacts of the time step (none
    for small enough :math:`\Delta t`).

    Parameters
    ----------
    flow : DynamicalSystem
        A continuous-time system.
    dt : float
        The step.
    """

    discrete = True

    def __init__(self, flow: DynamicalSystem, dt: float):
        if not isinstance(flow, DynamicalSystem):
            raise TypeError(f"flow must be an rnnlab DynamicalSystem, got {type(flow).__name__}")
        if flow.discrete:
            raise ValueError(f"flow must be continuous-time, got the map {flow!r}")
        self.flow = flow
        self.dt = positive_float(dt, "dt")
        self.dim = flow.dim

    def _rhs(self, X):
        return self.dt * self.flow._rhs(X)

    def _jacobian(self, X):
        return self.dt * self.flow._jacobian(X)

    def _curvature(self, X, V):
        return self.dt * self.flow._curvature(X, V)

    def __repr__(self) -> str:
        return f"EulerMap({self.flow!r}, dt={self.dt:g})"


def euler_map(flow: DynamicalSystem, dt: float) -> EulerMap:
    """The map :math:`x \\leftarrow x + \\Delta t\\, F(x)` of a flow (see :class:`EulerMap`)."""
    return EulerMap(flow, dt)


class IteratedMap(DynamicalSystem):
    r"""The k-th iterate :math:`G^k` of a map, with chain-rule derivatives.

    Parameters
    ----------
    system : DynamicalSystem
        A map (``discrete=True``), e.g. :class:`~rnnlab.TanhMap` or :func:`euler_map`.
    k : int
        Number of iterations.

    Examples
    --------
    >>> from rnnlab import TanhMap, find_fixed_points
    >>> G = TanhMap([[-2.0]])          # x <- tanh(-2x): the origin repels, orbits flip sign
    >>> G2 = IteratedMap(G, 2)
    >>> fps = find_fixed_points(G2, [[-1.0], [0.1], [1.0]])
    >>> (np.round(fps.x[:, 0], 4) + 0.0).tolist()
    [-0.9575, 0.9575, 0.0]
    >>> minimal_period(G, fps.x, 2).tolist()
    [2, 2, 1]
    """

    discrete = True

    def __init__(self, system: DynamicalSystem, k: int):
        self.base = _check_map(system)
        self.k = positive_int(k, "k")
        self.dim = system.dim

    def _orbit(self, X):
        """States :math:`x_0, \\dots, x_k`, shape ``(k + 1, B, N)``."""
        xs = [X]
        for _ in range(self.k):
            xs.append(xs[-1] + self.base._rhs(xs[-1]))
        return np.stack(xs)

    def _step_jacobians(self, xs):
        """:math:`M_j = \\partial G(x_j)` for j < k, shape ``(k, B, N, N)``."""
        eye = np.eye(self.dim)
        return np.stack([self.base._jacobian(x) + eye for x in xs[: self.k]])

    def _rhs(self, X):
        return self._orbit(X)[-1] - X

    def _jacobian(self, X):
        Ms = self._step_jacobians(self._orbit(X))
        A = Ms[0]
        for M in Ms[1:]:
            A = M @ A
        return A - np.eye(self.dim)

    def _curvature(self, X, V):
        xs = self._orbit(X)
        Ms = self._step_jacobians(xs)
        B, N = X.shape
        A = [np.broadcast_to(np.eye(N), (B, N, N))]  # A_j = M_{j-1} ... M_0
        for M in Ms[:-1]:
            A.append(M @ A[-1])
        C = np.zeros((B, N, N))
        w = V
        for j in range(self.k - 1, -1, -1):
            Cj = self.base._curvature(xs[j], w)
            C += np.swapaxes(A[j], -1, -2) @ Cj @ A[j]
            w = np.einsum("bmi,bm->bi", Ms[j], w)  # M_j^T w
        return C

    def __repr__(self) -> str:
        return f"IteratedMap({self.base!r}, k={self.k})"


def minimal_period(system: DynamicalSystem, x, k: int, *, tol: float = 1e-8) -> np.ndarray:
    """Smallest :math:`p` dividing ``k`` with :math:`|G^p(x) - x|_\\infty <` ``tol``.

    Parameters
    ----------
    system : DynamicalSystem
        The map :math:`G` (not its iterate).
    x : array_like, shape (N,) or (B, N)
        Points of period ``k`` (fixed points of :math:`G^k`).
    k : int
    tol : float
        Scaled by :math:`\\max(1, |x|_\\infty)`.

    Returns
    -------
    ndarray of int, shape () or (B,)
        The minimal period; 0 where not even :math:`G^k(x) = x` holds.
    """
    G = _check_map(system)
    k = positive_int(k, "k")
    tol = positive_float(tol, "tol")
    X, single = as_states(x, G.dim, "x")
    scale = np.maximum(1.0, np.max(np.abs(X), axis=1))
    period = np.zeros(len(X), dtype=int)
    Y = X.copy()
    for p in range(1, k + 1):
        Y = Y + G._rhs(Y)
        back = np.max(np.abs(Y - X), axis=1) < tol * scale
        period[(period == 0) & back & (k % p == 0)] = p
    return period[0] if single else period


@dataclass(repr=False)
class PeriodicPoints:
    """Fixed points of :math:`G^k`, each with its minimal period.

    Attributes
    ----------
    points : FixedPoints
        The fixed points of the iterate (status ``'fixed'`` and ``'slow'``, as the finder
        returns them); eigenvalues are the multipliers of :math:`\\partial G^k`.
    period : ndarray of int, shape (n_points,)
        Minimal period of each point (a divisor of ``k``; 1 for a fixed point of G).
    orbit : ndarray of int, shape (n_points,)
        Label of the orbit each point belongs to (points of one cycle share it).
    k : int
    """

    points: FixedPoints
    period: np.ndarray
    orbit: np.ndarray
    k: int

    def counts(self) -> dict[int, int]:
        """Number of distinct *orbits* by minimal period."""
        out: dict[int, int] = {}
        for p in np.unique(self.period):
            out[int(p)] = len(np.unique(self.orbit[self.period == p]))
        return out

    def __repr__(self) -> str:
        parts = ", ".join(f"{n} of period {p}" for p, n in sorted(self.counts().items()))
        return f"PeriodicPoints(k={self.k}: {parts or 'none'}; {self.points.tolerances})"


def find_periodic_points(
    system: DynamicalSystem, x0, k: int, *, period_tol: float = 1e-8, **finder_kwargs
) -> PeriodicPoints:
    """Find orbits of period dividing ``k``: fixed points of :math:`G^k` from many starts.

    Parameters
    ----------
    system : DynamicalSystem
        A map :math:`G`.
    x0 : array_like, shape (B, N)
        Starts.
    k : int
    period_tol : float
        Tolerance of :func:`minimal_period`.
    **finder_kwargs
        Passed to :func:`~rnnlab.find_fixed_points` (``tol_fixed``, ``max_iter``, ...).

    Returns
    -------
    PeriodicPoints
        Only points with status ``'fixed'``; every orbit found is completed by its images,
        so its points all appear. ``points.x0`` are those completed starts.
    """
    Gk = IteratedMap(system, k)
    found = find_fixed_points(Gk, x0, **finder_kwargs)
    pts = found.subset(found.status == "fixed")
    if pts.n_points:
        # Complete every orbit: the images G^j(x*) are fixed points of G^k too (they
        # converge at once), so a cycle is reported whole even if one start found it.
        images = [pts.x]
        for _ in range(k - 1):
            images.append(images[-1] + system._rhs(images[-1]))
        found = find_fixed_points(Gk, np.vstack(images), **finder_kwargs)
        pts = found.subset(found.status == "fixed")
    period = minimal_period(system, pts.x, k, tol=period_tol) if pts.n_points else np.zeros(0, int)
    # Points of one orbit: iterate each point and match it against the others.
    n = pts.n_points
    orbit = np.arange(n)
    tol = found.dedup_tol
    Y = pts.x.copy()
    for _ in range(max(k - 1, 0)):
        Y = Y + system._rhs(Y)
        for i in range(n):
            d = np.max(np.abs(pts.x - Y[i]), axis=1)
            j = int(np.argmin(d))
            if d[j] < tol:
                a, b = orbit[i], orbit[j]
                orbit[orbit == max(a, b)] = min(a, b)
    _, orbit = np.unique(orbit, return_inverse=True)
    return PeriodicPoints(points=pts, period=period, orbit=orbit, k=k)
