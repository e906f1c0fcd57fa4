"""The result of a fixed-point search: points, their stability, and what became of every start."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .stability import classify, n_unstable

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
        Number of unstable dimensions (Re λ > 0 for flows, |λ| > 1 for maps).
    kind : ndarray of str, shape (n_points,)
        Type from :func:`rnnlab.stability.classify`.
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
        return (
            f"fixed: q < {self.tol_fixed:g}; slow: local minimum with q < {self.tol_slow:g}; "
            f"duplicates within {self.dedup_tol:g} (max-norm) merged"
        )

    def census(self, status: str | None = "fixed") -> dict[int, int]:
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
        )

    # -- display -------------------------------------------------------------------------
    def table(self) -> list[dict]:
        """One dict per point: index, status, q, unstable dimensions, type, leading eigenvalue, x."""
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
            lam_s = _fmt_complex(lam)
            coords = ", ".join(_fmt(v) for v in self.x[i, :shown]) + (", ..." if N > 3 else "")
            lines.append(
                f"{i:>3}  {self.status[i]:<6}  {self.q[i]:8.1e}  {self.n_unstable[i]:>8d}  "
                f"{self.kind[i]:<22}  {lam_s:<20}  [{coords}]"
            )
        if self.n_points > max_rows:
            lines.append(f"... {self.n_points - max_rows} more points")
        return "\n".join(lines)


def _fmt(v: float, digits: int = 3) -> str:
    # round, then add 0.0 so that -0.000 prints as 0.000
    return f"{round(float(v), digits) + 0.0:.{digits}f}"


def _fmt_complex(lam: complex, digits: int = 3) -> str:
    re = _fmt(lam.real, digits)
    im = round(float(lam.imag), digits) + 0.0
    if im == 0.0:
        return re
    return f"{re}{'+' if im > 0 else '-'}{abs(im):.{digits}f}j"


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

    # Merge duplicates greedily, lowest q first.
    candidates = np.flatnonzero(status != "not converged")
    candidates = candidates[np.argsort(q[candidates], kind="stable")]
    kept: list[int] = []
    start_rep = np.full(len(X0), -1)
    for c in candidates:
        for k in kept:
            if np.max(np.abs(X[c] - X[k])) < dedup_tol:
                start_rep[c] = k
                break
        else:
            kept.append(c)
            start_rep[c] = c

    discrete = bool(getattr(system, "discrete", False))
    n = len(kept)
    N = X0.shape[1]
    pts = X[kept] if n else np.empty((0, N))
    eig = _eigenvalues(system, pts) if n else np.empty((0, N), dtype=complex)
    unstable = n_unstable(eig, discrete=discrete) if n else np.empty(0, dtype=int)
    kinds = np.array([classify(e, discrete=discrete) for e in eig], dtype=object)

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
    )


_MIRROR_TOL = 1e-9  # max-norm |x_i + x_j| below which x_j is taken as the exact mirror of x_i


def _eigenvalues(system, pts: np.ndarray) -> np.ndarray:
    """Eigenvalues of every point, computed once per mirror pair of an odd system.

    For an odd system, :math:`F(-x) = -F(x)`, differentiating gives :math:`J(-x) = J(x)`:
    a point and its mirror image have the same Jacobian and the same eigenvalues, so the
    eigen-decomposition (the most expensive step for a large network) is done for one of
    each pair only.
    """
    if not getattr(system, "odd", False) or len(pts) < 2:
        return system.eigenvalues(pts)
    source = np.arange(len(pts))
    for j in range(1, len(pts)):
        d = np.max(np.abs(pts[:j] + pts[j]), axis=1)
        i = int(np.argmin(d))
        if d[i] < _MIRROR_TOL and source[i] == i:
            source[j] = i
    own = np.flatnonzero(source == np.arange(len(pts)))
    eig = np.empty((len(pts), pts.shape[1]), dtype=complex)
    eig[own] = system.eigenvalues(pts[own])
    eig[source != np.arange(len(pts))] = eig[source[source != np.arange(len(pts))]]
    return eig
