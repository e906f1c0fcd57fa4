"""Checks for chapter 09's exercises, with the wrong answers students commonly give.

One function per exercise, named after it; each wraps a check of :mod:`rnnlab.course.check` with
the exercise's reference and its :class:`~rnnlab.course.check.Misconception` hints.

The exercises and the mistakes each check recognises:

- ``09-linear-unstable`` (:func:`linear_unstable_dims`): the map rule applied to the
  eigenvalues of ``W`` instead of those of the map's Jacobian ``(1 - alpha) I + alpha W``,
  the flow rule ``Re > 0``, the Euler step's ``alpha`` forgotten (``I + W``);
- ``09-predict-rank`` (:func:`rank_and_control`): full rank because ``W`` is ``N x N``,
  a single direction, the control expected to work;
- ``09-truncate`` (:func:`truncate`): ``W0`` forgotten, one direction too many, the
  smallest singular values kept, ``W1`` truncated instead of the change;
- ``09-henrici`` (:func:`henrici`): the square root forgotten, singular values used for
  eigenvalues, ``lambda**2`` without the modulus;
- ``09-ar1-pi`` (:func:`ar1_pi`): the factor 1/2 forgotten, the sign reversed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from rnnlab.analysis.dca import predictive_information
from rnnlab.analysis.weight_changes import departure_from_normality, truncate_change
from rnnlab.course.check import (
    AnswerError,
    Misconception,
    check_array,
    check_function,
    check_value,
    ok,
)
from rnnlab.dynamics.stability import n_unstable

__all__ = [
    "AR1_COEFFICIENTS",
    "ar1_pi",
    "henrici",
    "linear_unstable_dims",
    "n_directions",
    "rank_and_control",
    "truncate",
]

#: The AR(1) coefficients at which ``ar1_pi`` is compared with the library.
AR1_COEFFICIENTS = (0.0, 0.3, -0.5, 0.9, 0.99)


def _square(W, name: str) -> np.ndarray:
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or not np.all(np.isfinite(W)):
        raise ValueError(f"{name} must be a finite square matrix, got shape {W.shape}")
    return W


# -- 09-linear-unstable ----------------------------------------------------------------------


def _count_map_rule(mu) -> int:
    return int(n_unstable(mu, discrete=True))


def linear_unstable_dims(
    student: Callable[[np.ndarray], int], matrices: Sequence, *, alpha: float = 0.1
) -> None:
    """Check ``student(W)``: the unstable dimensions of the network at leaky slope 1.

    At slope 1 the network is linear and its map :math:`G(\\mathbf r) = (1-\\alpha)\\mathbf r
    + \\alpha(W\\mathbf r + W_{in}\\mathbf u + \\mathbf b)` has the same Jacobian
    :math:`(1-\\alpha)I + \\alpha W` everywhere; a direction is unstable when its eigenvalue
    has modulus above 1.

    Parameters
    ----------
    student : callable
        ``W -> int``, the count.
    matrices : sequence of (N, N) arrays
        The recurrent matrices to compare on (at least one).
    alpha : float
        The Euler step :math:`\\Delta t/\\tau` in ``(0, 1]``.

    Raises
    ------
    AnswerError
        For a wrong count, naming the map rule applied to ``W`` itself, the flow rule, or
        the Euler step forgotten.
    """
    if not 0 < alpha <= 1:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}")
    mats = [_square(W, "each of matrices") for W in matrices]
    if not mats:
        raise ValueError("matrices must hold at least one matrix")

    def reference(k):
        lam = np.linalg.eigvals(mats[k])
        return _count_map_rule(1 - alpha + alpha * lam)

    hints = [
        Misconception(
            lambda k: _count_map_rule(np.linalg.eigvals(mats[k])),
            "You counted |lambda(W)| > 1: the map rule belongs to the Jacobian of the map, "
            "(1 - alpha) I + alpha W, whose eigenvalues are 1 - alpha + alpha lambda(W). An "
            "eigenvalue of W with |lambda| > 1 but Re lambda < 1 is still stable.",
        ),
        Misconception(
            lambda k: int(n_unstable(np.linalg.eigvals(mats[k]))),
            "You counted Re lambda(W) > 0, the flow rule: this network is a map, and a "
            "direction grows when |1 - alpha + alpha lambda| > 1.",
        ),
        Misconception(
            lambda k: _count_map_rule(1 + np.linalg.eigvals(mats[k])),
            "The Euler step alpha is missing: the Jacobian of the map is (1 - alpha) I + "
            "alpha W, not I + W.",
        ),
    ]

    def answer(k):
        value = student(mats[k])
        if isinstance(value, np.integer):
            value = int(value)
        return value

    counts = []
    for k in range(len(mats)):
        value, ref = answer(k), reference(k)
        if not (isinstance(value, int) and not isinstance(value, bool) and value == ref):
            check_value(  # raises, with the hint of a matching misconception
                value,
                ref,
                f"count for matrix {k}",
                misconceptions=[Misconception(m.wrong(k), m.hint) for m in hints],
            )
        counts.append(ref)
    ok(f"your counts are right for all {len(mats)} matrices (from {min(counts)} to {max(counts)}).")


# -- 09-predict-rank -------------------------------------------------------------------------


def n_directions(s, fraction: float = 0.9) -> int:
    """The fewest singular values whose squares hold ``fraction`` of the sum of all squares."""
    s = np.sort(np.abs(np.asarray(s, dtype=float)))[::-1]
    if s.ndim != 1 or s.size == 0 or not np.all(np.isfinite(s)) or s[0] == 0:
        raise ValueError("s must be a non-empty 1-D array of finite singular values, not all 0")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    share = np.cumsum(s**2) / np.sum(s**2)
    return int(min(np.searchsorted(share, fraction - 1e-12) + 1, s.size))


def rank_and_control(prediction, s, control_ranks: Sequence, *, fraction: float = 0.9) -> None:
    """Check a prediction ``(k, control_works)`` for a weight change (``09-predict-rank``).

    Parameters
    ----------
    prediction : (int, bool)
        ``k``: how many singular values of :math:`\\Delta W` hold ``fraction`` of
        :math:`\\|\\Delta W\\|_F^2`; ``control_works``: whether the truncated change, added to a
        shuffled :math:`W_0`, still does the task in most networks.
    s : array_like
        The singular values of :math:`\\Delta W` of the network the prediction is about.
    control_ranks : sequence of int or None
        For every network, the rank at which the change on a shuffled :math:`W_0` did the task
        (``None``: at no rank tried).

    Raises
    ------
    AnswerError
        When ``k`` is more than a factor 2 from the count, or the control is predicted wrong;
        a full-rank answer, a single direction and a working control get their hints.
    """
    k_ref = n_directions(s, fraction)
    N = np.asarray(s).size
    ranks = list(control_ranks)
    if not ranks:
        raise ValueError("control_ranks must hold one entry per network")
    works = sum(r is not None for r in ranks) > len(ranks) / 2
    if isinstance(prediction, str) or not isinstance(prediction, Sequence) or len(prediction) != 2:
        raise AnswerError(
            f"your prediction should be a tuple (k, control_works), got {prediction!r}"
        )
    k, control = prediction
    if isinstance(k, np.integer):
        k = int(k)
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise AnswerError(f"your k should be a whole number >= 1, got {k!r}")
    if not k_ref / 2 <= k <= 2 * k_ref:
        msg = (
            f"your k = {k} is far from the {k_ref} singular values (of {N}) that hold "
            f"{fraction:.0%} of |dW|_F^2."
        )
        if k >= N // 2:
            msg += (
                " W is N x N and dW is full rank in the strict sense (every singular value is "
                "nonzero), but they fall fast: a gradient step is a sum of a few outer "
                "products (error x rate), and the task needs only a few directions."
            )
        elif k == 1:
            msg += " One direction is not enough: the largest singular value holds about half."
        raise AnswerError(msg)
    ok(f"your k = {k} is close to the {k_ref} singular values (of {N}) counted.")
    if isinstance(control, np.bool_):
        control = bool(control)
    if not isinstance(control, bool):
        raise AnswerError(
            f"your prediction of the shuffled-W0 control should be True or False, got {control!r}"
        )
    if control != works:
        msg = f"your prediction of the shuffled-W0 control is {control!r}, expected {works!r}."
        if control:
            msg += (
                " The truncated change does not carry the task on its own: it works together "
                "with the random W0 it was trained on (it is tuned to W0's own directions), so "
                "on a shuffled W0 it fails."
            )
        raise AnswerError(msg)
    n_work = sum(r is not None for r in ranks)
    ok(
        f"your prediction of the shuffled-W0 control is right: it works in {n_work} of "
        f"{len(ranks)} networks."
    )


# -- 09-truncate -----------------------------------------------------------------------------


def _svd_keep(A, idx) -> np.ndarray:
    U, s, Vt = np.linalg.svd(A)
    return (U[:, idx] * s[idx]) @ Vt[idx]


def truncate(student: Callable, W0, W1, ranks: Sequence[int] = (0, 1, 3)) -> None:
    """Check ``student(W0, W1, r)`` against :func:`rnnlab.analysis.weight_changes.truncate_change`.

    Raises
    ------
    AnswerError
        Naming a forgotten ``W0``, one direction too many, the smallest singular values kept,
        or ``W1`` truncated instead of the change.
    """
    W0, W1 = _square(W0, "W0"), _square(W1, "W1")
    if W0.shape != W1.shape:
        raise ValueError(f"W0 and W1 must have the same shape, got {W0.shape} and {W1.shape}")
    if not list(ranks):
        raise ValueError("ranks must hold at least one rank")
    dW = W1 - W0
    n = W0.shape[0]
    for r in ranks:
        hints = [
            Misconception(
                _svd_keep(dW, slice(0, r)),
                "W0 is missing: the truncation keeps the random matrix and adds the rank-r "
                "part of the change, W0 + dW_r.",
            ),
            Misconception(
                W0 + _svd_keep(dW, slice(0, r + 1)),
                "One direction too many: U[:, :r] keeps r columns (0 .. r-1); r = 0 is W0.",
            ),
        ]
        if r:
            hints.append(
                Misconception(
                    _svd_keep(W1, slice(0, r)),
                    "You truncated W1, not the change: the SVD is of dW = W1 - W0, and W0 is "
                    "kept whole.",
                )
            )
            hints.append(
                Misconception(
                    W0 + _svd_keep(dW, slice(n - r, n)),
                    "You kept the smallest singular values: np.linalg.svd sorts them in "
                    "descending order, so the largest r are the first r.",
                )
            )
        check_array(
            student(W0, W1, r),
            truncate_change(W0, W1, r),
            f"rank-{r} truncation",
            atol=1e-10,
            misconceptions=hints,
        )


# -- 09-henrici ------------------------------------------------------------------------------


def henrici(student: Callable[[np.ndarray], float], W) -> None:
    """Check ``student(W)``, Henrici's departure from normality, on ``W`` and a diagonal matrix.

    Raises
    ------
    AnswerError
        Naming a forgotten square root, singular values used for eigenvalues (which gives 0),
        or ``lambda**2`` without the modulus.
    """
    W = _square(W, "W")
    ref = departure_from_normality(W).henrici
    lam = np.linalg.eigvals(W)
    fro2 = float(np.sum(W * W))
    no_modulus = fro2 - float(np.real(np.sum(lam**2)))
    hints = [
        Misconception(ref**2, "That is the square: Henrici's measure is the square root."),
        Misconception(
            0.0,
            "Zero: you used the singular values. Their squares always sum to |W|_F^2; the "
            "eigenvalues' moduli fall short exactly when W is not normal.",
        ),
    ]
    if no_modulus >= 0:
        hints.append(
            Misconception(
                float(np.sqrt(no_modulus)),
                "Complex eigenvalues need their modulus: sum |lambda|^2, not lambda^2.",
            )
        )
    answer = student(W)
    check_value(
        float(answer) if isinstance(answer, np.floating) else answer,
        float(ref),
        "Henrici departure",
        tol=1e-6,
        misconceptions=hints,
    )
    diag = student(np.diag([1.0, 2.0, 3.0]))
    check_value(
        float(diag) if isinstance(diag, np.floating) else diag,
        0.0,
        "departure of a diagonal matrix",
        tol=1e-12,
    )


# -- 09-ar1-pi -------------------------------------------------------------------------------


def ar1_pi(student: Callable[[float], float], coefficients=AR1_COEFFICIENTS) -> None:
    """Check ``student(a)``, the predictive information of a unit-variance AR(1), T = 1.

    The reference is :func:`rnnlab.analysis.dca.predictive_information` on the lag-0 and lag-1
    covariances ``1`` and ``a``.

    Raises
    ------
    AnswerError
        Naming the factor 1/2 forgotten or the sign reversed.
    """
    check_function(
        student,
        lambda a: predictive_information(np.array([[[1.0]], [[a]]]), [[1.0]], 1),
        coefficients,
        "AR(1) predictive information",
        misconceptions=[
            Misconception(
                lambda a: -np.log(1 - a**2),
                "The factor 1/2 is missing: I = log det Sigma_1 - (1/2) log det Sigma_2.",
            ),
            Misconception(
                lambda a: 0.5 * np.log(1 - a**2),
                "The sign is reversed: log det Sigma_2 = log(1 - a^2) < 0, and it enters "
                "with a minus, so the information is positive.",
            ),
        ],
    )
