r"""Echo state network with output feedback (Jang eqs. 22-23, Table 1).

.. math::

    r = \phi(x), \qquad z = W_o r, \qquad
    x \leftarrow x + \frac{\Delta t}{\tau}\left(-x + W_r r + W_{fb} z + B u\right),

with :math:`W_r \sim \mathcal N(0, g^2/N)` dense, :math:`W_{fb}, B \sim U(-1, 1)`,
:math:`W_o = 0` before training and :math:`x_0 = 0.5\,\mathcal N(0, 1)`. Only the readout
:math:`W_o` is trained (:mod:`rnnlab.models.force`). With the readout fed back, the network is
the rate RNN :math:`\dot x = -x + W_c \phi(x) + Bu` with :math:`W_c = W_r + W_{fb} W_o`
(:meth:`ESN.closed_loop`), whose fixed points are the network's memories.

Everything is regenerated from ``seed``, so a trained network is its configuration, its
seed and its readout (:meth:`ESN.save`, :meth:`ESN.load`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import (
    as_matrix,
    as_state_stack,
    as_vector,
    positive_float,
    positive_int,
)
from rnnlab.dynamics.nonlinearities import nonlinearity
from rnnlab.dynamics.systems import RateRNN, esn_closed_loop

__all__ = ["ESN"]


class ESN:
    """An echo state network with output feedback.

    Parameters
    ----------
    N : int
        Reservoir units (Jang: 1000).
    n_in, n_out : int
        Input channels and readouts (3 and 3 for the 3-bit flip-flop).
    g : float
        Gain of the reservoir (Jang: 1.5; see chapter 03 for why this course uses less).
    dt_over_tau : float
        Euler step in units of the time constant (Jang: 0.1, i.e. tau = 10 steps).
    phi : {'tanh', 'logistic'}
        Rate nonlinearity.
    seed : int
        Draws W_r, W_fb, B and x0.

    Attributes
    ----------
    W_r : ndarray, shape (N, N)
    W_fb : ndarray, shape (N, n_out)
    B : ndarray, shape (N, n_in)
    W_o : ndarray, shape (n_out, N)
        The readout; zeros until trained.
    x0 : ndarray, shape (N,)
    """

    def __init__(
        self,
        N: int = 1000,
        n_in: int = 3,
        n_out: int = 3,
        *,
        g: float = 1.5,
        dt_over_tau: float = 0.1,
        phi: str = "tanh",
        seed: int,
    ):
        self.N = positive_int(N, "N")
        self.n_in = positive_int(n_in, "n_in")
        self.n_out = positive_int(n_out, "n_out")
        self.g = positive_float(g, "g", allow_zero=True)
        self.dt_over_tau = positive_float(dt_over_tau, "dt_over_tau")
        if self.dt_over_tau > 1:
            raise ValueError(
                f"dt_over_tau must be at most 1 for a stable Euler step, got {dt_over_tau}"
            )
        if phi not in ("tanh", "logistic"):
            raise ValueError(f"phi must be 'tanh' or 'logistic', got {phi!r}")
        self.phi = nonlinearity(phi)
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            raise TypeError(
                f"seed must be an integer (the network is regenerated from it), got {seed!r}"
            )
        self.seed = int(seed)
        rng = np.random.default_rng(self.seed)
        self.W_r = rng.normal(0.0, self.g / np.sqrt(self.N), size=(self.N, self.N))
        self.W_fb = rng.uniform(-1.0, 1.0, size=(self.N, self.n_out))
        self.B = rng.uniform(-1.0, 1.0, size=(self.N, self.n_in))
        self.x0 = 0.5 * rng.standard_normal(self.N)
        self.W_o = np.zeros((self.n_out, self.N))

    # -- dynamics ------------------------------------------------------------------------
    def set_readout(self, W_o) -> None:
        """Replace the readout (e.g. with a snapshot from training)."""
        self.W_o = as_matrix(W_o, "W_o", shape=(self.n_out, self.N))

    @blas_limited
    def run(self, inputs, *, x0=None, W_o=None) -> tuple[np.ndarray, np.ndarray]:
        """Run the closed loop with a frozen readout.

        Parameters
        ----------
        inputs : array_like, shape (T, n_in)
        x0 : array_like, shape (N,), optional
            Initial state (default ``self.x0``).
        W_o : array_like, shape (n_out, N), optional
            Readout to use (default ``self.W_o``).

        Returns
        -------
        states : ndarray, shape (T, N)
            :math:`x_t`, the state when the input :math:`u_t` arrives.
        outputs : ndarray, shape (T, n_out)
            :math:`z_t = W_o \\phi(x_t)`.
        """
        U = as_matrix(inputs, "inputs", shape=(None, self.n_in))
        W_o = self.W_o if W_o is None else as_matrix(W_o, "W_o", shape=(self.n_out, self.N))
        x = self.x0.copy() if x0 is None else as_vector(x0, "x0", size=self.N).copy()
        T = len(U)
        states = np.empty((T, self.N))
        outputs = np.empty((T, self.n_out))
        # The feedback folds into one matrix: W_r r + W_fb W_o r = W_c r.
        W_c = self.W_r + self.W_fb @ W_o
        drive = U @ self.B.T
        f = self.phi.f
        for t in range(T):
            r = f(x)
            states[t] = x
            outputs[t] = W_o @ r
            self.euler_step(x, W_c @ r + drive[t])
        return states, outputs

    def euler_step(self, x: np.ndarray, current: np.ndarray) -> np.ndarray:
        r"""One Euler step of the rate equation, in place: the one update every loop uses.

        .. math::

            x \leftarrow x + \frac{\Delta t}{\tau}\,\bigl(-x + I\bigr),

        with the recurrent, feedback and input current :math:`I` (for the closed loop
        :math:`I = W_r\phi(x) + W_{fb} z + B u`). ``x`` is a float array of shape ``(N,)`` or
        ``(B, N)``, updated in place and returned; ``current`` has its shape. No checks:
        this runs inside the training and simulation loops.
        """
        x += self.dt_over_tau * (current - x)
        return x

    def closed_loop(self, u=None, W_o=None) -> RateRNN:
        """The trained network as a rate RNN, :math:`F = -x + (W_r + W_{fb}W_o)\\phi(x) + Bu`.

        Parameters
        ----------
        u : array_like, shape (n_in,), optional
            Constant input (default: none, the memories' resting state).
        W_o : array_like, optional
            Readout (default ``self.W_o``).
        """
        W_o = self.W_o if W_o is None else W_o
        if u is None:
            return esn_closed_loop(self.W_r, self.W_fb, W_o, phi=self.phi)
        return esn_closed_loop(self.W_r, self.W_fb, W_o, B=self.B, u=u, phi=self.phi)

    def readout(self, x) -> np.ndarray:
        """:math:`z = W_o \\phi(x)` for states ``(N,)`` or ``(..., N)``."""
        return self.phi.f(as_state_stack(x, self.N, "x")) @ self.W_o.T

    # -- persistence ---------------------------------------------------------------------
    def config(self) -> dict:
        """What regenerates the untrained network."""
        return {
            "N": self.N,
            "n_in": self.n_in,
            "n_out": self.n_out,
            "g": self.g,
            "dt_over_tau": self.dt_over_tau,
            "phi": self.phi.name,
            "seed": self.seed,
        }

    def save(self, path: str | Path) -> None:
        """Save configuration, seed and readout to a small ``.npz`` file.

        The random matrices are regenerated from the seed on :meth:`load`; a SHA-256 of
        :math:`W_r` guards against a numpy that draws differently.
        """
        with open(path, "wb") as fh:  # a file object: numpy would append ".npz" to a name
            np.savez_compressed(
                fh,
                W_o=self.W_o,
                checksum=weights_checksum(self.W_r),
                **{k: np.asarray(v) for k, v in self.config().items()},
            )

    @classmethod
    def load(cls, path: str | Path) -> ESN:
        """Load a network written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            cfg = {
                k: data[k].item() for k in ("N", "n_in", "n_out", "g", "dt_over_tau", "phi", "seed")
            }
            esn = cls(cfg.pop("N"), cfg.pop("n_in"), cfg.pop("n_out"), **cfg)
            if weights_checksum(esn.W_r) != str(data["checksum"]):
                raise RuntimeError(
                    f"{path}: the reservoir regenerated from seed {esn.seed} differs from the saved one "
                    "(a different numpy random generator?)"
                )
            esn.set_readout(data["W_o"])
        return esn

    def __repr__(self) -> str:
        trained = "trained" if np.any(self.W_o) else "untrained"
        return f"ESN(N={self.N}, n_in={self.n_in}, n_out={self.n_out}, g={self.g:g}, phi={self.phi.name!r}, seed={self.seed}, {trained})"


def weights_checksum(W: np.ndarray) -> str:
    """SHA-256 of a weight matrix's bytes: saved with a network so a reload can be verified."""
    return hashlib.sha256(np.ascontiguousarray(W).tobytes()).hexdigest()
