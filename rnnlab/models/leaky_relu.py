r"""A leaky (ReLU) rate network trained by backpropagation through time (chapter 09).

The Euler step of :math:`\tau \dot r = -r + f(W r + W_{in} u + b + \text{noise})` with
:math:`\alpha = \Delta t/\tau` (the "initial hypotheses" report, §2):

.. math::

    a_t = W r_{t-1} + W_{in} u_t + b + \eta_t, \qquad
    r_t = (1 - \alpha)\, r_{t-1} + \alpha f(a_t), \qquad z_t = W_{out} r_t,

with :math:`\eta_t \sim \mathcal N(0, 2\sigma^2/\alpha)` (the report's
:math:`\sqrt{2\alpha^{-1}\sigma^2}\,\mathcal N(0,1)`), :math:`\alpha = 0.1`,
:math:`\sigma = 0.01`, and the leaky ReLU :math:`f(a) = \max(a, s a)` of slope
:math:`s` (:math:`s = 0`: ReLU, :math:`s = 1`: linear). Only :math:`W` is trained, and
its diagonal stays 0 (no self-connections): the gradient's diagonal is zeroed.

**Loss** (mean square over the steps the task counts, :math:`m_t \in \{0, 1\}`):
:math:`L = \frac{1}{B\, n_{out} \sum_t m_t} \sum_{b,t,k} m_t (z_{t,k} - y_{t,k})^2`.

**Backward pass** (BPTT, written out; :math:`D_t = \operatorname{diag} f'(a_t)`):

.. math::

    \delta_t &= \frac{\partial L}{\partial r_t}
              = W_{out}^\top \frac{\partial L}{\partial z_t}
              + (1 - \alpha)\, \delta_{t+1} + W^\top \epsilon_{t+1}, \\
    \epsilon_t &= \frac{\partial L}{\partial a_t} = \alpha D_t \delta_t, \qquad
    \frac{\partial L}{\partial W} = \sum_t \epsilon_t r_{t-1}^\top
    \quad (\text{diagonal set to } 0).

For a constant input :math:`u` the network is the map :math:`r \leftarrow G(r)`,
:class:`LeakyReLUMap`, whose fixed points :func:`rnnlab.find_fixed_points` finds.
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
from rnnlab.dynamics.systems import DynamicalSystem

__all__ = ["LeakyReLUMap", "LeakyReLURNN", "train_on_task"]


def _check_slope(slope) -> float:
    slope = positive_float(slope, "slope", allow_zero=True)
    if slope > 1:
        raise ValueError(f"slope must lie in [0, 1] (0 = ReLU, 1 = linear), got {slope}")
    return slope


class LeakyReLURNN:
    r"""Leaky-ReLU rate network with a trainable recurrent matrix (equations in the module docstring).

    Parameters
    ----------
    W : array_like, shape (N, N)
        Recurrent weights (the diagonal is set to 0).
    W_in : array_like, shape (N, n_in)
    b : array_like, shape (N,)
    W_out : array_like, shape (n_out, N)
    alpha : float
        :math:`\Delta t / \tau`.
    sigma : float
        Noise strength :math:`\sigma`.
    slope : float
        Slope of the leaky ReLU for negative arguments, in [0, 1].

    Attributes
    ----------
    params : dict
        ``{"W": W}``, the trained array (updated in place by :func:`rnnlab.models.training_loop.train`).
    """

    def __init__(
        self, W, W_in, b, W_out, *, alpha: float = 0.1, sigma: float = 0.01, slope: float = 0.0
    ):
        W = as_matrix(W, "W", square=True)
        N = W.shape[0]
        np.fill_diagonal(W, 0.0)
        self.params = {"W": W}
        self.W_in = as_matrix(W_in, "W_in", shape=(N, None))
        self.b = as_vector(b, "b", size=N)
        self.W_out = as_matrix(W_out, "W_out", shape=(None, N))
        self.alpha = positive_float(alpha, "alpha")
        if self.alpha > 1:
            raise ValueError(f"alpha must be in (0, 1], got {self.alpha}")
        self.sigma = positive_float(sigma, "sigma", allow_zero=True)
        self.slope = _check_slope(slope)

    @classmethod
    def random(
        cls,
        N: int,
        n_in: int,
        n_out: int = 1,
        *,
        seed,
        input_scale: float,
        g: float = 1.0,
        **kwargs,
    ) -> LeakyReLURNN:
        r"""The report's initialisation: :math:`W_{ij}, W_{out} \sim \mathcal N(0, g^2/N)`,
        :math:`W_{ii} = 0`; :math:`W_{in}, b \sim \mathcal N(0, \text{input\_scale}^2)`.

        The report says "variance :math:`1/\sqrt N`"; that would put the spectral radius near
        :math:`N^{1/4} \approx 3.4` and the ReLU network would blow up, while the report
        says its networks start in the stable regime. We read it as standard deviation
        :math:`1/\sqrt N` (:math:`g = 1`).
        """
        N = positive_int(N, "N")
        n_in = positive_int(n_in, "n_in")
        n_out = positive_int(n_out, "n_out")
        input_scale = positive_float(input_scale, "input_scale")
        g = positive_float(g, "g", allow_zero=True)
        if seed is None:
            raise ValueError("seed is required (an int or a numpy Generator)")
        rng = np.random.default_rng(seed)
        W = rng.normal(0.0, g / np.sqrt(N), (N, N))
        W_out = rng.normal(0.0, 1.0 / np.sqrt(N), (n_out, N))
        W_in = rng.normal(0.0, input_scale, (N, n_in))
        b = rng.normal(0.0, input_scale, N)
        return cls(W, W_in, b, W_out, **kwargs)

    # -- shapes ------------------------------------------------------------------------------
    @property
    def W(self) -> np.ndarray:
        """The recurrent matrix (the trained array itself, not a copy)."""
        return self.params["W"]

    @property
    def N(self) -> int:
        return self.W.shape[0]

    def with_weights(self, W=None, *, slope: float | None = None) -> LeakyReLURNN:
        """A copy with another recurrent matrix and/or slope (inputs, readout, noise kept)."""
        return LeakyReLURNN(
            self.W if W is None else W,
            self.W_in,
            self.b,
            self.W_out,
            alpha=self.alpha,
            sigma=self.sigma,
            slope=self.slope if slope is None else slope,
        )

    # -- forward -----------------------------------------------------------------------------
    def _check_inputs(self, inputs, r0):
        U = np.asarray(inputs, dtype=np.float64)
        if U.ndim != 3 or U.shape[2] != self.W_in.shape[1]:
            raise ValueError(f"inputs must have shape (B, T, {self.W_in.shape[1]}), got {U.shape}")
        if not np.all(np.isfinite(U)):
            raise ValueError("inputs contain NaN or inf")
        if r0 is None:
            R0 = np.zeros((U.shape[0], self.N))
        else:
            R0, _ = as_states(r0, self.N, "r0")
            if R0.shape[0] == 1:
                R0 = np.repeat(R0, U.shape[0], axis=0)
            if R0.shape[0] != U.shape[0]:
                raise ValueError(
                    f"r0 must have shape ({self.N},) or ({U.shape[0]}, {self.N}), got {R0.shape}"
                )
        return U, R0

    def _noise(self, shape, seed) -> np.ndarray | None:
        if self.sigma == 0:
            return None
        if seed is None:
            raise ValueError(
                "seed is required when sigma > 0 (the noise must be reproducible); or noise=False"
            )
        return (
            np.sqrt(2.0 / self.alpha)
            * self.sigma
            * np.random.default_rng(seed).standard_normal(shape)
        )

    def _forward(self, U, R0, E):
        B, T, _ = U.shape
        W, a_, s = self.W, self.alpha, self.slope
        drive = U @ self.W_in.T + self.b
        if E is not None:
            drive += E
        R = np.empty((B, T, self.N))
        D = np.empty((B, T, self.N))  # f'(a_t): 1 or the slope
        r = R0
        for t in range(T):
            a = r @ W.T + drive[:, t]
            d = np.where(a > 0, 1.0, s)
            r = (1.0 - a_) * r + a_ * (a * d)  # f(a) = a f'(a) for a leaky ReLU
            R[:, t] = r
            D[:, t] = d
        return R, D

    @blas_limited
    def run(
        self, inputs, *, seed=None, r0=None, noise: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Simulate a batch of trials.

        Parameters
        ----------
        inputs : array_like, shape (B, T, n_in)
        seed : int or numpy.random.Generator
            Seed of the network noise (needed when ``noise`` and :math:`\\sigma > 0`).
        r0 : array_like, shape (N,) or (B, N), optional
            Initial rates (default 0).
        noise : bool
            Add the network noise :math:`\\eta_t`.

        Returns
        -------
        rates : ndarray, shape (B, T, N)
            :math:`r_1, \\dots, r_T`.
        outputs : ndarray, shape (B, T, n_out)
        """
        U, R0 = self._check_inputs(inputs, r0)
        E = self._noise((U.shape[0], U.shape[1], self.N), seed) if noise else None
        R, _ = self._forward(U, R0, E)
        return R, R @ self.W_out.T

    # -- loss and gradient -------------------------------------------------------------------
    @staticmethod
    def _unpack(batch):
        try:
            trials, seed = batch
            return trials.inputs, trials.targets, trials.mask, seed
        except (TypeError, ValueError, AttributeError):
            raise TypeError("batch must be a pair (Trials, noise_seed)") from None

    def loss(self, batch) -> float:
        """The loss :math:`L` on ``batch = (trials, noise_seed)`` without its gradient."""
        U, Y, m, seed = self._unpack(batch)
        _, Z = self.run(U, seed=seed)
        return float(np.sum(m[None, :, None] * (Z - Y) ** 2) / (U.shape[0] * Y.shape[2] * m.sum()))

    @blas_limited
    def loss_and_grad(self, batch, state=None) -> tuple[float, dict, None]:
        r"""Loss and :math:`\partial L/\partial W` on ``batch = (trials, noise_seed)``.

        Every batch starts at rest, so no state is carried (``state`` is ignored and
        ``None`` returned), as :func:`rnnlab.models.training_loop.train` expects.
        """
        U, Y, m, seed = self._unpack(batch)
        U, R0 = self._check_inputs(U, None)
        B, T, _ = U.shape
        R, D = self._forward(U, R0, self._noise((B, T, self.N), seed))
        Z = R @ self.W_out.T
        n = B * Y.shape[2] * m.sum()
        err = m[None, :, None] * (Z - Y)
        loss = float(np.sum(err * (Z - Y)) / n)
        dR = (2.0 / n) * err @ self.W_out  # direct part of dL/dr_t, (B, T, N)
        W, a_ = self.W, self.alpha
        G = np.zeros_like(W)
        carry = np.zeros((B, self.N))
        for t in range(T - 1, -1, -1):
            delta = dR[:, t] + carry
            eps = a_ * D[:, t] * delta
            G += eps.T @ (R[:, t - 1] if t > 0 else R0)
            carry = (1.0 - a_) * delta + eps @ W
        np.fill_diagonal(G, 0.0)
        return loss, {"W": G}, None

    # -- as a dynamical system ---------------------------------------------------------------
    def as_map(self, u) -> LeakyReLUMap:
        """The autonomous map for a constant input ``u`` (shape ``(n_in,)``)."""
        return LeakyReLUMap(
            self.W,
            self.W_in @ as_vector(u, "u", size=self.W_in.shape[1]) + self.b,
            self.alpha,
            self.slope,
        )

    def __repr__(self) -> str:
        return (
            f"LeakyReLURNN(N={self.N}, n_in={self.W_in.shape[1]}, n_out={self.W_out.shape[0]}, "
            f"alpha={self.alpha:g}, sigma={self.sigma:g}, slope={self.slope:g})"
        )


