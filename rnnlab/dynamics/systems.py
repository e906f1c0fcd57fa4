r"""Dynamical systems with an analytic Jacobian: the one abstraction the course builds on.

A continuous-time system is :math:`\dot x = F(x)`. A discrete-time map
:math:`x_{t+1} = G(x_t)` is stored through its *displacement* :math:`F(x) = G(x) - x`, so
that fixed points are always the roots of :math:`F` and one finder serves both. What
differs is stability (COURSE §0): a flow's fixed point is stable when every eigenvalue of
:math:`J = \partial F/\partial x` has :math:`\operatorname{Re}\lambda < 0`; a map's when every
eigenvalue of :math:`\partial G/\partial x = J + I` has :math:`|\lambda| < 1`.

Everything is batched over the leading axis: a state is ``(N,)`` and a batch ``(B, N)``;
Jacobians come back as ``(N, N)`` or ``(B, N, N)``.

The speed (kinetic energy) of the flow and its derivatives (Jang eqs. 4-13):

.. math::

    q(x) = \tfrac12 |F(x)|^2, \qquad \nabla q = J^\top F, \qquad
    \nabla^2 q = J^\top J + \sum_k F_k \nabla^2 F_k \approx J^\top J .

The last term, dropped by the Gauss-Newton approximation, vanishes at a fixed point.

Your own system: :func:`make_flow` builds a flow from plain functions :math:`F(x)` and
:math:`J(x)`, and :func:`make_map` a map from :math:`G(x)` and :math:`\partial G/\partial x`
(never the displacement); both check the derivatives against finite differences once, when
they are built. A subclass of :class:`DynamicalSystem` written outside rnnlab is checked
the same way when it is constructed.
"""

from __future__ import annotations

import numpy as np

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import (
    as_matrix,
    as_states,
    as_vector,
    positive_float,
    positive_int,
)
from rnnlab.dynamics.derivative_checks import check_subclass, fd_curvature, missing_hook_message
from rnnlab.dynamics.nonlinearities import Nonlinearity, nonlinearity

__all__ = [
    "DynamicalSystem",
    "RateRNN",
    "TanhMap",
    "ToySystem",
    "esn_closed_loop",
    "random_rnn",
]


class _SystemType(type):
    """Metaclass of :class:`DynamicalSystem`: check a user subclass once it is constructed."""

    def __call__(cls, *args, **kwargs):
        system = super().__call__(*args, **kwargs)
        check_subclass(system, DynamicalSystem)
        return system


