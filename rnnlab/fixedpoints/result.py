r"""The result of a fixed-point search: points, their stability, and what became of every start.

How well is a point known?
--------------------------
A search ends *near* a point, not on it, and two things decided from where it ended must
not depend on exactly where it stopped: whether two ends are one point, and on which side
of the stability boundary each eigenvalue lies. Both are decided here from the point's
accuracy.

*Position.* Near a regular root :math:`x^*` of :math:`F`, a state :math:`x` is off by the
Newton step, :math:`x^* - x = -J(x)^{-1}F(x) + O(|F|^2)`, so
:math:`|x - x^*| \lesssim |F(x)|/\sigma_{\min}(J)`: the residual says nothing without
:math:`\sigma_{\min}`, the step says it all. A slow point :math:`x_s` is a regular local
minimum of :math:`q` with :math:`F(x_s) \ne 0`; there the same holds for Newton's method on
:math:`q`, :math:`x_s - x = -H(x)^{-1}\nabla q(x) + O(|\nabla q|^2)` with :math:`H` the exact
Hessian of :math:`q` (the residual bound :math:`|F|/\sigma_{\min}(J)` is useless there:
:math:`J(x_s)` is singular, see below). At a degenerate root (multiplicity :math:`m`, as at a
bifurcation) Newton's method converges only linearly, each step shrinking by
:math:`\rho = (m-1)/m`, and one step under-estimates the distance by the factor
:math:`1/(1-\rho) = m`. So two steps :math:`\delta_1, \delta_2` are taken and

.. math::

    \operatorname{err}(x) = \frac{|\delta_1|_\infty}{1 - \rho}, \qquad
    \rho = \min\Big(\frac{|\delta_2|_\infty}{|\delta_1|_\infty},\ 0.9\Big),

the sum of the geometric series of the remaining steps (:math:`\rho \approx 0` at a regular
root, where the estimate is the Newton step; the cap 0.9 covers multiplicities up to 10
and rounding noise). When even :math:`10\,|\delta_1|_\infty` is below
:math:`10^{-12}\max(1, |x|_\infty)` the second step is skipped and that bound is used.
This is :attr:`FixedPoints.x_error`. Two ends :math:`x_a, x_b` are one point when
:math:`|x_a - x_b|_\infty < \max(\mathtt{dedup\_tol},\ \operatorname{err}(x_a) +
\operatorname{err}(x_b))`: both within their error of one exact point. A fixed point
polished to :math:`q \sim 10^{-25}` has errors near :math:`10^{-12}` or below, so for it
``dedup_tol`` decides, as always; for slow points (:math:`|F| \sim 10^{-4}`, copies
:math:`10^{-5}` apart along the flat direction of :math:`q`) their errors do.

*Eigenvalues.* The eigenvalues of :math:`J(x)` are reported, those of :math:`J(x^*)` are
meant; the matrices differ by :math:`E = J(x^*) - J(x)`, estimated as
:math:`\varepsilon = \|J(x + d) - J(x)\|_F \ge \|E\|_2` with :math:`d` the estimated
correction above (:math:`|d|_\infty = \operatorname{err}(x)`). To first order in
:math:`\varepsilon` a simple eigenvalue moves by at most :math:`s_k\,\varepsilon`, with
:math:`s_k = \|y_k\|\|v_k\|/|y_k^H v_k|` its condition number (left and right eigenvectors
:math:`y_k, v_k`; the Bauer-Fike theorem bounds every :math:`s_k` by the condition number
:math:`\kappa(V)` of the eigenvector matrix). An eigenvalue counts as unstable, or as
stable, only when it lies beyond the boundary by more than

.. math::

    u_k = \max(\mathtt{boundary\_tol},\ s_k\,\varepsilon)

(:attr:`FixedPoints.eigenvalue_error`, ``boundary_tol`` = :math:`10^{-9}`); within
:math:`u_k` of the boundary it makes the point ``non-hyperbolic``. :math:`s_k` is computed
(one eigen-decomposition with left vectors) only for eigenvalues within
:math:`10^{6}\varepsilon` of the boundary: one farther away would need a condition number
above :math:`10^6` to reach it. At fixed points :math:`\varepsilon` is near
:math:`10^{-13}`, so the boundary stays at :math:`10^{-9}` as before.

*Slow points are non-hyperbolic.* At a slow point :math:`\nabla q = J^\top F = 0` with
:math:`F \ne 0`, so :math:`F` is a left null vector of :math:`J`: :math:`J(x_s)` is
singular and has the eigenvalue 0 exactly (for a map, :math:`\partial G` has the
multiplier 1). The eigenvalue nearest it at the computed point is the search's error,
whatever its sign, so its uncertainty is at least its distance from 0 (from 1): it never
counts, and every slow point is typed ``non-hyperbolic``; ``n_unstable`` counts the
eigenvalues clearly beyond the boundary.

*Mirror pairs.* In an odd system (:math:`F(-x) = -F(x)`, so :math:`J(-x) = J(x)`) a point
and the point within their errors of its mirror image share one spectrum: computed once,
for the one with the lower :math:`q`, and reported for both with the same errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

from rnnlab._internal.format import fmt_complex, fmt_real
from rnnlab.dynamics.stability import classify, n_unstable

__all__ = ["FixedPoints"]


@dataclass(repr=False)
class FixedPoints:
    """Fixed and slow points found from a batch of initial states.

    Attributes
    ----------
    x : ndarray, shape (n_points, N)
        The distinct points, sorted by number of unstable dimensions, then by coordinates.
    q : ndarray, shape (n_points,)
        Their speed :math:`q`.
    status : ndarray of str, shape (n_points,)
        ``'fixed'`` or ``'slow'``.
    eigenvalues : ndarray, complex, shape (n_points, N)
        Of :math:`J` (flows) or :math:`\\partial G` (maps), least stable first.
    n_unstable : ndarray of int, shape (n_points,)
        Number of unstable dimensions (Re λ > 0 for flows, |λ| > 1 for maps), counting only
        eigenvalues beyond the boundary by more than their error.
    kind : ndarray of str, shape (n_points,)
        Type from :func:`rnnlab.dynamics.stability.classify`.
    x0, x_final : ndarray, shape (n_starts, N)
        Every initial state and where its search ended (also when it did not converge).
    q_final : ndarray, shape (n_starts,)
    start_status : ndarray of str, shape (n_starts,)
        ``'fixed'``, ``'slow'`` or ``'not converged'``.
    start_point : ndarray of int, shape (n_starts,)
        Index into the points of the point each start reached, -1 when not converged.
    n_iter : ndarray of int, shape (n_starts,)
    tol_fixed, tol_slow, dedup_tol : float
    method : str
    paths : list of ndarray or None
        With ``record_paths=True``, the path of each start, shape (n_steps, N).
    x_error : ndarray, shape (n_points,)
        Estimated max-norm distance of each point from the exact fixed or slow point
        (module docstring: Newton steps, corrected for slow convergence).
    eigenvalue_error : ndarray, shape (n_points, N)
        Uncertainty of each eigenvalue (at least ``boundary_tol`` = 1e-9): an eigenvalue
        closer than this to the boundary makes the point non-hyperbolic.
    error_final : ndarray, shape (n_starts,)
        The position error of each start's end (NaN where it did not converge).
    """

    system: object
    x: np.ndarray
    q: np.ndarray
    status: np.ndarray
    eigenvalues: np.ndarray
    n_unstable: np.ndarray
    kind: np.ndarray
    x0: np.ndarray
    x_final: np.ndarray
    q_final: np.ndarray
    start_status: np.ndarray
    start_point: np.ndarray
    n_iter: np.ndarray
    tol_fixed: float
    tol_slow: float
    dedup_tol: float
    method: str
    paths: list | None = field(default=None)
    x_error: np.ndarray | None = field(default=None)
    eigenvalue_error: np.ndarray | None = field(default=None)
    error_final: np.ndarray | None = field(default=None)

    def __post_init__(self):
        n, N = self.x.shape
        if self.x_error is None:
            self.x_error = np.zeros(n)
        if self.eigenvalue_error is None:
            self.eigenvalue_error = np.full((n, N), _BOUNDARY_TOL)
        if self.error_final is None:
            self.error_final = np.full(len(self.x0), np.nan)

    # -- counts --------------------------------------------------------------------------
    @property
    def n_points(self) -> int:
        """Number of distinct fixed and slow points."""
        return len(self.x)

    def __len__(self) -> int:
        return self.n_points

    @property
    def n_fixed(self) -> int:
        """Number of distinct fixed points."""
        return int(np.sum(self.status == "fixed"))

    @property
    def n_slow(self) -> int:
        """Number of distinct slow points."""
        return int(np.sum(self.status == "slow"))

    @property
    def n_not_converged(self) -> int:
        """Number of initial states whose search did not converge."""
        return int(np.sum(self.start_status == "not converged"))

    @property
    def stable(self) -> np.ndarray:
        """Boolean mask of the stable points (no unstable dimension, hyperbolic)."""
        return np.array([k.startswith("stable") for k in self.kind], dtype=bool)

    @property
    def tolerances(self) -> str:
        """The tolerances behind the counts, for printing beside them."""
        text = (
            f"fixed: q < {self.tol_fixed:g}; slow: local minimum with q < {self.tol_slow:g}; "
            f"duplicates within {self.dedup_tol:g} (max-norm) merged"
        )
        if self.n_slow:
            text += "; slow points merged within their position errors (x_error)"
        return text

    def counts(self, status: str | None = "fixed") -> dict[int, int]:
        """Number of points by number of unstable dimensions, e.g. ``{0: 8, 1: 12, 2: 6, 3: 1}``.

        Parameters
        ----------
        status : {'fixed', 'slow', None}
            Count only fixed points (default), only slow points, or both (None).
        """
        mask = np.ones(self.n_points, bool) if status is None else self.status == status
        keys, counts = np.unique(self.n_unstable[mask], return_counts=True)
        return {int(k): int(c) for k, c in zip(keys, counts, strict=True)}

    def jacobian(self, i: int) -> np.ndarray:
        """The Jacobian :math:`J = \\partial F/\\partial x` at point ``i``."""
        return self.system.jacobian(self.x[i])

    def subset(self, mask) -> FixedPoints:
        """A result holding only the points selected by ``mask`` (bool or index array).

        Per-start arrays are kept; ``start_point`` is remapped (-1 for dropped points).
        """
        idx = np.arange(self.n_points)[mask]
        remap = np.full(self.n_points + 1, -1)
        remap[idx] = np.arange(len(idx))
        return FixedPoints(
            self.system,
            self.x[idx],
            self.q[idx],
            self.status[idx],
            self.eigenvalues[idx],
            self.n_unstable[idx],
            self.kind[idx],
            self.x0,
            self.x_final,
            self.q_final,
            self.start_status,
            remap[self.start_point],
            self.n_iter,
            self.tol_fixed,
            self.tol_slow,
            self.dedup_tol,
            self.method,
            self.paths,
            self.x_error[idx],
            self.eigenvalue_error[idx],
            self.error_final,
        )

    # -- display -------------------------------------------------------------------------
    def rows(self) -> list[dict]:
        """One dict per point: index, status, q, unstable dimensions, type, leading eigenvalue, x,
        and the position error ``x_error``."""
        rows = []
        for i in range(self.n_points):
            rows.append(
                {
                    "index": i,
                    "status": str(self.status[i]),
                    "q": float(self.q[i]),
                    "n_unstable": int(self.n_unstable[i]),
                    "type": str(self.kind[i]),
                    "leading_eigenvalue": complex(self.eigenvalues[i, 0]),
                    "x": self.x[i].copy(),
                    "x_error": float(self.x_error[i]),
                }
            )
        return rows

    def summary(self) -> str:
        """One line: what the starts became, with the tolerances."""
        return (
            f"{len(self.x0)} starts -> {self.n_fixed} fixed points, {self.n_slow} slow points, "
            f"{self.n_not_converged} starts not converged ({self.tolerances})"
        )

    def __repr__(self, max_rows: int = 30) -> str:
        lines = [self.summary()]
        if self.n_points == 0:
            return "\n".join(lines)
        N = self.x.shape[1]
        shown = min(N, 3)
        lines.append(
            f"{'#':>3}  {'status':<6}  {'q':>8}  {'unstable':>8}  {'type':<22}  "
            f"{'leading eigenvalue':<20}  x{'' if N <= 3 else f'[:{shown}]'}"
        )
        for i in range(min(self.n_points, max_rows)):
            lam = self.eigenvalues[i, 0]
            lam_s = fmt_complex(lam)
            coords = ", ".join(fmt_real(v) for v in self.x[i, :shown]) + (", ..." if N > 3 else "")
            lines.append(
                f"{i:>3}  {self.status[i]:<6}  {self.q[i]:8.1e}  {self.n_unstable[i]:>8d}  "
                f"{self.kind[i]:<22}  {lam_s:<20}  [{coords}]"
            )
        if self.n_points > max_rows:
            lines.append(f"... {self.n_points - max_rows} more points")
        return "\n".join(lines)


def build_result(
    system,
    X0,
    X,
    q,
    status,
    n_iter,
    *,
    tol_fixed,
    tol_slow,
    dedup_tol,
    method,
    paths,
) -> FixedPoints:
    """Decide slow points, merge duplicates, classify, and package a :class:`FixedPoints`.

    ``status`` holds ``'fixed'``, ``'stalled'`` (the search stopped moving) or
    ``'not converged'`` per start. A stalled start is a slow point only if its :math:`q` is
    below ``tol_slow`` and it sits at a local minimum of :math:`q` (exact Hessian of
    :math:`q` positive semi-definite up to round-off); otherwise it is not converged.
    Duplicates are merged and eigenvalues classified at each point's accuracy (module
    docstring).
    """
    status, error_final, correction, start_rep, kept = settle(
        system, X, q, status, tol_slow=tol_slow, dedup_tol=dedup_tol
    )
    N = X0.shape[1]

    discrete = bool(getattr(system, "discrete", False))
    n = len(kept)
    pts = X[kept] if n else np.empty((0, N))
    eig, eig_err = spectra(
        system,
        pts,
        error_final[kept],
        correction[kept] if n else np.empty((0, N)),
        slow=status[kept] == "slow",
        q=q[kept],
    )
    unstable = n_unstable(eig, discrete=discrete, boundary_tol=eig_err) if n else np.empty(0, int)
    kinds = np.array(
        [classify(e, discrete=discrete, boundary_tol=u) for e, u in zip(eig, eig_err, strict=True)],
        dtype=object,
    )

    # Deterministic order: by unstable dimensions, then by coordinates.
    order = np.lexsort((*np.round(pts[:, ::-1].T, 6), unstable)) if n else np.arange(0)
    kept_arr = np.asarray(kept, dtype=int)[order]
    position = {int(k): i for i, k in enumerate(kept_arr)}
    start_point = np.array([position.get(int(r), -1) for r in start_rep], dtype=int)
    start_status = status.copy()

    return FixedPoints(
        system=system,
        x=X[kept_arr] if n else np.empty((0, N)),
        q=q[kept_arr],
        status=status[kept_arr],
        eigenvalues=eig[order],
        n_unstable=unstable[order],
        kind=kinds[order],
        x0=X0,
        x_final=X,
        q_final=q,
        start_status=start_status,
        start_point=start_point,
        n_iter=n_iter,
        tol_fixed=tol_fixed,
        tol_slow=tol_slow,
        dedup_tol=dedup_tol,
        method=method,
        paths=paths,
        x_error=error_final[kept_arr],
        eigenvalue_error=eig_err[order],
        error_final=error_final,
    )


def settle(system, X, q, status, *, tol_slow, dedup_tol):
    """Decide slow points, estimate every end's position error, merge duplicates.

    Returns
    -------
    status : ndarray of str, shape (B,)
        ``'fixed'``, ``'slow'`` or ``'not converged'``.
    error_final : ndarray, shape (B,)
        Position error of each end (NaN where not converged).
    correction : ndarray, shape (B, N)
        The estimated correction of each end (zero where not converged).
    start_rep : ndarray of int, shape (B,)
        The end each one was merged into (itself when kept; -1 when not converged).
    kept : list of int
        The kept ends, lowest q first.
    """
    status = np.array(status, dtype=object)
    stalled = np.flatnonzero(status == "stalled")
    slow_ok = np.zeros(len(stalled), dtype=bool)
    low = q[stalled] < tol_slow
    if np.any(low):
        H = system.hessian_q(X[stalled[low]])
        ev = np.linalg.eigvalsh(0.5 * (H + np.swapaxes(H, -1, -2)))
        scale = np.maximum(np.abs(ev).max(axis=-1), 1e-300)
        slow_ok[low] = ev.min(axis=-1) >= -1e-8 * scale
    status[stalled] = np.where(slow_ok, "slow", "not converged")

    # How far each end is from its exact point, and the direction of the correction.
    candidates = np.flatnonzero(status != "not converged")
    error_final = np.full(len(X), np.nan)
    correction = np.zeros(X.shape)
    if candidates.size:
        err, d = position_error(system, X[candidates], status[candidates] == "slow")
        error_final[candidates], correction[candidates] = err, d

    # Merge duplicates greedily, lowest q first, within dedup_tol or their errors.
    candidates = candidates[np.argsort(q[candidates], kind="stable")]
    rep = merge_points(X, error_final, candidates, dedup_tol)
    start_rep = np.full(len(X), -1)
    for c, k in rep.items():
        start_rep[c] = k
    kept = [int(c) for c in candidates if rep[int(c)] == int(c)]
    return status, error_final, correction, start_rep, kept


# -- accuracy of a point -------------------------------------------------------------------

_BOUNDARY_TOL = 1e-9  # the floor of every eigenvalue's uncertainty (classify's default)
_MIRROR_TOL = 1e-9  # max-norm |x_i + x_j| below which x_j is taken as the exact mirror of x_i
_RATIO_CAP = 0.9  # Newton's contraction per step counted at most this (multiplicity <= 10)
_NEGLIGIBLE = 1e-12  # relative position error below which the second Newton step is skipped
_COND_CAP = 1e6  # condition numbers computed for eigenvalues within _COND_CAP * eps of the boundary


def position_error(system, X: np.ndarray, slow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Estimated max-norm distance of each state from its exact fixed or slow point.

    Parameters
    ----------
    system : DynamicalSystem
    X : ndarray, shape (B, N)
        Where searches ended.
    slow : ndarray of bool, shape (B,)
        Which are slow points (Newton on :math:`q`) rather than roots (Newton on :math:`F`).

    Returns
    -------
    err : ndarray, shape (B,)
        The error :math:`|\delta_1|_\infty / (1 - \rho)` (module docstring).
    correction : ndarray, shape (B, N)
        The estimated correction :math:`\delta_1 / (1 - \rho)`, pointing to the exact point.
    """
    X = np.asarray(X, dtype=float)
    slow = np.asarray(slow, dtype=bool)
    d1 = _newton_steps(system, X, slow)
    n1 = np.max(np.abs(d1), axis=1) if X.size else np.zeros(len(X))
    bound = n1 / (1.0 - _RATIO_CAP)
    rho = np.full(len(X), _RATIO_CAP)
    again = np.isfinite(n1) & (bound > _NEGLIGIBLE * np.maximum(1.0, np.max(np.abs(X), axis=1)))
    if np.any(again):
        d2 = _newton_steps(system, X[again] + d1[again], slow[again])
        n2 = np.max(np.abs(d2), axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            rho[again] = np.minimum(np.where(n1[again] > 0, n2 / n1[again], 0.0), _RATIO_CAP)
        rho[again] = np.where(np.isfinite(rho[again]), rho[again], _RATIO_CAP)
    scale = 1.0 / (1.0 - rho)
    err = n1 * scale
    correction = d1 * scale[:, None]
    bad = ~np.isfinite(err)
    err[bad], correction[bad] = np.inf, 0.0
    return err, correction


def _newton_steps(system, X: np.ndarray, slow: np.ndarray) -> np.ndarray:
    """Newton step on F (roots) or on q with its exact Hessian (slow points), batched."""
    out = np.zeros_like(X)
    if not len(X):
        return out
    F = system._rhs(X)
    J = system._jacobian(X)
    fixed = ~slow
    if np.any(fixed):
        out[fixed] = -_solve(J[fixed], F[fixed])
    if np.any(slow):
        Js, Fs, Xs = J[slow], F[slow], X[slow]
        g = np.einsum("bki,bk->bi", Js, Fs)
        H = system._gauss_newton(Xs, Js) + system._curvature(Xs, Fs)
        w, V = np.linalg.eigh(0.5 * (H + np.swapaxes(H, -1, -2)))
        # |w| floored at rounding: a direction q does not curve along is not located
        floor = np.finfo(float).eps * np.maximum(np.abs(w).max(axis=1, keepdims=True), 1e-300)
        coef = np.einsum("bki,bk->bi", V, g) / np.maximum(np.abs(w), floor)
        out[slow] = -np.einsum("bik,bk->bi", V, coef)
    return out


def _solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Batched ``A x = b``; a singular system gets its least-squares solution."""
    try:
        x = np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        x = np.full_like(b, np.nan)
    bad = ~np.all(np.isfinite(x), axis=1)
    for i in np.flatnonzero(bad):
        x[i] = np.linalg.lstsq(A[i], b[i], rcond=None)[0]
    return x


def merge_points(X: np.ndarray, err: np.ndarray, order, dedup_tol: float) -> dict[int, int]:
    """Greedy merge in the given order: each index joins the first kept one it is within
    ``max(dedup_tol, err_i + err_k)`` of (max-norm), or is kept. Returns index -> kept index."""
    rep: dict[int, int] = {}
    kept: list[int] = []
    for c in order:
        c = int(c)
        if kept:
            d = np.max(np.abs(X[kept] - X[c]), axis=1)
            close = np.flatnonzero(d < np.maximum(dedup_tol, err[kept] + err[c]))
            if close.size:
                rep[c] = kept[int(close[0])]
                continue
        kept.append(c)
        rep[c] = c
    return rep


def spectra(
    system,
    pts: np.ndarray,
    err: np.ndarray,
    correction: np.ndarray,
    *,
    slow: np.ndarray,
    q: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues of every point with their uncertainties (module docstring).

    Mirror pairs of an odd system (within ``_MIRROR_TOL`` or their errors) share one
    spectrum, computed for the one with the lower ``q``.

    Returns
    -------
    eigenvalues : ndarray, complex, shape (n, N)
    eigenvalue_error : ndarray, shape (n, N)
    """
    n, N = pts.shape
    if n == 0:
        return np.empty((0, N), dtype=complex), np.empty((0, N))
    source = _mirror_sources(system, pts, err, q)
    own = np.flatnonzero(source == np.arange(n))
    eig = np.empty((n, N), dtype=complex)
    unc = np.empty((n, N))
    eig[own] = system.eigenvalues(pts[own])
    unc[own] = _eigenvalue_errors(
        system, pts[own], eig[own], err[own], correction[own], np.asarray(slow, bool)[own]
    )
    eig[:] = eig[source]
    unc[:] = unc[source]
    return eig, unc


def _mirror_sources(system, pts, err, q) -> np.ndarray:
    """For each point, the index whose spectrum it uses (itself, or its mirror's)."""
    n = len(pts)
    source = np.arange(n)
    if not getattr(system, "odd", False) or n < 2:
        return source
    for j in np.argsort(q, kind="stable"):
        if source[j] != j:
            continue
        d = np.max(np.abs(pts + pts[j]), axis=1)
        d[j] = np.inf
        partners = np.flatnonzero(
            (d < np.maximum(_MIRROR_TOL, err + err[j])) & (source == np.arange(n))
        )
        partners = partners[q[partners] >= q[j]]
        if partners.size:
            source[partners[np.argmin(d[partners])]] = j
    return source


def _eigenvalue_errors(system, X, eig, err, correction, slow) -> np.ndarray:
    """u_k = max(boundary_tol, s_k eps) per eigenvalue (inf where the position is unknown);
    at a slow point the eigenvalue nearest 0 (multiplier nearest 1) is on the boundary."""
    discrete = bool(getattr(system, "discrete", False))
    unc = np.full(eig.shape, _BOUNDARY_TOL)
    J = system._jacobian(X)
    moved = np.any(correction != 0, axis=1)
    eps = np.where(np.isfinite(err), 0.0, np.inf)
    moved &= np.isfinite(eps)
    if np.any(moved):
        dJ = system._jacobian(X[moved] + correction[moved]) - J[moved]
        eps[moved] = np.sqrt(np.sum(dJ * dJ, axis=(1, 2)))
    lam_J = eig - 1.0 if discrete else eig  # eigenvalues of J = dG - I for a map
    growth = np.abs(eig) - 1.0 if discrete else eig.real
    for i in range(len(X)):
        if not np.isfinite(eps[i]):
            unc[i] = np.inf
            continue
        near = np.abs(growth[i]) <= np.maximum(_BOUNDARY_TOL, _COND_CAP * eps[i])
        if eps[i] > 0 and np.any(near):
            s = _condition_numbers(J[i], lam_J[i, near])
            unc[i, near] = np.maximum(_BOUNDARY_TOL, s * eps[i])
        if slow[i]:
            k = int(np.argmin(np.abs(lam_J[i])))
            unc[i, k] = max(unc[i, k], float(np.abs(lam_J[i, k])))
    return unc


def _condition_numbers(J: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Condition numbers s = |y||v| / |y^H v| of the eigenvalues of J nearest ``lam``."""
    w, vl, vr = scipy.linalg.eig(J, left=True, right=True, check_finite=False)
    with np.errstate(divide="ignore"):
        s_all = 1.0 / np.abs(np.sum(vl.conj() * vr, axis=0))  # columns have unit norm
    idx = np.argmin(np.abs(w[None, :] - np.asarray(lam)[:, None]), axis=1)
    return s_all[idx]
