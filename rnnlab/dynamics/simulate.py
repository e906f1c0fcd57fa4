r"""Trajectories of a system from one or many initial states.

Flows :math:`\dot x = F(x)` are integrated either by forward Euler with a fixed step,

.. math:: x_{t+\Delta t} = x_t + \Delta t\, F(x_t) \;(+ \sqrt{\Delta t}\,\sigma\,\xi_t),

(Euler-Maruyama when ``noise`` :math:`\sigma > 0`, :math:`\xi_t \sim \mathcal N(0, I)`), the
scheme of the networks in the course, or by ``scipy.integrate.solve_ivp`` (adaptive
RK45) when accuracy matters. Maps are iterated, :math:`x_{t+1} = G(x_t)` (+ :math:`\sigma\xi_t`).
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import as_states, positive_float
from rnnlab.dynamics.systems import DynamicalSystem

__all__ = ["simulate"]

METHODS = ("euler", "rk45")


@blas_limited
def simulate(
    system: DynamicalSystem,
    x0,
    duration: float,
    *,
    dt: float | None = None,
    method: str = "euler",
    noise: float = 0.0,
    seed: int | np.random.Generator | None = None,
    every: int = 1,
    rtol: float = 1e-8,
    atol: float = 1e-10,
) -> tuple[np.ndarray, np.ndarray]:
    """Simulate from ``x0`` for ``duration`` time units (flows) or steps (maps).

    Parameters
    ----------
    system : DynamicalSystem
    x0 : array_like, shape (N,) or (B, N)
    duration : float
        Total time; for a map, the number of iterations (an integer).
    dt : float, optional
        Euler step and output spacing (default 0.1); ignored for maps (always 1).
        With ``method='rk45'`` the output is sampled every ``dt``, the solver picks its
        own steps.
    method : {'euler', 'rk45'}
    noise : float
        Standard deviation :math:`\\sigma` of additive white noise (Euler and maps only).
    seed : int or Generator, optional
        Required when ``noise > 0``.
    every : int
        Keep every ``every``-th sample (saves memory for long, large simulations).
    rtol, atol : float
        Tolerances of ``solve_ivp``.

    Returns
    -------
    t : ndarray, shape (T,)
    x : ndarray, shape (T, N) for one initial state, (B, T, N) for a batch

    Examples
    --------
    >>> from rnnlab import ToySystem
    >>> t, x = simulate(ToySystem(), [0.1, 0.0], 30.0, method="rk45")
    >>> np.round(x[-1], 3)
    array([1. , 0.5])
    """
    if not isinstance(system, DynamicalSystem):
        raise TypeError(f"system must be an rnnlab DynamicalSystem, got {type(system).__name__}")
    X0, single = as_states(x0, system.dim, "x0")
    duration = positive_float(duration, "duration")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    noise = positive_float(noise, "noise", allow_zero=True)
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be a positive integer, got {every!r}")
    if noise > 0 and seed is None:
        raise ValueError("noise > 0 needs an explicit seed (an int or numpy Generator)")
    rng = np.random.default_rng(seed) if noise > 0 else None

    if system.discrete:
        if method != "euler":
            raise ValueError("a map is iterated; method='rk45' only applies to flows")
        if dt not in (None, 1, 1.0):
            raise ValueError(f"a map advances one step at a time; dt must be left out, got {dt}")
        if duration != int(duration):
            raise ValueError(
                f"for a map, duration is a number of steps (an integer), got {duration}"
            )
        n_steps, dt = int(duration), 1.0
    else:
        dt = 0.1 if dt is None else positive_float(dt, "dt")
        n_steps = round(duration / dt)
        if n_steps < 1 or abs(n_steps * dt - duration) > 1e-9 * max(1.0, duration):
            raise ValueError(f"duration ({duration}) must be a whole number of steps dt ({dt})")

    if method == "rk45":
        if noise > 0:
            raise ValueError("noise needs method='euler' (solve_ivp integrates deterministic ODEs)")
        X = _solve_ivp(system, X0, n_steps, dt, rtol, atol)[:, ::every]
    else:
        X = _iterate(system, X0, n_steps, dt, noise, rng, every)
    t = np.arange(0, n_steps + 1, every) * dt
    return t, (X[0] if single else X)


def _iterate(system, X0, n_steps, dt, noise, rng, every):
    B, N = X0.shape
    out = np.empty((B, n_steps // every + 1, N))
    x = X0.copy()
    out[:, 0] = x
    sd = noise * (1.0 if system.discrete else np.sqrt(dt))
    for step in range(1, n_steps + 1):
        # Divergence is reported below with a clear error, not as numpy overflow warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            x = x + system._rhs(x) if system.discrete else x + dt * system._rhs(x)
        if noise > 0:
            x += sd * rng.standard_normal(x.shape)
        if not np.all(np.isfinite(x)):
            raise FloatingPointError(
                f"the state diverged (non-finite) at step {step}; try a smaller dt"
            )
        if step % every == 0:
            out[:, step // every] = x
    return out


def _solve_ivp(system, X0, n_steps, dt, rtol, atol):
    B, N = X0.shape
    t_eval = np.arange(n_steps + 1) * dt

    def fun(_t, y):
        return system._rhs(y.reshape(B, N)).ravel()

    sol = solve_ivp(fun, (0.0, t_eval[-1]), X0.ravel(), t_eval=t_eval, rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    return sol.y.reshape(B, N, -1).transpose(0, 2, 1)
