r"""Linear stability of a fixed point from the eigenvalues of its linearisation.

Near a fixed point :math:`x^*`, :math:`\delta x` evolves by the linearisation (Jang eq. 3):
:math:`\dot{\delta x} = J \delta x` for a flow, :math:`\delta x \leftarrow \partial G\, \delta x`
for a map. The two rules must never be mixed (COURSE §0):

=========  =====================================  ===================================
           flow, eigenvalues of :math:`J`         map, eigenvalues of :math:`\partial G`
=========  =====================================  ===================================
unstable   :math:`\operatorname{Re}\lambda > 0`   :math:`|\lambda| > 1`
boundary   :math:`\operatorname{Re}\lambda = 0`   :math:`|\lambda| = 1`
=========  =====================================  ===================================

The *number of unstable dimensions* counts eigenvalues on the unstable side. Types:
``stable node`` / ``stable focus`` (no unstable dimension; focus when some eigenvalue is
complex, so nearby trajectories spiral), ``saddle (k unstable)``, ``unstable node`` /
``unstable focus`` (all dimensions unstable), and ``non-hyperbolic`` when an eigenvalue
lies on the boundary within ``boundary_tol``: linearisation alone cannot decide those.

A map has one more kind of motion: along a real *negative* multiplier :math:`\mu < 0` a
perturbation changes sign at every step, so orbits alternate from one side of the point to
the other (the direction in which a period-2 orbit is born when :math:`\mu` crosses -1).
Map types name it: ``stable flip node``, ``unstable flip focus``, ``saddle (1 unstable,
flip)``. A multiplier counts as negative when its real part is below
:math:`-`\ ``imag_tol`` :math:`\cdot \max(1, \max|\lambda|)` (and below minus its error), so
that a multiplier that is 0 up to rounding (a saturated unit) is no flip.

``boundary_tol`` may be one number or one per eigenvalue: the uncertainty of each computed
eigenvalue (see :attr:`rnnlab.FixedPoints.eigenvalue_error`), so that an eigenvalue that the
point's accuracy cannot place on either side of the boundary is never counted.
"""

from __future__ import annotations

import numpy as np

__all__ = ["classify", "n_unstable", "rightmost_real_part"]


def _growth(eigenvalues: np.ndarray, discrete: bool) -> np.ndarray:
    """Signed distance of each eigenvalue from the stability boundary (> 0: unstable)."""
    lam = np.asarray(eigenvalues)
    return np.abs(lam) - 1.0 if discrete else lam.real


def _tolerance(boundary_tol, shape: tuple) -> np.ndarray:
    tol = np.asarray(boundary_tol, dtype=float)
    if np.any(np.isnan(tol)) or np.any(tol < 0):
        raise ValueError(f"boundary_tol must be >= 0, got {boundary_tol!r}")
    try:
        return np.broadcast_to(tol, shape)
    except ValueError:
        raise ValueError(
            f"boundary_tol must be one number or one per eigenvalue (shape {shape}), "
            f"got shape {tol.shape}"
        ) from None


def n_unstable(eigenvalues, *, discrete: bool = False, boundary_tol=1e-9) -> np.ndarray:
    """Number of unstable dimensions: eigenvalues beyond the boundary by more than ``boundary_tol``.

    Parameters
    ----------
    eigenvalues : array_like, shape (N,) or (n_points, N)
    discrete : bool
        Use the map rule :math:`|\\lambda| > 1` instead of :math:`\\operatorname{Re}\\lambda > 0`.
    boundary_tol : float or array_like broadcastable to ``eigenvalues``
        How far beyond the boundary an eigenvalue must lie to count (its uncertainty).
    """
    growth = _growth(eigenvalues, discrete)
    return np.sum(growth > _tolerance(boundary_tol, growth.shape), axis=-1)


def classify(
    eigenvalues, *, discrete: bool = False, boundary_tol=1e-9, imag_tol: float = 1e-6
) -> str:
    r"""Name the type of one fixed point from its eigenvalues.

    Parameters
    ----------
    eigenvalues : array_like, shape (N,)
        Eigenvalues of :math:`J` (flow) or :math:`\\partial G` (map).
    discrete : bool
    boundary_tol : float or array_like, shape (N,)
        Eigenvalues closer than this to the boundary make the point ``non-hyperbolic``
        (one number, or the uncertainty of each eigenvalue).
    imag_tol : float
        Imaginary parts smaller than ``imag_tol * max(1, max|λ|)`` count as real. A repeated
        eigenvalue (a Jordan block, as at the toy system's stable nodes) splits into a complex
        pair of size :math:`\sqrt{\epsilon}` when the point is off by :math:`\epsilon`, so
        this must sit well above :math:`\sqrt{10^{-16}}`. For a map, real parts below
        minus the same amount make a multiplier negative (a *flip*).

    Returns
    -------
    str

    Examples
    --------
    >>> classify([-1.0, -1.0])
    'stable node'
    >>> classify([0.366, -1.366])
    'saddle (1 unstable)'
    >>> classify([0.5 + 0.5j, 0.5 - 0.5j], discrete=True)
    'stable focus'
    >>> classify([-2.0, 0.5], discrete=True)
    'saddle (1 unstable, flip)'
    """
    lam = np.asarray(eigenvalues, dtype=complex)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"eigenvalues must be a non-empty 1-D array, got shape {lam.shape}")
    tol = _tolerance(boundary_tol, lam.shape)
    growth = _growth(lam, discrete)
    if np.any(np.abs(growth) <= tol):
        return "non-hyperbolic"
    k = int(np.sum(growth > 0))
    scale = imag_tol * max(1.0, float(np.abs(lam).max()))
    real = np.abs(lam.imag) <= scale
    rotating = bool(np.any(~real))
    flip = discrete and bool(np.any(real & (lam.real < -np.maximum(scale, tol))))
    if k == 0 or k == lam.size:
        side = "stable" if k == 0 else "unstable"
        return f"{side} {'flip ' if flip else ''}{'focus' if rotating else 'node'}"
    return f"saddle ({k} unstable{', flip' if flip else ''})"


def rightmost_real_part(J: np.ndarray) -> float:
    r""":math:`\max_i \operatorname{Re}\lambda_i(J)`: the growth rate of the least stable mode.

    A fixed point of a flow is stable when this is negative. For ``N > 50`` the two
    rightmost eigenvalues come from Arnoldi iteration (ARPACK, ``which='LR'``, start vector
    of ones so the result is reproducible, relative tolerance 1e-10), falling back to the
    dense eigen-decomposition when it does not converge; for small ``N`` the dense one is
    cheaper. Used to pick stable points quickly; a full classification is
    :func:`classify` on every eigenvalue.

    Parameters
    ----------
    J : ndarray, shape (N, N)
        The Jacobian of a flow at a point.
    """
    import scipy.sparse.linalg

    J = np.asarray(J, dtype=float)
    if J.ndim != 2 or J.shape[0] != J.shape[1] or J.shape[0] == 0:
        raise ValueError(f"J must be a non-empty square matrix, got shape {J.shape}")
    N = J.shape[0]
    if N <= 50:
        return float(np.max(np.linalg.eigvals(J).real))
    try:
        lam = scipy.sparse.linalg.eigs(
            J, k=2, which="LR", v0=np.ones(N), return_eigenvectors=False, tol=1e-10
        )
    except scipy.sparse.linalg.ArpackNoConvergence:
        lam = np.linalg.eigvals(J)
    return float(np.max(lam.real))
