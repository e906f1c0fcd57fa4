r"""How many fixed points? Jang's "9 to 26", the starts, and the origin's first bifurcation.

    python studies/jang_fixed_point_count.py              # everything (~11 min on one core)
    python studies/jang_fixed_point_count.py --parts starts origin

Jang (§6) reports that minimising the speed :math:`q(x) = \frac12|F(x)|^2` of the trained
3-bit flip-flop "revealed the existence of 9-26 fixed points, depending on the tolerance
levels used", and that starts built from readouts outside the cube show the central saddle.
This study measures both on chapter 03's network (``rnnlab.load_network("flipflop3")``,
N = 500, g = 0.5, whose complete census has the ideal 27 points), and times the origin's
first bifurcation during training (Jang Fig. 7, "at 200 iterations").

Reference points
    The chapter's census (``census(esn, states, n_samples=30, seed=0)`` on the chapter's test
    run, 5 000 steps of ``FlipFlopTask(3, pulse_rate=0.02, pulse_at_start=True)``, seed 1000):
    27 points, 8/12/6/1 by unstable dimensions. Their smallest pairwise distance (max-norm) is
    0.80, so an end point within ``NEAR`` = 0.4 of a reference point belongs to it.

Part ``stopping`` (the stopping rule)
    From 30 states of the test run (seed 0, no noise: Jang's starts), each of three
    minimisers runs with an iteration cap, and the end points are counted as Jang would count
    them: keep those with :math:`q < q_{max}`, merge those closer than ``MERGE`` = 1e-5
    (max-norm; the course's ``dedup_tol``), lowest :math:`q` first. Each counted point is then
    one of: a *fixed point* (the first counted point near a reference point), a
    *near-duplicate* (another counted point near the same reference point: a search that had
    not finished) or *far* (nearer than ``NEAR`` to no reference point: a slow point, or a
    search stopped away from every fixed point). The minimisers: ``CG``, the gradient-only
    conjugate-gradient method Jang's §3 describes (``scipy.optimize.minimize``, analytic
    gradient :math:`\nabla q = J^\top F`); ``trust-ncg`` with the Gauss-Newton Hessian
    :math:`J^\top J`, close to MATLAB's ``fminunc`` trust-region method Jang's §10 names; and
    ``LM``, the course's Levenberg-Marquardt search (:func:`rnnlab.fixedpoints.finder.descend`).

Part ``starts`` (which points each kind of start finds)
    The course's finder (:func:`rnnlab.find_fixed_points`, default tolerances: fixed
    :math:`q < 10^{-20}`, slow :math:`q < 10^{-6}`, 200 iterations) from: trajectory states
    (10, 30, 100, 300; seed 0); output-space starts :math:`x_0 = s\,W_{fb}\bar z` with
    :math:`\bar z \in \{-1.5, 0, 1.5\}^3 \setminus \{0\}` (the census's out-of-cube starts,
    26 each, s = 0.5, 1, 2); 50 random :math:`\bar z` outside the cube (uniform in
    :math:`[-2, 2]^3` with :math:`\max_i|\bar z_i| > 1`, like Jang's (2, 2, 0)) and 50 inside
    (uniform in :math:`[-1, 1]^3`, like Jang's (0.5, 0.5, 0.5)), s = 1, seed 1; and 30
    trajectory states together with the 26 output-space starts at s = 1. For each set: the
    distinct fixed points by unstable dimensions, how many starts reach the centre (the
    origin), and, letting the network run 400 steps from each start with zero input, the
    median closest approach of the runs to the centre and how many runs end in a memory.

Part ``origin`` (the origin's first bifurcation during training)
    FORCE from the start of the chapter's training sequence with a readout snapshot after
    every RLS update (one update every 2 steps, ``rnnlab.models.force``). The origin is a fixed
    point of every snapshot (the closed loop is odd); its Jacobian is
    :math:`J(0) = -I + W_r + W_{fb}W_o`. Since :math:`-I + W_r` is invertible, a real
    eigenvalue of :math:`J(0)` is 0 exactly when the 3x3 loop gain
    :math:`M = W_o (I - W_r)^{-1} W_{fb}` has the eigenvalue 1. Reported: the first update
    with an unstable origin and the crossing eigenvalue, for the chapter's recipe and three
    others; every change of the origin's unstable count over the first ``ORIGIN_SCAN`` updates
    of the chapter's recipe, each located on the straight segment between two snapshots and
    classified as a real eigenvalue (pitchfork) or a complex pair (Hopf) crossing; and the
    branch born at the first crossing, followed along that segment from the crossing
    :math:`s_c` (:math:`W_o(s) = (1 - s) W_o^{(6)} + s W_o^{(7)}`): a pitchfork's mirror pair
    grows like :math:`|x^*| \propto \sqrt{\lambda_0}` with :math:`\lambda_0` the origin's
    crossing eigenvalue, a transcritical branch like :math:`\lambda_0`.

The last line printed is JSON. The md record is ``studies/jang_fixed_point_count.md``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

import numpy as np
import scipy.linalg
import scipy.optimize
from threadpoolctl import threadpool_limits

import rnnlab
from rnnlab.fixedpoints.finder import descend
from rnnlab.flipflop.census import census

MERGE = 1e-5  # the course's dedup_tol: end points closer than this (max-norm) are one
NEAR = 0.4  # at most half the smallest distance between two reference points (checked in setup)
Q_MAX = (1e-2, 1e-4, 1e-6, 1e-8, 1e-12, 1e-20)
CAPS = {"CG": (30, 100, 300, 1000, 3000), "trust-ncg": (3, 10, 30, 100), "LM": (3, 5, 10, 20, 50)}
N_STOPPING_STARTS = 30
ORIGIN_SCAN = 300  # updates scanned one by one for changes of the origin's unstable count
RUN_STEPS = 400  # free-run length for the closest approach to the centre
# Recipes for the first loss of stability: (network, task, alpha); the first is chapter 03's.
RECIPES = {
    "chapter 03 (g 0.5, alpha 50)": (
        {"N": 500, "g": 0.5, "seed": 0},
        {"pulse_rate": 0.01, "pulse_length": 7, "pulse_at_start": True},
        50.0,
    ),
    "flipflop3_g06 (g 0.6, alpha 1)": (
        {"N": 500, "g": 0.6, "seed": 0},
        {"pulse_rate": 0.01, "pulse_at_start": True},
        1.0,
    ),
    "Jang's task, g 0.5, alpha 1": ({"N": 500, "g": 0.5, "seed": 0}, {}, 1.0),
    "Jang's task, g 0.5, alpha 50": ({"N": 500, "g": 0.5, "seed": 0}, {}, 50.0),
}


# -- the network and its reference points ----------------------------------------------------


def setup() -> dict:
    """Chapter 03's shipped network, its test run and its census (the reference points)."""
    esn = rnnlab.load_network("flipflop3")
    task = rnnlab.FlipFlopTask(3, pulse_rate=0.02, pulse_at_start=True)
    u, _ = task.generate(5000, seed=1000)
    states, _ = esn.run(u)
    ref = census(esn, states, n_samples=30, seed=0)
    X = ref.points.x
    d = np.max(np.abs(X[:, None, :] - X[None, :, :]), axis=2)
    separation = float(d[np.triu_indices(len(X), 1)].min())
    if NEAR > separation / 2:
        raise RuntimeError(f"NEAR = {NEAR} is more than half the points' separation {separation}")
    return {
        "esn": esn,
        "states": states,
        "ref_x": X,
        "ref_nu": ref.points.n_unstable,
        "counts": ref.counts(),
        "separation": separation,
    }


