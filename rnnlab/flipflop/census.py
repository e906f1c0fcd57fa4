r"""Fixed-point census of a trained n-bit flip-flop: every memory and every saddle between them.

A network that stores :math:`n` bits ideally has one fixed point for every point of the
cube :math:`\{-1, 0, +1\}^n` in readout space. The :math:`2^n` corners are the stable
memories; a point with :math:`k` zero bits sits at the centre of a :math:`k`-face of the
cube and is a saddle with :math:`k` unstable dimensions, which lead to the corners of its
face. Counting the :math:`k`-faces gives the ideal census

.. math::

    \#\{\text{points with } k \text{ unstable dimensions}\} = \binom{n}{k}\, 2^{\,n-k},
    \qquad \sum_{k=0}^{n} \binom{n}{k} 2^{n-k} = 3^n ,

so 3 bits give 27 points (8 + 12 + 6 + 1) and 4 bits 81 (16 + 32 + 24 + 8 + 1).

:func:`census` searches the closed loop :meth:`ESN.closed_loop` with zero input and
compares what it finds with this ideal. A search only finds what its starts lead to
(Jang §6), so the starts are made in rounds:

1. The origin, a fixed point of every odd closed loop (tanh, no input).
2. *Output-space* starts (Jang §6): :math:`x_0 = s\, W_{fb} \bar z` for every
   :math:`\bar z \in \{-1.5, 0, +1.5\}^n` except 0, one batch per scale :math:`s` in the
   order given: where the feedback alone would drive the state if the readout were held
   at :math:`\bar z`, just outside the cube. Corners lead to memories, patterns with zeros
   to the saddles on edges and faces.
3. *Trajectory* starts: ``n_samples`` states the network visits, plus Gaussian ``noise``.
4. Every later round, from the points found so far: *midpoints* of pairs of stable points
   (near the saddle between two memories); *centroids* of the faces of the cube of
   memories (the :math:`2^k` stable points whose bit patterns agree on all but
   :math:`k \ge 2` bits) and of all stable points, near the higher-index saddles and the
   centre; *perturbed* copies :math:`x^* + \text{noise}` of the new points; and, for an odd
   system, the *mirror* :math:`-x^*` of each, a fixed point whenever :math:`x^*` is.

Rounds stop after one that adds no point, or after ``rounds``.

Each start is followed to a fixed point. A Levenberg-Marquardt iteration (the finder's,
:func:`~rnnlab.find_fixed_points`) factorises an :math:`N \times N` matrix at every step,
so cheaper routes are taken where they exist. A start near a point already found is
followed by chord steps :math:`x \leftarrow x - J(x^*)^{-1} F(x)`, Newton's method with the
Jacobian frozen at that point (one factorisation, then products with :math:`W`), as long
as every step at least halves :math:`|F|`; in an odd system the start :math:`-x_0` of a
pair is resolved as the mirror image of the search from :math:`x_0`. Only the other
starts are minimised. The chord steps favour points already known, which is why the
output-space starts, which find most points, come before the trajectory samples.
Finally :func:`~rnnlab.find_fixed_points` runs once from the points found (they converge
at once) and from where searches stalled below ``tol_slow``, giving one deduplicated,
classified result: the fixed points are the census, the slow points are kept aside.

Each point is labelled twice. Its *readout pattern* :attr:`Census.bits`: bit
:math:`\operatorname{sign} z_i` of :math:`z = W_o \phi(x^*)`, or 0 where
:math:`|z_i| <` ``zero_threshold``. And its *connection pattern*
:attr:`Census.connected_bits`, read off the memories its unstable manifold leads to
(:func:`rnnlab.fixedpoints.manifolds.connections`): bit :math:`i` is the sign the connected memories
share, 0 where they disagree; a memory's connection pattern is its readout sign. The
readout pattern is what one sees; the connection pattern is what the saddle does, and it
does not depend on an arbitrary threshold: a saddle on an edge of the cube that sits off
the edge's middle can read :math:`z_i = -0.5` on the bit it switches.

The census is *complete* when the counts equal the ideal, the stable points carry all
:math:`2^n` patterns, and every saddle connects at least two memories with as many zero
bits in its connection pattern as it has unstable dimensions.

References
----------
.. [1] E. V. Jang, "Recurrent neural networks: a dynamical systems perspective", §6
   (fixed points of the 3-bit flip-flop ESN; output-space initial conditions).
.. [2] D. Sussillo and O. Barak, "Opening the black box: low-dimensional dynamics in
   high-dimensional recurrent neural networks", Neural Computation 25 (2013).
"""

