"""Checks for chapter 08's exercises, with the wrong answers students commonly give.

One function per exercise, named after it; each wraps a check of :mod:`rnnlab.course.check` with
the exercise's reference and its :class:`~rnnlab.course.check.Misconception` hints.

The exercises and the mistakes each check recognises:

- ``08-grad-by-hand`` (:func:`grad_by_hand`): one weight's BPTT gradient in a two-unit
  network over two steps; the factor :math:`\\tanh'` of the units forgotten, the path through
  the earlier step missing (only the last step's use of the weight, or the error of step 2
  not carried back to step 1), the readout's :math:`\\tanh'` forgotten;
- ``08-grad-w-out`` (:func:`grad_w_out`): the readout's :math:`\\tanh'` forgotten, the
  targets not scaled by 0.9, a sum instead of a mean, the matrix transposed;
- ``08-predict-rotations`` (:func:`first_rotating_delay`): rotations expected from the
  smallest delay on (or with no delay at all);
- ``08-origin-unstable`` (:func:`origin_unstable`): the flow rule
  :math:`\\operatorname{Re}\\mu > 0` used for a map, the rule of the flow
  :math:`\\dot{\\mathbf x} = -\\mathbf x + W\\tanh\\mathbf x` (:math:`\\operatorname{Re}\\mu > 1`),
  a complex pair counted once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from rnnlab.course.check import AnswerError, Misconception, check_array, check_value
from rnnlab.dynamics.stability import n_unstable
from rnnlab.models.bptt import TanhRNN

__all__ = [
    "HAND_CASES",
    "ROTATION_MIN_DEG",
    "first_rotating_delay",
    "grad_by_hand",
    "grad_w_out",
    "hand_gradient",
    "hand_problem",
    "origin_unstable",
]

#: Seeds of the tiny networks on which ``08-grad-by-hand`` is checked.
HAND_CASES = (0, 1, 2)


# -- 08-grad-by-hand -------------------------------------------------------------------------


def hand_problem(seed: int) -> tuple[TanhRNN, np.ndarray, np.ndarray, np.ndarray]:
    """A two-unit network (1 input, 1 output) and a window of T = 2 steps.

    Returns
    -------
    model : TanhRNN
        ``N = 2``, ``n_in = n_out = 1``, its ``W`` scaled up so that tanh bends.
    u : ndarray, shape (2, 1)
        The inputs :math:`u_1, u_2`.
    y : ndarray, shape (2, 1)
        The targets (:math:`\\pm 1`, scaled by the model's 0.9 in the loss).
    x0 : ndarray, shape (2,)
        The state the window starts from (nonzero, so the earlier step's term counts).
    """
    model = TanhRNN(2, 1, 1, seed=seed)
    model.params["W"] *= 3.0
    model.params["W_out"] *= 3.0
    rng = np.random.default_rng(100 + seed)
    u = rng.normal(size=(2, 1))
    y = np.where(rng.random((2, 1)) < 0.5, -1.0, 1.0)
    x0 = rng.uniform(0.3, 0.8, 2) * np.where(rng.random(2) < 0.5, -1.0, 1.0)
    return model, u, y, x0


def hand_gradient(
    model: TanhRNN,
    u: np.ndarray,
    y: np.ndarray,
    x0: np.ndarray,
    *,
    unit_slope: bool = True,
    readout_slope: bool = True,
    earlier_step: bool = True,
    carry_back: bool = True,
) -> float:
    """:math:`\\partial L/\\partial W_{01}` over two steps, written out; the flags drop a factor.

    With every flag ``True`` this is the right gradient. ``unit_slope=False`` forgets the
    units' :math:`1 - x^2`, ``readout_slope=False`` the readout's :math:`1 - z^2`,
    ``earlier_step=False`` keeps only the weight's use at step 2, and ``carry_back=False``
    does not carry step 2's error back to step 1 through :math:`W^\\top`.
    """
    W, W_in, W_o = model.W, model.W_in, model.W_out
    c = model.target_scale
    x1 = np.tanh(W @ x0 + W_in @ u[0])
    x2 = np.tanh(W @ x1 + W_in @ u[1])
    z1, z2 = np.tanh(W_o @ x1), np.tanh(W_o @ x2)
    T = 2
    dv1 = 2 / T * (z1 - c * y[0]) * ((1 - z1**2) if readout_slope else 1.0)
    dv2 = 2 / T * (z2 - c * y[1]) * ((1 - z2**2) if readout_slope else 1.0)
    da2 = (W_o.T @ dv2) * ((1 - x2**2) if unit_slope else 1.0)
    dx1 = W_o.T @ dv1 + (W.T @ da2 if carry_back else 0.0)
    da1 = dx1 * ((1 - x1**2) if unit_slope else 1.0)
    return float(da2[0] * x1[1] + (da1[0] * x0[1] if earlier_step else 0.0))


_HAND_HINTS = (
    (
        {"unit_slope": False},
        "The factor tanh' of the units is missing: x_t = tanh(a_t), so an error on x_t "
        "reaches a_t multiplied by 1 - x_t^2 (delta a_t = delta x_t * (1 - x_t^2)), at both "
        "steps.",
    ),
    (
        {"earlier_step": False},
        "You kept only step 2: W[0, 1] is used at both steps (a_1 = W x_0 + ..., "
        "a_2 = W x_1 + ...), so the gradient is delta a_2[0] x_1[1] + delta a_1[0] x_0[1]. "
        "The path through the earlier step is missing.",
    ),
    (
        {"carry_back": False},
        "Step 1's error is incomplete: x_1 affects the loss directly (through z_1) and "
        "through step 2 (a_2 = W x_1 + ...), so delta x_1 = W_o^T delta v_1 + W^T delta a_2. "
        "The path from step 2 back to step 1 is missing.",
    ),
    (
        {"readout_slope": False},
        "The readout's tanh' is missing: z_t = tanh(v_t), so delta v_t = delta z_t "
        "(1 - z_t^2) before it goes back through W_o.",
    ),
)


def grad_by_hand(student: Callable, cases=HAND_CASES) -> None:
    """Check ``student(model, u, y, x0)``, :math:`\\partial L/\\partial W_{01}` over two steps.

    Compared with the library's BPTT (:meth:`rnnlab.models.bptt.TanhRNN.loss_and_grad`) on the
    tiny networks of :func:`hand_problem`, one for each seed in ``cases``.

    Raises
    ------
    AnswerError
        At the first network where the number differs; names a forgotten tanh', a missing
        path through the earlier step, or step 2's error not carried back.
    """
    for seed in cases:
        model, u, y, x0 = hand_problem(seed)
        _, grads, _ = model.loss_and_grad((u[None], y[None]), x0[None])
        reference = float(grads["W"][0, 1])
        answer = student(model, u.copy(), y.copy(), x0.copy())
        misconceptions = [
            Misconception(hand_gradient(model, u, y, x0, **flags), hint)
            for flags, hint in _HAND_HINTS
        ]
        try:
            check_value(
                answer,
                reference,
                "dL/dW[0, 1]",
                tol=1e-9,
                misconceptions=misconceptions,
            )
        except AnswerError as err:
            raise AnswerError(f"on the tiny network with seed {seed}: {err}") from None


# -- 08-grad-w-out ---------------------------------------------------------------------------


def _w_out_problem():
    model = TanhRNN(12, seed=0)
    model.params["W"] *= 3.0  # well into tanh's nonlinear range
    rng = np.random.default_rng(1)
    inputs = rng.normal(size=(4, 7, 3))
    targets = np.sign(rng.normal(size=(4, 7, 3)))
    state0 = rng.uniform(-0.5, 0.5, (4, 12))
    return model, inputs, targets, state0


def grad_w_out(student: Callable) -> None:
    """Check ``student(model, inputs, targets, state0)``, the gradient of the loss by ``W_out``.

    Compared with :meth:`rnnlab.models.bptt.TanhRNN.loss_and_grad` on a 12-unit network and a batch
    of 4 windows of 7 steps.

    Raises
    ------
    AnswerError
        Where the gradient differs; names a forgotten readout tanh', targets not scaled by
        0.9, a sum instead of a mean, a transposed matrix.
    """
    model, inputs, targets, state0 = _w_out_problem()
    reference = model.loss_and_grad((inputs, targets), state0)[1]["W_out"]
    S, Y = model.forward(inputs, state0)
    c = model.target_scale

    def einsum(dz):
        return np.einsum("btk,btn->kn", dz, S)

    misconceptions = [
        Misconception(
            einsum(2 * (Y - c * targets) / Y.size),
            "The readout's tanh' is missing: z = tanh(v) with v = W_out x, so "
            "delta v = delta z * (1 - z^2) before the product with x.",
        ),
        Misconception(
            einsum(2 * (Y - targets) / Y.size * (1 - Y**2)),
            "The targets are 0.9 y, not y: the loss compares the outputs with "
            "model.target_scale * targets (a tanh never reaches +-1).",
        ),
        Misconception(
            einsum(2 * (Y - c * targets) * (1 - Y**2)),
            "That is the gradient of the sum of squared errors; the loss is their mean, so "
            "divide by the number of terms (Y.size).",
        ),
        Misconception(
            reference.T,
            "That is the transpose: W_out has shape (n_out, N), and so has its gradient, "
            "sum_t delta v_t x_t^T.",
        ),
    ]
    check_array(
        student(model, inputs.copy(), targets.copy(), state0.copy()),
        reference,
        "gradient of W_out",
        misconceptions=misconceptions,
    )


# -- 08-predict-rotations --------------------------------------------------------------------


#: Smallest phase (degrees per step) of a complex pair that counts as a rotation. A pair at a
#: degree or less is two of the cube's real directions merged, not a clock: chapter 08's
#: delay-2 and delay-4 networks have one at 0.2 and 0.8 degrees, the delay-8 network's
#: rotations turn by 66 to 149 degrees per step.
ROTATION_MIN_DEG = 10.0


def _n_rotations_outside(W) -> int:
    mu = np.linalg.eigvals(np.asarray(W, dtype=float))
    out = mu[np.abs(mu) > 1]
    return int(np.sum((out.imag > 1e-12) & (np.degrees(np.angle(out)) > ROTATION_MIN_DEG)))


def first_rotating_delay(prediction, networks: Mapping[int, TanhRNN]) -> None:
    """Check a predicted smallest delay whose ``W`` has a rotation outside the unit circle.

    A rotation is a complex pair :math:`|\\mu| e^{\\pm i\\theta}` with :math:`|\\mu| > 1` and
    :math:`\\theta` above :data:`ROTATION_MIN_DEG` degrees.

    Parameters
    ----------
    prediction : int
        One of the delays of ``networks``.
    networks : dict of int to TanhRNN
        The trained networks by delay (``{0: ..., 2: ..., 4: ..., 8: ...}``).

    Raises
    ------
    AnswerError
        For a wrong delay; rotations expected without a delay, or for a delay shorter than
        the pulses, get their hints.
    """
    if not isinstance(networks, Mapping) or not networks:
        raise TypeError("networks must be a non-empty dict {delay: TanhRNN}")
    delays = sorted(networks)
    rotating = [d for d in delays if _n_rotations_outside(networks[d].W) > 0]
    if not rotating:
        raise ValueError(
            "no network in networks has a rotation outside the unit circle (a complex pair at "
            f"a phase above {ROTATION_MIN_DEG:g} degrees)"
        )
    first = rotating[0]
    if _is_int(prediction) and int(prediction) not in delays:
        raise AnswerError(f"your prediction should be one of the delays {delays}, got {prediction}")
    hints = []
    for d in delays:
        if d >= first:
            continue
        if d == 0:
            hint = (
                "Without a delay the network is chapter 03's cube: the unstable directions of "
                "the origin, one per bit, are real eigenvalues of W; a switch slides along "
                "one of them and nothing needs to turn."
            )
        else:
            hint = (
                f"A short delay needs no clock: with 3-step pulses a delay of {d} steps, about "
                "the pulse's length, is absorbed by a slower switch, and the spectrum stays "
                "the cube's: real directions outside the circle (two of them may merge into a "
                "pair at a degree or so, which turns nothing)."
            )
        hints.append(Misconception(d, hint))
    check_value(prediction, first, "smallest delay with rotations", misconceptions=hints)


def _is_int(x) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool | np.bool_)


# -- 08-origin-unstable ----------------------------------------------------------------------


def origin_unstable(student: Callable, networks: Mapping[int, TanhRNN]) -> None:
    """Check ``student(model)``: the unstable dimensions of the origin of ``x <- tanh(W x)``.

    Prints one line per network; the reference counts the eigenvalues of ``W`` (the map's
    :math:`\\partial G/\\partial\\mathbf x` at the origin) with :math:`|\\mu| > 1`.

    Raises
    ------
    AnswerError
        At the first network where the count differs; names the flow rule
        :math:`\\operatorname{Re}\\mu > 0`, the rule :math:`\\operatorname{Re}\\mu > 1` of the
        flow :math:`\\dot{\\mathbf x} = -\\mathbf x + W\\tanh\\mathbf x`, and complex pairs
        counted once.
    """
    if not isinstance(networks, Mapping) or not networks:
        raise TypeError("networks must be a non-empty dict {delay: TanhRNN}")
    for d in sorted(networks):
        model = networks[d]
        mu = np.linalg.eigvals(model.W)
        right = int(n_unstable(mu, discrete=True))
        out = mu[np.abs(mu) > 1]
        candidates = [
            (
                int(n_unstable(mu)),
                "For a map the rule is |mu| > 1, not Re mu > 0: you used the flow rule. A "
                "perturbation of the origin is multiplied by W at every step, so it grows "
                "along the eigenvalues with |mu| > 1.",
            ),
            (
                int(np.sum(mu.real > 1)),
                "Re mu > 1 is the rule of the flow dx/dt = -x + W tanh(x) (its Jacobian at 0 is "
                "-I + W). This network is a map: an eigenvalue mu of W is unstable when "
                "|mu| > 1, and a complex mu with Re mu < 1 can lie outside the circle.",
            ),
            (
                int(np.sum(np.abs(out.imag) < 1e-12) + np.sum(out.imag > 1e-12)),
                "You counted each complex pair once. A pair mu, conj(mu) is two eigenvalues, "
                "a plane in which the state rotates and grows: two unstable dimensions.",
            ),
        ]
        hints = [Misconception(v, h) for v, h in candidates if v != right]
        print(f"delay {d}: ", end="")
        try:
            check_value(
                student(model),
                right,
                "number of unstable dimensions of the origin",
                misconceptions=hints,
            )
        except AnswerError as err:
            print()
            raise AnswerError(f"for the delay-{d} network: {err}") from None
