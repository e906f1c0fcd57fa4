"""Checks for chapter 03's exercises, with the wrong answers students commonly give.

One function per exercise, named after it; each wraps a check of :mod:`rnnlab.course.check` with
the exercise's reference and its :class:`~rnnlab.course.check.Misconception` hints.

- :func:`rls_step` (``03-rls-step``, implement): one recursive-least-squares update;
- :func:`origin_unstable` (``03-origin-unstable``, predict): unstable dimensions of an
  untrained reservoir's origin;
- :func:`predict_census` (``03-predict-census``, predict): the ideal 3-bit census;
- :func:`ideal_count` (``03-ideal-count``, implement): the ideal census for n bits;
- :func:`bit_pattern` (``03-bit-pattern``, implement): label fixed points by their readout.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from math import comb

import numpy as np

from rnnlab.course.check import AnswerError, Misconception, check_array, check_value, ok
from rnnlab.dynamics.stability import n_unstable
from rnnlab.flipflop.census_result import Census, ideal_census
from rnnlab.models.esn import ESN

__all__ = ["bit_pattern", "ideal_count", "origin_unstable", "predict_census", "rls_step"]


# -- 03-rls-step ---------------------------------------------------------------------------


def _rls_reference(P, r, W_o, y, *, p_sign=-1.0, denominator=True, e_sign=1.0):
    """One RLS step; the keyword arguments build the common wrong versions."""
    e = e_sign * (W_o @ r - y)
    k = P @ r
    c = 1.0 / (1.0 + r @ k) if denominator else 1.0
    return P + p_sign * c * np.outer(k, k), W_o - c * np.outer(e, k)


RLS_HINTS = {
    "p_sign": "P grew: the update subtracts, P <- P - c k k^T (adding a sample to the "
    "correlation matrix shrinks its inverse).",
    "denominator": "The factor c = 1 / (1 + r^T P r) is missing: without it the step is not "
    "the Sherman-Morrison update of the inverse.",
    "e_sign": "The readout moved the wrong way: with e = W_o r - y the update is "
    "W_o <- W_o - c e k^T (the error is output minus target).",
}


def _rls_call(student: Callable, P, r, W_o, y, what: str):
    answer = student(P.copy(), r.copy(), W_o.copy(), y.copy())
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        raise AnswerError(f"rls_step should return a pair (P, W_o), got {type(answer).__name__}")
    P_new, W_new = answer
    P_new, W_new = np.asarray(P_new), np.asarray(W_new)
    if P_new.shape != P.shape or W_new.shape != W_o.shape:
        raise AnswerError(
            f"rls_step returned P of shape {P_new.shape} and W_o of shape {W_new.shape} "
            f"{what}; expected {P.shape} and {W_o.shape}"
        )
    return P_new, W_new


def rls_step(student: Callable, *, seed: int = 11) -> None:
    """Check ``rls_step(P, r, W_o, y) -> (P, W_o)`` (exercise ``03-rls-step``).

    First one step from a random symmetric positive definite ``P`` and a nonzero readout
    (where the common slips show), then 200 steps from :math:`P_0 = I/\\alpha`,
    :math:`W_o = 0` against the closed forms :math:`P = (\\alpha I + R^\\top R)^{-1}` and
    :math:`W_o = Y^\\top R\\,(\\alpha I + R^\\top R)^{-1}`.

    Parameters
    ----------
    student : callable
        The student's ``rls_step``.
    seed : int
        Seed of the random rates and targets.

    Raises
    ------
    AnswerError
        With a hint when the step has the wrong sign in the P update, lacks the
        denominator :math:`1 + r^\\top P r`, or moves the readout against the error.
    """
    rng = np.random.default_rng(seed)
    n_units, n_out = 8, 3
    A = rng.normal(size=(n_units, n_units))
    P = A @ A.T / n_units + 0.5 * np.eye(n_units)
    r = np.tanh(rng.normal(size=n_units))
    W_o = rng.normal(size=(n_out, n_units))
    y = rng.choice([-1.0, 1.0], size=n_out)
    P_new, W_new = _rls_call(student, P, r, W_o, y, "after one step")
    P_ref, W_ref = _rls_reference(P, r, W_o, y)
    wrong = {key: _rls_reference(P, r, W_o, y, **{key: v}) for key, v in
             (("p_sign", 1.0), ("denominator", False), ("e_sign", -1.0))}  # fmt: skip
    p_hints = [Misconception(wrong[k][0], RLS_HINTS[k]) for k in ("p_sign", "denominator")]
    w_hints = [Misconception(wrong[k][1], RLS_HINTS[k]) for k in ("e_sign", "denominator")]
    check_array(P_new, P_ref, "P after one step", atol=1e-10, misconceptions=p_hints)
    check_array(W_new, W_ref, "W_o after one step", atol=1e-10, misconceptions=w_hints)
    # 200 steps against the closed forms of section 2
    n_units, n_samples, alpha = 20, 200, 1.0
    R = np.tanh(rng.normal(size=(n_samples, n_units)))
    Y = rng.choice([-1.0, 1.0], size=(n_samples, n_out))
    P, W = np.eye(n_units) / alpha, np.zeros((n_out, n_units))
    for r_s, y_s in zip(R, Y, strict=True):
        P, W = _rls_call(student, P, r_s, W, y_s, "during the 200 steps")
    inverse_correlation = np.linalg.inv(alpha * np.eye(n_units) + R.T @ R)
    check_array(P, inverse_correlation, "P after 200 steps", atol=1e-10)
    check_array(W, Y.T @ R @ inverse_correlation, "W_o after 200 steps", atol=1e-10)


# -- 03-origin-unstable ----------------------------------------------------------------------


def origin_unstable(answer: int, esn: ESN, *, rel_tol: float = 0.3) -> None:
    """Check a prediction of the untrained origin's unstable dimensions (``03-origin-unstable``).

    The reference is counted, not derived: the eigenvalues of
    :math:`J(0) = -I + W_r` (the closed loop with :math:`W_o = 0`) with
    :math:`\\operatorname{Re}\\lambda > 0`. A prediction passes within ``rel_tol`` of it (a
    prediction from the circular law is an estimate).

    Parameters
    ----------
    answer : int
        The prediction (a whole number).
    esn : ESN
        The reservoir; its readout is ignored (set to zero).
    rel_tol : float
        Relative tolerance of the prediction.

    Raises
    ------
    AnswerError
        With a hint for the common slips: a stable origin (that needs g < 1), three
        dimensions (the trained cube's centre), half of N (a disk centred at 0, forgetting
        the -I), all N, or the fraction of the disk's diameter instead of its area.
    """
    if not isinstance(esn, ESN):
        raise TypeError(f"esn must be an rnnlab.ESN, got {type(esn).__name__}")
    lam = esn.closed_loop(W_o=np.zeros_like(esn.W_o)).eigenvalues(np.zeros(esn.N))
    count = int(n_unstable(lam))
    N, g = esn.N, esn.g
    diameter = round(N * max(g - 1.0, 0.0) / (2 * g))
    hints = [
        Misconception(0, f"Zero needs g < 1: the eigenvalues of W_r fill a disk of radius "
                         f"g = {g:g}, so those of -I + W_r reach Re = g - 1 > 0."),
        Misconception(3, "Three is the centre of the trained cube, one per bit; before training "
                         "W_o = 0 and only the random reservoir W_r counts."),
        Misconception(N // 2, "Half of N would be a disk centred at 0: J(0) = -I + W_r shifts "
                              "the disk of W_r by -1, so only the part beyond Re = 1 counts."),
        Misconception(N, "Not every direction: J(0) = -I + W_r, and most eigenvalues of W_r "
                         "have real part below 1."),
        Misconception(diameter, "That is the fraction of the disk's diameter beyond Re = 1; the "
                                "eigenvalues fill the disk's area uniformly (circular law)."),
    ]  # fmt: skip
    if not isinstance(answer, int | np.integer) or isinstance(answer, bool | np.bool_):
        raise AnswerError(f"your prediction should be a whole number, got {answer!r}")
    if abs(answer - count) <= rel_tol * count:
        return ok(
            f"your prediction {int(answer)} is close: the origin has {count} unstable "
            f"dimensions ({100 * count / N:.0f} % of N = {N})."
        )
    msg = f"your prediction {int(answer)} is far from the {count} unstable dimensions counted."
    for m in hints:  # the nearest slip within 10 %, or an exact small one
        if abs(answer - m.wrong) <= 0.1 * m.wrong:
            msg += " " + m.hint
            break
    raise AnswerError(msg)


# -- 03-predict-census -----------------------------------------------------------------------


def _as_counts(answer) -> list:
    if isinstance(answer, Mapping):
        n = max(int(k) for k in answer) + 1 if answer else 0
        return [answer.get(k, 0) for k in range(n)]
    if isinstance(answer, str) or not isinstance(answer, Sequence | np.ndarray):
        raise AnswerError(
            f"your prediction should be a list [n0, n1, n2, n3], got {type(answer).__name__}"
        )
    return list(answer)


def predict_census(answer: Sequence[int] | Mapping[int, int]) -> None:
    """Check a prediction of the ideal 3-bit census by unstable dimensions (``03-predict-census``).

    Parameters
    ----------
    answer : sequence of int or dict
        ``[n0, n1, n2, n3]``: how many fixed points have 0, 1, 2, 3 unstable dimensions
        (a dict ``{0: n0, ...}`` is read the same way).

    Raises
    ------
    AnswerError
        With a hint for forgetting the centre, counting only the memories, counting the
        positions of the zero bits without the signs of the others, swapping edges and
        faces, or reversing the list.
    """
    counts = _as_counts(answer)
    ideal = ideal_census(3)
    reference = [ideal[k] for k in range(4)]
    centre = "The centre is missing: all three bits 0 is the origin, a saddle with 3 unstable "
    centre += "dimensions (one per bit)."
    if counts[:3] == reference[:3] and len(counts) == 3:
        raise AnswerError(f"your prediction {counts} has 3 entries, expected 4. {centre}")
    hints = [
        Misconception([8, 12, 6, 0], centre),
        Misconception([8, 0, 0, 0], "Only the memories: between two stable states there must be "
                                    "a saddle (a one-bit switch is a double well: 2 minima and a "
                                    "barrier), 3^3 = 27 points in all, not 2^3 = 8."),
        Misconception([1, 3, 3, 1], "comb(3, k) counts where the k zero bits are; the other "
                                    "3 - k bits still take a sign each: times 2^(3 - k)."),
        Misconception([8, 6, 12, 1], "Edges and faces swapped: a cube has 12 edges (one zero "
                                     "bit, 1 unstable dimension) and 6 faces (two zero bits)."),
        Misconception([1, 6, 12, 8], "Reversed: the memories are stable, 0 unstable dimensions; "
                                     "the single centre has 3."),
    ]  # fmt: skip
    check_array(counts, reference, "predicted counts [n0, n1, n2, n3]", misconceptions=hints)


# -- 03-ideal-count --------------------------------------------------------------------------

_CASES = [(n, k) for n in range(1, 7) for k in range(n + 1)]


def ideal_count(student: Callable) -> None:
    """Check ``ideal_count(n_bits, k)`` for 1-6 bits and every k (``03-ideal-count``).

    Raises
    ------
    AnswerError
        With a hint for ``comb(n, k)`` without the signs, ``2**(n - k)`` without the
        positions, or the signs given to the zero bits (``comb(n, k) * 2**k``).
    """
    answers = [student(n, k) for n, k in _CASES]
    for (n, k), a in zip(_CASES, answers, strict=True):
        if a is None:
            raise AnswerError(f"ideal_count({n}, {k}) is None: did the function forget `return`?")
    reference = [ideal_census(n)[k] for n, k in _CASES]
    hints = [
        Misconception([comb(n, k) for n, k in _CASES],
                      "comb(n, k) counts where the zero bits are; each of the other n - k bits "
                      "is +1 or -1: multiply by 2**(n - k)."),
        Misconception([2 ** (n - k) for n, k in _CASES],
                      "2**(n - k) counts the signs of the nonzero bits for one choice of the "
                      "zero positions; there are comb(n, k) such choices."),
        Misconception([comb(n, k) * 2**k for n, k in _CASES],
                      "The signs belong to the n - k nonzero bits: 2**(n - k), not 2**k."),
    ]  # fmt: skip
    check_array(answers, reference, "ideal counts for n = 1-6", misconceptions=hints)
    total = sum(student(4, k) for k in range(5))
    check_value(int(total), 3**4, "total for 4 bits (every pattern in {-1, 0, +1}^4)")


# -- 03-bit-pattern --------------------------------------------------------------------------


def bit_pattern(student: Callable, census: Census) -> None:
    """Check ``bit_pattern(z, threshold=0.5)`` on a census's readouts (``03-bit-pattern``).

    The readouts of the census's fixed points are labelled with the default threshold and
    compared with the census's own labels; then a small table of readouts with a threshold
    of 0.2.

    Raises
    ------
    AnswerError
        With a hint when the threshold is applied to z instead of |z| (every negative bit
        becomes 0) or the bits come out inverted.
    """
    if not isinstance(census, Census):
        raise TypeError(f"census must be an rnnlab Census, got {type(census).__name__}")
    z = np.asarray(census.readout, dtype=float)

    def hints(z, threshold):
        return [
            Misconception(np.where(z < threshold, 0, np.sign(z)),
                          "Every negative bit became 0: compare |z| with the threshold, not z."),
            Misconception(-np.where(np.abs(z) < threshold, 0, np.sign(z)),
                          "The bits are inverted: the bit is the sign of z, +1 for z > 0."),
            Misconception(np.where(np.abs(z) > threshold, 0, np.sign(z)),
                          "The 0 went to the wrong side: a bit is 0 where |z| < threshold "
                          "(small readout), the sign elsewhere."),
        ]  # fmt: skip

    check_array(
        student(z), census.bits, f"bit patterns of the {len(z)} fixed points",
        misconceptions=hints(z, census.zero_threshold),
    )  # fmt: skip
    z_small = np.array([[0.9, -0.3, 0.1], [-0.25, 0.15, -1.2], [0.0, 0.5, -0.5]])
    reference = np.where(np.abs(z_small) < 0.2, 0, np.sign(z_small)).astype(int)
    check_array(
        student(z_small, threshold=0.2), reference, "bit patterns with threshold 0.2",
        misconceptions=hints(z_small, 0.2),
    )  # fmt: skip
