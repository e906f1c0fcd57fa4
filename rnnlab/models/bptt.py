r"""A discrete-time tanh RNN trained by truncated backpropagation through time.

The network of the delayed flip-flop paper ("An investigation of memory in recurrent
neural networks", ICML 2019 workshop):

.. math::

    a_t = W S_{t-1} + W_{in} X_t, \qquad S_t = \tanh(a_t), \qquad
    z_t = W_{out} S_t, \qquad Y_t = \tanh(z_t),

with :math:`N` hidden units, a fixed random input matrix :math:`W_{in}` and only
:math:`W` and :math:`W_{out}` trained (Adam, :mod:`rnnlab.models.adam`). The loss of a window of
:math:`T` steps and :math:`B` sequences is the mean squared error

.. math::

    L = \frac{1}{B T n_{out}} \sum_{b, t, k} \left(Y_{t,k} - c\, y^*_{t,k}\right)^2 ,

where :math:`y^* = \pm 1` are the task's targets and :math:`c` is ``target_scale``.

**Why a tanh readout with targets** :math:`\pm 0.9`. The paper's readout is a tanh, and
its bounded output is part of the story (it lets the trajectory overshoot a memory
without the output overshooting). But :math:`\tanh(z) = \pm 1` needs :math:`|z| = \infty`:
with :math:`\pm 1` targets the gradient never vanishes and :math:`W_{out}` grows without
bound. Scaling the targets to :math:`\pm 0.9` (``target_scale=0.9``) makes them
reachable at a finite :math:`z = \pm 1.47`. ``readout="linear"`` (:math:`Y = z`, targets
:math:`\pm 1`) is offered for comparison.

**Backward pass** (read it against :meth:`TanhRNN.forward`, from the last step back):

.. math::

    \delta Y_t &= \partial L / \partial Y_t = \tfrac{2}{B T n_{out}} (Y_t - c\, y^*_t) \\
    \delta z_t &= \delta Y_t \odot (1 - Y_t^2)
        \quad (\text{tanh readout; } \delta z_t = \delta Y_t \text{ if linear}) \\
    \partial L / \partial W_{out} &= \textstyle\sum_t \delta z_t\, S_t^\top \\
    \delta S_t &= W_{out}^\top \delta z_t + W^\top \delta a_{t+1}, \qquad
        \delta a_{T+1} = 0 \\
    \delta a_t &= \delta S_t \odot (1 - S_t^2) \\
    \partial L / \partial W &= \textstyle\sum_t \delta a_t\, S_{t-1}^\top .

**Stateful truncation.** Training cuts a long stream into consecutive windows of
``unroll`` steps. Each window starts from the state the previous one ended in
(:math:`S_0` of a window is the last state of the one before), so the network sees an
unbroken stream; but :math:`S_0` is treated as a constant, :math:`\delta a_{T+1} = 0`
cuts the gradient at the window's end, and nothing flows into the previous window. An
error at step :math:`t` can then only be blamed on inputs inside its window: with a
target delayed by :math:`\Delta` steps the window must be longer than :math:`\Delta`
(:func:`flipflop_windows` refuses otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import as_matrix, check_real, positive_float, positive_int
from rnnlab.dynamics.systems import TanhMap
from rnnlab.models.training_loop import TrainingHistory, train
from rnnlab.tasks.flipflop import FlipFlopTask

__all__ = ["TanhRNN", "bit_accuracy", "flipflop_windows", "train_flipflop"]

_READOUTS = ("tanh", "linear")


class TanhRNN:
    r"""Discrete-time tanh RNN :math:`S_t = \tanh(W S_{t-1} + W_{in} X_t)`, :math:`Y_t = \tanh(W_{out} S_t)`.

    Initialisation as in the paper's appendix: entries uniform in
    :math:`\pm 1/\sqrt{n_{in}}` for :math:`W_{in}` and :math:`\pm 1/\sqrt N` for :math:`W`
    and :math:`W_{out}`.

    Parameters
    ----------
    N : int
        Hidden units.
    n_in, n_out : int
        Input and output channels.
    seed : int or numpy.random.Generator
        Draws the initial weights (required).
    readout : {"tanh", "linear"}
        :math:`Y = \tanh(z)` or :math:`Y = z`.
    target_scale : float, optional
        :math:`c`, targets are :math:`c\, y^*`; default 0.9 for tanh, 1 for linear.

    Attributes
    ----------
    params : dict
        ``{"W": (N, N), "W_out": (n_out, N)}``, the trained arrays (Adam updates them in place).
    W_in : ndarray, shape (N, n_in)
        Fixed input weights.
    info : dict
        Scalars saved with the weights (e.g. the delay trained for).

    Examples
    --------
    >>> net = TanhRNN(20, seed=0)
    >>> states, outputs = net.forward(np.zeros((5, 3)))
    >>> states.shape, outputs.shape
    ((5, 20), (5, 3))
    >>> loss, grads, last = net.loss_and_grad((np.zeros((2, 5, 3)), np.ones((2, 5, 3))))
    >>> grads["W"].shape, grads["W_out"].shape, last.shape
    ((20, 20), (3, 20), (2, 20))
    """

    def __init__(
        self,
        N: int = 100,
        n_in: int = 3,
        n_out: int = 3,
        *,
        seed: int | np.random.Generator,
        readout: str = "tanh",
        target_scale: float | None = None,
    ):
        self.N = positive_int(N, "N")
        self.n_in = positive_int(n_in, "n_in")
        self.n_out = positive_int(n_out, "n_out")
        if readout not in _READOUTS:
            raise ValueError(f"readout must be one of {_READOUTS}, got {readout!r}")
        self.readout = readout
        if target_scale is None:
            target_scale = 0.9 if readout == "tanh" else 1.0
        self.target_scale = positive_float(target_scale, "target_scale")
        if readout == "tanh" and self.target_scale >= 1:
            raise ValueError(
                f"target_scale must be < 1 with a tanh readout (tanh never reaches ±1), got {target_scale}"
            )
        rng = np.random.default_rng(seed)
        a_in, a = 1 / np.sqrt(self.n_in), 1 / np.sqrt(self.N)
        self.W_in = rng.uniform(-a_in, a_in, size=(self.N, self.n_in))
        self.params = {
            "W": rng.uniform(-a, a, size=(self.N, self.N)),
            "W_out": rng.uniform(-a, a, size=(self.n_out, self.N)),
        }
        self.info: dict = {}

    @property
    def W(self) -> np.ndarray:
        """Recurrent weights, shape (N, N)."""
        return self.params["W"]

    @property
    def W_out(self) -> np.ndarray:
        """Readout weights, shape (n_out, N)."""
        return self.params["W_out"]

    # ---------------------------------------------------------------- forward / backward
    def _check_inputs(self, inputs, state0):
        X = np.asarray(inputs)
        check_real(X, "inputs")
        single = X.ndim == 2
        if single:
            X = X[None]
        if X.ndim != 3 or X.shape[2] != self.n_in:
            raise ValueError(
                f"inputs must have shape (T, {self.n_in}) or (B, T, {self.n_in}), got {np.shape(inputs)}"
            )
        X = X.astype(np.float64, copy=False)
        if not np.all(np.isfinite(X)):
            raise ValueError("inputs contain NaN or inf")
        if state0 is None:
            S0 = np.zeros((X.shape[0], self.N))
        else:
            S0 = np.asarray(state0)
            check_real(S0, "state0")
            S0 = S0.astype(np.float64)
            if not np.all(np.isfinite(S0)):
                raise ValueError("state0 contains NaN or inf")
            S0 = S0[None] if S0.ndim == 1 else S0
            if S0.shape != (X.shape[0], self.N):
                raise ValueError(
                    f"state0 must have shape ({self.N},) or ({X.shape[0]}, {self.N}), "
                    f"got {np.shape(state0)}"
                )
        return X, S0, single

    def forward(self, inputs, state0=None) -> tuple[np.ndarray, np.ndarray]:
        """Run the network.

        Parameters
        ----------
        inputs : array_like, shape (B, T, n_in) or (T, n_in)
        state0 : array_like, shape (B, N) or (N,), optional
            :math:`S_0` (default zeros).

        Returns
        -------
        states : ndarray, shape (B, T, N) or (T, N)
            :math:`S_1, \\dots, S_T`.
        outputs : ndarray, shape (B, T, n_out) or (T, n_out)
            :math:`Y_1, \\dots, Y_T`.
        """
        X, S0, single = self._check_inputs(inputs, state0)
        S, Y = self._forward(X, S0)
        return (S[0], Y[0]) if single else (S, Y)

    run = forward

    def _forward(self, X: np.ndarray, S0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        W, W_out = self.params["W"], self.params["W_out"]
        drive = X @ self.W_in.T  # W_in X_t for every t at once, (B, T, N)
        S = np.empty((X.shape[0], X.shape[1], self.N))
        prev = S0
        for t in range(X.shape[1]):
            prev = S[:, t] = np.tanh(prev @ W.T + drive[:, t])  # S_t = tanh(W S_{t-1} + W_in X_t)
        Z = S @ W_out.T  # z_t = W_out S_t
        Y = np.tanh(Z) if self.readout == "tanh" else Z
        return S, Y

    def backward(self, S0: np.ndarray, S: np.ndarray, Y: np.ndarray, targets: np.ndarray) -> dict:
        """Gradient of the window loss (see the module docstring), ``S0`` held constant.

        Parameters
        ----------
        S0 : ndarray, shape (B, N)
        S, Y : ndarrays, shapes (B, T, N), (B, T, n_out)
            From :meth:`forward` on this window.
        targets : ndarray, shape (B, T, n_out)
            The task's :math:`y^*` (unscaled).

        Returns
        -------
        dict
            ``{"W": (N, N), "W_out": (n_out, N)}``.
        """
        W, W_out = self.params["W"], self.params["W_out"]
        B, T, _ = S.shape
        dY = 2.0 * (Y - self.target_scale * targets) / (B * T * self.n_out)
        dZ = dY * (1.0 - Y**2) if self.readout == "tanh" else dY
        flat = (B * T, -1)  # sums over the batch and time are one matrix product
        dW_out = dZ.reshape(flat).T @ S.reshape(flat)  # sum_t dz_t S_t^T
        dS_from_out = dZ @ W_out  # W_out^T dz_t, for every t
        S_prev = np.concatenate([S0[:, None], S[:, :-1]], axis=1)  # S_{t-1}
        dA = np.empty_like(S)
        da_next = np.zeros((B, self.N))  # delta a_{T+1} = 0: the truncation
        for t in range(T - 1, -1, -1):
            dS = dS_from_out[:, t] + da_next @ W  # delta S_t = W_out^T dz_t + W^T delta a_{t+1}
            da_next = dA[:, t] = dS * (1.0 - S[:, t] ** 2)  # delta a_t = delta S_t (1 - S_t^2)
        dW = dA.reshape(flat).T @ S_prev.reshape(flat)  # sum_t delta a_t S_{t-1}^T
        return {"W": dW, "W_out": dW_out}

    def loss(self, Y: np.ndarray, targets: np.ndarray) -> float:
        """Mean squared error :math:`L` between outputs and scaled targets."""
        return float(np.mean((Y - self.target_scale * targets) ** 2))

    def loss_and_grad(self, batch, state=None) -> tuple[float, dict, np.ndarray]:
        """One window of truncated BPTT (the protocol of :func:`rnnlab.models.training_loop.train`).

        Parameters
        ----------
        batch : (inputs, targets)
            Shapes (B, T, n_in) and (B, T, n_out).
        state : ndarray, shape (B, N), optional
            Last state of the previous window (zeros if None), a constant here.

        Returns
        -------
        loss : float
        grads : dict
            ``{"W", "W_out"}``.
        new_state : ndarray, shape (B, N)
            :math:`S_T`, to start the next window.
        """
        inputs, targets = batch
        X, S0, _ = self._check_inputs(inputs, state)
        Yt = np.asarray(targets, dtype=np.float64)
        if Yt.shape != (*X.shape[:2], self.n_out):
            raise ValueError(
                f"targets must have shape {(*X.shape[:2], self.n_out)} to match inputs, got {Yt.shape}"
            )
        S, Y = self._forward(X, S0)
        return self.loss(Y, Yt), self.backward(S0, S, Y, Yt), S[:, -1].copy()

    # ---------------------------------------------------------------- analysis / IO
    def as_map(self) -> TanhMap:
        """The autonomous map :math:`S \\leftarrow \\tanh(W S)` (zero input) for the fixed-point finder."""
        return TanhMap(self.W)

    def config(self) -> dict:
        """Constructor arguments (without the weights)."""
        return {
            "N": self.N,
            "n_in": self.n_in,
            "n_out": self.n_out,
            "readout": self.readout,
            "target_scale": self.target_scale,
        }

    def save(self, path: str | Path) -> None:
        """Write configuration, all three weight matrices and ``info`` (scalars) to ``.npz``."""
        info = {f"info_{k}": np.asarray(v) for k, v in self.info.items()}
        with open(path, "wb") as fh:  # a file object: numpy would append ".npz" to a name
            np.savez_compressed(
                fh,
                W=self.W,
                W_in=self.W_in,
                W_out=self.W_out,
                **{f"config_{k}": np.asarray(v) for k, v in self.config().items()},
                **info,
            )

    @classmethod
    def load(cls, path: str | Path) -> TanhRNN:
        """Load a network written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            cfg = {k[7:]: data[k].item() for k in data.files if k.startswith("config_")}
            net = cls(**cfg, seed=0)
            net.W_in = as_matrix(data["W_in"], "W_in", shape=(net.N, net.n_in))
            net.params["W"][...] = as_matrix(data["W"], "W", shape=(net.N, net.N))
            net.params["W_out"][...] = as_matrix(data["W_out"], "W_out", shape=(net.n_out, net.N))
            net.info = {k[5:]: data[k].item() for k in data.files if k.startswith("info_")}
        return net

    def __repr__(self) -> str:
        return (
            f"TanhRNN(N={self.N}, n_in={self.n_in}, n_out={self.n_out}, readout={self.readout!r})"
        )


