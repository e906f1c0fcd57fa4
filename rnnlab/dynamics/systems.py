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

from collections.abc import Callable

import numpy as np

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import (
    as_matrix,
    as_states,
    as_vector,
    positive_float,
    positive_int,
)
from rnnlab.dynamics.nonlinearities import Nonlinearity, nonlinearity

__all__ = [
    "CallableFlow",
    "CallableMap",
    "DynamicalSystem",
    "RateRNN",
    "TanhMap",
    "ToySystem",
    "esn_closed_loop",
    "make_flow",
    "make_map",
    "random_rnn",
]

_EPS = np.finfo(float).eps
# Central differences: truncation (~h^2) and round-off (~eps/h) balance at h ~ eps^(1/3).
_FD_STEP = _EPS ** (1.0 / 3.0)
# An analytic derivative agrees with central differences to ~1e-10 relative; a wrong one
# (a missing identity, a transposition, a sign) is off by order 1.
_FD_RTOL = 1e-5


class _SystemType(type):
    """Metaclass of :class:`DynamicalSystem`: check a user subclass once it is constructed."""

    def __call__(cls, *args, **kwargs):
        system = super().__call__(*args, **kwargs)
        _check_subclass(system)
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
        raise NotImplementedError(_missing_hook_message(type(self), "_rhs"))

    def _jacobian(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError(_missing_hook_message(type(self), "_jacobian"))

    def _curvature(self, X: np.ndarray, V: np.ndarray) -> np.ndarray:
        r"""Default: central differences of the Jacobian,
        :math:`C_{ij} \approx \partial_j (J^\top V)_i`, symmetrised."""
        return _fd_curvature(self._jacobian, X, V)

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
        self._W, self._WtW = W, None

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
        # O(N^2) per state instead of the O(N^3) matrix product.
        if self._WtW is None:
            self._WtW = self.W.T @ self.W
        d = self.phi.df(X)
        H = self._WtW[None] * d[:, :, None]  # built in place: half the memory traffic
        H *= d[:, None, :]
        WD = self.W[None] * d[:, None, :]
        H -= WD
        H -= WD.swapaxes(1, 2)
        H[:, np.arange(self.dim), np.arange(self.dim)] += 1.0
        return H

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


# -- checks of a system's derivatives ------------------------------------------------------


def _fd_curvature(jacobian, X: np.ndarray, V: np.ndarray) -> np.ndarray:
    r""":math:`\sum_k V_k \nabla^2 F_k` by central differences of the Jacobian, symmetrised.

    Column :math:`j` is :math:`\partial_j (J^\top V)`, from :math:`J(x \pm h e_j)`: two
    Jacobian evaluations per coordinate, done for the whole batch at once.
    """
    B, n = X.shape
    h = _FD_STEP * np.maximum(1.0, np.abs(X).max(axis=1, initial=0.0))
    C = np.empty((B, n, n))
    for j in range(n):
        Xp, Xm = X.copy(), X.copy()
        Xp[:, j] += h
        Xm[:, j] -= h
        Jpm = jacobian(np.concatenate([Xp, Xm]))
        step = (Xp[:, j] - Xm[:, j])[:, None]  # the step actually taken, after rounding
        C[:, :, j] = np.einsum("bki,bk->bi", Jpm[:B] - Jpm[B:], V) / step
    return 0.5 * (C + np.swapaxes(C, 1, 2))


def _unit_directions(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    V = rng.standard_normal((count, n))
    return V / np.linalg.norm(V, axis=1, keepdims=True)


def _jacobian_mismatch(
    f, J: np.ndarray, X: np.ndarray, names: tuple[str, str] = ("f", "J"), seed: int = 0
) -> tuple[str, str] | None:
    r"""Compare :math:`J(x) v` with central differences of ``f`` along random unit ``v``.

    Returns ``None`` when they agree, else ``(kind, detail)``: kind ``'+I'`` or ``'-I'``
    when :math:`J = \partial f/\partial x \pm I` (the map/flow confusion), ``'transposed'``
    when :math:`J^\top` matches, ``'not finite'`` or ``'other'``.
    """
    n = X.shape[1]
    x = np.repeat(X, 2, axis=0)  # two directions per point
    v = _unit_directions(np.random.default_rng(seed), len(x), n)
    h = (_FD_STEP * np.maximum(1.0, np.abs(x).max(axis=1)))[:, None]
    with np.errstate(all="ignore"):
        Fpm = f(np.concatenate([x + h * v, x - h * v]))
        fd = (Fpm[: len(x)] - Fpm[len(x) :]) / (2.0 * h)
        Fx = np.repeat(f(X), 2, axis=0)
    Jx = np.repeat(J, 2, axis=0)
    Jv = np.einsum("sij,sj->si", Jx, v)
    if not (np.all(np.isfinite(fd)) and np.all(np.isfinite(Jv))):
        return "not finite", "the function or its Jacobian is not finite near the check points"
    norm = np.linalg.norm
    scale = np.maximum.reduce([np.ones(len(x)), norm(Jv, axis=1), norm(fd, axis=1)])
    tol = _FD_RTOL * scale + 1e3 * _EPS * np.abs(Fx).max(axis=1) / h[:, 0]
    err = norm(Jv - fd, axis=1)
    if np.all(err <= tol):
        return None
    s = int(np.argmax(err / tol))
    fn, Jn = names
    detail = (
        f"at x = {np.array2string(x[s], precision=3, threshold=6)}, "
        f"|{Jn}(x) v - ({fn}(x + h v) - {fn}(x - h v)) / 2h| = {err[s]:.2e} for "
        f"|{Jn}(x) v| = {norm(Jv[s]):.2e}, v a random unit vector, h = {h[s, 0]:.1e}"
    )
    for kind, candidate in (
        ("+I", Jv - v),
        ("-I", Jv + v),
        ("transposed", np.einsum("sji,sj->si", Jx, v)),
    ):
        if np.all(norm(candidate - fd, axis=1) <= tol):
            return kind, detail
    return "other", detail


def _curvature_mismatch(jac, curv, X: np.ndarray, seed: int = 1) -> str | None:
    r"""Compare :math:`C(x, w)\, v` with central differences of :math:`J(x)^\top w` along ``v``.

    Returns ``None`` when they agree, else a sentence saying where they differ.
    """
    B, n = X.shape
    rng = np.random.default_rng(seed)
    v = _unit_directions(rng, B, n)
    w = _unit_directions(rng, B, n)
    h = (_FD_STEP * np.maximum(1.0, np.abs(X).max(axis=1)))[:, None]
    with np.errstate(all="ignore"):
        Jpm = jac(np.concatenate([X + h * v, X - h * v]))
        fd = np.einsum("bki,bk->bi", Jpm[:B] - Jpm[B:], w) / (2.0 * h)
        Cv = np.einsum("bij,bj->bi", curv(X, w), v)
        scale_J = np.abs(jac(X)).max(axis=(1, 2))
    if not (np.all(np.isfinite(fd)) and np.all(np.isfinite(Cv))):
        return None  # cannot compare where the system is not finite
    norm = np.linalg.norm
    tol = _FD_RTOL * np.maximum.reduce([np.ones(B), norm(Cv, axis=1), norm(fd, axis=1)])
    tol += 1e3 * _EPS * scale_J / h[:, 0]
    err = norm(Cv - fd, axis=1)
    if np.all(err <= tol):
        return None
    s = int(np.argmax(err / tol))
    return (
        f"at x = {np.array2string(X[s], precision=3, threshold=6)} it differs from central "
        f"differences of the Jacobian by {err[s]:.2e} (for a size {norm(Cv[s]):.2e})"
    )


def _check_points(check_at, dim: int) -> np.ndarray:
    """The states at which a new system is checked: given, or two fixed random ones."""
    if check_at is None:
        return np.random.default_rng(20240601).uniform(-0.5, 0.5, size=(2, dim))
    X, _ = as_states(check_at, dim, "check_at")
    if len(X) == 0:
        raise ValueError("check_at must hold at least one state")
    return X


# -- user subclasses of DynamicalSystem ----------------------------------------------------

_HOOKS = {
    "_rhs": "_rhs(self, X) returning F(X), shape (B, N), for a batch X of shape (B, N)",
    "_jacobian": (
        "_jacobian(self, X) returning the Jacobian dF/dx, shape (B, N, N), with "
        "[b, i, j] = dF_i/dx_j at X[b]"
    ),
}


def _missing_hook_message(cls: type, name: str) -> str:
    msg = f"{cls.__name__} must define {_HOOKS[name]}"
    public = name.lstrip("_")
    if public in cls.__dict__:
        msg += (
            f" (it defines {public}: the base class's public {public} validates its input "
            f"and calls {name}; rename yours to {name} and make it batched)"
        )
    return msg + (
        ". Or build the system from plain functions with rnnlab.make_flow(F, J) / "
        "rnnlab.make_map(G, dG)."
    )


def _hook_output(func, label: str, args: tuple, shape: tuple) -> np.ndarray:
    try:
        with np.errstate(all="ignore"):
            out = func(*args)
    except Exception as exc:
        exc.add_note(
            f"raised by {label} when rnnlab checked it on a batch of states of shape "
            f"{args[0].shape} (the hooks are batched: X[b] is one state)"
        )
        raise
    out = np.asarray(out)
    if out.dtype == object or not np.issubdtype(out.dtype, np.number) or np.iscomplexobj(out):
        raise TypeError(f"{label} must return a real array, got dtype {out.dtype}")
    if out.shape != shape:
        raise ValueError(
            f"{label} must return an array of shape {shape} for a batch X of shape "
            f"{args[0].shape}, got shape {out.shape} (the hooks are batched: X[b] is one state)"
        )
    return out.astype(float, copy=False)


def _subclass_convention_message(cls: type, discrete: bool, kind: str, detail: str) -> str:
    name = cls.__name__
    if kind == "+I" and discrete:
        why = (
            f"{name}._jacobian returns the Jacobian of _rhs plus the identity: it looks like "
            "dG/dx of the map. With discrete = True, _rhs returns the displacement "
            "F(x) = G(x) - x and _jacobian must return its Jacobian dG/dx - I"
        )
    elif kind == "+I":
        why = (
            f"{name}._jacobian returns the Jacobian of _rhs plus the identity. For a flow "
            "(discrete = False) it must return dF/dx of _rhs. If this system is a map "
            "x_{t+1} = G(x), set discrete = True and return G(X) - X from _rhs and "
            "dG/dx - I from _jacobian"
        )
    elif kind == "-I" and discrete:
        why = (
            f"{name}._jacobian returns the Jacobian of _rhs minus the identity. With "
            "discrete = True, _rhs must return the displacement G(X) - X (not G(X)) and "
            "_jacobian dG/dx - I"
        )
    elif kind == "-I":
        why = (
            f"{name}._jacobian returns the Jacobian of _rhs minus the identity; for a flow "
            "(discrete = False) it must return dF/dx of _rhs"
        )
    elif kind == "transposed":
        why = f"{name}._jacobian looks transposed: [b, i, j] must be dF_i/dx_j"
    else:
        why = f"{name}._jacobian does not match central finite differences of {name}._rhs"
    return f"{why} ({detail}). Or build it with rnnlab.make_flow(F, J) / rnnlab.make_map(G, dG)."


def _overrides(cls: type, name: str) -> bool:
    return getattr(cls, name) is not getattr(DynamicalSystem, name)


def _check_subclass(system: DynamicalSystem) -> None:
    """Check a newly constructed system's contract; the full check only for user classes.

    Required hooks and ``dim`` are checked for every class (cheap). Shapes and derivatives
    are checked for classes defined outside rnnlab; the systems rnnlab ships are compared
    with finite differences by its test suite instead, and some are built in loops.
    """
    cls = type(system)
    for hook in ("_rhs", "_jacobian"):
        if not _overrides(cls, hook):
            raise TypeError(_missing_hook_message(cls, hook))
    dim = getattr(system, "dim", None)
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer) or dim < 1:
        raise TypeError(
            f"{cls.__name__} must set dim, the state dimension N (an int >= 1), as a class "
            f"attribute or in __init__; got {dim!r}"
        )
    if not isinstance(system.discrete, bool | np.bool_):
        raise TypeError(
            f"{cls.__name__}.discrete must be True (a map) or False (a flow), got {system.discrete!r}"
        )
    if cls.__module__ == "rnnlab" or cls.__module__.startswith("rnnlab."):
        return
    _check_hooks(system, _check_points(None, int(dim)))


def _check_hooks(system: DynamicalSystem, X: np.ndarray) -> None:
    cls = type(system)
    name = cls.__name__
    B, n = X.shape
    F = _hook_output(system._rhs, f"{name}._rhs", (X,), (B, n))
    J = _hook_output(system._jacobian, f"{name}._jacobian", (X,), (B, n, n))
    if _overrides(cls, "_gauss_newton"):
        _hook_output(system._gauss_newton, f"{name}._gauss_newton", (X, J), (B, n, n))
    curvature = _overrides(cls, "_curvature")
    if curvature:
        _hook_output(system._curvature, f"{name}._curvature", (X, F), (B, n, n))
    if not (np.all(np.isfinite(F)) and np.all(np.isfinite(J))):
        return  # outside the system's domain: nothing to compare
    found = _jacobian_mismatch(system._rhs, J, X, (f"{name}._rhs", f"{name}._jacobian"))
    if found is not None and found[0] != "not finite":
        raise ValueError(_subclass_convention_message(cls, bool(system.discrete), *found))
    if curvature:
        where = _curvature_mismatch(system._jacobian, system._curvature, X)
        if where is not None:
            raise ValueError(
                f"{name}._curvature(X, V) must return sum_k V_k d2F_k/dx dx, shape (B, N, N); "
                f"{where}. Leave it out to have it by finite differences."
            )


# -- systems from plain functions -------------------------------------------------------------


def _callable_name(func) -> str:
    return getattr(func, "__name__", type(func).__name__)


def _try(func, args):
    """Call a user function; return ``(array, None)`` or ``(None, reason)``."""
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(func(*args))
    except Exception as exc:  # the user's function may fail in any way on a batch
        return None, f"raised {type(exc).__name__}: {exc}"
    if out.dtype == object or not np.issubdtype(out.dtype, np.number):
        return None, f"returned a non-numeric array (dtype {out.dtype})"
    if np.iscomplexobj(out):
        return None, "returned complex values"
    return out.astype(float, copy=False), None


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    scale = max(1.0, float(np.nanmax(np.abs(a), initial=0.0)))
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12 * scale, equal_nan=True))


