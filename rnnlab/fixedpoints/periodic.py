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

A point of any period dividing :math:`k` is a fixed point of :math:`G^k`: the true fixed
points of :math:`G` are found too. :func:`minimal_period` tells them apart, and
:func:`find_periodic_points` reports it for every point, with each orbit's points in the
order :math:`G` visits them. Both decide at the accuracy the point is known to: near a
flip (a multiplier at :math:`-1`) :math:`G^2 - \mathrm{id}` has a degenerate root that the
search approaches only linearly, and a fixed point of :math:`G` found :math:`e` away from
it has :math:`|G(x) - x| \approx 2e`, which no fixed tolerance tells from a small 2-cycle.
An orbit of minimal period :math:`p` is reported with the multipliers of
:math:`\partial G^p` (those of :math:`\partial G^k` are their :math:`k/p`-th powers: a
multiplier :math:`-1.25` of a 2-cycle would read :math:`1.5625` at :math:`k = 4` and hide
the flip), typed by the map rule (:mod:`rnnlab.dynamics.stability`).

A flow :math:`\dot x = F(x)` simulated by Euler steps is the map
:math:`G(x) = x + \Delta t\, F(x)` (:func:`euler_map`); the echo state network of
:mod:`rnnlab.models.esn` is run exactly this way, with :math:`\Delta t = \Delta t/\tau`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab._internal.validation import as_states, positive_float, positive_int
from rnnlab.dynamics.stability import classify, n_unstable
from rnnlab.dynamics.systems import DynamicalSystem
from rnnlab.fixedpoints.finder import METHOD, search_run
from rnnlab.fixedpoints.result import FixedPoints, position_error, settle, spectra

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


def _step_norms(G: DynamicalSystem, X: np.ndarray) -> np.ndarray:
    """Max-norm of :math:`\\partial G` at each state: how much one step can stretch an error."""
    M = G._jacobian(X) + np.eye(G.dim)
    return np.max(np.sum(np.abs(M), axis=2), axis=1)


def minimal_period(
    system: DynamicalSystem, x, k: int, *, tol: float = 1e-8, x_error=None
) -> np.ndarray:
    r"""Smallest :math:`p` dividing ``k`` with :math:`G^p(x) = x` within the accuracy of ``x``.

    A point known only to :math:`e = |x - x^*|_\infty` cannot show a period more precisely
    than that: if :math:`G^p(x^*) = x^*`, then
    :math:`|G^p(x) - x|_\infty \le |G^p(x) - G^p(x^*)|_\infty + |x^* - x|_\infty \le
    (1 + L_p)\, e` with :math:`L_p = \prod_{j<p} |\partial G(x_j)|_\infty` (the max-norm of
    the chain rule's factors along the orbit). The test is

    .. math::

        |G^p(x) - x|_\infty < \mathtt{tol}\,\max(1, |x|_\infty) + 2\,(1 + L_p)\, e ,

    the factor 2 a margin on the first-order estimate :math:`e`. Near a flip (multiplier
    :math:`-1`) a fixed point found with error :math:`e` has :math:`|G(x) - x| \approx 2e`:
    without :math:`e` it would pass for a point of period 2.

    Parameters
    ----------
    system : DynamicalSystem
        The map :math:`G` (not its iterate).
    x : array_like, shape (N,) or (B, N)
        Points of period ``k`` (fixed points of :math:`G^k`).
    k : int
    tol : float
        Scaled by :math:`\max(1, |x|_\infty)`.
    x_error : float or array_like, shape (B,), optional
        Position error of each point (e.g. :attr:`FixedPoints.x_error`); default 0.

    Returns
    -------
    ndarray of int, shape () or (B,)
        The minimal period; 0 where not even :math:`G^k(x) = x` holds.
    """
    G = _check_map(system)
    k = positive_int(k, "k")
    tol = positive_float(tol, "tol")
    X, single = as_states(x, G.dim, "x")
    err = np.zeros(len(X)) if x_error is None else np.asarray(x_error, dtype=float)
    if err.ndim > 1 or (err.ndim == 1 and len(err) != len(X)):
        raise ValueError(f"x_error must be one number or one per point ({len(X)}), got {err.shape}")
    if np.any(~np.isfinite(err)) or np.any(err < 0):
        raise ValueError("x_error must be finite and >= 0")
    err = np.broadcast_to(err, (len(X),))
    scale = np.maximum(1.0, np.max(np.abs(X), axis=1))
    period = np.zeros(len(X), dtype=int)
    Y = X.copy()
    L = np.ones(len(X))
    for p in range(1, k + 1):
        L = L * _step_norms(G, Y)
        Y = Y + G._rhs(Y)
        back = np.max(np.abs(Y - X), axis=1) < tol * scale + 2.0 * (1.0 + L) * err
        period[(period == 0) & back & (k % p == 0)] = p
    return period[0] if single else period


