r"""Adam: a gradient step scaled per parameter by running moments of the gradient.

For every parameter array :math:`\theta` with gradient :math:`g_t` at step :math:`t`
(Kingma & Ba 2014, Algorithm 1):

.. math::

    m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
    v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2, \\
    \hat m_t &= m_t / (1 - \beta_1^t), \qquad \hat v_t = v_t / (1 - \beta_2^t), \\
    \theta_t &= \theta_{t-1} - \eta\, \hat m_t / (\sqrt{\hat v_t} + \epsilon).

The parameters are a dict of named numpy arrays, updated **in place**, so a model that
holds the same arrays (``model.params``) sees every step. The learning rate
:math:`\eta` is the attribute ``lr`` and may be changed between steps.

References
----------
.. [1] D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015,
   arXiv:1412.6980.
"""

from __future__ import annotations

import numpy as np

from rnnlab._internal.validation import positive_float

__all__ = ["Adam"]


class Adam:
    """Adam over a dict of named parameter arrays, updated in place.

    Parameters
    ----------
    params : dict of str to ndarray
        The arrays to train (float64; updated in place by :meth:`step`).
    lr : float
        Learning rate :math:`\\eta`.
    beta1, beta2 : float
        Decay rates of the first and second moments, in [0, 1).
    eps : float
        :math:`\\epsilon`, keeps the step finite where :math:`\\hat v = 0`.

    Attributes
    ----------
    t : int
        Steps taken.
    m, v : dict of str to ndarray
        First and second moment estimates, shaped like the parameters.

    Examples
    --------
    Minimise :math:`\\frac12 |x - 3|^2`:

    >>> x = {"x": np.zeros(2)}
    >>> opt = Adam(x, lr=0.1)
    >>> for _ in range(500):
    ...     opt.step({"x": x["x"] - 3.0})
    >>> np.round(x["x"], 3)
    array([3., 3.])
    """

    def __init__(
        self,
        params: dict[str, np.ndarray],
        *,
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ):
        if not isinstance(params, dict) or not params:
            raise TypeError("params must be a non-empty dict of named numpy arrays")
        for name, p in params.items():
            if not isinstance(p, np.ndarray) or p.dtype != np.float64:
                raise TypeError(
                    f"params[{name!r}] must be a float64 numpy array (updated in place), "
                    f"got {type(p).__name__}"
                    + (f" of dtype {p.dtype}" if isinstance(p, np.ndarray) else "")
                )
        for value, name in ((beta1, "beta1"), (beta2, "beta2")):
            positive_float(value, name, allow_zero=True)
            if value >= 1:
                raise ValueError(f"{name} must be in [0, 1), got {value}")
        self.params = params
        self.lr = positive_float(lr, "lr")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.eps = positive_float(eps, "eps")
        self.t = 0
        self.m = {k: np.zeros_like(p) for k, p in params.items()}
        self.v = {k: np.zeros_like(p) for k, p in params.items()}

    def step(self, grads: dict[str, np.ndarray]) -> None:
        """Take one Adam step with the gradients ``grads`` (same names and shapes as params)."""
        if set(grads) != set(self.params):
            raise ValueError(
                f"grads must have the same names as params {sorted(self.params)}, got {sorted(grads)}"
            )
        self.t += 1
        correct1 = 1.0 - self.beta1**self.t  # bias corrections: m and v start at 0
        correct2 = 1.0 - self.beta2**self.t
        for name, p in self.params.items():
            g = grads[name]
            if g.shape != p.shape:
                raise ValueError(f"grads[{name!r}] must have shape {p.shape}, got {g.shape}")
            m, v = self.m[name], self.v[name]
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            p -= self.lr * (m / correct1) / (np.sqrt(v / correct2) + self.eps)

    def state_dict(self) -> dict:
        """Step count and moments (copies), e.g. to resume training."""
        return {
            "t": self.t,
            "m": {k: a.copy() for k, a in self.m.items()},
            "v": {k: a.copy() for k, a in self.v.items()},
        }

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, t={self.t})"