def _vectorize(func, name: str, args: tuple, tail: tuple, batched: bool | None):
    """Wrap a user function so that it maps a batch to a batch; detect once which it takes.

    ``args`` are batches (the check points, and for a curvature the weights). The function
    is batched when, given the whole batch, it returns the per-state results stacked; a
    function that only works on a batch counts as batched too.
    """
    if not callable(func):
        raise TypeError(f"{name} must be a callable, got {type(func).__name__}")
    if len(args[0]) == 1:  # a batch of one broadcasts like one state: detect on two
        args = tuple(np.repeat(a, 2, axis=0) for a in args)
    B = len(args[0])
    n = args[0].shape[1]
    one = ", ".join(f"shape ({n},)" for _ in args)
    many = ", ".join(f"shape (B, {n})" for _ in args)
    want_one, want_many = tail, (B, *tail)
    rows, row_problem = [], None
    if batched is not True:
        for b in range(B):
            out, problem = _try(func, tuple(a[b] for a in args))
            if problem is None and out.shape != want_one:
                problem = f"returned shape {out.shape}"
            if problem is not None:
                row_problem = problem
                break
            rows.append(out)
    whole, whole_problem = (None, None) if batched is False else _try(func, args)
    if whole is not None and whole.shape != want_many:
        whole, whole_problem = None, f"returned shape {whole.shape}"
    if batched is None:
        if row_problem is None and whole is not None:
            batched = _same(whole, np.stack(rows))
        elif whole is not None:
            batched = True
        elif row_problem is None:
            batched = False
    problem = whole_problem if batched else row_problem
    if batched is None or problem is not None:
        told = "" if batched is None else f" (batched={batched} was given)"
        raise ValueError(
            f"{name} must take one state ({one}) and return shape {want_one}, or a batch "
            f"({many}) and return shape (B, {', '.join(map(str, tail))}){told}; "
            + (f"with one state it {row_problem}" if row_problem else "")
            + ("; " if row_problem and whole_problem else "")
            + (f"with a batch of {B} it {whole_problem}" if whole_problem else "")
        )

    label = f"{name} ({_callable_name(func)})"

    def checked(out, size):
        out = np.asarray(out, dtype=float)
        if out.shape != (size, *tail):
            raise ValueError(
                f"{label} returned shape {out.shape} for a batch of {size} states, "
                f"expected {(size, *tail)}"
            )
        return out

    if batched:

        def call(*batch):
            return checked(func(*batch), len(batch[0]))

    else:

        def call(*batch):
            if len(batch[0]) == 0:
                return np.empty((0, *tail))
            return checked(
                np.stack([np.asarray(func(*a), dtype=float) for a in zip(*batch, strict=True)]),
                len(batch[0]),
            )

    return call, bool(batched)


