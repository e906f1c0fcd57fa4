r"""Mean-field theory of a reservoir trained on M fixed points (Rivkind & Barak).

The network and the open-loop training are those of :mod:`rnnlab.theory.meanfield`, now with M targets
:math:`A_1,\dots,A_M` (M <= 4). At target :math:`m` the relaxed state is
:math:`x_m = uA_m + x^1_m`; the recurrent parts :math:`x^1_m` (one per target) are jointly
Gaussian, independent of :math:`u \sim \mathcal N(0, 1)`, with covariance

.. math::

    C_{km} = g^2\,\mathbb E\big[\phi(x_k)\,\phi(x_m)\big],

the M-target version of the single-target self-consistency (paper eq. 8). The minimum-norm
readout is :math:`w = N^{-1}\sum_m k_m\phi(x_m)` with :math:`k = g^2C^{-1}A` (paper eq. 16).

Drive the open loop at target :math:`n` and project the recurrent part of the response on the
:math:`x^1_m`: :math:`X^1 = \sum_m \alpha_m x^1_m + X_\perp`. As for M = 1, :math:`X_\perp`
drops out and, with :math:`\mu = 1 + i\omega`,

.. math::

    (\mu C - g^2 B)\,\alpha = g^2 a/\mu, \qquad
    a_k = \mathbb E[\phi_k\phi'_n u], \qquad B_{km} = \mathbb E[\phi_k\phi'_n x^1_m],

with :math:`\phi_k = \phi(x_k)` and :math:`\phi'_n = \phi'(x_n)`. The open-loop gain at target
:math:`n` is therefore an M-th order rational function (paper eqs. 17-18)

.. math::

    G^{OL}_n(\omega) = A^\top\big((1 + i\omega)I - K\big)^{-1} b, \qquad
    K = g^2C^{-1}B, \quad b = g^2C^{-1}a,

and closing the loop (:math:`G^{CL}_n = G^{OL}_n/(1 - G^{OL}_n)`) puts the M output poles at

.. math::

    \lambda^{out}_n = \operatorname{eig}\big(K + bA^\top\big) - 1.

For M = 1 this is the scalar theory: :math:`G_{OL} = A\beta_0/(1 - \beta_1 + i\omega)` and
:math:`\lambda_{out} = -(1 - A\beta_0 - \beta_1)`. The radius of the open-loop bulk at target
:math:`n` is :math:`\rho_n^2 = g^2\,\mathbb E[\phi'(x_n)^2]`.

Expectations are over :math:`u` and :math:`x^1 = C^{1/2}z`, :math:`z \sim \mathcal N(0, I_M)`,
by tensor-product Gauss-Hermite quadrature (``n_nodes ** (M + 1)`` points). Everything is
float64.

References
----------
A. Rivkind and O. Barak, *Local dynamics in trained recurrent neural networks*,
Phys. Rev. Lett. 118, 258101 (2017).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from rnnlab._internal.validation import as_vector, positive_float, positive_int
from rnnlab.dynamics.nonlinearities import Nonlinearity, nonlinearity
from rnnlab.theory.meanfield import NoFadingMemory, gauss_hermite

__all__ = ["MultiTargetMeanField", "mean_field_targets"]


def _as_targets(targets) -> np.ndarray:
    t = as_vector(np.atleast_1d(np.asarray(targets, dtype=float)), "targets")
    if np.any(t == 0):
        raise ValueError(f"targets must be nonzero, got {t}")
    if t.size > 4:
        raise ValueError(f"at most 4 targets (the quadrature grid has n^(M+1) nodes), got {t.size}")
    return t


@dataclass(frozen=True)
class MultiTargetMeanField:
    r"""Mean-field theory of a reservoir trained on M targets :math:`A_1,\dots,A_M`.

    The recurrent parts :math:`x^1_m` of the relaxed states are jointly Gaussian with
    covariance :math:`C_{km} = g^2\,\mathbb E[\phi(x_k)\phi(x_m)]`. At target :math:`n` the
    open-loop gain is (module docstring, paper eqs. 17-18)

    .. math::

        G^{OL}_n(\omega) = A^\top(\mu I - K)^{-1} b, \qquad \mu = 1 + i\omega,\
        K = g^2C^{-1}B,\ b = g^2C^{-1}a,

    and closing the loop puts the M output poles at the eigenvalues of
    :math:`K + b A^\top`, minus one. For M = 1 this is :math:`A\beta_0/(1 - \beta_1 + i\omega)`.

    Attributes
    ----------
    phi : Nonlinearity
    g : float
    targets : ndarray, shape (M,)
    C : ndarray, shape (M, M)
    n_nodes : int
        Gauss-Hermite nodes per dimension (the grid has ``n_nodes ** (M + 1)`` points).
    """

    phi: Nonlinearity
    g: float
    targets: np.ndarray
    C: np.ndarray
    n_nodes: int

    @property
    def M(self) -> int:
        return self.targets.size

    def _n(self, n) -> int:
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 0 <= n < self.M:
            raise ValueError(f"n must be a target index in 0..{self.M - 1}, got {n!r}")
        return int(n)

    def rho(self, n: int = 0) -> float:
        r"""Radius of the open-loop bulk at target ``n``: :math:`\rho_n^2 = g^2\mathbb E[\phi'(x_n)^2]`."""
        n = self._n(n)
        U, X1, Wq = _joint_grid(self.C, self.n_nodes, self.M)
        return float(self.g * np.sqrt(Wq @ self.phi.df(U * self.targets[n] + X1[:, n]) ** 2))

    def state_space(self, n: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r""":math:`(K, b, c)` with :math:`G^{OL}_n = c^\top((1 + i\omega)I - K)^{-1}b`."""
        n = self._n(n)
        U, X1, Wq = _joint_grid(self.C, self.n_nodes, self.M)
        X = U[:, None] * self.targets + X1
        f = self.phi.f(X)
        dfn = self.phi.df(X[:, n])
        a = (Wq * dfn * U) @ f
        B = (f * (Wq * dfn)[:, None]).T @ X1
        g2 = self.g**2
        K = g2 * np.linalg.solve(self.C, B)
        b = g2 * np.linalg.solve(self.C, a)
        return K, b, self.targets.copy()

    def G_OL(self, omega, n: int = 0) -> np.ndarray:
        r""":math:`G^{OL}_n(\omega)`, same shape as ``omega``, complex."""
        K, b, c = self.state_space(n)
        w = np.asarray(omega, dtype=complex)
        mu = 1.0 + 1j * w.ravel()
        eye = np.eye(self.M)
        G = np.array([c @ np.linalg.solve(m * eye - K, b) for m in mu])
        return G.reshape(w.shape)

    def G_CL(self, omega, n: int = 0) -> np.ndarray:
        r""":math:`G^{CL}_n = G^{OL}_n/(1 - G^{OL}_n)`."""
        G = self.G_OL(omega, n)
        return G / (1.0 - G)

    def output_poles(self, n: int = 0) -> np.ndarray:
        r"""The M closed-loop output poles at target ``n``: :math:`\operatorname{eig}(K + bA^\top) - 1`,
        largest real part first."""
        K, b, c = self.state_space(n)
        p = np.linalg.eigvals(K + np.outer(b, c)) - 1.0
        return p[np.argsort(-p.real, kind="stable")]


@functools.lru_cache(maxsize=4)
def _standard_grid(n: int, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """Product Gauss-Hermite grid in ``dims`` dimensions: nodes (P, dims), weights (P,)."""
    y, w = gauss_hermite(n)
    mesh = np.meshgrid(*([y] * dims), indexing="ij")
    Z = np.stack([m.ravel() for m in mesh], axis=1)
    W = functools.reduce(np.multiply.outer, [w] * dims).ravel()
    Z.flags.writeable = False
    W.flags.writeable = False
    return Z, W


def _joint_grid(C: np.ndarray, n: int, M: int):
    """Grid over (u, x1) with x1 = C^(1/2) z ~ N(0, C): u (P,), x1 (P, M), weights (P,)."""
    Z, W = _standard_grid(n, M + 1)
    e, V = np.linalg.eigh(C)
    L = V * np.sqrt(np.clip(e, 0.0, None))
    return Z[:, 0], Z[:, 1:] @ L.T, W


def _extrapolate(C: np.ndarray, step: np.ndarray, last_step: np.ndarray, ratio: float | None):
    r"""Aitken's extrapolation of a linearly converging matrix iteration, when it is safe.

    With steps :math:`\Delta_{k+1} = r\,\Delta_k` along one direction the iterates approach
    :math:`C^* = C_{k+1} + \Delta_{k+1}\, r/(1 - r)`. The jump is made only when the last
    step is that multiple of the one before to within :math:`0.05\,(1 - |r|)` (entrywise,
    relative to the step), the ratio :math:`r` agrees with the previous one as closely,
    :math:`|r| < 0.999` (iterates that run away are never extrapolated), and the result is a
    finite, positive definite covariance. Returns ``(C, step, ratio)``: after a jump the step
    history starts again.
    """
    r = float(np.sum(step * last_step) / np.sum(last_step * last_step))
    slack = 0.05 * (1.0 - abs(r))
    steady = (
        ratio is not None
        and abs(r) < 0.999
        and abs(r - ratio) <= slack
        and np.max(np.abs(step - r * last_step)) <= slack * np.max(np.abs(step))
    )
    if steady:
        jump = C + step * (r / (1.0 - r))
        if np.all(np.isfinite(jump)) and np.linalg.eigvalsh(jump)[0] > 0.0:
            return jump, None, None
    return C, step, r


def mean_field_targets(
    phi: str | Nonlinearity,
    g: float,
    targets,
    *,
    threshold: float = 0.0,
    n_nodes: int = 16,
    damping: float = 0.7,
    tol: float = 1e-12,
    max_iter: int = 5000,
    require_fading_memory: bool = True,
) -> MultiTargetMeanField:
    r"""Mean-field theory for M targets: the covariance :math:`C` by damped iteration.

    .. math::

        C \leftarrow (1-\eta)\,C + \eta\, g^2\,\mathbb E\big[\phi(uA + x^1)\,\phi(uA + x^1)^\top\big],
        \qquad x^1 \sim \mathcal N(0, C),

    the expectation by Gauss-Hermite quadrature over :math:`u` and :math:`x^1 = C^{1/2}z`.
    Where the steps settle into one slowly decaying direction, :math:`\Delta_{k+1} \approx
    r\,\Delta_k`, the limit is extrapolated as in
    :func:`rnnlab.theory.meanfield.self_consistent_sigma2` (:func:`_extrapolate`); the stopping
    test is always a plain damped step.

    Parameters
    ----------
    phi, g, threshold
        As in :func:`rnnlab.theory.meanfield.mean_field`.
    targets : array_like, shape (M,)
        Nonzero output levels, M <= 4.
    n_nodes : int
        Nodes per dimension.
    require_fading_memory : bool
        Raise :class:`NoFadingMemory` when the open-loop bulk radius :math:`\rho_n \ge 1` at
        any target, as :func:`rnnlab.theory.meanfield.mean_field` does for one target: the theory
        assumes a stable open loop.

    Returns
    -------
    MultiTargetMeanField

    Raises
    ------
    ValueError
        When the states of different targets are linearly dependent (:math:`C` singular, e.g.
        :math:`\pm A` with an odd :math:`\phi`: then :math:`x^1_{-A} = -x^1_{A}`).
    NoFadingMemory
        When the covariance diverges, or (``require_fading_memory``) when the open loop at
        some target has no fading memory.

    Examples
    --------
    >>> mt = mean_field_targets("tanh", 0.9, [0.5, 1.0, 1.5])
    >>> p = mt.output_poles(0)[0]  # a stable, oscillatory pair at the first target
    >>> round(float(p.real), 3), round(abs(float(p.imag)), 3)
    (-0.065, 0.292)
    >>> round(float(mt.output_poles(1)[0].real), 3)  # the middle target is unstable
    0.095
    """
    phi = nonlinearity(phi, threshold)
    g = positive_float(g, "g")
    A = _as_targets(targets)
    n_nodes = positive_int(n_nodes, "n_nodes")
    M = A.size
    U, _, Wq = _joint_grid(np.zeros((M, M)), n_nodes, M)
    f0 = phi.f(U[:, None] * A)
    C = g * g * (f0 * Wq[:, None]).T @ f0
    step, ratio = None, None  # the last step and ratio of steps, since the last jump
    for _ in range(max_iter):
        U, X1, Wq = _joint_grid(C, n_nodes, M)
        f = phi.f(U[:, None] * A + X1)
        new = (1 - damping) * C + damping * g * g * (f * Wq[:, None]).T @ f
        if not np.all(np.isfinite(new)) or np.max(np.abs(new)) > 1e8:
            raise NoFadingMemory(f"the covariance of the states diverges for phi={phi!r}, g={g}")
        if np.max(np.abs(new - C)) <= tol * np.max(np.abs(new)):
            C = new
            break
        step, last_step = new - C, step
        C = new
        if last_step is not None and np.any(last_step):
            C, step, ratio = _extrapolate(C, step, last_step, ratio)
    else:
        raise RuntimeError(f"the covariance iteration did not converge in {max_iter} steps")
    if np.linalg.cond(C) > 1e10:
        raise ValueError(
            f"the targets {A} give linearly dependent states (covariance condition number "
            f"{np.linalg.cond(C):.1e}); with an odd phi, +A and -A are mirror images: use targets "
            "with distinct |A|"
        )
    mt = MultiTargetMeanField(phi, g, A, C, n_nodes)
    if require_fading_memory:
        for n in range(M):
            rho = mt.rho(n)
            if rho >= 1:
                raise NoFadingMemory(
                    f"the open loop has no fading memory at target {n} (A = {A[n]:g}) for "
                    f"phi={phi!r}, g={g}: its bulk radius rho = g sqrt(E[phi'^2]) = {rho:.3f} >= 1, "
                    "so the clamped network is not stable and open-loop training does not apply "
                    "(lower g or raise the targets)"
                )
    return mt