class LeakyReLUMap(DynamicalSystem):
    r"""The noise-free network at a constant input, as a map :math:`r \leftarrow G(r)`.

    .. math::

        G(r) = (1 - \alpha) r + \alpha f(W r + c), \qquad
        F(r) = G(r) - r = \alpha\,(f(W r + c) - r), \qquad
        J = \alpha\,(D W - I),

    :math:`c = W_{in} u + b`, :math:`D = \operatorname{diag} f'(Wr + c)`. The leaky ReLU is
    piecewise linear, so the second derivatives vanish (away from the kinks, where they
    are undefined) and the Gauss-Newton Hessian of :math:`q` is exact.

    Parameters
    ----------
    W : array_like, shape (N, N)
    drive : array_like, shape (N,)
        :math:`c = W_{in} u + b`.
    alpha : float
    slope : float
    """

    discrete = True

    def __init__(self, W, drive, alpha: float = 0.1, slope: float = 0.0):
        self.W = as_matrix(W, "W", square=True)
        self.dim = self.W.shape[0]
        self.drive = as_vector(drive, "drive", size=self.dim)
        self.alpha = positive_float(alpha, "alpha")
        self.slope = _check_slope(slope)

    def _pre(self, X):
        return X @ self.W.T + self.drive

    def _rhs(self, X):
        a = self._pre(X)
        return self.alpha * (np.where(a > 0, a, self.slope * a) - X)

    def _jacobian(self, X):
        d = np.where(self._pre(X) > 0, 1.0, self.slope)
        J = self.alpha * self.W[None, :, :] * d[:, :, None]
        J[:, np.arange(self.dim), np.arange(self.dim)] -= self.alpha
        return J

    def _curvature(self, X, V):
        return np.zeros((X.shape[0], self.dim, self.dim))

    def __repr__(self) -> str:
        return f"LeakyReLUMap(N={self.dim}, alpha={self.alpha:g}, slope={self.slope:g})"