def _convention_error(name: str, kind: str, detail: str, expected: str, hint: dict) -> ValueError:
    return ValueError(
        f"{name} does not match central finite differences: it "
        f"{hint.get(kind, 'is not their Jacobian')}. "
        f"Expected {expected} ({detail})."
    )


class _CallableSystem(DynamicalSystem):
    """Shared machinery of :class:`CallableFlow` and :class:`CallableMap`."""

    _f_name: str
    _df_name: str

    def _setup(self, f, df, curvature, dim, batched, check_at):
        self.dim = positive_int(dim, "dim")
        if batched not in (None, True, False):
            raise TypeError(f"batched must be True, False or None (detect), got {batched!r}")
        X = _check_points(check_at, self.dim)
        n = self.dim
        self._f, bf = _vectorize(f, self._f_name, (X,), (n,), batched)
        self._df, bdf = _vectorize(df, self._df_name, (X,), (n, n), batched)
        self.batched = {self._f_name: bf, self._df_name: bdf}
        self._curv = None
        if curvature is not None:
            self._curv, bc = _vectorize(curvature, "curvature", (X, X), (n, n), batched)
            self.batched["curvature"] = bc
        self._names = (_callable_name(f), _callable_name(df))
        with np.errstate(all="ignore"):
            fx, dfx = self._f(X), self._df(X)
        if not (np.all(np.isfinite(fx)) and np.all(np.isfinite(dfx))):
            raise ValueError(
                f"{self._f_name} or {self._df_name} is not finite at the check points "
                f"{np.round(X[:4], 3).tolist()}; pass check_at= with states "
                "where the system is defined"
            )
        return X, dfx

    def _check_curvature(self, X, expected):
        if self._curv is None:
            return
        where = _curvature_mismatch(self._df, self._curv, X)
        if where is not None:
            raise ValueError(
                f"curvature(x, v) must return {expected}, shape ({self.dim}, {self.dim}); "
                f"{where}. Leave it out to have it by finite differences."
            )

    @property
    def curvature_by_finite_differences(self) -> bool:
        return self._curv is None

    def _curvature(self, X, V):
        if self._curv is None:
            return _fd_curvature(self._df, X, V)
        return self._curv(X, V)

    def __repr__(self) -> str:
        f, df = self._names
        return (
            f"{type(self).__name__}(dim={self.dim}, {self._f_name}={f}, {self._df_name}={df}, "
            f"curvature={'analytic' if self._curv is not None else 'finite differences'})"
        )