@dataclass(repr=False)
class PeriodicPoints:
    r"""Orbits of a map found as fixed points of :math:`G^k`, each with its minimal period.

    Attributes
    ----------
    points : FixedPoints
        Every point of every orbit found (status ``'fixed'``), orbit after orbit, each orbit
        in the order :math:`G` visits it (from its point first in coordinates). For a point
        of minimal period :math:`p` the eigenvalues are the multipliers of
        :math:`\partial G^p` (one spectrum per orbit, computed once), classified by the map
        rule: ``n_unstable``, ``kind`` (e.g. ``'saddle (1 unstable, flip)'`` for a negative
        multiplier), ``x_error`` and ``eigenvalue_error`` as for any search. The per-start
        arrays describe the caller's starts: ``x0`` are they, ``start_status`` says which
        reached a fixed point of :math:`G^k` (``'fixed'``), stalled at a slow point of it
        (``'slow'``, left out: a slow point is no orbit) or did not converge, and
        ``start_point`` is the point each reached (-1 otherwise). ``points.system`` is
        :math:`G^k`.
    period : ndarray of int, shape (n_points,)
        Minimal period of each point (a divisor of ``k``; 1 for a fixed point of G).
    orbit : ndarray of int, shape (n_points,)
        Label of the orbit each point belongs to (points of one cycle share it), numbered
        by period, then unstable dimensions, then coordinates.
    k : int
    n_slow : int
        Distinct slow points of :math:`G^k` the search stalled at (left out).
    n_unresolved : int
        Fixed points of :math:`G^k` whose images could not be followed around a cycle
        within their accuracy (left out; 0 in every case seen).
    """

    points: FixedPoints
    period: np.ndarray
    orbit: np.ndarray
    k: int
    n_slow: int = 0
    n_unresolved: int = 0

    def counts(self) -> dict[int, int]:
        """Number of distinct *orbits* by minimal period."""
        out: dict[int, int] = {}
        for p in np.unique(self.period):
            out[int(p)] = len(np.unique(self.orbit[self.period == p]))
        return out

    def cycles(self) -> list[np.ndarray]:
        """Indices of the points of each orbit, in the order :math:`G` visits them."""
        return [np.flatnonzero(self.orbit == o) for o in np.unique(self.orbit)]

    def __repr__(self) -> str:
        parts = ", ".join(f"{n} of period {p}" for p, n in sorted(self.counts().items()))
        pts = self.points
        n = len(pts.x0)
        reached = int(np.sum(pts.start_point >= 0))
        slow = int(np.sum(pts.start_status == "slow"))
        text = (
            f"PeriodicPoints(k={self.k}: {parts or 'none'}; {n} starts -> {reached} on these "
            f"orbits, {slow} at slow points, {pts.n_not_converged} not converged"
        )
        if self.n_slow:
            text += (
                f"; {self.n_slow} slow point{'s' if self.n_slow != 1 else ''} of G^{self.k} "
                "(not a periodic orbit) left out"
            )
        if self.n_unresolved:
            text += f"; {self.n_unresolved} fixed points of G^{self.k} not resolved into orbits"
        return f"{text}; {pts.tolerances})"


