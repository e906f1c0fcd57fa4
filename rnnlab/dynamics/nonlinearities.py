r"""Rate nonlinearities :math:`\phi` with their first two derivatives.

The Jacobian of a rate network needs :math:`\phi'`; the exact Hessian of the speed
:math:`q` and the mean-field theory need :math:`\phi''` as well. Each nonlinearity is a
small immutable object holding the three functions, so a system never has to
differentiate anything numerically.

=============  ==========================  ===========================  ============================
name           :math:`\phi(x)`             :math:`\phi'(x)`             :math:`\phi''(x)`
=============  ==========================  ===========================  ============================
``tanh``       :math:`\tanh x`             :math:`1 - \tanh^2 x`        :math:`-2\tanh x\,(1-\tanh^2 x)`
``logistic``   :math:`1/(1+e^{-x})`        :math:`\phi(1-\phi)`         :math:`\phi'(1-2\phi)`
``relu``       :math:`\max(0, x-\theta)`   :math:`[x>\theta]`           :math:`0` (almost everywhere)
``linear``     :math:`x`                   :math:`1`                    :math:`0`
=============  ==========================  ===========================  ============================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

__all__ = ["NONLINEARITIES", "Nonlinearity", "nonlinearity"]

NONLINEARITIES = ("tanh", "logistic", "relu", "linear")

Array = np.ndarray


@dataclass(frozen=True)
class Nonlinearity:
    """A rate function with its first and second derivative.

    Attributes
    ----------
    name : str
        One of :data:`NONLINEARITIES`.
    f, df, d2f : callable
        :math:`\\phi`, :math:`\\phi'` and :math:`\\phi''`, elementwise on arrays.
    threshold : float
        The ReLU threshold :math:`\\theta` (0 for the others).
    odd : bool
        Whether :math:`\\phi(-x) = -\\phi(x)`; then a network without bias or input has
        fixed points in :math:`\\pm` pairs.
    """

    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array], Array]
    d2f: Callable[[Array], Array]
    threshold: float = 0.0
    odd: bool = False

    def __call__(self, x: Array) -> Array:
        return self.f(x)

    def __repr__(self) -> str:
        if self.name == "relu":
            return f"Nonlinearity('relu', threshold={self.threshold:g})"
        return f"Nonlinearity({self.name!r})"


def _tanh_d1(x: Array) -> Array:
    t = np.tanh(x)
    return 1.0 - t * t


def _tanh_d2(x: Array) -> Array:
    t = np.tanh(x)
    return -2.0 * t * (1.0 - t * t)


def _logistic_d1(x: Array) -> Array:
    s = expit(x)
    return s * (1.0 - s)


def _logistic_d2(x: Array) -> Array:
    s = expit(x)
    return s * (1.0 - s) * (1.0 - 2.0 * s)


def nonlinearity(name: str | Nonlinearity, threshold: float = 0.0) -> Nonlinearity:
    """Look up a nonlinearity by name.

    Parameters
    ----------
    name : {'tanh', 'logistic', 'relu', 'linear'} or Nonlinearity
        A name, or an existing :class:`Nonlinearity` (returned unchanged).
    threshold : float, optional
        :math:`\\theta` of ``relu``: :math:`\\phi(x) = \\max(0, x - \\theta)`. Only
        allowed for ``relu``.

    Returns
    -------
    Nonlinearity

    Examples
    --------
    >>> phi = nonlinearity("relu", threshold=0.5)
    >>> phi(np.array([0.0, 1.0]))
    array([0. , 0.5])
    """
    if isinstance(name, Nonlinearity):
        if threshold != 0.0:
            raise ValueError("threshold can only be given with a nonlinearity name, not an object")
        return name
    if not isinstance(name, str) or name not in NONLINEARITIES:
        raise ValueError(f"phi must be one of {NONLINEARITIES}, got {name!r}")
    threshold = float(threshold)
    if not np.isfinite(threshold):
        raise ValueError(f"threshold must be a finite number, got {threshold}")
    if threshold != 0.0 and name != "relu":
        raise ValueError(f"threshold is only defined for 'relu', not for {name!r}")
    if name == "tanh":
        return Nonlinearity("tanh", np.tanh, _tanh_d1, _tanh_d2, odd=True)
    if name == "logistic":
        return Nonlinearity("logistic", expit, _logistic_d1, _logistic_d2)
    if name == "linear":
        return Nonlinearity(
            "linear",
            lambda x: np.array(x, dtype=float),
            lambda x: np.ones_like(x, dtype=float),
            lambda x: np.zeros_like(x, dtype=float),
            odd=True,
        )
    theta = threshold
    return Nonlinearity(
        "relu",
        lambda x: np.maximum(0.0, x - theta),
        lambda x: (x > theta).astype(float),
        lambda x: np.zeros_like(x, dtype=float),
        threshold=theta,
    )
