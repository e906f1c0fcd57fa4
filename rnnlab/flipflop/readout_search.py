r"""An independent fixed-point search for an echo state network: Newton in readout space.

A fixed point of the closed loop :math:`\dot x = -x + W_r\phi(x) + W_{fb} W_o \phi(x)` is a
state whose readout :math:`z = W_o\phi(x)`, fed back, holds it there. Split the loop at
the readout: for a *clamped* feedback :math:`z`, the reservoir relaxes to

.. math::

    x(z):\quad -x + W_r\phi(x) + W_{fb} z = 0,

unique when the reservoir alone is contracting (gain :math:`g < 1`). The closed loop's
fixed points are then exactly the roots of the :math:`n`-dimensional function

.. math::

    h(z) = W_o\,\phi\big(x(z)\big) - z,
    \qquad
    \frac{\partial h}{\partial z} = W_o\,\operatorname{diag}\phi'(x)\,
    \frac{\partial x}{\partial z} - I,
    \qquad
    \frac{\partial x}{\partial z} = -J_r^{-1} W_{fb},

with :math:`J_r = -I + W_r\operatorname{diag}\phi'(x)` the clamped reservoir's Jacobian.
A search over :math:`n = 3` or 4 readout coordinates can afford hundreds of starts, for
instance every point of the ideal cube :math:`\{-1, 0, 1\}^n` plus random ones, and shares
nothing with :func:`rnnlab.flipflop.census.census` (no minimisation of :math:`q`, no seeds from
trajectories). When both find the same set, points the census lacks are absent from the
network, not missed by its search.

:func:`readout_search` runs damped Newton on :math:`h` from every start and returns only
points where :math:`|h|_\infty` and the relaxation residual are below ``tol``; the result
is checked and classified by :func:`rnnlab.find_fixed_points`.
"""

from __future__ import annotations

import numpy as np

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import as_matrix, positive_float, positive_int
from rnnlab.fixedpoints.finder import find_fixed_points
from rnnlab.fixedpoints.result import FixedPoints
from rnnlab.models.esn import ESN

__all__ = ["readout_search"]


def _relax(esn: ESN, z: np.ndarray, x: np.ndarray, tol: float, max_iter: int = 50):
    """x(z) by Newton from ``x``; returns (x, J_r, converged)."""
    eye = np.eye(esn.N)
    for _ in range(max_iter):
        F = -x + esn.W_r @ esn.phi.f(x) + esn.W_fb @ z
        J = esn.W_r * esn.phi.df(x)[None, :] - eye
        if np.max(np.abs(F)) < tol:
            return x, J, True
        x = x - np.linalg.solve(J, F)
    return x, J, False


@blas_limited
def readout_search(
    esn: ESN,
    starts,
    *,
    tol: float = 1e-12,
    max_iter: int = 40,
    z_max: float = 5.0,
    tol_fixed: float = 1e-20,
) -> FixedPoints:
    """Fixed points of ``esn``'s closed loop (zero input) from Newton on :math:`h(z)`.

    Parameters
    ----------
    esn : ESN
        A trained network whose reservoir is contracting for every clamped readout met.
    starts : array_like, shape (n_starts, n_out)
        Readout values :math:`z_0` to start from.
    tol : float
        Converged when :math:`|h(z)|_\\infty` and the relaxation residual are below this.
    max_iter : int
        Newton steps on :math:`h` per start.
    z_max : float
        A start that wanders beyond :math:`|z|_\\infty > z_{max}` is abandoned.
    tol_fixed : float
        Passed to :func:`~rnnlab.find_fixed_points`, which checks and classifies the points.

    Returns
    -------
    FixedPoints
        Found from the converged starts only (the others are dropped; their number is
        ``n_starts - len(result.x0)``).

    Examples
    --------
    >>> import numpy as np, rnnlab
    >>> esn = rnnlab.ESN(6, 1, 1, g=0.0, seed=0)  # one bit held by six units
    >>> esn.W_fb = np.full((6, 1), 2.0)
    >>> esn.set_readout(np.full((1, 6), 1 / 6))
    >>> fps = readout_search(esn, [[-1.0], [0.0], [1.0]])
    >>> fps.counts()  # two memories and the saddle between them
    {0: 2, 1: 1}
    """
    if not isinstance(esn, ESN):
        raise TypeError(f"esn must be an rnnlab.ESN, got {type(esn).__name__}")
    Z0 = as_matrix(starts, "starts", shape=(None, esn.n_out))
    tol = positive_float(tol, "tol")
    max_iter = positive_int(max_iter, "max_iter")
    z_max = positive_float(z_max, "z_max")
    I_n = np.eye(esn.n_out)
    found = []
    for z in Z0:
        x, J, ok = _relax(esn, z, esn.W_fb @ z, tol)
        if not ok:
            continue
        for _ in range(max_iter):
            h = esn.W_o @ esn.phi.f(x) - z
            if np.max(np.abs(h)) < tol:
                found.append(x)
                break
            dx_dz = -np.linalg.solve(J, esn.W_fb)
            H = esn.W_o @ (esn.phi.df(x)[:, None] * dx_dz) - I_n
            dz = -np.linalg.solve(H, h)
            step, moved = 1.0, False
            for _ in range(20):  # backtrack until |h| decreases
                zn = z + step * dz
                xn, Jn, ok = _relax(esn, zn, x, tol)
                if ok and np.linalg.norm(esn.W_o @ esn.phi.f(xn) - zn) < np.linalg.norm(h):
                    z, x, J, moved = zn, xn, Jn, True
                    break
                step /= 2
            if not moved or np.max(np.abs(z)) > z_max:
                break
    X = np.array(found).reshape(-1, esn.N)
    return find_fixed_points(esn.closed_loop(), X, tol_fixed=tol_fixed)
