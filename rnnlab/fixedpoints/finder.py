r"""Fixed and slow points by minimising the speed :math:`q(x) = \frac12|F(x)|^2`.

Two finders return the same :class:`~rnnlab.FixedPoints` result:

:func:`find_fixed_points`
    The course's finder. All initial states move together (float64, batched linear
    algebra) by Levenberg-Marquardt steps on the residual :math:`F`,

    .. math::

        (J^\top J + \mu I)\,\delta = -J^\top F ,

    with the damping :math:`\mu` adapted per state (divided by 3 after a step that lowers
    :math:`q`, multiplied by 4 after one that does not; a rejected step is not taken).
    Small :math:`\mu` gives Gauss-Newton steps, large :math:`\mu` short gradient steps. Once
    :math:`q <` ``polish_q`` a state takes pure Newton steps :math:`J\delta = -F`, which
    converge quadratically to a regular root, so fixed points reach :math:`q < 10^{-20}`.
    A state is done at a root when :math:`q <` ``tol_fixed`` *and* it is within
    ``dedup_tol / 10`` of the root: near a degenerate root :math:`q` is tiny long before
    the position is accurate. The distance left after a step :math:`\delta_n` is
    estimated as :math:`|\delta_n|_\infty \max(1, \rho/(1-\rho))` with
    :math:`\rho = |\delta_n|/|\delta_{n-1}|` (capped at 0.9): Newton's method converges
    quadratically to a regular root (:math:`\rho \to 0`) but only linearly, by
    :math:`\rho = (m-1)/m` per step, to a root of multiplicity :math:`m`. A step that cannot
    lower :math:`q` ends the search at a root only when it is itself below ``dedup_tol / 10``;
    otherwise the damping grows, and a state below ``tol_fixed`` that no step can improve
    any more is a root as accurate as the arithmetic allows.
    Every point's remaining position error is estimated and reported
    (:attr:`~rnnlab.FixedPoints.x_error`, :mod:`rnnlab.fixedpoints.result`).
    A state *stalls* (and becomes a candidate slow point) when its damping has grown past
    :math:`10^{12}` times its curvature scale (no step lowers :math:`q` any more), or when
    :math:`q` has dropped by less than ``stall_rtol`` over its last ``stall_window``
    iterations while still above ``polish_q``: it is creeping along a shallow valley of
    :math:`q` rather than approaching a root.

:func:`minimize_q`
    Jang's method (§2): ``scipy.optimize.minimize`` on :math:`q` one initial state at a
    time, with the analytic gradient :math:`J^\top F` and, for the methods that use it, the
    Gauss-Newton or exact Hessian. For teaching and as the benchmark baseline.

Every initial state ends with a status (COURSE §0):

* ``fixed``: :math:`q <` ``tol_fixed``;
* ``slow``: the search stalled at a local minimum of :math:`q` (no step lowers it, the
  exact Hessian of :math:`q` is positive semi-definite) with
  ``tol_fixed`` :math:`\le q <` ``tol_slow``;
* ``not converged``: anything else, including running out of ``max_iter``. These are
  never reported as points; their final states are kept in ``x_final`` for inspection.

Duplicates: two points are the same when no coordinate differs by more than
``dedup_tol`` (:math:`\|x - y\|_\infty <` ``dedup_tol``) or, when their position errors
together are larger (slow points, degenerate roots; :mod:`rnnlab.fixedpoints.result`), by
more than those; the one with the lowest :math:`q` is kept. Eigenvalues within their uncertainty of the stability
boundary are not counted and make the point ``non-hyperbolic``; every slow point is.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.optimize

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import as_states, positive_float, positive_int
from rnnlab.dynamics.systems import DynamicalSystem
from rnnlab.fixedpoints.result import FixedPoints, build_result

__all__ = ["descend", "find_fixed_points", "minimize_q"]

_RUNNING, _FIXED, _STALLED = 0, 1, 2
_RATIO_CAP = 0.9  # per-step contraction of Newton's method counted at most this


def _check_common(system, x0, tol_fixed, tol_slow, max_iter, dedup_tol):
    if not isinstance(system, DynamicalSystem):
        raise TypeError(f"system must be an rnnlab DynamicalSystem, got {type(system).__name__}")
    X0, _ = as_states(x0, system.dim, "x0")
    tol_fixed = positive_float(tol_fixed, "tol_fixed")
    tol_slow = positive_float(tol_slow, "tol_slow")
    if tol_slow < tol_fixed:
        raise ValueError(f"tol_slow ({tol_slow:g}) must be >= tol_fixed ({tol_fixed:g})")
    max_iter = positive_int(max_iter, "max_iter")
    dedup_tol = positive_float(dedup_tol, "dedup_tol")
    return X0, tol_fixed, tol_slow, max_iter, dedup_tol


@blas_limited
def find_fixed_points(
    system: DynamicalSystem,
    x0,
    *,
    tol_fixed: float = 1e-20,
    tol_slow: float = 1e-6,
    max_iter: int = 200,
    dedup_tol: float = 1e-5,
    polish_q: float = 1e-8,
    stall_window: int = 8,
    stall_rtol: float = 1e-3,
    record_paths: bool = False,
    chunk_size: int | None = None,
) -> FixedPoints:
    """Find fixed and slow points from many initial states at once.

    Parameters
    ----------
    system : DynamicalSystem
    x0 : array_like, shape (N,) or (B, N)
        Initial states (see :mod:`rnnlab.fixedpoints.starts` for ways to make them).
    tol_fixed : float
        A state with :math:`q <` ``tol_fixed`` is a fixed point.
    tol_slow : float
        A stalled local minimum of :math:`q` below this is a slow point.
    max_iter : int
        Iteration budget per state; states still moving after it are ``not converged``.
    dedup_tol : float
        Points closer than this in every coordinate are merged (lowest :math:`q` kept).
    polish_q : float
        Below this :math:`q`, take Newton steps :math:`J\\delta = -F`.
    stall_window, stall_rtol : int, float
        A state above ``polish_q`` whose :math:`q` fell by less than the fraction
        ``stall_rtol`` over ``stall_window`` iterations stops (see the module docstring).
    record_paths : bool
        Keep each state's path (for plotting the minimisation, e.g. in 2-D).
    chunk_size : int, optional
        States processed together; by default sized so a chunk's ``(B, N, N)`` matrices
        stay near 200 MB.

    Returns
    -------
    FixedPoints

    Examples
    --------
    >>> from rnnlab import ToySystem, find_fixed_points, grid_2d
    >>> fps = find_fixed_points(ToySystem(), grid_2d((-2, 2), (-2, 2), 5))
    >>> fps.n_points, sorted(fps.kind)
    (3, ['saddle (1 unstable)', 'stable node', 'stable node'])
    """
    run = search_run(
        system,
        x0,
        tol_fixed=tol_fixed,
        tol_slow=tol_slow,
        max_iter=max_iter,
        dedup_tol=dedup_tol,
        polish_q=polish_q,
        stall_window=stall_window,
        stall_rtol=stall_rtol,
        record_paths=record_paths,
        chunk_size=chunk_size,
    )
    return build_result(system, **run)


#: How every result of this search names its method (the periodic search adds "on G^k").
METHOD = "Levenberg-Marquardt + Newton polish"


def search_run(
    system,
    x0,
    *,
    tol_fixed: float = 1e-20,
    tol_slow: float = 1e-6,
    max_iter: int = 200,
    dedup_tol: float = 1e-5,
    polish_q: float = 1e-8,
    stall_window: int = 8,
    stall_rtol: float = 1e-3,
    record_paths: bool = False,
    chunk_size: int | None = None,
) -> dict:
    """Validate the arguments and run the search of :func:`find_fixed_points`; the keyword
    arguments of :func:`~rnnlab.fixedpoints.result.build_result` (but ``system``)."""
    X0, tol_fixed, tol_slow, max_iter, dedup_tol = _check_common(
        system, x0, tol_fixed, tol_slow, max_iter, dedup_tol
    )
    X, q, status, n_iter, paths = _descend(
        system,
        X0,
        tol_fixed=tol_fixed,
        max_iter=max_iter,
        step_tol=0.1 * dedup_tol,
        polish_q=polish_q,
        stall_window=stall_window,
        stall_rtol=stall_rtol,
        record_paths=record_paths,
        chunk_size=chunk_size,
    )
    return dict(
        X0=X0,
        X=X,
        q=q,
        status=status,
        n_iter=n_iter,
        tol_fixed=tol_fixed,
        tol_slow=tol_slow,
        dedup_tol=dedup_tol,
        method=METHOD,
        paths=paths,
    )


@blas_limited
def descend(
    system: DynamicalSystem,
    x0,
    *,
    tol_fixed: float = 1e-20,
    max_iter: int = 200,
    step_tol: float = 1e-6,
    polish_q: float = 1e-8,
    stall_window: int = 8,
    stall_rtol: float = 1e-3,
    chunk_size: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The search of :func:`find_fixed_points` alone: where each start ends, nothing more.

    No slow-point test, no merging of duplicates, no eigenvalues: for callers that run many
    searches and classify once at the end (the census of a trained network).

    Parameters
    ----------
    system : DynamicalSystem
    x0 : array_like, shape (N,) or (B, N)
    tol_fixed, max_iter, polish_q, stall_window, stall_rtol, chunk_size
        As in :func:`find_fixed_points`.
    step_tol : float
        A root is reached when q < ``tol_fixed`` and its estimated distance (the last step,
        corrected for slow convergence; module docstring) is below this.

    Returns
    -------
    x : ndarray, shape (B, N)
        Where each search ended.
    q : ndarray, shape (B,)
    status : ndarray of str, shape (B,)
        ``'fixed'``, ``'stalled'`` (stopped moving: a candidate slow point, not yet tested)
        or ``'not converged'``.
    """
    if not isinstance(system, DynamicalSystem):
        raise TypeError(f"system must be an rnnlab DynamicalSystem, got {type(system).__name__}")
    X0, _ = as_states(x0, system.dim, "x0")
    X, q, status, _, _ = _descend(
        system,
        X0,
        tol_fixed=positive_float(tol_fixed, "tol_fixed"),
        max_iter=positive_int(max_iter, "max_iter"),
        step_tol=positive_float(step_tol, "step_tol"),
        polish_q=polish_q,
        stall_window=stall_window,
        stall_rtol=stall_rtol,
        record_paths=False,
        chunk_size=chunk_size,
    )
    return X, q, status