class CallableFlow(_CallableSystem):
    r"""A flow :math:`\dot x = F(x)` from plain functions; made by :func:`make_flow`."""

    _f_name, _df_name = "F", "J"

    def __init__(self, F, J, *, dim, curvature=None, batched=None, check_at=None):
        X, Jx = self._setup(F, J, curvature, dim, batched, check_at)
        found = _jacobian_mismatch(self._f, Jx, X, ("F", "J"))
        if found is not None:
            kind, detail = found
            raise _convention_error(
                "J",
                kind,
                detail,
                "J(x) = dF/dx, [i, j] = dF_i/dx_j, of the flow x' = F(x)",
                {
                    "+I": (
                        "equals dF/dx + I, which is dG/dx of a map whose displacement is F: "
                        "for a map x_{t+1} = G(x) use rnnlab.make_map(G, dG)"
                    ),
                    "-I": (
                        "equals dF/dx - I: if F is a map x_{t+1} = F(x), use "
                        "rnnlab.make_map(G=F, dG=dF/dx) and let the library subtract I"
                    ),
                    "transposed": "looks transposed",
                    "not finite": "is not finite near the check points (pass check_at=)",
                },
            )
        self._check_curvature(
            X, "sum_k v_k d2F_k/dx dx, the Hessians of F's components weighted by v"
        )

    def _rhs(self, X):
        return self._f(X)

    def _jacobian(self, X):
        return self._df(X)