def find_periodic_points(
    system: DynamicalSystem, x0, k: int, *, period_tol: float = 1e-8, **finder_kwargs
) -> PeriodicPoints:
    r"""Find orbits of period dividing ``k``: fixed points of :math:`G^k` from many starts.

    1. The search of :func:`~rnnlab.find_fixed_points` runs on :math:`G^k` from ``x0``;
       its ends are merged and their position errors estimated the same way (a point is
       converged when it is within ``dedup_tol / 10`` of the root, also near a flip, where
       :math:`G^k - \mathrm{id}` has a degenerate root that Newton's method approaches only
       linearly). Slow points of :math:`G^k` are counted and left out.
    2. Each point's image :math:`G(x)` is matched with a known point :math:`y` when
       :math:`|G(x) - y|_\infty < \mathtt{period\_tol}\max(1, |G(x)|_\infty) +
       2(|\partial G(x)|_\infty e_x + e_y)` (:func:`minimal_period` explains the bound; the
       :math:`e` are position errors); an image matching none is a new point of the orbit
       and is polished on :math:`G^k`. Following the images until they return gives each
       orbit as the cycle :math:`G` visits; its length is the minimal period :math:`p`, so
       an orbit of period :math:`p` always has :math:`p` points, distinct beyond their
       errors.
    3. The multipliers of an orbit are the eigenvalues of :math:`\partial G^p` at one of
       its points (the same at all: the factors of the chain rule permute cyclically),
       with their uncertainties (:mod:`rnnlab.fixedpoints.result`); a multiplier within
       its uncertainty of the unit circle makes the orbit non-hyperbolic.

    Parameters
    ----------
    system : DynamicalSystem
        A map :math:`G`.
    x0 : array_like, shape (B, N)
        Starts.
    k : int
    period_tol : float
        The part of the matching tolerance that does not come from the points' errors.
    **finder_kwargs
        Passed to the search of :func:`~rnnlab.find_fixed_points` (``tol_fixed``,
        ``max_iter``, ``dedup_tol``, ...).

    Returns
    -------
    PeriodicPoints
    """
    G = _check_map(system)
    Gk = IteratedMap(G, k)
    period_tol = positive_float(period_tol, "period_tol")
    run = search_run(Gk, x0, **finder_kwargs)
    X0, X, q = run["X0"], run["X"], run["q"]
    status, error_final, correction, start_rep, kept = settle(
        Gk, X, q, run["status"], tol_slow=run["tol_slow"], dedup_tol=run["dedup_tol"]
    )
    fixed = [c for c in kept if status[c] == "fixed"]
    n_slow = len(kept) - len(fixed)
    N = G.dim

    P, err, corr, qP, nxt = _complete_with_images(
        G, Gk, X[fixed], error_final[fixed], correction[fixed], q[fixed], period_tol, finder_kwargs
    )
    orbits, n_unresolved = _cycles(P, nxt, k)

    # One spectrum per orbit: the multipliers of G^p at its first point.
    eig = np.empty((len(orbits), N), dtype=complex)
    unc = np.empty((len(orbits), N))
    periods = np.array([len(c) for c in orbits], dtype=int)
    for p in np.unique(periods):
        which = np.flatnonzero(periods == p)
        heads = [orbits[o][0] for o in which]
        Gp = G if p == 1 else IteratedMap(G, int(p))
        eig[which], unc[which] = spectra(
            Gp, P[heads], err[heads], corr[heads], slow=np.zeros(len(heads), bool), q=qP[heads]
        )
    unstable = n_unstable(eig, discrete=True, boundary_tol=unc).astype(int)
    kinds = [classify(e, discrete=True, boundary_tol=u) for e, u in zip(eig, unc, strict=True)]

    # Orbits by period, unstable dimensions, then coordinates of their first point.
    keys = [tuple(np.round(P[c[0]], 6)) for c in orbits]
    order = sorted(range(len(orbits)), key=lambda o: (periods[o], unstable[o], keys[o]))
    idx = [i for o in order for i in orbits[o]]
    label = np.array([r for r, o in enumerate(order) for _ in range(periods[o])], dtype=int)
    rank = np.array([o for o in order for _ in range(periods[o])], dtype=int)
    position = np.full(len(P), -1)
    position[idx] = np.arange(len(idx))
    index_of_end = {c: m for m, c in enumerate(fixed)}
    start_point = np.array(
        [position[index_of_end[r]] if r in index_of_end else -1 for r in start_rep], dtype=int
    )
    points = FixedPoints(
        system=Gk,
        x=P[idx].reshape(-1, N),
        q=qP[idx],
        status=np.full(len(idx), "fixed", dtype=object),
        eigenvalues=eig[rank],
        n_unstable=unstable[rank],
        kind=np.array([kinds[o] for o in rank], dtype=object),
        x0=X0,
        x_final=X,
        q_final=q,
        start_status=status,
        start_point=start_point,
        n_iter=run["n_iter"],
        tol_fixed=run["tol_fixed"],
        tol_slow=run["tol_slow"],
        dedup_tol=run["dedup_tol"],
        method=f"{METHOD} on G^{k}",
        paths=run["paths"],
        x_error=err[idx],
        eigenvalue_error=unc[rank],
        error_final=error_final,
    )
    return PeriodicPoints(
        points=points,
        period=periods[rank],
        orbit=label,
        k=k,
        n_slow=n_slow,
        n_unresolved=n_unresolved,
    )