def trajectory_starts(states: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """``n`` distinct states of the test run, drawn with ``seed``."""
    if not 0 < n <= len(states):
        raise ValueError(f"n must be in 1..{len(states)}, got {n}")
    rng = np.random.default_rng(seed)
    return states[rng.choice(len(states), size=n, replace=False)]


def output_space_starts(esn: rnnlab.ESN, Z: np.ndarray, scale: float = 1.0) -> np.ndarray:
    r"""Starts :math:`x_0 = s\,W_{fb}\bar z` for the readout patterns ``Z``, shape (n, n_out)."""
    return scale * np.asarray(Z, dtype=float) @ esn.W_fb.T


def grid_patterns(level: float = 1.5, n_out: int = 3) -> np.ndarray:
    r""":math:`\{-\ell, 0, \ell\}^{n} \setminus \{0\}`: the census's out-of-cube patterns."""
    return np.array([z for z in itertools.product((-level, 0.0, level), repeat=n_out) if any(z)])


def random_patterns(n: int, *, inside: bool, seed: int) -> np.ndarray:
    r"""``n`` readout patterns uniform in :math:`[-1, 1]^3` (inside) or in :math:`[-2, 2]^3`
    with :math:`\max_i |\bar z_i| > 1` (outside the cube of memories)."""
    rng = np.random.default_rng(seed)
    if inside:
        return rng.uniform(-1.0, 1.0, (n, 3))
    out = np.empty((0, 3))
    while len(out) < n:
        Z = rng.uniform(-2.0, 2.0, (4 * n, 3))
        out = np.vstack([out, Z[np.abs(Z).max(axis=1) > 1.0]])
    return out[:n]


# -- part "stopping": the count under a stopping rule ----------------------------------------


def count_points(X, q, q_max: float, ref_x, merge: float = MERGE, near: float = NEAR) -> dict:
    """Count end points as distinct points under ``q < q_max`` and ``merge``, and say what they are.

    Returns
    -------
    dict
        ``count``; ``fixed`` (distinct reference points represented), ``duplicates`` (further
        counted points near an already represented reference point), ``far`` (counted points
        near no reference point); ``count == fixed + duplicates + far``.
    """
    X, q = np.asarray(X), np.asarray(q)
    kept: list[int] = []
    for i in np.argsort(q, kind="stable"):
        if q[i] >= q_max:
            break
        if all(np.max(np.abs(X[i] - X[j])) >= merge for j in kept):
            kept.append(int(i))
    seen: set[int] = set()
    fixed = duplicates = far = 0
    for i in kept:
        d = np.max(np.abs(ref_x - X[i]), axis=1)
        j = int(np.argmin(d))
        if d[j] >= near:
            far += 1
        elif j in seen:
            duplicates += 1
        else:
            seen.add(j)
            fixed += 1
    return {"count": len(kept), "fixed": fixed, "duplicates": duplicates, "far": far}


def _grad_q(system, x: np.ndarray) -> np.ndarray:
    r""":math:`\nabla q = J^\top F = -F + \phi'(x) \odot (W^\top F)` for a rate network."""
    F = system.rhs(x)
    return -F + system.phi.df(x) * (system.W.T @ F)


def scipy_end_points(system, X0: np.ndarray, method: str, caps) -> tuple[np.ndarray, np.ndarray]:
    """End points and q of ``scipy.optimize.minimize(method)`` after each cap in ``caps``.

    One run per start with ``maxiter = max(caps)``; the state is recorded at every cap, and a
    run that stops earlier keeps its final state for the larger caps.
    """
    caps = sorted(caps)
    X = np.empty((len(caps), *X0.shape))
    hess = (lambda x: system.gauss_newton_hessian(x)) if method == "trust-ncg" else None
    options = {"maxiter": caps[-1], "gtol": 1e-14}
    for b, x0 in enumerate(X0):
        state = {"it": 0}

        def record(xk, b=b, state=state):
            state["it"] += 1
            if state["it"] in caps:
                X[caps.index(state["it"]), b] = xk

        res = scipy.optimize.minimize(
            system.q, x0, jac=lambda x: _grad_q(system, x), hess=hess, method=method,
            callback=record, options=options,
        )  # fmt: skip
        for k, cap in enumerate(caps):
            if cap >= res.nit:
                X[k, b] = res.x
    q = np.array([system.q(Xk) for Xk in X])
    return X, q


def lm_end_points(system, X0: np.ndarray, caps) -> tuple[np.ndarray, np.ndarray]:
    """End points and q of the course's Levenberg-Marquardt search after each cap."""
    caps = sorted(caps)
    X = np.empty((len(caps), *X0.shape))
    q = np.empty((len(caps), len(X0)))
    for k, cap in enumerate(caps):
        X[k], q[k], _ = descend(system, X0, max_iter=cap)
    return X, q


def stopping(ctx: dict, methods=tuple(CAPS)) -> list[dict]:
    """The count under every (minimiser, cap, q_max), from the same 30 trajectory starts."""
    unknown = set(methods) - set(CAPS)
    if unknown:
        raise ValueError(f"methods must be among {sorted(CAPS)}, got {sorted(unknown)}")
    esn, ref_x = ctx["esn"], ctx["ref_x"]
    system = esn.closed_loop()
    X0 = trajectory_starts(ctx["states"], N_STOPPING_STARTS, seed=0)
    rows = []
    for method in methods:
        caps = CAPS[method]
        t0 = time.perf_counter()
        if method == "LM":
            X, q = lm_end_points(system, X0, caps)
        else:
            X, q = scipy_end_points(system, X0, method, caps)
        seconds = time.perf_counter() - t0
        for k, cap in enumerate(sorted(caps)):
            cells = {f"{q_max:g}": count_points(X[k], q[k], q_max, ref_x) for q_max in Q_MAX}
            rows.append(
                {
                    "method": method,
                    "cap": cap,
                    "cells": cells,
                    "median_q": float(np.median(q[k])),
                    "seconds": round(seconds, 1),
                }
            )
    return rows


# -- part "starts": which points each set of starts finds ------------------------------------


def start_sets(ctx: dict) -> dict[str, np.ndarray]:
    """The sets of starts of part ``starts``, by name."""
    esn, S = ctx["esn"], ctx["states"]
    grid = grid_patterns()
    sets = {f"trajectory {n}": trajectory_starts(S, n, seed=0) for n in (10, 30, 100, 300)}
    for s in (0.5, 1.0, 2.0):
        sets[f"out-of-cube grid, s = {s:g}"] = output_space_starts(esn, grid, s)
    sets["random outside the cube"] = output_space_starts(
        esn, random_patterns(50, inside=False, seed=1)
    )
    sets["random inside the cube"] = output_space_starts(
        esn, random_patterns(50, inside=True, seed=1)
    )
    sets["trajectory 30 + out-of-cube grid, s = 1"] = np.vstack(
        [trajectory_starts(S, 30, seed=0), output_space_starts(esn, grid, 1.0)]
    )
    return sets


def free_runs(esn: rnnlab.ESN, X0, ref_x, ref_nu, steps: int = RUN_STEPS):
    """Let the network run ``steps`` steps with zero input from each start.

    Returns
    -------
    closest : ndarray, shape (n,)
        The smallest :math:`|x|` of each run, its start included: how close it came to the
        centre (the origin).
    in_memory : int
        How many runs end within ``NEAR`` of a stable reference point.
    """
    zero = np.zeros((steps, esn.n_in))
    closest = np.empty(len(X0))
    in_memory = 0
    for i, x0 in enumerate(X0):
        X, _ = esn.run(zero, x0=x0)
        closest[i] = min(np.linalg.norm(x0), np.linalg.norm(X, axis=1).min())
        d = np.max(np.abs(ref_x - X[-1]), axis=1)
        in_memory += bool(d.min() < NEAR and ref_nu[np.argmin(d)] == 0)
    return closest, in_memory


def starts(ctx: dict, names=None) -> list[dict]:
    """Distinct fixed points, the centre, and the free runs, for each set of starts."""
    esn, ref_x, ref_nu = ctx["esn"], ctx["ref_x"], ctx["ref_nu"]
    system = esn.closed_loop()
    sets = start_sets(ctx)
    if names is not None:
        unknown = set(names) - set(sets)
        if unknown:
            raise ValueError(f"names must be among {sorted(sets)}, got {sorted(unknown)}")
        sets = {name: sets[name] for name in names}
    rows = []
    for name, X0 in sets.items():
        t0 = time.perf_counter()
        fp = rnnlab.find_fixed_points(system, X0)
        seconds = time.perf_counter() - t0
        fixed = fp.status == "fixed"
        # every fixed point found is a reference point (the census is complete)
        d = np.max(np.abs(fp.x[fixed][:, None, :] - ref_x[None]), axis=2)
        if len(d) and d.min(axis=1).max() >= MERGE:
            raise RuntimeError(f"{name}: a fixed point that is not in the census")
        nu = np.bincount(fp.n_unstable[fixed], minlength=4)
        centre = np.flatnonzero(fixed & (np.max(np.abs(fp.x), axis=1) < MERGE))
        reach_centre = int(np.sum(np.isin(fp.start_point, centre))) if len(centre) else 0
        closest, in_memory = free_runs(esn, X0, ref_x, ref_nu)
        rows.append(
            {
                "starts": name,
                "n": len(X0),
                "found": int(fixed.sum()),
                "by_unstable": [int(v) for v in nu[:4]],
                "reach_centre": reach_centre,
                "slow": int(fp.n_slow),
                "not_converged": int(fp.n_not_converged),
                "approach_median": float(np.median(closest)),
                "ends_in_memory": in_memory,
                "seconds": round(seconds, 1),
            }
        )
    return rows


# -- part "origin": the origin's bifurcations during training --------------------------------


def early_training(recipe: str, n_updates: int):
    """A fresh network of ``recipe`` trained for ``n_updates`` RLS updates, every readout kept."""
    if recipe not in RECIPES:
        raise ValueError(f"recipe must be one of {sorted(RECIPES)}, got {recipe!r}")
    net_kw, task_kw, alpha = RECIPES[recipe]
    u, y = rnnlab.FlipFlopTask(3, **task_kw).generate(30_000, seed=0)
    esn = rnnlab.ESN(net_kw["N"], g=net_kw["g"], seed=net_kw["seed"])
    steps = 2 * n_updates
    history = rnnlab.train_force(
        esn, u[:steps], y[:steps], alpha=alpha, update_every=2, snapshot_every=1
    )
    first_pulse = int(np.flatnonzero(np.any(u != 0, axis=1))[0])
    return esn, history.snapshots, first_pulse


def origin_eigenvalues(esn: rnnlab.ESN, W_o: np.ndarray) -> np.ndarray:
    """Eigenvalues of :math:`J(0) = -I + W_r + W_{fb}W_o`, largest real part first."""
    J = esn.W_r + esn.W_fb @ W_o - np.eye(esn.N)
    lam = scipy.linalg.eigvals(J, check_finite=False)
    return lam[np.argsort(-lam.real)]


def loop_gain(esn: rnnlab.ESN, W_o: np.ndarray) -> np.ndarray:
    r"""Eigenvalues of :math:`M = W_o (I - W_r)^{-1} W_{fb}`: one is 1 iff :math:`J(0)` is singular."""
    G = np.linalg.solve(np.eye(esn.N) - esn.W_r, esn.W_fb)
    return np.linalg.eigvals(W_o @ G)


def first_unstable(recipe: str, max_updates: int = 200) -> dict:
    """The first RLS update after which the origin has an eigenvalue with Re > 0."""
    esn, snaps, first_pulse = early_training(recipe, max_updates)
    for k, W_o in enumerate(snaps):
        lam = origin_eigenvalues(esn, W_o)
        if lam[0].real > 0:
            if k == 0:
                raise RuntimeError(f"{recipe}: the origin is unstable before training (g >= 1?)")
            before = origin_eigenvalues(esn, snaps[k - 1])[0]
            return {
                "recipe": recipe,
                "update": k,
                "steps": 2 * k,
                "first_pulse": first_pulse,
                "lam_before": [float(before.real), float(before.imag)],
                "lam_after": [float(lam[0].real), float(lam[0].imag)],
                "n_unstable": int(np.sum(lam.real > 0)),
                "gain_before": float(np.max(loop_gain(esn, snaps[k - 1]).real)),
                "gain_after": float(np.max(loop_gain(esn, W_o).real)),
            }
    raise RuntimeError(f"{recipe}: the origin stayed stable for {max_updates} updates")


def _n_unstable(esn, W_o) -> int:
    return int(np.sum(origin_eigenvalues(esn, W_o).real > 0))


def origin_changes(n_updates: int = ORIGIN_SCAN) -> list[dict]:
    """Every change of the origin's unstable count over the first ``n_updates`` updates.

    Each change between snapshots k-1 and k is located by bisection on the segment
    :math:`W_o(s) = (1 - s) W_o^{(k-1)} + s W_o^{(k)}`; the eigenvalues nearest the imaginary
    axis just past it say whether a real eigenvalue or a complex pair crossed.
    """
    recipe = next(iter(RECIPES))
    esn, snaps, _ = early_training(recipe, n_updates)
    counts = [_n_unstable(esn, W) for W in snaps]
    out = []
    for k in range(1, len(snaps)):
        if counts[k] == counts[k - 1]:
            continue
        A, B = snaps[k - 1], snaps[k]
        lo, hi = 0.0, 1.0
        for _ in range(30):  # the first s at which the count leaves counts[k - 1]
            mid = 0.5 * (lo + hi)
            if _n_unstable(esn, (1 - mid) * A + mid * B) == counts[k - 1]:
                lo = mid
            else:
                hi = mid
        lam_lo = origin_eigenvalues(esn, (1 - lo) * A + lo * B)
        lam_hi = origin_eigenvalues(esn, (1 - hi) * A + hi * B)
        n_lo, n_hi = int(np.sum(lam_lo.real > 0)), int(np.sum(lam_hi.real > 0))
        # the eigenvalues that changed sides: nearest the imaginary axis just past the crossing
        side = lam_hi[np.argsort(np.abs(lam_hi.real))[: abs(n_hi - n_lo)]]
        kind = "complex pair" if np.any(np.abs(side.imag) > 1e-6) else "real"
        out.append(
            {
                "update": k,
                "before": counts[k - 1],
                "after": counts[k],
                "first_step": f"{n_lo} -> {n_hi}",
                "kind": kind,
                "imag": float(np.max(np.abs(side.imag))),
            }
        )
    return out


def pitchfork_branch(deltas=(1e-3, 1e-2, 1e-1)) -> dict:
    """Follow the branch born at the chapter's first crossing; with the fixed points at update 7.

    On the segment between snapshots 6 and 7 the crossing :math:`s_c` solves
    :math:`\\det(I - M(s)) = 0`. Past it, the branch is found along the origin's unstable
    eigenvector :math:`v` from :math:`\\pm a v` with the normal form's amplitude
    :math:`a \\propto \\sqrt{\\lambda_0}` estimated from the closest point, and its size is
    compared with :math:`\\sqrt{\\lambda_0}`; before it, the same starts are searched.
    """
    recipe = next(iter(RECIPES))
    esn, snaps, _ = early_training(recipe, 8)
    W6, W7 = snaps[6], snaps[7]
    G = np.linalg.solve(np.eye(esn.N) - esn.W_r, esn.W_fb)

    def W(s):
        return (1 - s) * W6 + s * W7

    s_c = scipy.optimize.brentq(lambda s: np.linalg.det(np.eye(3) - W(s) @ G), 0.0, 1.0, xtol=1e-14)
    rows, ratio = [], None
    for d in (1e-4, *deltas, 1.0 - s_c):
        system = esn.closed_loop(W_o=W(s_c + d))
        lam, V = np.linalg.eig(system.jacobian(np.zeros(esn.N)))
        i = int(np.argmax(lam.real))
        lam0, v = float(lam[i].real), V[:, i].real
        scales = [0.1] if ratio is None else [ratio * np.sqrt(lam0) * m for m in (0.8, 1.0, 1.25)]
        X0 = np.vstack([c * v for c in scales] + [-c * v for c in scales])
        fp = rnnlab.find_fixed_points(system, X0, max_iter=500)
        off = fp.subset((fp.status == "fixed") & (np.linalg.norm(fp.x, axis=1) > 1e-6))
        if off.n_points == 0:
            raise RuntimeError(f"no branch found at s_c + {d:g}")
        size = float(np.linalg.norm(off.x, axis=1).mean())
        ratio = size / np.sqrt(lam0)
        mirror = off.n_points == 2 and np.max(np.abs(off.x[0] + off.x[1])) < 1e-8
        rows.append(
            {
                "delta": float(d),
                "lam0": lam0,
                "size": size,
                "ratio": float(ratio),
                "points": int(off.n_points),
                "mirror_pair": bool(mirror),
                "unstable": [int(n) for n in off.n_unstable],
            }
        )
    before = []
    for d in deltas:
        system = esn.closed_loop(W_o=W(s_c - d))
        lam, V = np.linalg.eig(system.jacobian(np.zeros(esn.N)))
        v = V[:, int(np.argmax(lam.real))].real
        a = ratio * np.sqrt(d * rows[-1]["lam0"] / (1.0 - s_c))  # the size it would have past s_c
        X0 = np.vstack([m * a * v for m in (0.5, 1.0, 2.0, -0.5, -1.0, -2.0)])
        fp = rnnlab.find_fixed_points(system, X0, max_iter=500)
        fixed = fp.status == "fixed"
        before.append(
            {"delta": float(d), "points": int(fixed.sum()), "only_origin": bool(
                np.all(np.linalg.norm(fp.x[fixed], axis=1) < 1e-6))}
        )  # fmt: skip
    return {"s_c": float(s_c), "after": rows, "before": before}


def origin(ctx: dict | None = None) -> dict:
    """Part ``origin``: first crossings, the changes over the scan, the branch (``ctx`` unused:
    every recipe is trained afresh)."""
    return {
        "first": [first_unstable(name) for name in RECIPES],
        "changes": origin_changes(),
        "branch": pitchfork_branch(),
    }


# -- output ------------------------------------------------------------------------------------


def _cell(c: dict) -> str:
    return f"{c['count']} ({c['fixed']}+{c['duplicates']}+{c['far']})"


def print_tables(results: dict) -> None:
    """The md tables of every part that ran."""
    if "stopping" in results:
        qs = [f"{q:g}" for q in Q_MAX]
        print("| minimiser | cap | median q | " + " | ".join(f"q < {q}" for q in qs) + " |")
        print("|---|---|---|" + "---|" * len(qs))
        for r in results["stopping"]:
            cells = " | ".join(_cell(r["cells"][q]) for q in qs)
            print(f"| {r['method']} | {r['cap']} | {r['median_q']:.0e} | {cells} |")
    if "starts" in results:
        print(
            "| starts | n | fixed points | by unstable dims (0/1/2/3) | starts reaching the centre "
            "| slow / not converged | runs: closest to centre (median) | runs ending in a memory |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for r in results["starts"]:
            nu = "/".join(map(str, r["by_unstable"]))
            print(
                f"| {r['starts']} | {r['n']} | {r['found']} | {nu} | {r['reach_centre']} "
                f"| {r['slow']} / {r['not_converged']} | {r['approach_median']:.1f} "
                f"| {r['ends_in_memory']} |"
            )
    if "origin" in results:
        o = results["origin"]
        print(
            "| recipe | first update with an unstable origin | time steps | first pulse (step) "
            "| largest Re lambda before / after | loop gain before / after |"
        )
        print("|---|---|---|---|---|---|")
        for r in o["first"]:
            kind = "real" if r["lam_after"][1] == 0 else f"Im {r['lam_after'][1]:.3f}"
            print(
                f"| {r['recipe']} | {r['update']} | {r['steps']} | {r['first_pulse']} "
                f"| {r['lam_before'][0]:.3f} / {r['lam_after'][0]:.3f} ({kind}) "
                f"| {r['gain_before']:.3f} / {r['gain_after']:.3f} |"
            )
        print("| update | unstable dims before -> after | at the crossing | crossing |")
        print("|---|---|---|---|")
        for c in o["changes"]:
            what = "real eigenvalue" if c["kind"] == "real" else f"complex pair, Im {c['imag']:.3f}"
            print(f"| {c['update']} | {c['before']} -> {c['after']} | {c['first_step']} | {what} |")
        b = o["branch"]
        print(f"s_c = {b['s_c']:.6f}")
        print(
            "| s - s_c | lambda_0 | size abs(x*) | size / sqrt(lambda_0) | points | unstable dims |"
        )
        print("|---|---|---|---|---|---|")
        for r in b["after"]:
            pair = "mirror pair" if r["mirror_pair"] else str(r["points"])
            dims = "/".join(map(str, r["unstable"]))
            print(
                f"| {r['delta']:.3g} | {r['lam0']:.2e} | {r['size']:.3f} | {r['ratio']:.1f} "
                f"| {pair} | {dims} |"
            )
        for r in b["before"]:
            print(
                f"before: s_c - {r['delta']:g}: {r['points']} fixed, only origin {r['only_origin']}"
            )


PARTS = {"stopping": stopping, "starts": starts, "origin": origin}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", choices=list(PARTS), default=list(PARTS))
    args = parser.parse_args(argv)
    results = {}
    with threadpool_limits(1):
        ctx = setup() if {"stopping", "starts"} & set(args.parts) else None
        if ctx is not None:
            print(
                f"reference points: {ctx['counts']}, smallest distance between two "
                f"{ctx['separation']:.2f} (max-norm)",
                flush=True,
            )
        for name in args.parts:
            t0 = time.perf_counter()
            results[name] = PARTS[name](ctx)
            print(f"part {name}: {time.perf_counter() - t0:.0f} s", flush=True)
    print_tables(results)
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