from __future__ import annotations

import itertools
import time

import numpy as np

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import as_matrix, positive_float, positive_int
from rnnlab.dynamics.stability import rightmost_real_part
from rnnlab.fixedpoints.finder import descend, find_fixed_points
from rnnlab.fixedpoints.manifolds import connections as manifold_connections
from rnnlab.fixedpoints.newton import chord_newton, lu_at
from rnnlab.flipflop.census_result import Census, connected_bits, ideal_census, readout_bits
from rnnlab.models.esn import ESN

__all__ = ["Census", "census", "ideal_census"]

SEED_KINDS = (
    "origin",
    "output-space",
    "trajectory",
    "midpoints",
    "centroids",
    "perturbed",
    "mirror",
)

_OUTPUT_LEVEL = 1.5  # |z̄| of the output-space starts, outside the cube of memories (Jang §6)
_CHORD_RATE = 0.5  # chord steps must shrink |F| by this factor, else the start is minimised
_CHORD_NEAREST = 3  # known points tried by chord steps per start
_DEDUP_TOL = 1e-5  # the finder's default: points closer than this (max-norm) are one


@blas_limited
def census(
    esn: ESN,
    states,
    *,
    W_o=None,
    n_samples: int = 30,
    noise: float = 0.05,
    scales=(1.0, 2.0, 0.5),
    rounds: int = 4,
    tol_fixed: float = 1e-20,
    tol_slow: float = 1e-6,
    zero_threshold: float = 0.5,
    connect: bool = True,
    seed: int | np.random.Generator,
) -> Census:
    """Find the fixed points of a trained flip-flop network and compare with the ideal cube.

    The starts and how they are followed are described in :mod:`rnnlab.flipflop.census`.

    Parameters
    ----------
    esn : ESN
        A trained network; its closed loop with zero input is searched.
    states : array_like, shape (T, N)
        States the network visits, e.g. from ``esn.run`` on a test sequence.
    W_o : array_like, shape (n_out, N), optional
        Readout to use (default ``esn.W_o``), e.g. a snapshot from training.
    n_samples : int
        Trajectory starts sampled from ``states``. Once the output-space starts have found
        the memories these mostly lead to known points; each one that does not costs a full
        minimisation, the most expensive part of a census.
    noise : float
        Standard deviation of the noise added to the trajectory starts and to the perturbed
        copies of found points.
    scales : sequence of float
        Scales :math:`s` of the output-space starts :math:`s W_{fb} \\bar z`: one batch of
        :math:`3^n - 1` starts each, in this order. The first batch is minimised before
        anything but the origin is known; from :math:`s = 1` Levenberg-Marquardt needs about
        half the iterations it needs from 0.5, so it goes first.
    rounds : int
        At most this many rounds of starts.
    tol_fixed, tol_slow : float
        As in :func:`~rnnlab.find_fixed_points`; only fixed points (q < ``tol_fixed``) count.
    zero_threshold : float
        A readout with :math:`|z_i|` below this is bit 0 of the readout pattern.
    connect : bool
        Follow every saddle's unstable manifold to the memories it connects
        (:func:`rnnlab.fixedpoints.manifolds.connections`; a few seconds at N = 500). Without it the
        connections are empty and the census cannot be complete.
    seed : int or Generator
        For the trajectory samples and the noise.

    Returns
    -------
    Census

    Examples
    --------
    >>> import rnnlab
    >>> task = rnnlab.FlipFlopTask(3, pulse_rate=0.01, pulse_at_start=True)
    >>> esn = rnnlab.ESN(200, g=0.6, seed=0)
    >>> _ = rnnlab.train_force(esn, *task.generate(10000, seed=0))
    >>> states, _ = esn.run(task.generate(2000, seed=1)[0])
    >>> c = census(esn, states, n_samples=20, seed=0)
    >>> len(c.stable_patterns), len(set(c.stable_patterns))  # eight distinct memories
    (8, 8)
    >>> print(c)  # doctest: +SKIP
    unstable dims  found  ideal  zero bits = unstable
                0      8      8                     8
    ...
    """
    t_start = time.perf_counter()
    if not isinstance(esn, ESN):
        raise TypeError(f"esn must be an rnnlab.ESN, got {type(esn).__name__}")
    N, n_out = esn.N, esn.n_out
    W_o = esn.W_o if W_o is None else as_matrix(W_o, "W_o", shape=(n_out, N))
    S = as_matrix(states, "states", shape=(None, N))
    n_samples = positive_int(n_samples, "n_samples")
    if n_samples > len(S):
        raise ValueError(
            f"n_samples ({n_samples}) exceeds the number of states given ({len(S)}); "
            "pass a longer trajectory or fewer samples"
        )
    noise = positive_float(noise, "noise", allow_zero=True)
    scales = _checked_scales(scales)
    rounds = positive_int(rounds, "rounds")
    tol_fixed = positive_float(tol_fixed, "tol_fixed")
    tol_slow = positive_float(tol_slow, "tol_slow")
    if tol_slow < tol_fixed:
        raise ValueError(f"tol_slow ({tol_slow:g}) must be >= tol_fixed ({tol_fixed:g})")
    zero_threshold = positive_float(zero_threshold, "zero_threshold")
    if not isinstance(connect, bool | np.bool_):
        raise TypeError(f"connect must be True or False, got {connect!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer | np.random.Generator):
        raise TypeError(f"seed must be an integer or a numpy Generator, got {seed!r}")
    rng = np.random.default_rng(seed)

    system = esn.closed_loop(W_o=W_o)
    search = _Search(system, tol_fixed, tol_slow)
    _first_round(search, esn, S, scales, n_samples, noise, rng)
    rounds_run = _later_rounds(search, esn, W_o, rounds, noise, zero_threshold, rng)
    # One clean result from the points found (they converge at once) and the slow candidates.
    final = find_fixed_points(
        system,
        np.vstack([search.x, search.slow_candidates()]),
        tol_fixed=tol_fixed,
        tol_slow=tol_slow,
    )
    return _result(esn, W_o, search, final, zero_threshold, connect, rng, rounds_run, t_start)


def _checked_scales(scales) -> np.ndarray:
    try:
        scales = np.asarray(scales, dtype=float)
        ok = scales.ndim == 1 and scales.size > 0 and np.all(np.isfinite(scales) & (scales > 0))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"scales must be a non-empty sequence of positive numbers, got {scales!r}")
    return scales