def _descend(
    system,
    X0,
    *,
    tol_fixed,
    max_iter,
    step_tol,
    polish_q,
    stall_window,
    stall_rtol,
    record_paths,
    chunk_size,
):
    polish_q = positive_float(polish_q, "polish_q")
    stall_window = positive_int(stall_window, "stall_window")
    stall_rtol = positive_float(stall_rtol, "stall_rtol")
    N = system.dim
    if chunk_size is None:
        chunk_size = max(1, int(2.5e7 // (N * N)))  # a chunk's (B, N, N) arrays near 200 MB
    chunk_size = positive_int(chunk_size, "chunk_size")

    X = X0.copy()
    q = np.empty(len(X))
    state = np.empty(len(X), dtype=int)
    n_iter = np.zeros(len(X), dtype=int)
    paths: list[np.ndarray] | None = [] if record_paths else None
    for start in range(0, len(X), chunk_size):
        sl = slice(start, start + chunk_size)
        X[sl], q[sl], state[sl], n_iter[sl], chunk_paths = _levenberg_marquardt(
            system,
            X[sl],
            tol_fixed=tol_fixed,
            max_iter=max_iter,
            polish_q=polish_q,
            record_paths=record_paths,
            stall_window=stall_window,
            stall_rtol=stall_rtol,
            step_tol=step_tol,
        )
        if record_paths:
            paths.extend(chunk_paths)

    status = np.where(state == _FIXED, "fixed", "not converged").astype(object)
    status[state == _STALLED] = "stalled"
    return X, q, status, n_iter, paths


def _levenberg_marquardt(
    system,
    X,
    *,
    tol_fixed,
    max_iter,
    polish_q,
    record_paths,
    stall_window,
    stall_rtol,
    step_tol,
):
    """Batched LM on one chunk. Returns final states, q, state codes, iterations, paths."""
    B, N = X.shape
    X = X.copy()
    F = system._rhs(X)
    q = 0.5 * np.sum(F * F, axis=1)
    state = np.where(q == 0.0, _FIXED, _RUNNING)
    n_iter = np.zeros(B, dtype=int)
    mu = np.full(B, np.nan)
    mu_scale = np.ones(B)
    newton_ok = np.ones(B, dtype=bool)
    last_step = np.full(B, np.nan)  # size of each state's last accepted step
    q_hist = [q.copy()]  # q after each iteration, for the stall test
    history = [X.copy()] if record_paths else None
    # A rejected step leaves x where it was, so its J^T J and gradient are kept for the next
    # try (with more damping) instead of being built again: about a third of all steps.
    H_at: list = [None] * B  # J^T J at each state's x, one (N, N) view per state
    grad_at = np.empty((B, N))
    moved = np.ones(B, dtype=bool)  # H_at, grad_at are not (yet) those of the current x

    for _ in range(max_iter):
        idx = np.flatnonzero(state == _RUNNING)
        if idx.size == 0:
            break
        Xa, Fa = X[idx], F[idx]
        newton = (q[idx] < polish_q) & newton_ok[idx]
        need = moved[idx] | newton  # the states whose Jacobian this iteration uses
        J = _normal_equations(system, Xa, Fa, idx, need, moved, H_at, grad_at)
        grad = grad_at[idx]
        fresh = np.isnan(mu[idx])
        if np.any(fresh):
            # Damping relative to the curvature scale of each state.
            # (laid out as H[:, i, i] of a batch is, so the mean sums in the same order)
            diagonals = np.stack([np.diagonal(H_at[b]) for b in idx[fresh]], axis=1).T
            scale = np.maximum(np.mean(diagonals, axis=1), 1e-12)
            mu_scale[idx[fresh]] = scale
            mu[idx[fresh]] = 1e-2 * scale
        delta = -_solve_damped([H_at[b] for b in idx], mu[idx], grad)

        if np.any(newton):
            delta[newton] = -_solve(J[newton[need]], Fa[newton], fallback=delta[newton])

        X_new = Xa + delta
        F_new = system._rhs(X_new)
        q_new = 0.5 * np.sum(F_new * F_new, axis=1)
        better = np.isfinite(q_new) & (q_new < q[idx])

        acc = idx[better]
        X[acc], F[acc], q[acc] = X_new[better], F_new[better], q_new[better]
        moved[acc] = True
        mu[acc] = np.maximum(mu[acc] / 3.0, 1e-15 * mu_scale[acc])
        newton_ok[acc] = True
        rej = idx[~better]
        mu[rej] *= np.where(newton[~better], 1.0, 4.0)  # a failed Newton step keeps mu
        newton_ok[rej[newton[~better]]] = False
        n_iter[idx] += 1

        # A root is reached when q < tol_fixed *and* the state is within step_tol of it:
        # near a degenerate root q is tiny long before x is accurate, and Newton steps
        # shrink only by a ratio rho per step, leaving rho / (1 - rho) times the last one.
        size = np.max(np.abs(delta), axis=1)
        rho = np.minimum(np.nan_to_num(size / last_step[idx], nan=0.0), _RATIO_CAP)
        remaining = size * np.maximum(1.0, rho / (1.0 - rho))
        last_step[acc] = size[better]
        settled = np.where(better, remaining, size) < step_tol
        state[idx[(q[idx] < tol_fixed) & settled]] = _FIXED
        q_hist.append(q.copy())
        stalled = mu[idx] > 1e12 * mu_scale[idx]
        if len(q_hist) > stall_window:
            q_then = q_hist[-1 - stall_window][idx]
            creeping = (q_then - q[idx] < stall_rtol * q_then) & (q[idx] > polish_q)
            stalled |= creeping & (n_iter[idx] >= stall_window)
        # No step lowers q any more below tol_fixed: a root as accurate as the arithmetic
        # allows (its position error is estimated when the result is built).
        stop = stalled & (state[idx] == _RUNNING)
        state[idx[stop]] = np.where(q[idx[stop]] < tol_fixed, _FIXED, _STALLED)
        for b in idx[state[idx] != _RUNNING]:
            H_at[b] = None  # done: let its batch go
        if record_paths:
            history.append(X.copy())

    return X, q, state, n_iter, (_paths(history, n_iter) if record_paths else None)


def _normal_equations(system, Xa, Fa, idx, need, moved, H_at, grad_at) -> np.ndarray:
    r"""The Jacobians of the states ``idx[need]``; where a state has ``moved``, also its
    :math:`J^\top J` (into ``H_at``) and :math:`J^\top F` (into ``grad_at``), after which it
    counts as not moved."""
    X, F = Xa[need], Fa[need]
    J = system._jacobian(X)
    build = moved[idx][need]
    if np.any(build):
        rebuilt = idx[need][build]
        if not np.all(build):  # (a copy of J: only when some states have not moved)
            X, F, J = X[build], F[build], J[build]
        grad_at[rebuilt] = np.einsum("bki,bk->bi", J, F)
        H_new = system._gauss_newton(X, J)
        for k, b in enumerate(rebuilt):
            H_at[b] = H_new[k]
        moved[rebuilt] = False
    return J


def _paths(history: list, n_iter: np.ndarray) -> list:
    """Each state's path through the iterations, without the rejected (repeated) steps."""
    H_all = np.stack(history)  # (n_iter + 1, B, N)
    paths = []
    for b in range(H_all.shape[1]):
        p = H_all[: n_iter[b] + 1, b]
        keep = np.ones(len(p), dtype=bool)
        keep[1:] = np.any(p[1:] != p[:-1], axis=1)
        paths.append(p[keep])
    return paths


def _solve_damped(H: list, mu: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""Solve the damped normal equations :math:`(H_i + \mu_i I)\, x_i = b_i` for each state.

    ``H`` holds one symmetric positive semi-definite :math:`N \times N` matrix per state;
    they are not changed. Cholesky halves the work of LU, which pays at the sizes of
    networks; for small systems one batched LU call beats a Python loop over factorisations.
    """
    diag = np.arange(b.shape[1])
    if b.shape[1] < 64:
        A = np.stack(H)
        A[:, diag, diag] += mu[:, None]
        return _solve(A, b)
    out = np.empty_like(b)
    for i in range(len(b)):
        A = H[i].copy(order="F")  # LAPACK's layout: factorised in place, no second copy
        A[diag, diag] += mu[i]
        try:
            factor = scipy.linalg.cho_factor(A, lower=True, overwrite_a=True, check_finite=False)
            out[i] = scipy.linalg.cho_solve(factor, b[i], check_finite=False)
        except np.linalg.LinAlgError:  # not numerically positive definite: fall back to LU
            A = H[i].copy()
            A[diag, diag] += mu[i]
            out[i] = _solve(A[None], b[i : i + 1])[0]
    return out


def _solve(A, b, fallback=None):
    """Batched solve of ``A x = b``; singular systems give ``fallback`` (or a least-squares step)."""
    try:
        return np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.empty_like(b)
        for i in range(len(b)):
            try:
                out[i] = np.linalg.solve(A[i], b[i])
            except np.linalg.LinAlgError:
                out[i] = fallback[i] if fallback is not None else np.linalg.lstsq(A[i], b[i])[0]
        return out


@blas_limited
def minimize_q(
    system: DynamicalSystem,
    x0,
    *,
    method: str = "trust-exact",
    hessian: str = "gauss-newton",
    tol_fixed: float = 1e-20,
    tol_slow: float = 1e-6,
    max_iter: int = 1000,
    dedup_tol: float = 1e-5,
    gtol: float = 1e-14,
) -> FixedPoints:
    """Jang's method: ``scipy.optimize.minimize`` on :math:`q`, one initial state at a time.

    Parameters
    ----------
    system : DynamicalSystem
    x0 : array_like, shape (N,) or (B, N)
    method : str
        A ``scipy.optimize.minimize`` method: ``'CG'`` (Jang's choice, gradient only),
        ``'BFGS'``, ``'Newton-CG'``, ``'trust-ncg'``, ``'trust-krylov'`` or ``'trust-exact'``
        (these use the Hessian).
    hessian : {'gauss-newton', 'exact'}
        Which Hessian to hand to the methods that use one.
    tol_fixed, tol_slow, max_iter, dedup_tol
        As in :func:`find_fixed_points`; ``max_iter`` is scipy's ``maxiter`` per state.
    gtol : float
        scipy's gradient tolerance (``gtol``, or ``xtol`` for Newton-CG).

    Returns
    -------
    FixedPoints
        A state counts as stalled (a candidate slow point) when scipy reports success.
    """
    X0, tol_fixed, tol_slow, max_iter, dedup_tol = _check_common(
        system, x0, tol_fixed, tol_slow, max_iter, dedup_tol
    )
    methods = ("CG", "BFGS", "Newton-CG", "trust-ncg", "trust-krylov", "trust-exact")
    if method not in methods:
        raise ValueError(f"method must be one of {methods}, got {method!r}")
    if hessian not in ("gauss-newton", "exact"):
        raise ValueError(f"hessian must be 'gauss-newton' or 'exact', got {hessian!r}")
    gtol = positive_float(gtol, "gtol")

    def fun(x):
        F = system._rhs(x[None])[0]
        return 0.5 * F @ F

    def jac(x):
        X = x[None]
        return system._jacobian(X)[0].T @ system._rhs(X)[0]

    def hess(x):
        X = x[None]
        H = system._gauss_newton(X, system._jacobian(X))
        if hessian == "exact":
            H = H + system._curvature(X, system._rhs(X))
        return H[0]

    uses_hessian = method in ("Newton-CG", "trust-ncg", "trust-krylov", "trust-exact")
    options = {"maxiter": max_iter}
    options["xtol" if method == "Newton-CG" else "gtol"] = gtol

    X = np.empty_like(X0)
    q = np.empty(len(X0))
    n_iter = np.zeros(len(X0), dtype=int)
    status = np.empty(len(X0), dtype=object)
    for i, x in enumerate(X0):
        res = scipy.optimize.minimize(
            fun, x, jac=jac, hess=hess if uses_hessian else None, method=method, options=options
        )
        X[i], q[i], n_iter[i] = res.x, fun(res.x), res.nit
        status[i] = "fixed" if q[i] < tol_fixed else ("stalled" if res.success else "not converged")
    return build_result(
        system,
        X0,
        X,
        q,
        status,
        n_iter,
        tol_fixed=tol_fixed,
        tol_slow=tol_slow,
        dedup_tol=dedup_tol,
        method=f"scipy.optimize.minimize({method!r}, hessian={hessian!r})",
        paths=None,
    )
