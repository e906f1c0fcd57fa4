"""Checks for chapter 07's exercises, with the wrong answers students commonly give.

One function per exercise, named after it; each wraps a check of :mod:`rnnlab.course.check` with
the exercise's reference and its :class:`~rnnlab.course.check.Misconception` hints.

The exercises and the mistakes each check recognises:

- ``07-open-loop-gain`` (:func:`open_loop_gain`): the sign of :math:`i\\omega` (the curve
  mirrored), the sign of :math:`\\beta_1`, the target :math:`A` forgotten;
- ``07-predict-sign`` (:func:`lambda_out_signs`): a tanh sign that depends on :math:`g` or
  :math:`A`, a ReLU sign that depends on :math:`g`, :math:`A` or the size of the threshold,
  tanh called unstable, the thresholded ReLU called stable, the sign convention of
  :math:`\\lambda_{out}` reversed;
- ``07-lambda-out-identity`` (:func:`lambda_out_identity`): the minus sign, the prefactor
  :math:`g^2/\\sigma^2`, the clamp :math:`uA` left out of :math:`x`;
- ``07-predict-encirclements`` (:func:`encirclements`): the turns counted counter-clockwise,
  the critical point taken at :math:`0 + 1i`, passing through the origin read as encircling;
- ``07-tau-out-at-edge`` (:func:`tau_out_at_edge`): :math:`\\tau_{net}` or
  :math:`\\lambda_{out}` returned for :math:`\\tau_{out}`, the sign of
  :math:`\\tau_{out} = -1/\\lambda_{out}`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from rnnlab.course.check import AnswerError, Misconception, check_array, check_value
from rnnlab.theory.meanfield import gauss_hermite, mean_field

__all__ = [
    "EDGE_TARGETS",
    "SIGN_CASES",
    "edge_of_fading_memory",
    "encirclements",
    "lambda_out_identity",
    "lambda_out_signs",
    "open_loop_gain",
    "tau_out_at_edge",
]

#: The six trained networks whose sign of lambda_out ``07-predict-sign`` asks for:
#: (phi, threshold, g, A). Three tanh targets at different g and A, three thresholded ReLUs.
SIGN_CASES = (
    ("tanh", 0.0, 0.5, 1.0),
    ("tanh", 0.0, 1.5, 1.0),
    ("tanh", 0.0, 1.2, 0.5),
    ("relu", 0.5, 0.8, 1.0),
    ("relu", 0.1, 1.1, 1.0),
    ("relu", 0.5, 0.5, 2.0),
)

#: The targets at which ``07-tau-out-at-edge`` is checked (the chapter shows A = 1).
EDGE_TARGETS = (0.5, 2.0)


def _is_int(v) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)


def _int_tuple(prediction, n: int, what: str) -> tuple[int, ...]:
    if isinstance(prediction, str) or not isinstance(prediction, Sequence | np.ndarray):
        raise AnswerError(
            f"your prediction should be a tuple of {n} ints ({what}), got {prediction!r}"
        )
    if len(prediction) != n:
        raise AnswerError(f"your prediction should hold {n} ints ({what}), got {len(prediction)}")
    if not all(_is_int(v) for v in prediction):
        raise AnswerError(f"your prediction should hold whole numbers (ints), got {prediction!r}")
    return tuple(int(v) for v in prediction)


# -- 07-open-loop-gain ---------------------------------------------------------------------------


def open_loop_gain(student: Callable, theories, omega=None) -> None:
    """Check ``student(A, beta0, beta1, omega)``, the mean-field :math:`G_{OL}(\\omega)` (eq. 13).

    Parameters
    ----------
    student : callable
        ``student(A, beta0, beta1, omega)`` returns a complex array shaped like ``omega``.
    theories : sequence of MeanField
        One-target theories whose ``A``, ``beta0``, ``beta1`` and ``G_OL`` are the reference.
    omega : array_like, optional
        Frequencies, default 41 points in [-5, 5].

    Raises
    ------
    AnswerError
        At the first theory where the gain differs, naming a known mistake.
    """
    theories = list(theories)
    if not theories:
        raise ValueError(
            "theories must hold at least one MeanField (the check would pass vacuously)"
        )
    om = np.linspace(-5, 5, 41) if omega is None else np.asarray(omega, dtype=float)
    for m in theories:
        A, b0, b1 = m.A, m.beta0, m.beta1
        hints = [
            Misconception(
                A * b0 / (1 - b1 - 1j * om),
                "Your curve is the mirror image (complex conjugate): a drive e^{i omega t} gives "
                "d/dt -> +i omega, so the denominator is 1 - beta1 + i omega.",
            ),
            Misconception(
                A * b0 / (1 + b1 + 1j * om),
                "The sign of beta1: the recurrent part feeds the response back and *lowers* the "
                "decay rate, 1 - beta1 (eq. 13).",
            ),
            Misconception(
                b0 / (1 - b1 + 1j * om),
                "The target A is missing: the readout w = A r*/|r*|^2 scales with A, so the gain "
                "is A beta0 / (1 - beta1 + i omega).",
            ),
        ]
        answer = np.asarray(student(A, b0, b1, om))
        check_array(answer, m.G_OL(om), "open-loop gain", misconceptions=hints)


# -- 07-predict-sign -----------------------------------------------------------------------------


def lambda_out_signs(prediction, lambdas) -> None:
    """Check predicted signs of :math:`\\lambda_{out}` for the networks of :data:`SIGN_CASES`.

    Parameters
    ----------
    prediction : sequence of six ints
        ``+1`` (unstable, :math:`\\lambda_{out} > 0`) or ``-1`` (stable), one per case.
    lambdas : array_like, shape (6,)
        The computed :math:`\\lambda_{out}` of the six cases (none of them near 0).

    Raises
    ------
    AnswerError
        For a wrong sign, naming the misconception behind the pattern of the answer.
    """
    lambdas = np.asarray(lambdas, dtype=float)
    if lambdas.shape != (len(SIGN_CASES),):
        raise ValueError(f"lambdas must hold {len(SIGN_CASES)} values, got shape {lambdas.shape}")
    if np.any(np.abs(lambdas) < 1e-6):
        raise ValueError("lambdas must be clearly nonzero: a sign near 0 is not a fair question")
    pred = _int_tuple(prediction, len(SIGN_CASES), "+1 unstable or -1 stable, one per case")
    if any(v not in (-1, 1) for v in pred):
        raise AnswerError(f"each sign should be +1 (unstable) or -1 (stable), got {pred}")
    truth = tuple(int(v) for v in np.sign(lambdas))
    if pred == truth:
        print(f"\N{CHECK MARK} all {len(pred)} signs right: {truth}.")
        return
    wrong = [i for i in range(len(pred)) if pred[i] != truth[i]]
    cases = ", ".join(
        f"{SIGN_CASES[i][0]}"
        + (f" theta = {SIGN_CASES[i][1]:g}" if SIGN_CASES[i][0] == "relu" else "")
        + f" g = {SIGN_CASES[i][2]:g} A = {SIGN_CASES[i][3]:g}"
        for i in wrong
    )
    msg = f"your sign is wrong for: {cases} (computed lambda_out: {np.round(lambdas, 3)})."
    tanh = [pred[i] for i, c in enumerate(SIGN_CASES) if c[0] == "tanh"]
    relu = [pred[i] for i, c in enumerate(SIGN_CASES) if c[0] == "relu"]
    if pred == tuple(-v for v in truth):
        hint = (
            "Every sign is reversed: lambda_out = -(1 - A beta0 - beta1), so a *positive* "
            "right-hand side of eq. 15 means a negative lambda_out, a stable target."
        )
    elif len(set(tanh)) > 1:
        hint = (
            "For tanh the sign does not depend on g or A: tanh x - x tanh'x has the sign of x "
            "(a concave function's tangent passes above the origin), so the integrand of eq. 15 "
            "is >= 0 everywhere and lambda_out < 0 for every g and A."
        )
    elif len(set(relu)) > 1:
        hint = (
            "For the thresholded ReLU only the sign of theta matters, not g, A or the size of "
            "theta: where x > theta the integrand of eq. 15 is -theta (x - theta) < 0, so "
            "lambda_out > 0 for every theta > 0."
        )
    elif tanh and tanh[0] == 1:
        hint = (
            "tanh saturates: tanh x - x tanh'x has the sign of x, phi(phi - x phi') >= 0, so the "
            "right-hand side of eq. 15 is positive and lambda_out < 0: every tanh target is "
            "stable, even near the edge of chaos."
        )
    else:
        hint = (
            "A thresholded ReLU does not saturate: where x > theta, phi(phi - x phi') = "
            "-theta (x - theta) < 0 for theta > 0, so lambda_out > 0: every target is unstable."
        )
    raise AnswerError(f"{msg} {hint}")


# -- 07-lambda-out-identity ----------------------------------------------------------------------


def _identity_value(phi, g, A, sigma, *, clamp: bool = True, n: int = 101) -> float:
    y, w = gauss_hermite(n)
    U, Y = np.meshgrid(y, y, indexing="ij")
    x = (U * A if clamp else 0.0) + sigma * Y
    f = phi.f(x)
    return float(np.sum(np.outer(w, w) * f * (f - x * phi.df(x))))


def lambda_out_identity(student: Callable, theories) -> None:
    """Check ``student(phi, g, A, sigma)``: :math:`\\lambda_{out}` from eq. 15 alone.

    Parameters
    ----------
    student : callable
        ``student(phi, g, A, sigma)`` returns
        :math:`-\\frac{g^2}{\\sigma^2}\\mathbb E[\\phi(\\phi - x\\phi')]`, :math:`x = uA + \\sigma y`.
    theories : sequence of MeanField
        Their ``lambda_out`` is the reference (to 1e-9).

    Raises
    ------
    AnswerError
        At the first theory where the value differs, naming a known mistake.
    """
    theories = list(theories)
    if not theories:
        raise ValueError(
            "theories must hold at least one MeanField (the check would pass vacuously)"
        )
    for m in theories:
        pre = m.g**2 / m.sigma**2
        E = _identity_value(m.phi, m.g, m.A, m.sigma)
        hints = [
            Misconception(
                pre * E,
                "That is 1 - A beta0 - beta1, the right-hand side of eq. 15; lambda_out is "
                "minus it (eq. 14).",
            ),
            Misconception(
                -E,
                "The prefactor g^2/sigma^2 is missing (it comes from the self-consistency "
                "1 = g^2 sigma^-2 E[phi^2]).",
            ),
            Misconception(
                -pre * _identity_value(m.phi, m.g, m.A, m.sigma, clamp=False),
                "x = u A + sigma y: the clamp u A is part of every unit's state.",
            ),
        ]
        check_value(
            student(m.phi, m.g, m.A, m.sigma),
            m.lambda_out,
            "lambda_out",
            tol=1e-9,
            misconceptions=hints,
        )


# -- 07-predict-encirclements --------------------------------------------------------------------


def encirclements(prediction, computed) -> None:
    """Check predicted clockwise turns of the Nyquist curves around :math:`+1`.

    Parameters
    ----------
    prediction : sequence of ints
        One count per row of the figure (A, B, C).
    computed : sequence of ints
        The counts of :func:`rnnlab.theory.meanfield.winding_number` (clockwise, so its negative).

    Raises
    ------
    AnswerError
        For a wrong count, naming a known misreading.
    """
    computed = tuple(int(v) for v in computed)
    if not computed:
        raise ValueError("computed must hold at least one count")
    pred = _int_tuple(prediction, len(computed), "clockwise turns around +1, one per row")
    if pred == computed:
        print(f"\N{CHECK MARK} your counts are right: {computed} clockwise turns around +1.")
        return
    msg = f"your counts {pred} are not the curves' {computed}."
    if any(c != 0 for c in computed) and pred == tuple(-c for c in computed):
        hint = (
            "Count clockwise turns: for omega > 0 the curve runs below the real axis, so "
            "going from omega = -inf to +inf it turns clockwise (winding_number counts "
            "counter-clockwise as positive)."
        )
    elif all(p == 0 for p in pred):
        hint = (
            "Look at +1 + 0i, not 0 + 1i (the paper's misprinted cross): a curve that "
            "reaches G_OL(0) > 1 on the real axis goes around +1."
        )
    elif all(p != 0 for p in pred):
        hint = (
            "Every curve starts and ends at 0, but encircling +1 means going around it: a "
            "curve whose rightmost point G_OL(0) is below 1 cannot."
        )
    else:
        hint = (
            "For one target the curve is a circle through 0 and G_OL(0): it goes round +1 "
            "(once, clockwise) exactly when G_OL(0) > 1."
        )
    raise AnswerError(f"{msg} {hint}")


# -- 07-tau-out-at-edge --------------------------------------------------------------------------


def edge_of_fading_memory(
    A: float, *, lo: float = 0.2, hi: float = 4.0, n_nodes: int = 61
) -> float:
    """The gain at which the tanh open loop clamped at ``A`` loses fading memory (rho = 1).

    Bisection on :math:`\\rho(g) - 1` to 1e-4 (``rho`` grows with ``g``).
    """
    if not A > 0:
        raise ValueError(f"A must be positive, got {A}")

    def rho(g):
        return mean_field("tanh", g, A, n_nodes=n_nodes, require_fading_memory=False).rho

    if not (rho(lo) < 1 < rho(hi)):
        raise ValueError(f"rho - 1 does not change sign between g = {lo} and g = {hi}")
    while hi - lo > 1e-4:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if rho(mid) < 1 else (lo, mid)
    return lo


def tau_out_at_edge(student: Callable, targets=EDGE_TARGETS) -> None:
    """Check ``student(A)`` = ``(g_edge, tau_out)`` for tanh targets the chapter did not show.

    ``g_edge`` is the largest gain of a 0.01 grid with fading memory; it must lie within 0.011
    below the bisected edge (:func:`edge_of_fading_memory`), and ``tau_out`` must equal the
    theory's :math:`\\tau_{out}` at the student's ``g_edge`` (to 1e-6).
    """
    targets = tuple(targets)
    if not targets:
        raise ValueError("targets must hold at least one A (the check would pass vacuously)")
    for A in targets:
        answer = student(A)
        if (
            isinstance(answer, str)
            or not isinstance(answer, Sequence | np.ndarray)
            or len(answer) != 2
        ):
            raise AnswerError(
                f"at A = {A:g} your answer should be a pair (g_edge, tau_out), got {answer!r}"
            )
        g_edge, tau = (float(v) for v in answer)
        edge = edge_of_fading_memory(A)
        if not (edge - 0.011 <= g_edge <= edge + 1e-9):
            raise AnswerError(
                f"at A = {A:g} your g_edge = {g_edge:.3f}, but fading memory (rho < 1) ends at "
                f"g = {edge:.3f}: return the largest g of your grid at which mean_field does not "
                "raise NoFadingMemory."
            )
        m = mean_field("tanh", g_edge, A, n_nodes=61)
        hints = [
            Misconception(
                m.tau_net,
                "That is tau_net = 1/(1 - rho), the units' time constant, "
                "which diverges at the edge; the output's is tau_out = -1/lambda_out.",
            ),
            Misconception(
                m.lambda_out, "That is lambda_out; the time constant is tau_out = -1/lambda_out."
            ),
            Misconception(
                -m.tau_out,
                "A time constant is positive: tau_out = -1/lambda_out with lambda_out < 0.",
            ),
        ]
        print(f"A = {A:g}: g_edge = {g_edge:.2f} ", end="")
        check_value(tau, m.tau_out, "tau_out", tol=1e-6, misconceptions=hints)