def _first_round(search: _Search, esn: ESN, S, scales, n_samples: int, noise: float, rng) -> None:
    """Round 1: the origin, the output-space starts, then the trajectory samples.

    The output-space starts go before the trajectory samples, which then mostly lead to
    points already known and are resolved by chord steps.
    """
    if search.system.odd:
        search.run(np.zeros((1, esn.N)), "origin")
    levels = (-_OUTPUT_LEVEL, 0.0, _OUTPUT_LEVEL)
    Z = np.array([z for z in itertools.product(levels, repeat=esn.n_out) if any(z)])
    for s in scales:
        search.run(s * Z @ esn.W_fb.T, "output-space")
    picked = S[rng.choice(len(S), size=n_samples, replace=False)]
    search.run(picked + noise * rng.standard_normal(picked.shape), "trajectory")


def _later_rounds(
    search: _Search, esn: ESN, W_o, rounds: int, noise: float, zero_threshold: float, rng
) -> int:
    """Rounds 2, 3, ...: starts derived from the points found so far, each made once.

    Stops after a round that adds no point, or after ``rounds`` in all; returns the number
    of rounds run, the first included.
    """
    N = esn.N
    rounds_run, n_seen, pairs_done, faces_done = 1, 0, set(), set()
    while rounds_run < rounds:
        X, stable = search.x, np.flatnonzero(search.stable)
        pairs = [ij for ij in itertools.combinations(stable, 2) if ij not in pairs_done]
        pairs_done.update(pairs)
        fresh, n_seen = X[n_seen:], len(X)
        patterns = readout_bits(esn.phi.f(X[stable]) @ W_o.T, zero_threshold)
        derived = {
            "midpoints": np.array([0.5 * (X[i] + X[j]) for i, j in pairs]).reshape(-1, N),
            "centroids": _face_centroids(X[stable], patterns, faces_done),
            "perturbed": fresh + noise * rng.standard_normal(fresh.shape),
            "mirror": -fresh if search.system.odd else np.empty((0, N)),
        }
        new_points = sum(search.run(X0, kind) for kind, X0 in derived.items() if len(X0))
        rounds_run += 1
        if new_points == 0:
            break
    return rounds_run


