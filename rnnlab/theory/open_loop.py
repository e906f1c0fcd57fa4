r"""Finite reservoirs trained in open loop: clamp the output, relax, fit the min-norm readout.

The network of Rivkind & Barak (eqs. 1-4): :math:`N` rate units with random connectivity
:math:`J_{ij}\sim\mathcal N(0, g^2/N)` and feedback weights :math:`u_i \sim \mathcal N(0,1)`,

.. math::

    \dot x = -x + J\phi(x) + u\,z, \qquad z = w^\top\phi(x).

**Open-loop training.** Clamp the fed-back output to each target, :math:`z \equiv A_m`, relax
to the fixed point :math:`x^*_m = J\phi(x^*_m) + uA_m` (Newton's method on
:math:`F(x) = -x + J\phi(x) + uA_m`), collect the rates :math:`R = [\phi(x^*_1),\dots]`
(shape ``(M, N)``) and take the minimum-norm readout that reproduces every target,
:math:`w = R^{+}A` (for M = 1, :math:`w = A\,r^*/|r^*|^2`). Training needs *fading memory*:
the clamped network :math:`\dot{\delta x} = (-I + J\Phi'_m)\,\delta x`,
:math:`\Phi'_m = \operatorname{diag}\phi'(x^*_m)`, must be stable at every target. When it is
not, :class:`~rnnlab.theory.meanfield.NoFadingMemory` is raised: the analysis would be meaningless.

The trained reservoir (:class:`~rnnlab.theory.trained_reservoir.TrainedReservoir`) is analysed as a
feedback loop, its gains, output poles and kick responses, in :mod:`rnnlab.theory.trained_reservoir`.

References
----------
A. Rivkind and O. Barak, *Local dynamics in trained recurrent neural networks*,
Phys. Rev. Lett. 118, 258101 (2017).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import as_matrix, as_vector, positive_float, positive_int
from rnnlab.dynamics.nonlinearities import Nonlinearity, nonlinearity
from rnnlab.theory.meanfield import NoFadingMemory
from rnnlab.theory.trained_reservoir import (
    TrainedReservoir,
    eigenvalues_rightmost_first,
    rate_jacobian,
)

__all__ = ["random_reservoir", "relax", "train_open_loop"]


def random_reservoir(N: int, g: float, *, seed: int | np.random.Generator):
    r"""Draw :math:`J_{ij}\sim\mathcal N(0, g^2/N)` (shape ``(N, N)``) and
    :math:`u_i\sim\mathcal N(0,1)` (shape ``(N,)``), in that order from one generator."""
    N = positive_int(N, "N")
    g = positive_float(g, "g")
    rng = np.random.default_rng(seed)
    J = rng.normal(0.0, g / np.sqrt(N), size=(N, N))
    u = rng.standard_normal(N)
    return J, u


@blas_limited
def relax(
    J, u, A: float, phi: str | Nonlinearity = "tanh", *, tol: float = 1e-10, max_iter: int = 50
) -> np.ndarray:
    r"""The fixed point of the clamped network, :math:`x = J\phi(x) + uA`, by damped Newton.

    Newton steps :math:`\delta = -(-I + J\Phi')^{-1}F(x)` from :math:`x_0 = uA`, halved until
    :math:`|F|` decreases. Converged when :math:`\max_i |F_i| <` ``tol``.

    Returns
    -------
    ndarray, shape (N,)

    Raises
    ------
    RuntimeError
        When ``max_iter`` steps do not reach ``tol`` (never returns an unconverged point).
    """
    J = as_matrix(J, "J", square=True)  # finite, real, at least 1 x 1
    u = as_vector(u, "u", size=J.shape[0])
    if isinstance(A, bool) or not isinstance(A, int | float | np.integer | np.floating):
        raise TypeError(f"A must be a real number, got {A!r}")
    if not np.isfinite(A):
        raise ValueError(f"A must be a finite number, got {A}")
    max_iter = positive_int(max_iter, "max_iter")
    phi = nonlinearity(phi)
    drive = u * A
    x = drive.copy()
    F = -x + J @ phi.f(x) + drive
    for _ in range(max_iter):
        res = np.max(np.abs(F))
        if res < tol:
            return x
        Jac = J * phi.df(x)[None, :]
        Jac[np.diag_indices_from(Jac)] -= 1.0
        step = -scipy.linalg.solve(Jac, F, check_finite=False)
        t = 1.0
        while t > 1e-6:
            xn = x + t * step
            Fn = -xn + J @ phi.f(xn) + drive
            if np.linalg.norm(Fn) < np.linalg.norm(F):
                break
            t *= 0.5
        x, F = xn, Fn
    raise RuntimeError(
        f"the clamped network did not relax for A = {A}: max|F| = {np.max(np.abs(F)):.2e} after "
        f"{max_iter} Newton steps (tol {tol:g}); without a unique stable state there is no "
        "fading memory"
    )


def train_open_loop(
    J,
    u,
    targets,
    phi: str | Nonlinearity = "tanh",
    *,
    threshold: float = 0.0,
    tol: float = 1e-10,
) -> TrainedReservoir:
    r"""Open-loop training on constant targets: relax, check fading memory, min-norm readout.

    Parameters
    ----------
    J : array_like, shape (N, N)
    u : array_like, shape (N,)
        Feedback weights.
    targets : float or array_like, shape (M,)
        The output levels :math:`A_m`.
    phi : str or Nonlinearity
    threshold : float
        ReLU threshold.
    tol : float
        Newton tolerance on :math:`\max|F|`.

    Returns
    -------
    TrainedReservoir

    Raises
    ------
    NoFadingMemory
        When the clamped network does not settle (Newton fails) or is not stable at some target: an eigenvalue of
        :math:`-I + J\Phi'_m` with :math:`\operatorname{Re}\lambda \ge 0` (bulk radius
        :math:`\rho \gtrsim 1`).
    ValueError
        When no single readout reproduces all targets (the least-squares readout misses).

    Examples
    --------
    >>> J, u = random_reservoir(200, 0.8, seed=0)
    >>> net = train_open_loop(J, u, 1.0)
    >>> round(float(net.readout(net.x[0])), 10)
    1.0
    """
    J = as_matrix(J, "J", square=True)
    N = J.shape[0]
    u = as_vector(u, "u", size=N)
    A = as_vector(np.atleast_1d(np.asarray(targets, dtype=float)), "targets")
    phi = nonlinearity(phi, threshold)
    try:
        X = np.stack([relax(J, u, a, phi, tol=tol) for a in A])
    except RuntimeError as exc:
        raise NoFadingMemory(
            f"{exc}. A clamped network with fading memory settles to one stable state, so this "
            "open loop is most likely not stable (lower g or raise A)"
        ) from exc
    lam = np.stack([eigenvalues_rightmost_first(rate_jacobian(J, phi.df(x))) for x in X])
    for a, lam_a in zip(A, lam, strict=True):
        top = float(lam_a[0].real)
        if top >= 0:
            raise NoFadingMemory(
                f"the open loop clamped at A = {a:g} is not stable: its Jacobian -I + J Phi' has an "
                f"eigenvalue with Re = {top:+.3f} >= 0 (rho = {np.max(np.abs(lam_a + 1)):.3f}); "
                "without fading memory open-loop training is meaningless (lower g or raise A)"
            )
    R = phi.f(X)
    w = np.linalg.pinv(R) @ A
    miss = np.max(np.abs(R @ w - A))
    if miss > 1e-6 * max(1.0, np.max(np.abs(A))):
        raise ValueError(
            f"no readout reproduces all targets {A}: the least-squares readout misses by {miss:.2e}"
        )
    return TrainedReservoir(J, u, phi, A, X, R, w, lam)