class CallableMap(_CallableSystem):
    r"""A map :math:`x_{t+1} = G(x_t)` from plain functions; made by :func:`make_map`.

    Stored, like every map here, through its displacement :math:`F = G(x) - x` and
    :math:`J = \partial G/\partial x - I`, formed by the library; :meth:`step` and
    :meth:`stability_matrix` call ``G`` and ``dG`` directly.
    """

    discrete = True
    _f_name, _df_name = "G", "dG"

    def __init__(self, G, dG, *, dim, curvature=None, batched=None, check_at=None):
        X, dGx = self._setup(G, dG, curvature, dim, batched, check_at)
        found = _jacobian_mismatch(self._f, dGx, X, ("G", "dG"))
        if found is not None:
            kind, detail = found
            raise _convention_error(
                "dG",
                kind,
                detail,
                "dG(x) = dG/dx, the Jacobian of the map itself, [i, j] = dG_i/dx_j, for "
                "x_{t+1} = G(x); the library forms G(x) - x and dG/dx - I itself",
                {
                    "-I": (
                        "equals dG/dx - I, the Jacobian of the displacement G(x) - x: "
                        "return dG/dx without subtracting the identity"
                    ),
                    "+I": (
                        "equals dG/dx + I for the G given: is G the displacement G(x) - x? "
                        "make_map wants the map itself, x_{t+1} = G(x)"
                    ),
                    "transposed": "looks transposed",
                    "not finite": "is not finite near the check points (pass check_at=)",
                },
            )
        self._check_curvature(
            X, "sum_k v_k d2G_k/dx dx, the Hessians of G's components weighted by v"
        )

    def _rhs(self, X):
        return self._f(X) - X

    def _jacobian(self, X):
        J = self._df(X).copy()
        J[:, np.arange(self.dim), np.arange(self.dim)] -= 1.0
        return J

    def step(self, x) -> np.ndarray:
        """One step of the map, :math:`G(x)`."""
        X, single = self._states(x)
        G = self._f(X)
        return G[0] if single else G

    def stability_matrix(self, x) -> np.ndarray:
        r""":math:`\partial G/\partial x`, from ``dG`` directly."""
        X, single = self._states(x)
        M = self._df(X)
        return M[0] if single else M