def train_on_task(
    net: LeakyReLURNN,
    make_trials: Callable,
    *,
    n_steps: int,
    seed,
    batch_size: int = 32,
    lr: float = 1e-3,
    snapshot_every: int | None = None,
    n_val: int = 64,
    progress: bool = False,
):
    """Train ``net.W`` with Adam (:func:`rnnlab.models.training_loop.train`) on fresh seeded batches.

    Step ``i`` uses ``make_trials(batch_size, seed=[seed, 0, i])`` and network noise seeded
    by ``[seed, 1, i]``; validation is the loss on ``n_val`` fixed trials
    (``seed=[seed, 2]``, noise ``[seed, 3]``). ``seed`` must be a non-negative int.

    Parameters
    ----------
    net : LeakyReLURNN
        Trained in place.
    make_trials : callable
        ``make_trials(n_trials, seed=...) -> Trials``, e.g.
        :func:`rnnlab.tasks.decisions.perception_trials`.
    n_steps, batch_size : int
    seed : int
    lr : float
    snapshot_every : int, optional
        Also keep a copy of :math:`W` every this many steps (and at step 0).

    Returns
    -------
    history : rnnlab.models.training_loop.TrainingHistory
    snapshots : dict
        ``{"step": (n_snap,), "W": (n_snap, N, N)}`` (empty arrays without ``snapshot_every``).
    """
    from rnnlab.models.training_loop import train

    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    n_steps = positive_int(n_steps, "n_steps")
    batch_size = positive_int(batch_size, "batch_size")
    val = (make_trials(positive_int(n_val, "n_val"), seed=[seed, 2]), [seed, 3])

    def batches():
        i = 0
        while True:
            yield make_trials(batch_size, seed=[seed, 0, i]), [seed, 1, i]
            i += 1

    steps, Ws = [0], [net.W.copy()]

    def callback(step, model, _history):
        if snapshot_every and step % snapshot_every == 0:
            steps.append(step)
            Ws.append(model.W.copy())

    history = train(
        net,
        batches(),
        n_steps=n_steps,
        lr=lr,
        validate=lambda m: m.loss(val),
        validate_every=max(1, n_steps // 20),
        restore_best=False,
        callback=callback,
        progress=progress,
        desc="training W",
    )
    if not snapshot_every:
        steps, Ws = [], []
    return history, {
        "step": np.array(steps, dtype=int),
        "W": np.array(Ws).reshape(-1, net.N, net.N),
    }