def _result(
    esn: ESN, W_o, search: _Search, final, zero_threshold, connect, rng, rounds_run, t_start
) -> Census:
    """The census of the fixed points in ``final``: readout and connection patterns, and
    for every start the point it reached."""
    points = final.subset(final.status == "fixed")
    reached = np.concatenate(search.reached)
    readout = esn.phi.f(points.x) @ W_o.T
    bits = readout_bits(readout, zero_threshold)
    stable = np.flatnonzero(points.n_unstable == 0)
    links = [() for _ in range(points.n_points)]
    if connect:
        links = manifold_connections(
            search.system, points.x, points.n_unstable, points.x[stable], seed=rng
        )
    links = [tuple(int(stable[j]) for j in link) for link in links]
    kinds = np.array(search.kinds, dtype=object)
    return Census(
        points=points,
        readout=readout,
        bits=bits,
        connections=links,
        connected_bits=connected_bits(readout, links, points.n_unstable),
        n_bits=esn.n_out,
        seeds_used={k: int(np.sum(kinds == k)) for k in SEED_KINDS},
        starts=np.concatenate(search.starts),
        start_kind=kinds,
        start_point=np.where(reached >= 0, points.start_point[np.maximum(reached, 0)], -1),
        start_minimised=np.concatenate(search.minimised),
        slow_points=final.subset(final.status == "slow"),
        rounds_run=rounds_run,
        seconds=time.perf_counter() - t_start,
        zero_threshold=zero_threshold,
    )