def make_flow(
    F: Callable,
    J: Callable,
    *,
    dim: int,
    curvature: Callable | None = None,
    batched: bool | None = None,
    check_at=None,
) -> CallableFlow:
    r"""A flow :math:`\dot x = F(x)` from two plain functions, ready for every rnnlab tool.

    Parameters
    ----------
    F : callable
        The velocity :math:`F(x)`.
    J : callable
        Its Jacobian :math:`J(x) = \partial F/\partial x`, with ``J(x)[i, j]`` =
        :math:`\partial F_i/\partial x_j`.
    dim : int
        State dimension :math:`n`.
    curvature : callable, optional
        ``curvature(x, v)`` :math:`= \sum_k v_k \nabla^2 F_k(x)`, shape ``(n, n)``: the
        second-derivative term of the exact Hessian of the speed :math:`q` (used to tell a
        slow point from a non-minimum, and by ``minimize_q(hessian='exact')``). When left
        out it is computed by **central finite differences of** ``J`` (:math:`2n` Jacobian
        evaluations per state, accurate to about :math:`10^{-9}` relative).
    batched : bool, optional
        Whether the functions take a batch. By default this is detected once, at the check
        points: a function is batched when, given states of shape ``(B, n)``, it returns the
        per-state results stacked (``(B, n)`` from ``F``, ``(B, n, n)`` from ``J``);
        otherwise it is called once per state with shape ``(n,)``. Batched functions are
        faster on many states; both give the same results.
    check_at : array_like, shape (n,) or (B, n), optional
        States at which the functions are checked when the system is built (default: two
        fixed random states in :math:`[-\tfrac12, \tfrac12]^n`); pass states inside the
        domain if ``F`` is not defined there.

    Returns
    -------
    CallableFlow
        A :class:`DynamicalSystem` with ``discrete = False``.

    Raises
    ------
    ValueError
        When a function returns the wrong shape or is not finite at the check points, or
        when :math:`J v` differs from the central difference
        :math:`(F(x + h v) - F(x - h v))/2h` along random directions :math:`v`. The message
        names the argument and what it seems to hold instead; in particular
        :math:`J = \partial F/\partial x + I`, the Jacobian :math:`\partial G/\partial x` of a
        map with displacement :math:`F`, says to use :func:`make_map`.

    See Also
    --------
    make_map : a map :math:`x_{t+1} = G(x_t)` from :math:`G` and :math:`\partial G/\partial x`.

    Examples
    --------
    A damped Duffing oscillator, :math:`\dot x = y,\ \dot y = x - x^3 - y/2`, written
    for one state ``x`` of shape ``(2,)`` (the library detects that and loops):

    >>> import numpy as np, rnnlab
    >>> duffing = rnnlab.make_flow(  # x' = F(x), F and J written for one state x
    ...     F=lambda x: np.array([x[1], x[0] - x[0] ** 3 - x[1] / 2]),
    ...     J=lambda x: np.array([[0, 1], [1 - 3 * x[0] ** 2, -0.5]]),
    ...     dim=2,
    ... )
    >>> starts = rnnlab.grid_starts((-2, 2), (-2, 2), n=5)
    >>> fps = rnnlab.find_fixed_points(duffing, starts)
    >>> print(", ".join(f"{k} {(x.round(2) + 0).tolist()}" for x, k in zip(fps.x, fps.kind)))
    stable focus [-1.0, 0.0], stable focus [1.0, 0.0], saddle (1 unstable) [0.0, 0.0]
    >>> duffing.batched
    {'F': False, 'J': False}
    """
    return CallableFlow(F, J, dim=dim, curvature=curvature, batched=batched, check_at=check_at)