class DynamicalSystem(metaclass=_SystemType):
    r"""Base class: a right-hand side :math:`F` with its analytic Jacobian.

    Subclasses set ``dim`` (and ``discrete = True`` for a map) and implement, on batches
    ``X`` of shape ``(B, N)``:

    * ``_rhs(X) -> (B, N)``: :math:`F`, the velocity of a flow or the displacement
      :math:`G(x) - x` of a map (required);
    * ``_jacobian(X) -> (B, N, N)``: :math:`\partial F/\partial x`, ``[b, i, j]`` is
      :math:`\partial F_i/\partial x_j` (required; for a map :math:`\partial G/\partial x - I`);
    * ``_curvature(X, V) -> (B, N, N)``: the contraction
      :math:`\sum_k V_k \,\partial^2 F_k / \partial x \partial x` needed by the exact Hessian
      of :math:`q` (optional: by default central finite differences of ``_jacobian``, which
      cost :math:`2N` Jacobian evaluations per state and are accurate to about
      :math:`10^{-9}` relative).

    Everything else (speed, gradient, Hessians, stability) is written here once. A
    subclass defined outside rnnlab is checked when an instance is constructed: a missing
    required method, a wrong shape, or a Jacobian that disagrees with central differences
    of ``_rhs`` (e.g. :math:`\partial G/\partial x` where a map needs
    :math:`\partial G/\partial x - I`) raises an error naming the method. The derivative
    check is skipped when :math:`F` is not finite at its check points (states drawn with a
    fixed seed from :math:`[-\tfrac12, \tfrac12]^N`). Systems made from plain functions:
    :func:`make_flow`, :func:`make_map`.

    Attributes
    ----------
    dim : int
        State dimension :math:`N`.
    discrete : bool
        ``False`` for a flow :math:`\dot x = F(x)`, ``True`` for a map
        :math:`x \leftarrow G(x) = x + F(x)`.
    """

    dim: int
    discrete: bool = False

    # -- hooks for subclasses (batched, no validation) -----------------------------------
    def _rhs(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError(missing_hook_message(type(self), "_rhs"))

    def _jacobian(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError(missing_hook_message(type(self), "_jacobian"))

    def _curvature(self, X: np.ndarray, V: np.ndarray) -> np.ndarray:
        r"""Default: central differences of the Jacobian,
        :math:`C_{ij} \approx \partial_j (J^\top V)_i`, symmetrised."""
        return fd_curvature(self._jacobian, X, V)

    def _gauss_newton(self, X: np.ndarray, J: np.ndarray) -> np.ndarray:
        """:math:`J^\\top J` for a batch; subclasses may exploit structure."""
        return np.swapaxes(J, -1, -2) @ J

    @property
    def curvature_by_finite_differences(self) -> bool:
        """True when the second derivatives (the exact Hessian of :math:`q`) come from
        central finite differences of the Jacobian rather than an analytic ``_curvature``."""
        return type(self)._curvature is DynamicalSystem._curvature

    # -- public, validated, batched API ----------------------------------------------------
    def _states(self, x) -> tuple[np.ndarray, bool]:
        return as_states(x, self.dim, "x")

    def rhs(self, x) -> np.ndarray:
        """:math:`F(x)`: the velocity of a flow, or the displacement :math:`G(x) - x` of a map.

        Parameters
        ----------
        x : array_like, shape (N,) or (B, N)

        Returns
        -------
        ndarray, same shape as ``x``
        """
        X, single = self._states(x)
        F = self._rhs(X)
        return F[0] if single else F

    def jacobian(self, x) -> np.ndarray:
        r""":math:`J(x) = \partial F / \partial x`, shape ``(N, N)`` or ``(B, N, N)``.

        ``J[..., i, j]`` is :math:`\partial F_i / \partial x_j`.
        """
        X, single = self._states(x)
        J = self._jacobian(X)
        return J[0] if single else J

    def step(self, x) -> np.ndarray:
        """One step of a map, :math:`G(x) = x + F(x)` (maps only)."""
        if not self.discrete:
            raise TypeError(
                f"{type(self).__name__} is a continuous-time system; use rnnlab.simulate to integrate it"
            )
        X, single = self._states(x)
        G = X + self._rhs(X)
        return G[0] if single else G

    def stability_matrix(self, x) -> np.ndarray:
        r"""The matrix whose eigenvalues decide stability: :math:`J` for a flow,
        :math:`\partial G/\partial x = J + I` for a map."""
        X, single = self._states(x)
        M = self._jacobian(X)
        if self.discrete:
            M = M + np.eye(self.dim)
        return M[0] if single else M

    @blas_limited
    def eigenvalues(self, x) -> np.ndarray:
        """Eigenvalues of :meth:`stability_matrix`, sorted from least to most stable.

        Flows are sorted by real part, maps by modulus, largest first. Complex dtype,
        shape ``(N,)`` or ``(B, N)``.
        """
        M = self.stability_matrix(x)
        lam = np.linalg.eigvals(M).astype(complex)
        key = np.abs(lam) if self.discrete else lam.real
        order = np.argsort(-key, axis=-1, kind="stable")
        return np.take_along_axis(lam, order, axis=-1)

    def q(self, x) -> np.ndarray:
        r"""Speed :math:`q(x) = \frac12 |F(x)|^2`; shape ``()`` or ``(B,)``."""
        F = self.rhs(x)
        return 0.5 * np.sum(F * F, axis=-1)

    def grad_q(self, x) -> np.ndarray:
        r"""Gradient of the speed, :math:`\nabla q = J^\top F` (Jang eq. 9)."""
        X, single = self._states(x)
        g = np.einsum("bki,bk->bi", self._jacobian(X), self._rhs(X))
        return g[0] if single else g

    def gauss_newton_hessian(self, x) -> np.ndarray:
        r"""Gauss-Newton Hessian of the speed, :math:`H \approx J^\top J` (Jang eq. 13)."""
        X, single = self._states(x)
        H = self._gauss_newton(X, self._jacobian(X))
        return H[0] if single else H

    def hessian_q(self, x) -> np.ndarray:
        r"""Exact Hessian of the speed,
        :math:`\nabla^2 q = J^\top J + \sum_k F_k \nabla^2 F_k`.

        Jang's eq. 11 prints the second term as a product of first derivatives; it is the
        residual :math:`F_k` times the *second* derivative of :math:`F_k`.
        """
        X, single = self._states(x)
        H = self._gauss_newton(X, self._jacobian(X)) + self._curvature(X, self._rhs(X))
        return H[0] if single else H

    def __repr__(self) -> str:
        kind = "map" if self.discrete else "flow"
        return f"{type(self).__name__}(dim={self.dim}, {kind})"


class ToySystem(DynamicalSystem):
    r"""Jang's 2-D toy system (§3.1, eqs. 14-15) and a family around it.

    .. math::

        \dot x = (a - x^2)\, y, \qquad \dot y = b\,x - y,

    with Jacobian :math:`\begin{pmatrix} -2xy & a - x^2 \\ b & -1 \end{pmatrix}`.
    Jang's system is :math:`a = 1, b = \tfrac12`: fixed points :math:`(0, 0)` (a saddle,
    eigenvalues :math:`(-1 \pm \sqrt3)/2`) and :math:`\pm(1, \tfrac12)` (stable degenerate
    nodes, both eigenvalues :math:`-1`). The paper lists :math:`(1, -\tfrac12)`, a typo.

    Parameters
    ----------
    a : float
        Where the x-nullclines :math:`x = \pm\sqrt a` sit (none for :math:`a \le 0`).
    b : float, nonzero
        Slope of the y-nullcline :math:`y = b x`. At :math:`b = 0` the line
        :math:`y = 0` is a continuum of fixed points, so it is excluded.

    Examples
    --------
    >>> toy = ToySystem()
    >>> toy.rhs([1.0, 0.5])
    array([0., 0.])
    """

    dim = 2

    def __init__(self, a: float = 1.0, b: float = 0.5):
        a = float(a)
        b = float(b)
        if not np.isfinite(a):
            raise ValueError(f"a must be a finite number, got {a}")
        if not np.isfinite(b) or b == 0.0:
            raise ValueError(
                f"b must be a finite nonzero number (b = 0 gives a line of fixed points), got {b}"
            )
        self.a = a
        self.b = b

    def _rhs(self, X):
        x, y = X[:, 0], X[:, 1]
        return np.stack([(self.a - x * x) * y, self.b * x - y], axis=1)

    def _jacobian(self, X):
        x, y = X[:, 0], X[:, 1]
        J = np.empty((X.shape[0], 2, 2))
        J[:, 0, 0] = -2.0 * x * y
        J[:, 0, 1] = self.a - x * x
        J[:, 1, 0] = self.b
        J[:, 1, 1] = -1.0
        return J

    def _curvature(self, X, V):
        # Only F_0 = (a - x^2) y is nonlinear: its Hessian is [[-2y, -2x], [-2x, 0]].
        x, y = X[:, 0], X[:, 1]
        C = np.zeros((X.shape[0], 2, 2))
        C[:, 0, 0] = -2.0 * y * V[:, 0]
        C[:, 0, 1] = C[:, 1, 0] = -2.0 * x * V[:, 0]
        return C

    def analytic_fixed_points(self) -> np.ndarray:
        """The fixed points in closed form: the origin and, for :math:`a > 0`,
        :math:`\\pm(\\sqrt a, b\\sqrt a)`. Shape ``(n, 2)``."""
        if self.a <= 0:
            return np.zeros((1, 2))
        r = np.sqrt(self.a)
        return np.array([[-r, -self.b * r], [0.0, 0.0], [r, self.b * r]])

    def __repr__(self) -> str:
        return f"ToySystem(a={self.a:g}, b={self.b:g})"


class RateRNN(DynamicalSystem):
    r"""Continuous-time rate network (Jang eq. 18; Rivkind & Barak eq. 1).

    .. math::

        \dot x = F(x) = -x + W \phi(x) + B u + b, \qquad
        J = -I + W \operatorname{diag}\phi'(x).

    The input :math:`u` is held constant, as when asking where the network rests for a
    given input. The second derivatives are diagonal:
    :math:`\sum_k V_k \nabla^2 F_k = \operatorname{diag}\big((W^\top V) \odot \phi''(x)\big)`.

    Parameters
    ----------
    W : array_like, shape (N, N)
        Recurrent weights.
    phi : str or Nonlinearity
        ``'tanh'`` (default), ``'logistic'``, ``'relu'`` or ``'linear'``.
    B : array_like, shape (N, n_in), optional
        Input weights; needs ``u``.
    u : array_like, shape (n_in,), optional
        Constant input.
    b : array_like, shape (N,), optional
        Bias.
    threshold : float
        ReLU threshold :math:`\theta` in :math:`\max(0, x - \theta)`.

    Attributes
    ----------
    drive : ndarray, shape (N,)
        The constant term :math:`B u + b`.
    """

    def __init__(self, W, phi: str | Nonlinearity = "tanh", B=None, u=None, b=None, threshold=0.0):
        self.W = W
        self.dim = self.W.shape[0]
        self.phi = nonlinearity(phi, threshold)
        N = self.dim
        if (B is None) != (u is None):
            raise ValueError("B and u go together: give both (input weights and input) or neither")
        self.B = None if B is None else as_matrix(B, "B", shape=(N, None))
        self.u = None if u is None else as_vector(u, "u", size=self.B.shape[1])
        self.b = None if b is None else as_vector(b, "b", size=N)
        drive = np.zeros(N)
        if self.B is not None:
            drive += self.B @ self.u
        if self.b is not None:
            drive += self.b
        self.drive = drive

    @property
    def W(self) -> np.ndarray:
        """The weights, read-only: the Gauss-Newton Hessian keeps :math:`W^\\top W`, so an edit
        in place would leave it stale. Assign a new matrix (``net.W = W2``) to change them."""
        return self._W

    @W.setter
    def W(self, W) -> None:
        if hasattr(self, "_W") and np.shape(W) != self._W.shape:
            raise ValueError(f"W must keep its shape {self._W.shape}, got {np.shape(W)}")
        W = np.array(as_matrix(W, "W", square=True), dtype=float, copy=True)
        W.setflags(write=False)
        self._W, self._WtW, self._WtW_T = W, None, None

    @property
    def odd(self) -> bool:
        """True when :math:`F(-x) = -F(x)` (odd :math:`\\phi`, no input, no bias)."""
        return self.phi.odd and not np.any(self.drive)

    def _rhs(self, X):
        return -X + self.phi.f(X) @ self.W.T + self.drive

    def _jacobian(self, X):
        J = self.W[None, :, :] * self.phi.df(X)[:, None, :]
        J[:, np.arange(self.dim), np.arange(self.dim)] -= 1.0
        return J

    def _curvature(self, X, V):
        d = (V @ self.W) * self.phi.d2f(X)
        C = np.zeros((X.shape[0], self.dim, self.dim))
        C[:, np.arange(self.dim), np.arange(self.dim)] = d
        return C

    def _gauss_newton(self, X, J):
        # J = -I + W D with D = diag(phi'), so
        # J^T J = I - D W^T - W D + D (W^T W) D: with W^T W computed once this costs
        # O(N^2) per state instead of the O(N^3) matrix product. Off the diagonal W D is J
        # itself (J is the Jacobian at X); the diagonal is computed on its own.
        # Each H is laid out column by column (Fortran order), as LAPACK's Cholesky wants it:
        # built as its transpose T = H^T in C order, element by element the same operations.
        if self._WtW is None:
            self._WtW = self.W.T @ self.W
            self._WtW_T = np.ascontiguousarray(self._WtW.T)
        d = self.phi.df(X)
        T = self._WtW_T[None] * d[:, None, :]  # built in place: half the memory traffic
        T *= d[:, :, None]
        diag = np.arange(self.dim)
        on_diag = T[:, diag, diag]
        wd = np.diagonal(self.W)[None] * d  # (W D)_ii
        T -= J.swapaxes(1, 2)
        T -= J
        T[:, diag, diag] = on_diag - wd - wd + 1.0
        return T.swapaxes(1, 2)

    def __repr__(self) -> str:
        extra = ", with input" if np.any(self.drive) else ""
        return f"RateRNN(N={self.dim}, phi={self.phi!r}{extra})"


class TanhMap(DynamicalSystem):
    r"""Discrete-time tanh network :math:`x_{t+1} = G(x_t) = \tanh(W x_t + W_{in} u)`.

    Stored through its displacement :math:`F(x) = G(x) - x`, with
    :math:`\partial G/\partial x = \operatorname{diag}(1 - G^2)\, W` and
    :math:`\sum_k V_k \nabla^2 G_k = W^\top \operatorname{diag}(V \odot \tanh''(a))\, W`,
    :math:`a = W x + W_{in} u`. Stability by :math:`|\lambda(\partial G)|` against 1.

    Parameters
    ----------
    W : array_like, shape (N, N)
    W_in : array_like, shape (N, n_in), optional
    u : array_like, shape (n_in,), optional
        Constant input, required with ``W_in``.
    """

    discrete = True

    def __init__(self, W, W_in=None, u=None):
        self.W = as_matrix(W, "W", square=True)
        self.dim = self.W.shape[0]
        if (W_in is None) != (u is None):
            raise ValueError("W_in and u go together: give both or neither")
        self.W_in = None if W_in is None else as_matrix(W_in, "W_in", shape=(self.dim, None))
        self.u = None if u is None else as_vector(u, "u", size=self.W_in.shape[1])
        self.drive = np.zeros(self.dim) if self.W_in is None else self.W_in @ self.u
        self.phi = nonlinearity("tanh")

    def _preactivation(self, X):
        return X @ self.W.T + self.drive

    def _rhs(self, X):
        return np.tanh(self._preactivation(X)) - X

    def _jacobian(self, X):
        J = self.W[None, :, :] * self.phi.df(self._preactivation(X))[:, :, None]
        J[:, np.arange(self.dim), np.arange(self.dim)] -= 1.0
        return J

    def _curvature(self, X, V):
        s = V * self.phi.d2f(self._preactivation(X))
        return (self.W.T[None, :, :] * s[:, None, :]) @ self.W

    def __repr__(self) -> str:
        return f"TanhMap(N={self.dim})"


def random_rnn(
    N: int, g: float, *, seed: int | np.random.Generator, phi: str | Nonlinearity = "tanh"
) -> RateRNN:
    r"""A rate network with i.i.d. Gaussian weights :math:`W_{ij} \sim \mathcal N(0, g^2/N)`.

    For large :math:`N` the eigenvalues of :math:`W` fill the disk of radius :math:`g`
    (the circular law), so the origin of a tanh network, whose Jacobian is :math:`-I + W`,
    loses stability at :math:`g = 1`; beyond it the activity is chaotic
    (Sompolinsky, Crisanti & Sommers 1988).

    Parameters
    ----------
    N : int
        Number of units.
    g : float
        Gain, >= 0.
    seed : int or numpy.random.Generator
        Required: the same seed gives the same network.
    phi : str or Nonlinearity
    """
    N = positive_int(N, "N")
    g = positive_float(g, "g", allow_zero=True)
    rng = np.random.default_rng(seed)
    return RateRNN(rng.normal(0.0, g / np.sqrt(N), size=(N, N)), phi=phi)


def esn_closed_loop(W_r, W_fb, W_o, *, B=None, u=None, phi: str | Nonlinearity = "tanh") -> RateRNN:
    r"""The echo state network with its readout fed back, as one rate network (Jang eq. 23).

    With :math:`z = W_o \phi(x)` fed back through :math:`W_{fb}`,
    :math:`\dot x = -x + W_r \phi(x) + W_{fb} z + B u = -x + W_c \phi(x) + B u` with
    :math:`W_c = W_r + W_{fb} W_o`, a rank-:math:`n_{out}` change of the reservoir.

    Parameters
    ----------
    W_r : array_like, shape (N, N)
    W_fb : array_like, shape (N, n_out)
    W_o : array_like, shape (n_out, N)
    B : array_like, shape (N, n_in), optional
    u : array_like, shape (n_in,), optional
    phi : str or Nonlinearity
    """
    W_r = as_matrix(W_r, "W_r", square=True)
    N = W_r.shape[0]
    W_fb = as_matrix(W_fb, "W_fb", shape=(N, None))
    W_o = as_matrix(W_o, "W_o", shape=(W_fb.shape[1], N))
    return RateRNN(W_r + W_fb @ W_o, phi=phi, B=B, u=u)
