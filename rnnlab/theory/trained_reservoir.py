r"""A reservoir trained in open loop, seen as a feedback loop: gains, poles and kicks.

The trained network of Rivkind & Barak (eqs. 1-4), with the readout :math:`w` from
:func:`rnnlab.theory.open_loop.train_open_loop`,

.. math::

    \dot x = -x + (J + u\,w^\top)\phi(x), \qquad z = w^\top\phi(x),

linearised at the trained state :math:`x^*_m` (:math:`\Phi'_m = \operatorname{diag}\phi'(x^*_m)`).

**Gains without solves.** Closing the loop is the rank-one change
:math:`A_{CL} = A_{OL} + u\,w^\top\Phi'` of the open-loop Jacobian :math:`A_{OL} = -I + J\Phi'`,
so by the matrix determinant lemma

.. math::

    G_{OL}(s) = w^\top\Phi'(sI - A_{OL})^{-1}u
    = 1 - \frac{\det(sI - A_{CL})}{\det(sI - A_{OL})}
    = 1 - \prod_k \frac{s - p_k}{s - \lambda_k},

with :math:`\lambda_k` the open-loop and :math:`p_k` the closed-loop eigenvalues: two
eigenvalue computations give the gain at every frequency (at :math:`s = i\omega` this is
:math:`w^\top\Phi'((1+i\omega)I - J\Phi')^{-1}u`, paper eq. 6). Every closed-loop eigenvalue
solves :math:`G_{OL}(p) = 1`; its residue in :math:`G_{CL} = G_{OL}/(1 - G_{OL})` is
:math:`-1/G_{OL}'(p_j) = \prod_i (p_j - \lambda_i) / \prod_{i \ne j}(p_j - p_i)`. Bulk
eigenvalues, nearly cancelled by an open-loop eigenvalue (pole-zero cancellation), have tiny
residues; the *output poles* are the ones with large residues. Eigenvalues shared exactly by
both sets (silent ReLU units) are cancelled before the products are formed. An input through
another vector :math:`b` works the same way with :math:`A_{OL} + b\,w^\top\Phi'`; by
Sherman-Morrison the closed loop answers it with :math:`H_b(s)/(1 - G_{OL}(s))`.

References
----------
A. Rivkind and O. Barak, *Local dynamics in trained recurrent neural networks*,
Phys. Rev. Lett. 118, 258101 (2017).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import as_state_stack, as_vector, positive_float, positive_int
from rnnlab.dynamics.nonlinearities import Nonlinearity
from rnnlab.dynamics.simulate import simulate
from rnnlab.dynamics.systems import RateRNN

__all__ = ["TrainedReservoir"]


@blas_limited
def eigenvalues_rightmost_first(M: np.ndarray) -> np.ndarray:
    """Eigenvalues of ``M`` sorted by decreasing real part (ties keep LAPACK's order)."""
    lam = scipy.linalg.eigvals(M, check_finite=False)
    return lam[np.argsort(-lam.real, kind="stable")]


def rate_jacobian(W: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The rate network's Jacobian :math:`-I + W\\operatorname{diag}(d)` from the gains
    :math:`d = \\phi'(x)`."""
    Jac = W * d[None, :]
    Jac[np.diag_indices_from(Jac)] -= 1.0
    return Jac


def _cancel_common(lam: np.ndarray, p: np.ndarray, tol: float = 1e-9):
    """Drop pairs (lam_i, p_j) that coincide to ``tol``: modes the output never sees."""
    keep_l = np.ones(lam.size, bool)
    keep_p = np.ones(p.size, bool)
    D = np.abs(p[:, None] - lam[None, :]) < tol * (1.0 + np.abs(lam[None, :]))
    for j in np.flatnonzero(D.any(axis=1)):
        free = np.flatnonzero(D[j] & keep_l)
        if free.size:
            keep_l[free[0]] = False
            keep_p[j] = False
    return lam[keep_l], p[keep_p]


@dataclass
class TrainedReservoir:
    r"""A reservoir trained in open loop on ``M`` constant targets (see the module docstrings
    of :mod:`rnnlab.theory.open_loop` and :mod:`rnnlab.theory.trained_reservoir`).

    Attributes
    ----------
    J : ndarray, shape (N, N)
    u : ndarray, shape (N,)
        Feedback weights.
    phi : Nonlinearity
    targets : ndarray, shape (M,)
    x : ndarray, shape (M, N)
        Relaxed open-loop states :math:`x^*_m`.
    rates : ndarray, shape (M, N)
        :math:`\phi(x^*_m)`.
    w : ndarray, shape (N,)
        Minimum-norm readout, :math:`w^\top\phi(x^*_m) = A_m`.
    open_loop_eigenvalues : ndarray, shape (M, N)
        Eigenvalues of :math:`-I + J\Phi'_m`, all with negative real part (checked).

    Examples
    --------
    >>> from rnnlab.theory.open_loop import random_reservoir, train_open_loop
    >>> J, u = random_reservoir(200, 0.8, seed=0)
    >>> net = train_open_loop(J, u, 1.0)
    >>> round(float(net.G_OL(0.0).real), 3)  # DC gain < 1: the loop is stable
    0.382
    >>> poles, residues = net.output_poles()
    >>> round(float(poles[0].real), 2)  # mean-field theory: -0.58
    -0.54
    """

    J: np.ndarray
    u: np.ndarray
    phi: Nonlinearity
    targets: np.ndarray
    x: np.ndarray
    rates: np.ndarray
    w: np.ndarray
    open_loop_eigenvalues: np.ndarray
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def N(self) -> int:
        return self.J.shape[0]

    @property
    def M(self) -> int:
        return len(self.targets)

    def _n(self, n) -> int:
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 0 <= n < self.M:
            raise ValueError(f"n must be a target index in 0..{self.M - 1}, got {n!r}")
        return int(n)

    def sigma(self, n: int = 0) -> float:
        r"""Network estimate of :math:`\sigma`: the rms of :math:`x^*_n - uA_n` over units."""
        n = self._n(n)
        return float(np.sqrt(np.mean((self.x[n] - self.u * self.targets[n]) ** 2)))

    def rho(self, n: int = 0) -> float:
        r"""Spectral radius of :math:`J\Phi'_n` (radius of the open-loop bulk about -1)."""
        return float(np.max(np.abs(self.open_loop_eigenvalues[self._n(n)] + 1.0)))

    def readout(self, x) -> np.ndarray:
        """:math:`z = w^\\top\\phi(x)` for states ``(N,)`` or ``(T, N)``."""
        return self.phi.f(as_state_stack(x, self.N, "x")) @ self.w

    def open_loop_jacobian(self, n: int = 0) -> np.ndarray:
        r""":math:`A_{OL} = -I + J\Phi'_n`, shape ``(N, N)``."""
        n = self._n(n)
        return rate_jacobian(self.J, self.phi.df(self.x[n]))

    def closed_loop(self) -> RateRNN:
        r"""The trained network :math:`\dot x = -x + (J + u w^\top)\phi(x)` as a :class:`RateRNN`."""
        return RateRNN(self.J + np.outer(self.u, self.w), phi=self.phi)

    def closed_loop_eigenvalues(self, n: int = 0) -> np.ndarray:
        r"""Eigenvalues of :math:`-I + (J + uw^\top)\Phi'_n` (eq. 4), largest real part first."""
        return self._loop_eigenvalues(self._n(n), None)

    def _loop_eigenvalues(self, n: int, b) -> np.ndarray:
        key = ("p", n, None if b is None else b.tobytes())
        if key not in self._cache:
            vec = self.u if b is None else b
            W = self.J + np.outer(vec, self.w)
            self._cache[key] = eigenvalues_rightmost_first(rate_jacobian(W, self.phi.df(self.x[n])))
        return self._cache[key]

    def _pair(self, n: int, b=None):
        key = ("pair", n, None if b is None else b.tobytes())
        if key not in self._cache:
            self._cache[key] = _cancel_common(
                self.open_loop_eigenvalues[n], self._loop_eigenvalues(n, b)
            )
        return self._cache[key]

    # -- gains --------------------------------------------------------------------------------
    def transfer(self, s, n: int = 0, b=None, *, method: str = "eig") -> np.ndarray:
        r"""Open-loop transfer :math:`H_b(s) = w^\top\Phi'_n(sI - A_{OL})^{-1}b` at complex ``s``.

        :math:`1 - \prod_k (s - p_k)/(s - \lambda_k)`, with :math:`p_k` the eigenvalues of
        :math:`A_{OL} + b\,w^\top\Phi'_n`. ``b`` defaults to :math:`u` (then
        :math:`H_u = G_{OL}`). Same shape as ``s``, complex.
        """
        n = self._n(n)
        if b is not None:
            b = as_vector(b, "b", size=self.N)
        s = np.asarray(s, dtype=complex)
        if method == "solve":
            return self._solve(s, n, b)
        if method != "eig":
            raise ValueError(f"method must be 'eig' or 'solve', got {method!r}")
        lam, p = self._pair(n, b)
        with np.errstate(divide="ignore"):  # s at a closed-loop pole: log 0 = -inf, exp -> 0
            logratio = np.log(s[..., None] - p).sum(-1) - np.log(s[..., None] - lam).sum(-1)
        return 1.0 - np.exp(logratio)

    @blas_limited
    def _solve(self, s: np.ndarray, n: int, b) -> np.ndarray:
        b = self.u if b is None else b
        d = self.phi.df(self.x[n])
        A = rate_jacobian(self.J, d)
        out = np.empty(s.size, dtype=complex)
        for i, si in enumerate(s.ravel()):
            M = -A.astype(complex)
            M[np.diag_indices_from(M)] += si
            out[i] = (self.w * d) @ scipy.linalg.solve(M, b, check_finite=False)
        return out.reshape(s.shape)

    def G_OL(self, omega, n: int = 0, b=None, *, method: str = "eig") -> np.ndarray:
        r""":math:`G_{OL}(\omega) = w^\top\Phi'_n((1+i\omega)I - J\Phi'_n)^{-1}u` (eq. 6).

        ``method='eig'`` (default) uses the two spectra (cheap for many frequencies once the
        closed-loop eigenvalues are known); ``'solve'`` does one dense complex solve per
        frequency (cheaper for a handful of frequencies on a fresh network).
        """
        return self.transfer(1j * np.asarray(omega), n, b, method=method)

    def dG_OL(self, omega, n: int = 0) -> np.ndarray:
        r""":math:`dG_{OL}/d\omega = -i(1 - G_{OL})\big[\sum_k (s-p_k)^{-1} - \sum_k (s-\lambda_k)^{-1}\big]`,
        :math:`s = i\omega` (the logarithmic derivative of the determinant ratio)."""
        n = self._n(n)
        lam, p = self._pair(n)
        s = 1j * np.asarray(omega, dtype=complex)
        dlog = (1.0 / (s[..., None] - p)).sum(-1) - (1.0 / (s[..., None] - lam)).sum(-1)
        return -1j * (1.0 - self.transfer(s, n)) * dlog

    def G_CL(self, omega, n: int = 0, b=None) -> np.ndarray:
        r"""Closed-loop gain :math:`H_b/(1 - G_{OL})`; :math:`G_{OL}/(1-G_{OL})` for ``b = u``."""
        s = 1j * np.asarray(omega)
        return self.transfer(s, n, b) / (1.0 - self.transfer(s, n))

    def output_poles(self, n: int = 0, k: int | None = None):
        r"""The ``k`` closed-loop eigenvalues with the largest residue in :math:`G_{CL}`.

        Residue at :math:`p_j`: :math:`\prod_i (p_j-\lambda_i)/\prod_{i\ne j}(p_j-p_i)`
        (module docstring), after exactly shared eigenvalues are cancelled.

        Returns
        -------
        poles, residues : ndarray, shape (k,)
            Sorted by decreasing :math:`|\text{residue}|`; ``k`` defaults to M.
        """
        n = self._n(n)
        k = self.M if k is None else positive_int(k, "k")
        lam, p = self._pair(n)
        with np.errstate(divide="ignore", invalid="ignore"):
            dp = p[:, None] - p[None, :]
            np.fill_diagonal(dp, 1.0)
            logres = np.log(p[:, None] - lam[None, :]).sum(1) - np.log(dp).sum(1)
            res = np.exp(logres)
        res[~np.isfinite(res)] = 0.0
        order = np.argsort(-np.abs(res), kind="stable")[:k]
        return p[order], res[order]

    def kick_response(
        self,
        n: int = 0,
        *,
        eps: float = 1e-3,
        duration: float = 30.0,
        dt: float = 0.05,
        direction=None,
    ):
        r"""Closed-loop response to a small kick :math:`x(0) = x^*_n + \epsilon\,d` (a δ-pulse).

        ``d`` defaults to the feedback vector :math:`u` (a δ-pulse in the output channel).
        Integrates the nonlinear closed loop with Euler steps ``dt``.

        Returns
        -------
        t : ndarray, shape (T,)
        dz : ndarray, shape (T,)
            :math:`(z(t) - A_n)/\epsilon`.
        dx : ndarray, shape (T, N)
            :math:`(x(t) - x^*_n)/\epsilon`.
        """
        n = self._n(n)
        eps = positive_float(eps, "eps")
        d = self.u if direction is None else as_vector(direction, "direction", size=self.N)
        t, X = simulate(self.closed_loop(), self.x[n] + eps * d, duration, dt=dt)
        return t, (self.readout(X) - self.targets[n]) / eps, (X - self.x[n]) / eps

    @blas_limited
    def noise_response(
        self,
        n: int = 0,
        *,
        b=None,
        amplitude: float = 0.05,
        duration: float = 200.0,
        dt: float = 0.05,
        seed: int | np.random.Generator,
    ):
        r"""Closed loop at :math:`x^*_n` driven by white noise through the vector ``b``.

        Euler-Maruyama for :math:`dx = (-x + (J + uw^\top)\phi(x))\,dt + a\,b\,dW_t`
        from :math:`x^*_n`, with :math:`a` = ``amplitude`` and ``b`` (shape ``(N,)``, e.g. an
        input vector :math:`w_{in}`) defaulting to :math:`u`. For small :math:`a` the output
        is filtered by :math:`w^\top\Phi'(i\omega - A_{CL})^{-1}b = H_b/(1 - G_{OL})`, so
        a resonance of that gain shows as oscillations at its frequency.

        Returns
        -------
        t : ndarray, shape (T,)
        dz : ndarray, shape (T,)
            :math:`z(t) - A_n`.
        """
        n = self._n(n)
        b = self.u if b is None else as_vector(b, "b", size=self.N)
        amplitude = positive_float(amplitude, "amplitude", allow_zero=True)
        duration, dt = positive_float(duration, "duration"), positive_float(dt, "dt")
        rng = np.random.default_rng(seed)
        W = self.J + np.outer(self.u, self.w)
        steps = round(duration / dt)
        kicks = rng.standard_normal(steps) * amplitude * np.sqrt(dt)
        x = self.x[n].copy()
        dz = np.empty(steps + 1)
        dz[0] = self.readout(x) - self.targets[n]
        for k in range(steps):
            x += dt * (-x + W @ self.phi.f(x)) + kicks[k] * b
            dz[k + 1] = self.readout(x) - self.targets[n]
        return dt * np.arange(steps + 1), dz
