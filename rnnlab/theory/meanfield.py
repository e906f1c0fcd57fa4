r"""Mean-field theory of a reservoir trained to hold one fixed point (Rivkind & Barak).

The network is

.. math::

    \dot x = -x + J\phi(x) + u\,z, \qquad z = w^\top \phi(x), \qquad
    J_{ij} \sim \mathcal N(0, g^2/N),\ u_i \sim \mathcal N(0, 1).

Open-loop training clamps :math:`z = A`, lets the network relax to :math:`x^*(A)` and sets the
readout so that :math:`w^\top\phi(x^*) = A`. For :math:`N\to\infty` each unit of the relaxed
state is :math:`x_i = u_i A + \sigma y_i` with :math:`y_i \sim \mathcal N(0, 1)` independent
of :math:`u_i` (the recurrent input :math:`(J\phi)_i` is a sum of many weak terms), and

.. math::

    \sigma^2 = g^2\,\mathbb E\big[\phi^2(uA + \sigma y)\big] \qquad \text{(paper eq. 8)}.

Linearising the open loop around :math:`x^*` and driving it through :math:`u` with
:math:`e^{i\omega t}` gives the open-loop gain (paper eqs. 10-13)

.. math::

    G_{OL}(\omega) = \frac{A\beta_0}{1 - \beta_1 + i\omega}, \qquad
    \beta_0 = \frac{g^2}{\sigma^2}\mathbb E[\phi\phi' u], \qquad
    \beta_1 = \frac{g^2}{\sigma^2}\mathbb E[\phi\phi'\,\sigma y]
            = g^2\,\mathbb E[\phi'^2 + \phi\phi''],

(the last form by Gaussian integration by parts, :math:`\mathbb E[y f(y)] = \mathbb E[f'(y)]`).
Closing the loop feeds the output back with gain one, so
:math:`G_{CL} = G_{OL}/(1 - G_{OL})` and its single pole is

.. math::

    \lambda_{out} = -(1 - A\beta_0 - \beta_1) \qquad \text{(paper eq. 14)}.

Expectations are over :math:`u, y \sim \mathcal N(0,1)` and are computed by tensor-product
Gauss-Hermite quadrature (probabilists' nodes). Everything is float64. The theory for M
targets (M output poles) is in :mod:`rnnlab.theory.meanfield_targets`.

References
----------
A. Rivkind and O. Barak, *Local dynamics in trained recurrent neural networks*,
Phys. Rev. Lett. 118, 258101 (2017).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.polynomial.hermite_e import hermegauss

from rnnlab._internal.validation import positive_float, positive_int
from rnnlab.dynamics.nonlinearities import Nonlinearity, nonlinearity

__all__ = [
    "MeanField",
    "NoFadingMemory",
    "gauss_hermite",
    "mean_field",
    "sign_identity",
    "winding_number",
]

DEFAULT_NODES = 101


class NoFadingMemory(ValueError):
    """The open loop is not stable: no fading memory, so open-loop training does not apply."""


@functools.lru_cache(maxsize=16)
def gauss_hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Nodes and weights for :math:`\mathbb E f(y)`, :math:`y\sim\mathcal N(0,1)`.

    :math:`\mathbb E f(y) \approx \sum_k w_k f(y_k)`, exact for polynomials of degree
    :math:`< 2n`; ``sum(w) == 1``. Shapes ``(n,)``.
    """
    n = positive_int(n, "n")
    with np.errstate(all="ignore"):
        y, w = hermegauss(n)
    w = w / np.sqrt(2.0 * np.pi)
    if not (np.all(np.isfinite(w)) and np.all(np.isfinite(y))):
        # numpy's recurrence overflows for a few hundred nodes (seen from n = 400); the
        # weights come out NaN, which would later read as a diverging variance.
        raise ValueError(
            f"n = {n} Gauss-Hermite nodes overflow in the quadrature weights (they come out "
            "non-finite); use fewer nodes (up to 300 work, 16-40 are plenty here)"
        )
    y.flags.writeable = False
    w.flags.writeable = False
    return y, w