def bit_accuracy(outputs, targets) -> float:
    """Fraction of bits with the right sign, :math:`\\operatorname{sign} Y = y^*`, where :math:`y^* \\neq 0`.

    Parameters
    ----------
    outputs, targets : array_like, same shape (..., n_out)
    """
    Y, Yt = np.asarray(outputs, dtype=float), np.asarray(targets, dtype=float)
    if Y.shape != Yt.shape:
        raise ValueError(
            f"outputs and targets must have the same shape, got {Y.shape} and {Yt.shape}"
        )
    defined = Yt != 0
    if not defined.any():
        raise ValueError("targets has no nonzero entry: nothing to score")
    return float(np.mean(np.sign(Y[defined]) == np.sign(Yt[defined])))


def flipflop_windows(
    task: FlipFlopTask,
    *,
    batch_size: int,
    unroll: int,
    seed: int | np.random.Generator,
    chunk_steps: int = 5000,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Endless consecutive windows of ``batch_size`` independent flip-flop streams.

    Each stream is generated ``chunk_steps`` at a time and cut into windows of ``unroll``
    steps; the target level and the delay line carry over from chunk to chunk, so the
    streams have no seams (a pulse running over a chunk's end is cut short).

    Yields
    ------
    inputs : ndarray, shape (batch_size, unroll, n_bits)
    targets : ndarray, shape (batch_size, unroll, n_bits)
    """
    if not isinstance(task, FlipFlopTask):
        raise TypeError(f"task must be a FlipFlopTask, got {type(task).__name__}")
    B = positive_int(batch_size, "batch_size")
    L = positive_int(unroll, "unroll")
    if L <= task.delay:
        raise ValueError(
            f"unroll must exceed the delay: an error at step t is caused by the input at "
            f"t - delay, which must lie in the same window; got unroll={L}, delay={task.delay}"
        )
    chunk = positive_int(chunk_steps, "chunk_steps")
    chunk -= chunk % L  # whole windows per chunk
    if chunk == 0:
        raise ValueError(f"chunk_steps must be at least unroll={L}, got {chunk_steps}")
    return _windows(task, B, L, chunk, np.random.default_rng(seed))


def _windows(
    task: FlipFlopTask, B: int, L: int, chunk: int, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The generator behind :func:`flipflop_windows` (arguments already checked)."""
    undelayed = FlipFlopTask(task.n_bits, task.pulse_rate, task.pulse_length, 0, False)
    first = FlipFlopTask(task.n_bits, task.pulse_rate, task.pulse_length, 0, task.pulse_at_start)
    level = np.zeros((B, task.n_bits))  # target level at the end of the last chunk
    line = np.zeros((B, task.delay, task.n_bits))  # the last `delay` levels, not yet due
    n_chunk = 0
    while True:
        gen = first if n_chunk == 0 else undelayed
        U = np.empty((B, chunk, task.n_bits))
        V = np.empty((B, chunk, task.n_bits))
        for b in range(B):
            U[b], V[b] = gen.generate(chunk, seed=rng)
        started = np.maximum.accumulate(U != 0, axis=1)  # a pulse has arrived on the channel
        V = np.where(started, V, level[:, None, :])  # hold the previous level until then
        level = V[:, -1].copy()
        delayed = np.concatenate([line, V], axis=1)
        targets, line = delayed[:, :chunk], delayed[:, chunk:]
        for start in range(0, chunk, L):
            yield U[:, start : start + L], targets[:, start : start + L]
        n_chunk += 1


@blas_limited
def train_flipflop(
    model: TanhRNN,
    task: FlipFlopTask,
    *,
    n_steps: int,
    seed: int,
    unroll: int = 10,
    batch_size: int = 16,
    lr: float = 3e-4,
    clip_norm: float | None = 1.0,
    validate_every: int = 250,
    val_steps: int = 2000,
    val_streams: int = 4,
    target_accuracy: float | None = None,
    patience: int | None = None,
    progress: bool = True,
) -> TrainingHistory:
    """Train ``model`` on ``task`` by stateful truncated BPTT with Adam.

    Batches come from :func:`flipflop_windows` (seeded by ``seed``); every
    ``validate_every`` steps the network runs freely from rest on a fixed validation set
    (``val_streams`` sequences of ``val_steps``, seed ``seed + 1``) and the bit error rate
    ``1 - bit_accuracy`` is the validation value: training stops once the accuracy reaches
    ``target_accuracy`` or after ``patience`` validations without improvement, and the
    model keeps its best parameters.

    Returns
    -------
    TrainingHistory
        ``val_value`` holds bit error rates.
    """
    if not isinstance(model, TanhRNN):
        raise TypeError(f"model must be a TanhRNN, got {type(model).__name__}")
    if not isinstance(task, FlipFlopTask):
        raise TypeError(f"task must be a FlipFlopTask, got {type(task).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(
            f"seed must be an integer (the validation streams use seed + 1, ...), got {seed!r}"
        )
    if task.n_bits != model.n_in or task.n_bits != model.n_out:
        raise ValueError(
            f"task.n_bits={task.n_bits} must equal the model's n_in={model.n_in} and n_out={model.n_out}"
        )
    batches = flipflop_windows(task, batch_size=batch_size, unroll=unroll, seed=seed)
    val_steps = positive_int(val_steps, "val_steps")
    val_streams = positive_int(val_streams, "val_streams")
    val = [task.generate(val_steps, seed=seed + 1 + k) for k in range(val_streams)]
    U_val, Y_val = np.stack([u for u, _ in val]), np.stack([y for _, y in val])

    def validate(m: TanhRNN) -> float:
        return 1.0 - bit_accuracy(m._forward(U_val, np.zeros((len(U_val), m.N)))[1], Y_val)

    target = None
    if target_accuracy is not None:
        target = 1.0 - positive_float(target_accuracy, "target_accuracy")
    return train(
        model,
        batches,
        n_steps=n_steps,
        lr=lr,
        clip_norm=clip_norm,
        validate=validate,
        validate_every=validate_every,
        target=target,
        patience=patience,
        progress=progress,
        desc=f"BPTT (delay {task.delay})",
    )
