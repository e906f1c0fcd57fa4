r"""Training the readout of an echo state network: FORCE (online) and ridge (offline).

**FORCE** (Sussillo & Abbott 2009) adapts :math:`W_o` by recursive least squares while the
network runs in closed loop, keeping the output error small from the start. Every
``update_every`` steps, with :math:`r` and :math:`z = W_o r` computed before the state is
integrated (Jang eqs. 24-27):

.. math::

    k = P r, \qquad c = \frac{1}{1 + r^\top k}, \qquad P \leftarrow P - c\,k k^\top, \qquad
    e = z - y, \qquad W_o \leftarrow W_o - c\, e\, k^\top,

starting from :math:`P_0 = I/\alpha` and :math:`W_o = 0`. :math:`P` estimates the inverse
correlation matrix of the rates. The :math:`N \times N` rank-one update is done in place on
one triangle of the symmetric :math:`P` (BLAS ``dsyr``; ``P -= c * np.outer(k, k)`` would
allocate 8 MB per step at N = 1000), with BLAS on one thread.

**Ridge** regression with teacher forcing: feed the *target* back instead of the output,
collect the rates, and solve :math:`W_o = Y R^\top (R R^\top + \lambda I)^{-1}`. Fast, but the
closed loop it produces is only stable if noise is added to the fed-back target during
training (COURSE §3 measured divergence without it, accuracy 0.99 with σ = 0.5).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.linalg import blas

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.progress import progress_bar
from rnnlab._internal.validation import as_matrix, as_vector, positive_float, positive_int
from rnnlab.models.esn import ESN

__all__ = ["ForceHistory", "evaluate", "fit_ridge", "train_force"]


@dataclass
class ForceHistory:
    """What happened during FORCE training.

    Attributes
    ----------
    outputs : ndarray, shape (T, n_out)
        :math:`z_t` during training (before each update).
    targets : ndarray, shape (T, n_out)
    error : ndarray, shape (T,)
        :math:`\\frac{1}{n_{out}}|z_t - y_t|^2`.
    update_steps : ndarray of int, shape (n_updates,)
    readout_norm : ndarray, shape (n_updates,)
        :math:`\\|W_o\\|_F` after each update.
    snapshots : ndarray, shape (n_snapshots, n_out, N)
        Readouts every ``snapshot_every`` updates, the first the initial (zero) readout.
    snapshot_updates : ndarray of int, shape (n_snapshots,)
        How many updates each snapshot had seen.
    seconds : float
        Wall-clock time of the training loop.
    """

    outputs: np.ndarray
    targets: np.ndarray
    error: np.ndarray
    update_steps: np.ndarray
    readout_norm: np.ndarray
    snapshots: np.ndarray
    snapshot_updates: np.ndarray
    seconds: float


def _check_sequence(esn: ESN, inputs, targets):
    if not isinstance(esn, ESN):
        raise TypeError(f"esn must be an rnnlab.ESN, got {type(esn).__name__}")
    U = as_matrix(inputs, "inputs", shape=(None, esn.n_in))
    Y = as_matrix(targets, "targets", shape=(len(U), esn.n_out))
    return U, Y


@blas_limited
def train_force(
    esn: ESN,
    inputs,
    targets,
    *,
    alpha: float = 1.0,
    update_every: int = 2,
    snapshot_every: int = 100,
    x0=None,
    W_o0=None,
    progress: bool = False,
) -> ForceHistory:
    """Train ``esn.W_o`` by FORCE on one sequence; the network's readout is replaced.

    Parameters
    ----------
    esn : ESN
    inputs : array_like, shape (T, n_in)
    targets : array_like, shape (T, n_out)
    alpha : float
        :math:`P_0 = I/\\alpha`: larger :math:`\\alpha`, slower and smoother learning.
    update_every : int
        Steps between RLS updates.
    snapshot_every : int
        Updates between stored readout snapshots (for the evolution of the phase portrait).
    x0 : array_like, shape (N,), optional
        Initial state (default ``esn.x0``).
    W_o0 : array_like, shape (n_out, N), optional
        Readout to start from (default zero), e.g. the current ``esn.W_o`` to continue
        training a transferred network; :math:`P` starts at :math:`I/\alpha` either way.
    progress : bool
        Show a progress bar (tqdm; a notebook widget in Jupyter).

    Returns
    -------
    ForceHistory
        The first snapshot is the starting readout.
    """
    U, Y = _check_sequence(esn, inputs, targets)
    alpha = positive_float(alpha, "alpha")
    every = positive_int(update_every, "update_every")
    snap_every = positive_int(snapshot_every, "snapshot_every")
    N, T = esn.N, len(U)

    P = np.asfortranarray(np.eye(N) / alpha)  # only its upper triangle is kept up to date
    if W_o0 is None:
        W_o = np.zeros((esn.n_out, N), order="F")
    else:
        W_o = np.asfortranarray(as_matrix(W_o0, "W_o0", shape=(esn.n_out, N)).copy())
    x = esn.x0.copy() if x0 is None else as_vector(x0, "x0", size=N).copy()
    W_r, W_fb, f = esn.W_r, esn.W_fb, esn.phi.f
    drive = U @ esn.B.T

    outputs = np.empty((T, esn.n_out))
    update_steps = np.arange(0, T, every)
    norms = np.empty(len(update_steps))
    snapshots = [W_o.copy()]
    snapshot_updates = [0]
    bar = progress_bar(T, "FORCE") if progress else None
    n_up = 0
    start = time.perf_counter()
    for t in range(T):
        r = f(x)
        z = W_o @ r
        outputs[t] = z
        if t % every == 0:
            k = blas.dsymv(1.0, P, r)  # P r from the upper triangle
            c = 1.0 / (1.0 + r @ k)
            blas.dsyr(-c, k, a=P, overwrite_a=True)  # P -= c k k^T, in place
            blas.dger(-c, z - Y[t], k, a=W_o, overwrite_a=True)  # W_o -= c e k^T
            norms[n_up] = np.sqrt(np.sum(W_o * W_o))
            n_up += 1
            if n_up % snap_every == 0:
                snapshots.append(W_o.copy())
                snapshot_updates.append(n_up)
        esn.euler_step(x, W_r @ r + W_fb @ z + drive[t])
        if bar is not None and (t + 1) % 1000 == 0:
            bar.update(1000)
    seconds = time.perf_counter() - start
    if bar is not None:
        bar.update(T - bar.n)
        bar.close()

    esn.set_readout(np.ascontiguousarray(W_o))
    error = np.mean((outputs - Y) ** 2, axis=1)
    return ForceHistory(
        outputs=outputs,
        targets=Y,
        error=error,
        update_steps=update_steps,
        readout_norm=norms,
        snapshots=np.array(snapshots),
        snapshot_updates=np.array(snapshot_updates),
        seconds=seconds,
    )


@blas_limited
def fit_ridge(
    esn: ESN,
    inputs,
    targets,
    *,
    noise: float = 0.5,
    ridge: float = 1e-4,
    washout: int = 100,
    seed: int | np.random.Generator,
) -> np.ndarray:
    """Fit ``esn.W_o`` by ridge regression with the (noisy) target fed back; returns it.

    Parameters
    ----------
    esn : ESN
    inputs : array_like, shape (T, n_in)
    targets : array_like, shape (T, n_out)
    noise : float
        Standard deviation of Gaussian noise added to the fed-back target. Without it the
        closed loop is typically unstable: the readout never saw its own errors.
    ridge : float
        :math:`\\lambda`, in units of the mean squared rate times T.
    washout : int
        Initial steps left out of the fit.
    seed : int or Generator
        For the noise.
    """
    U, Y = _check_sequence(esn, inputs, targets)
    noise = positive_float(noise, "noise", allow_zero=True)
    ridge = positive_float(ridge, "ridge", allow_zero=True)
    if (
        isinstance(washout, bool)
        or not isinstance(washout, int | np.integer)
        or not 0 <= washout < len(U)
    ):
        raise ValueError(f"washout must be an integer in [0, {len(U)}), got {washout!r}")
    rng = np.random.default_rng(seed)
    fed = Y + noise * rng.standard_normal(Y.shape)
    x = esn.x0.copy()
    f = esn.phi.f
    drive = U @ esn.B.T + fed @ esn.W_fb.T
    R = np.empty((len(U), esn.N))
    for t in range(len(U)):
        r = f(x)
        R[t] = r
        esn.euler_step(x, esn.W_r @ r + drive[t])
    R, Yw = R[washout:], Y[washout:]
    G = R.T @ R
    lam = ridge * np.trace(G) / esn.N
    W_o = np.linalg.solve(G + lam * np.eye(esn.N), R.T @ Yw).T
    esn.set_readout(W_o)
    return esn.W_o


def evaluate(esn: ESN, inputs, targets, *, settle: int = 30, x0=None) -> dict[str, float]:
    """Frozen-weight performance on a sequence.

    Parameters
    ----------
    esn : ESN
    inputs, targets : array_like, shapes (T, n_in), (T, n_out)
        A *fresh* sequence: the training error is low by construction.
    settle : int
        Steps after any pulse excluded from the settled accuracy.

    Returns
    -------
    dict
        ``mse``: mean squared error; ``accuracy``: fraction of (step, bit) with
        sign(z) = target, over entries whose target is nonzero; ``settled_accuracy``: the
        same over steps more than ``settle`` steps after any input pulse (it measures whether
        memories are held, not how fast they flip: with tau = 10 every flip costs a few
        wrong steps).
    """
    U, Y = _check_sequence(esn, inputs, targets)
    settle = positive_int(settle, "settle")
    _, Z = esn.run(U, x0=x0)
    defined = Y != 0
    right = (np.sign(Z) == np.sign(Y)) & defined
    active = np.any(U != 0, axis=1)
    recent = np.convolve(active.astype(float), np.ones(settle + 1))[: len(U)] > 0
    settled = defined & ~recent[:, None]
    return {
        "mse": float(np.mean((Z - Y) ** 2)),
        "accuracy": float(right.sum() / max(defined.sum(), 1)),
        "settled_accuracy": float((right & settled).sum() / max(settled.sum(), 1)),
    }
