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
"""

from __future__ import annotations

import numpy as np

__all__ = ["classify", "n_unstable"]


def _growth(eigenvalues: np.ndarray, discrete: bool) -> np.ndarray:
    """Signed distance of each eigenvalue from the stability boundary (> 0: unstable)."""
    lam = np.asarray(eigenvalues)
    return np.abs(lam) - 1.0 if discrete else lam.real


def n_unstable(eigenvalues, *, discrete: bool = False, boundary_tol: float = 1e-9) -> np.ndarray:
    """Number of unstable dimensions: eigenvalues beyond the boundary by more than ``boundary_tol``.

    Parameters
    ----------
    eigenvalues : array_like, shape (N,) or (n_points, N)
    discrete : bool
        Use the map rule :math:`|\\lambda| > 1` instead of :math:`\\operatorname{Re}\\lambda > 0`.
    """
    return np.sum(_growth(eigenvalues, discrete) > boundary_tol, axis=-1)


def classify(
    eigenvalues, *, discrete: bool = False, boundary_tol: float = 1e-9, imag_tol: float = 1e-6
) -> str:
    r"""Name the type of one fixed point from its eigenvalues.

    Parameters
    ----------
    eigenvalues : array_like, shape (N,)
        Eigenvalues of :math:`J` (flow) or :math:`\\partial G` (map).
    discrete : bool
    boundary_tol : float
        Eigenvalues closer than this to the boundary make the point ``non-hyperbolic``.
    imag_tol : float
        Imaginary parts smaller than ``imag_tol * max(1, max|λ|)`` count as real. A repeated
        eigenvalue (a Jordan block, as at the toy system's stable nodes) splits into a complex
        pair of size :math:`\sqrt{\epsilon}` when the point is off by :math:`\epsilon`, so
        this must sit well above :math:`\sqrt{10^{-16}}`.

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
    """
    lam = np.asarray(eigenvalues, dtype=complex)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"eigenvalues must be a non-empty 1-D array, got shape {lam.shape}")
    growth = _growth(lam, discrete)
    if np.any(np.abs(growth) <= boundary_tol):
        return "non-hyperbolic"
    k = int(np.sum(growth > 0))
    rotating = bool(np.any(np.abs(lam.imag) > imag_tol * max(1.0, float(np.abs(lam).max()))))
    if k == 0:
        return "stable focus" if rotating else "stable node"
    if k == lam.size:
        return "unstable focus" if rotating else "unstable node"
    return f"saddle ({k} unstable)"