class _Search:
    """The points found so far, and every start with the point it reached."""

    def __init__(self, system, tol_fixed: float, tol_slow: float, max_iter: int = 200):
        self.system = system
        self.tol_fixed, self.tol_slow, self.max_iter = tol_fixed, tol_slow, max_iter
        N = system.dim
        self.x = np.empty((0, N))
        self.stable = np.empty(0, dtype=bool)
        self.slow: list[np.ndarray] = []
        self.lu: dict[int, tuple] = {}
        self.starts: list[np.ndarray] = []
        self.kinds: list[str] = []
        self.minimised: list[np.ndarray] = []
        self.reached: list[np.ndarray] = []  # index into self.x, -1 for none

    def run(self, X0: np.ndarray, kind: str) -> int:
        """Follow the starts ``X0`` to fixed points; return how many points are new."""
        n_before = len(self.x)
        reached = self._chord(X0)
        twin = _twins(X0) if self.system.odd else np.full(len(X0), -1)
        todo = np.flatnonzero((reached < 0) & (twin < 0))
        if todo.size:
            X, q, status = descend(
                self.system,
                X0[todo],
                tol_fixed=self.tol_fixed,
                max_iter=self.max_iter,
                step_tol=0.1 * _DEDUP_TOL,
            )
            fixed = status == "fixed"
            for i, x in zip(todo[fixed], X[fixed], strict=True):
                reached[i] = self._add(x)
            self.slow.append(X[(status == "stalled") & (q < self.tol_slow)])
        # In an odd system the search from -x0 is the mirror image of the search from x0.
        for j in np.flatnonzero((reached < 0) & (twin >= 0)):
            if reached[twin[j]] >= 0:
                reached[j] = self._add(-self.x[reached[twin[j]]])
        minimised = np.zeros(len(X0), dtype=bool)
        minimised[todo] = True
        self.starts.append(X0)
        self.kinds.extend([kind] * len(X0))
        self.minimised.append(minimised)
        self.reached.append(reached)
        return len(self.x) - n_before

    def _add(self, x: np.ndarray) -> int:
        if len(self.x):
            d = np.max(np.abs(self.x - x), axis=1)
            if d.min() < _DEDUP_TOL:
                return int(d.argmin())
        self.x = np.vstack([self.x, x])
        self.stable = np.append(
            self.stable, rightmost_real_part(self.system._jacobian(x[None])[0]) < 0
        )
        return len(self.x) - 1

    def _chord(self, X0: np.ndarray, max_iter: int = 30) -> np.ndarray:
        """Index of the known point each start reaches by chord steps, or -1.

        Chord steps :math:`x \\leftarrow x - J(x^*)^{-1} F(x)` are Newton's method with the
        Jacobian frozen at a known point :math:`x^*`: after one LU factorisation each step
        costs a product with :math:`W`. A start is followed only while every step shrinks
        :math:`|F|` by ``_CHORD_RATE`` (it is then where :math:`J \\approx J(x^*)`), and is
        tried against its ``_CHORD_NEAREST`` nearest known points in turn.
        """
        out = np.full(len(X0), -1)
        P = self.x
        if len(P) == 0 or len(X0) == 0:
            return out
        d2 = np.sum(X0 * X0, axis=1)[:, None] - 2.0 * X0 @ P.T + np.sum(P * P, axis=1)[None, :]
        order = np.argsort(d2, axis=1)[:, :_CHORD_NEAREST]
        for rank in range(order.shape[1]):
            for p in np.unique(order[out < 0, rank]):
                rows = np.flatnonzero((out < 0) & (order[:, rank] == p))
                _, there = chord_newton(
                    self.system,
                    X0[rows],
                    self._lu(p),
                    max_iter=max_iter,
                    rate=_CHORD_RATE,
                    converged=lambda X, F, p=p: np.max(np.abs(X - P[p]), axis=1) < _DEDUP_TOL,
                )
                out[rows[there]] = p
        return out

    def _lu(self, p: int):
        """LU factors of J at known point ``p``, kept while they fit in ~400 MB."""
        if p not in self.lu:
            lu = lu_at(self.system, self.x[p])
            if (len(self.lu) + 1) * self.system.dim**2 * 8 > 4e8:
                return lu
            self.lu[p] = lu
        return self.lu[p]

    def slow_candidates(self) -> np.ndarray:
        """Where stalled searches ended with q < tol_slow, one per neighbourhood."""
        X = np.concatenate([np.empty((0, self.system.dim)), *self.slow])
        kept: list[np.ndarray] = []
        for x in X:
            if all(np.max(np.abs(x - y)) >= 1e-3 for y in kept):
                kept.append(x)
        return np.array(kept).reshape(-1, self.system.dim)


def _twins(X0: np.ndarray) -> np.ndarray:
    """For each start, the index of an earlier start that is its exact negative, else -1."""
    tol = 1e-12 * max(1.0, float(np.max(np.abs(X0), initial=0.0)))
    twin = np.full(len(X0), -1)
    for j in range(1, len(X0)):
        d = np.max(np.abs(X0[:j] + X0[j]), axis=1)
        i = int(np.argmin(d))
        if d[i] <= tol and twin[i] < 0:
            twin[j] = i
    return twin


def _face_centroids(X: np.ndarray, patterns: np.ndarray, done: set) -> np.ndarray:
    """Centroids of the complete faces (k >= 2) of the cube of memories, and of all of them.

    The k-face with pattern f (k zeros) has as corners the stable points that agree with f
    on its nonzero bits; it is complete when they carry its 2^k distinct patterns.
    ``done`` holds the corner sets already used.
    """
    N = X.shape[1]
    n = patterns.shape[1]
    groups = []
    for f in itertools.product((-1, 0, 1), repeat=n):
        f = np.array(f)
        k = int(np.sum(f == 0))
        if k < 2:
            continue
        members = np.flatnonzero(np.all(patterns[:, f != 0] == f[f != 0], axis=1))
        corners = {tuple(p) for p in patterns[members] if 0 not in p}
        if len(members) == len(corners) == 2**k:
            groups.append(members)
    groups.append(np.arange(len(X)))  # the centroid of all stable points
    out = []
    for members in groups:
        key = frozenset(members.tolist())
        if len(members) > 2 and key not in done:
            done.add(key)
            out.append(X[members].mean(axis=0))
    return np.array(out).reshape(-1, N)