def _match(P: np.ndarray, err: np.ndarray, y: np.ndarray, err_y: float, period_tol: float) -> int:
    """Index of the known point ``y`` is (within the tolerance of :func:`find_periodic_points`), or -1."""
    if not len(P):
        return -1
    d = np.max(np.abs(P - y), axis=1)
    tol = period_tol * max(1.0, float(np.max(np.abs(y)))) + 2.0 * (err_y + err)
    close = np.flatnonzero(d < tol)
    return int(close[np.argmin(d[close])]) if close.size else -1


def _complete_with_images(G, Gk, P, err, corr, qP, period_tol: float, finder_kwargs: dict):
    """The distinct fixed points of :math:`G^k`, completed by their images under :math:`G`.

    Each point's image is matched with a known point (:func:`_match`); an image that
    matches none is polished on :math:`G^k` and added. Returns the points, their position
    errors, corrections and q, and ``nxt[i]``, the index of :math:`G(P_i)` (``-1``: none).
    """
    nxt = np.full(len(P), -1)
    todo = np.arange(len(P))
    while todo.size:
        Y = P[todo] + G._rhs(P[todo])
        err_Y = _step_norms(G, P[todo]) * err[todo]
        missing = []
        for t, y in enumerate(Y):
            j = _match(P, err, y, err_Y[t], period_tol)
            if j >= 0:
                nxt[todo[t]] = j
            else:
                missing.append(t)
        first = len(P)
        if missing:
            # Images that are no known point: polish them on G^k and add them.
            polished = search_run(Gk, Y[missing], **finder_kwargs)
            ok = np.flatnonzero(polished["status"] == "fixed")
            e_new, c_new = position_error(Gk, polished["X"][ok], np.zeros(ok.size, bool))
            for n_ok, o in enumerate(ok):
                y, e_y = polished["X"][o], e_new[n_ok]
                j = _match(P, err, y, e_y, period_tol)
                if j < 0:
                    P = np.vstack([P, y])
                    err = np.append(err, e_y)
                    corr = np.vstack([corr, c_new[n_ok]])
                    qP = np.append(qP, polished["q"][o])
                    nxt = np.append(nxt, -1)
                    j = len(P) - 1
                nxt[todo[missing[o]]] = j
        todo = np.arange(first, len(P))
    return P, err, corr, qP, nxt


def _cycles(P: np.ndarray, nxt: np.ndarray, k: int) -> tuple[list[list[int]], int]:
    """The orbits: cycles of ``nxt`` of length dividing ``k``, each started at its point first
    in coordinates; and how many points lie on no such cycle."""
    orbits, assigned = [], np.zeros(len(P), bool)
    for i in range(len(P)):
        if assigned[i]:
            continue
        cycle, j = [i], int(nxt[i])
        while j >= 0 and j not in cycle and len(cycle) <= k:
            cycle.append(j)
            j = int(nxt[j])
        if j == i and k % len(cycle) == 0:
            first = min(range(len(cycle)), key=lambda m: tuple(np.round(P[cycle[m]], 6)))
            cycle = cycle[first:] + cycle[:first]
            orbits.append(cycle)
            assigned[cycle] = True
    return orbits, int(np.sum(~assigned))