def make_map(
    G: Callable,
    dG: Callable,
    *,
    dim: int,
    curvature: Callable | None = None,
    batched: bool | None = None,
    check_at=None,
) -> CallableMap:
    r"""A map :math:`x_{t+1} = G(x_t)` from the map and its Jacobian, ready for every rnnlab tool.

    Give the map itself and its own Jacobian :math:`\partial G/\partial x`, never the
    displacement :math:`G(x) - x` or :math:`\partial G/\partial x - I`: the library forms
    those itself (its fixed-point finder looks for the roots of :math:`G(x) - x`), and
    judges stability by :math:`|\mu| < 1` for the eigenvalues :math:`\mu` of
    :math:`\partial G/\partial x`.

    Parameters
    ----------
    G : callable
        The map :math:`G(x)`.
    dG : callable
        Its Jacobian :math:`\partial G/\partial x`, ``dG(x)[i, j]`` =
        :math:`\partial G_i/\partial x_j`.
    dim : int
        State dimension :math:`n`.
    curvature : callable, optional
        ``curvature(x, v)`` :math:`= \sum_k v_k \nabla^2 G_k(x)`, shape ``(n, n)`` (the same
        as for the displacement, whose second derivatives are those of :math:`G`). When left
        out it is computed by **central finite differences of** ``dG``.
    batched : bool, optional
        As in :func:`make_flow`: detected once when not given.
    check_at : array_like, shape (n,) or (B, n), optional
        As in :func:`make_flow`.

    Returns
    -------
    CallableMap
        A :class:`DynamicalSystem` with ``discrete = True``.

    Raises
    ------
    ValueError
        As in :func:`make_flow`; in particular ``dG`` equal to
        :math:`\partial G/\partial x - I` (the displacement's Jacobian) is refused, and so is
        a ``G`` that is the displacement :math:`G(x) - x` of the ``dG`` given.

    See Also
    --------
    make_flow : a flow :math:`\dot x = F(x)` from :math:`F` and :math:`J`.

    Examples
    --------
    The map :math:`x_{t+1} = \tanh(W x_t)`, with
    :math:`\partial G/\partial x = \operatorname{diag}(1 - G^2)\, W`, written for a batch
    ``x`` of shape ``(B, 2)``:

    >>> import numpy as np, rnnlab
    >>> W = np.array([[2.0, 0.5], [-0.5, 0.5]])
    >>> tanh_map = rnnlab.make_map(  # x_{t+1} = G(x): the map and its own Jacobian
    ...     G=lambda x: np.tanh(x @ W.T),
    ...     dG=lambda x: (1 - np.tanh(x @ W.T) ** 2)[..., None] * W,
    ...     dim=2,
    ... )
    >>> starts = rnnlab.grid_starts((-2, 2), (-2, 2), n=5)
    >>> fps = rnnlab.find_fixed_points(tanh_map, starts)
    >>> print(", ".join(f"{k} {(x.round(2) + 0).tolist()}" for x, k in zip(fps.x, fps.kind)))
    stable focus [-0.9, 0.65], stable focus [0.9, -0.65], saddle (1 unstable) [0.0, 0.0]
    >>> tanh_map.batched
    {'G': True, 'dG': True}

    Giving :math:`\partial G/\partial x - I` instead is caught when the map is built:

    >>> rnnlab.make_map(G=lambda x: np.tanh(x @ W.T),
    ...                 dG=lambda x: (1 - np.tanh(x @ W.T) ** 2)[..., None] * W - np.eye(2),
    ...                 dim=2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: dG does not match central finite differences: it equals dG/dx - I, ...
    """
    return CallableMap(G, dG, dim=dim, curvature=curvature, batched=batched, check_at=check_at)