def _grid(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """2-D product grid: ``u``, ``y`` and weights, each flattened to ``(n*n,)``."""
    y, w = gauss_hermite(n)
    U, Y = np.meshgrid(y, y, indexing="ij")
    return U.ravel(), Y.ravel(), np.outer(w, w).ravel()


def _check_phi_g_A(phi, g, A, threshold):
    phi = nonlinearity(phi, threshold)
    g = positive_float(g, "g")
    if isinstance(A, bool) or not isinstance(A, int | float | np.integer | np.floating):
        raise TypeError(f"A must be a number, got {A!r}")
    A = float(A)
    if not np.isfinite(A) or A == 0.0:
        raise ValueError(
            f"A must be a finite nonzero target (with A = 0 the drive vanishes), got {A}"
        )
    return phi, g, A


def self_consistent_sigma2(
    phi: Nonlinearity,
    g: float,
    A: float,
    *,
    n_nodes: int = DEFAULT_NODES,
    damping: float = 0.5,
    tol: float = 1e-13,
    max_iter: int = 20_000,
) -> tuple[float, int]:
    r"""Solve :math:`\sigma^2 = g^2\,\mathbb E[\phi^2(uA + \sigma y)]` by damped iteration.

    .. math::

        s_{k+1} = (1 - \eta)\, s_k + \eta\, g^2\,\mathbb E\big[\phi^2(uA + \sqrt{s_k}\,y)\big],

    started from :math:`s_0 = g^2\mathbb E[\phi^2(uA)]` (the first iterate from
    :math:`\sigma = 0`). When the plain iteration oscillates, damping
    :math:`\eta < 1` tames it; if the iterates run away (an unbounded :math:`\phi` with too
    large a gain, e.g. ReLU with :math:`g \gtrsim \sqrt2`) there is no finite solution.

    Near the solution the iterates converge linearly, :math:`s_{k+1} - s^* \approx
    r\,(s_k - s^*)`, often slowly (:math:`r` near 1 where the variance is about to grow
    without bound). Once three successive steps show a steady ratio
    :math:`r = \Delta_{k+1}/\Delta_k` (:math:`\Delta_k = s_k - s_{k-1}`; two successive
    ratios within :math:`0.05\,(1 - |r|)` of each other) with :math:`|r| < 0.999`, the limit
    is extrapolated (Aitken's :math:`\Delta^2`),

    .. math::

        s^* \approx s_{k+1} + \Delta_{k+1}\,\frac{r}{1 - r},

    and the iteration goes on from there. This only shortens the way: iterates that run away
    (:math:`r \ge 1`) are never extrapolated, and the stopping test is always a plain damped
    step that changes :math:`s` by less than ``tol`` (relative), as without the
    extrapolation.

    Returns
    -------
    sigma2 : float
    n_iter : int
        Damped steps taken (each one quadrature).

    Raises
    ------
    NoFadingMemory
        When the iterates diverge.
    RuntimeError
        When ``max_iter`` iterations do not reach ``tol`` (relative change).
    """
    U, Y, Wq = _grid(n_nodes)
    mean = U * A

    def f(s):
        return g * g * float(Wq @ phi.f(mean + np.sqrt(s) * Y) ** 2)

    s = f(0.0)
    step, ratio = None, None  # the last step s_k - s_{k-1} and ratio of steps, since a jump
    for k in range(1, max_iter + 1):
        new = (1.0 - damping) * s + damping * f(s)
        if not np.isfinite(new) or new > 1e8:
            raise NoFadingMemory(
                f"no finite self-consistent sigma^2 for phi={phi!r}, g={g}, A={A}: the variance "
                "grows without bound, so the open loop has no stable state to train on"
            )
        if abs(new - s) <= tol * max(new, 1e-300):
            return new, k
        step, last_step = new - s, step
        s = new
        if last_step:
            r, last_ratio = step / last_step, ratio
            ratio = r
            steady = last_ratio is not None and abs(r - last_ratio) <= 0.05 * (1.0 - abs(r))
            if steady and abs(r) < 0.999:
                jump = new + step * r / (1.0 - r)  # Aitken: the limit of the linear steps
                if np.isfinite(jump) and jump > 0.0:
                    s, step, ratio = jump, None, None
    raise RuntimeError(
        f"the sigma^2 iteration did not converge in {max_iter} steps (last change "
        f"{abs(new - s):.2e}); try a smaller damping"
    )


@dataclass(frozen=True)
class MeanField:
    r"""The mean-field description of one trained target :math:`z = A` (M = 1).

    Attributes
    ----------
    phi : Nonlinearity
    g, A : float
    sigma2 : float
        Self-consistent variance of the recurrent part :math:`\sigma y` of the state.
    beta0, beta1 : float
        Paper eq. 11.
    rho : float
        Radius of the open-loop bulk, :math:`\rho^2 = g^2\,\mathbb E[\phi'^2]`: the
        eigenvalues of :math:`-I + J\Phi'` fill the disk of radius :math:`\rho` about -1.
    n_iter : int
        Iterations the :math:`\sigma^2` solve took.
    n_nodes : int
        Gauss-Hermite nodes per dimension.
    """

    phi: Nonlinearity
    g: float
    A: float
    sigma2: float
    beta0: float
    beta1: float
    rho: float
    n_iter: int
    n_nodes: int

    @property
    def sigma(self) -> float:
        """Standard deviation :math:`\\sigma`."""
        return float(np.sqrt(self.sigma2))

    @property
    def lambda_out(self) -> float:
        r"""Output pole :math:`\lambda_{out} = -(1 - A\beta_0 - \beta_1)` (eq. 14)."""
        return -(1.0 - self.A * self.beta0 - self.beta1)

    @property
    def stable(self) -> bool:
        """Whether the closed loop is stable at this target: :math:`\\lambda_{out} < 0`."""
        return self.lambda_out < 0

    @property
    def tau_out(self) -> float:
        r"""Settling time of the output, :math:`\tau_{out} = -1/\lambda_{out}` (inf if unstable)."""
        return -1.0 / self.lambda_out if self.lambda_out < 0 else np.inf

    @property
    def tau_net(self) -> float:
        r"""Time constant of the internal activity, :math:`\tau_{net} = 1/(1 - \rho)`."""
        return 1.0 / (1.0 - self.rho) if self.rho < 1 else np.inf

    @property
    def open_loop_pole(self) -> float:
        r"""The pole of :math:`G_{OL}`: :math:`-(1 - \beta_1)`."""
        return self.beta1 - 1.0

    def G_OL(self, omega) -> np.ndarray:
        r"""Open-loop gain :math:`G_{OL}(\omega) = A\beta_0/(1 - \beta_1 + i\omega)`.

        ``omega`` may be complex: :math:`G_{OL}` at Laplace variable :math:`s` is
        ``G_OL(s / 1j)``. Same shape as ``omega``, complex.
        """
        w = np.asarray(omega)
        return self.A * self.beta0 / (1.0 - self.beta1 + 1j * w)

    def dG_OL(self, omega) -> np.ndarray:
        r""":math:`dG_{OL}/d\omega = -i A\beta_0/(1 - \beta_1 + i\omega)^2`."""
        w = np.asarray(omega)
        return -1j * self.A * self.beta0 / (1.0 - self.beta1 + 1j * w) ** 2

    def G_CL(self, omega) -> np.ndarray:
        r"""Closed-loop gain :math:`G_{CL} = G_{OL}/(1 - G_{OL})` (eq. 7).

        For M = 1 it simplifies to :math:`A\beta_0/(i\omega - \lambda_{out})`: one pole,
        at :math:`\lambda_{out}`.
        """
        G = self.G_OL(omega)
        return G / (1.0 - G)

    @property
    def dc_gain(self) -> float:
        r""":math:`G_{OL}(0) = A\beta_0/(1-\beta_1)`; for M = 1 the loop is stable iff it is < 1."""
        return self.A * self.beta0 / (1.0 - self.beta1)

    def __repr__(self) -> str:
        return (
            f"MeanField(phi={self.phi!r}, g={self.g:g}, A={self.A:g}: sigma={self.sigma:.4f}, "
            f"beta0={self.beta0:.4f}, beta1={self.beta1:.4f}, rho={self.rho:.4f}, "
            f"lambda_out={self.lambda_out:+.4f})"
        )


def mean_field(
    phi: str | Nonlinearity,
    g: float,
    A: float,
    *,
    threshold: float = 0.0,
    n_nodes: int = DEFAULT_NODES,
    damping: float = 0.5,
    require_fading_memory: bool = True,
) -> MeanField:
    r"""Mean-field theory of a reservoir trained on one target :math:`z = A`.

    Parameters
    ----------
    phi : str or Nonlinearity
        ``'tanh'``, ``'relu'`` (with ``threshold``), ``'logistic'``, ``'linear'``.
    g : float
        Gain of the random connectivity, > 0.
    A : float
        The target, nonzero.
    threshold : float
        ReLU threshold :math:`\theta`, :math:`\phi(x) = \max(0, x-\theta)`.
    n_nodes : int
        Gauss-Hermite nodes per dimension (the kink of a ReLU makes the quadrature converge
        slowly, hence the generous default).
    damping : float
        :math:`\eta` of the damped :math:`\sigma^2` iteration, in (0, 1].
    require_fading_memory : bool
        Raise :class:`NoFadingMemory` when :math:`\rho \ge 1`, i.e. when the open loop is not
        stable and the theory, which assumes it, does not apply.

    Returns
    -------
    MeanField

    Notes
    -----
    With :math:`x = uA + \sigma y`:
    :math:`\beta_0 = g^2\sigma^{-2}\mathbb E[\phi(x)\phi'(x)u]`,
    :math:`\beta_1 = g^2\sigma^{-2}\mathbb E[\phi(x)\phi'(x)\sigma y]` (paper eq. 11), and
    :math:`\rho^2 = g^2\mathbb E[\phi'(x)^2]`.

    Examples
    --------
    >>> mf = mean_field("tanh", 0.8, 1.0)
    >>> round(mf.sigma, 3), round(mf.lambda_out, 3)
    (0.53, -0.584)
    """
    phi, g, A = _check_phi_g_A(phi, g, A, threshold)
    n_nodes = positive_int(n_nodes, "n_nodes")
    damping = positive_float(damping, "damping")
    if damping > 1:
        raise ValueError(f"damping must be in (0, 1], got {damping}")
    sigma2, n_iter = self_consistent_sigma2(phi, g, A, n_nodes=n_nodes, damping=damping)
    if sigma2 <= 0:
        raise ValueError(f"sigma^2 = {sigma2} is not positive for phi={phi!r}, g={g}, A={A}")
    U, Y, Wq = _grid(n_nodes)
    sigma = np.sqrt(sigma2)
    x = U * A + sigma * Y
    f, df = phi.f(x), phi.df(x)
    beta0 = g * g / sigma2 * float(Wq @ (f * df * U))
    beta1 = g * g / sigma2 * float(Wq @ (f * df * sigma * Y))
    rho = g * np.sqrt(float(Wq @ df**2))
    mf = MeanField(phi, g, A, sigma2, beta0, beta1, float(rho), n_iter, n_nodes)
    if require_fading_memory and rho >= 1:
        raise NoFadingMemory(
            f"the open loop has no fading memory at phi={phi!r}, g={g}, A={A}: its bulk radius "
            f"rho = g sqrt(E[phi'^2]) = {rho:.3f} >= 1, so the clamped network is not stable "
            "and open-loop training does not apply (lower g or raise A)"
        )
    return mf


def sign_identity(mf: MeanField) -> tuple[float, float]:
    r"""Both sides of :math:`1 - A\beta_0 - \beta_1 = \frac{g^2}{\sigma^2}\mathbb E[\phi(\phi - x\phi')]`.

    Derivation: by the self-consistency :math:`1 = g^2\sigma^{-2}\mathbb E[\phi^2]`, and
    :math:`A\beta_0 + \beta_1 = g^2\sigma^{-2}\mathbb E[\phi\phi'(uA + \sigma y)]
    = g^2\sigma^{-2}\mathbb E[\phi\phi' x]`. Subtract (paper eq. 15). The sign of
    :math:`\lambda_{out}` is therefore minus the sign of :math:`\phi(\phi - x\phi')` on average:

    * tanh (odd, concave for x > 0): :math:`\tanh x\,(\tanh x - x\,\mathrm{sech}^2 x) \ge 0`
      everywhere, so :math:`\lambda_{out} < 0` always;
    * ReLU :math:`\max(0, x-\theta)`: for :math:`x > \theta`,
      :math:`\phi(\phi - x\phi') = -\theta(x - \theta)`, negative for :math:`\theta > 0`
      (unstable), zero for :math:`\theta = 0` (marginal), positive for :math:`\theta < 0`.

    Returns
    -------
    lhs, rhs : float
        :math:`1 - A\beta_0 - \beta_1` and the quadrature of the right-hand side; they agree
        to the tolerance of the :math:`\sigma^2` iteration.
    """
    U, Y, Wq = _grid(mf.n_nodes)
    x = U * mf.A + mf.sigma * Y
    f, df = mf.phi.f(x), mf.phi.df(x)
    rhs = mf.g**2 / mf.sigma2 * float(Wq @ (f * (f - x * df)))
    return 1.0 - mf.A * mf.beta0 - mf.beta1, rhs


def winding_number(G, point: complex = 1.0) -> int:
    r"""How many times the closed curve :math:`G(\omega)` winds around ``point`` (counter-clockwise +).

    ``G`` is sampled along :math:`\omega` from large negative to large positive values; the
    curve is closed through the last and first samples (both near :math:`G(\pm\infty) = 0`).
    Nyquist: with a stable open loop, the loop :math:`z \to u z` (positive feedback, closed-loop
    poles at :math:`G_{OL}(s) = 1`) is unstable iff the curve encircles :math:`+1`; the number
    of unstable closed-loop poles equals the number of clockwise encirclements as
    :math:`\omega` increases, i.e. ``-winding_number(G, 1)``.

    Parameters
    ----------
    G : array_like, shape (n,)
        Complex samples; dense enough that consecutive samples change angle by < pi.
    point : complex
    """
    G = np.asarray(G, dtype=complex)
    if G.ndim != 1 or G.size < 3:
        raise ValueError(f"G must be a 1-D array of at least 3 samples, got shape {G.shape}")
    z = np.append(G, G[0]) - point
    if np.any(np.abs(z) == 0):
        raise ValueError("the curve passes through the point: the winding number is undefined")
    dtheta = np.angle(z[1:] / z[:-1])
    return int(np.rint(dtheta.sum() / (2 * np.pi)))
