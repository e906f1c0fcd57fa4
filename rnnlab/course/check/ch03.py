"""Checks for chapter 03's exercises, with the wrong answers students commonly give.

One function per exercise, named after it; each wraps a check of :mod:`rnnlab.course.check` with
the exercise's reference and its :class:`~rnnlab.course.check.Misconception` hints.

- :func:`rls_step` (``03-rls-step``, implement): one recursive-least-squares update;
- :func:`origin_unstable` (``03-origin-unstable``, predict): unstable dimensions of an
  untrained reservoir's origin;
- :func:`predict_census` (``03-predict-census``, predict): the ideal 3-bit census;
- :func:`bit_pattern` (``03-bit-pattern``, implement): label fixed points by their readout;
- :func:`slowest_decay` (``03-slowest-decay``, analyse): the e-folding time, in steps, of the
  slowest stable direction at a fixed point of the trained network (the fastest direction,
  units of tau, ``dt/tau`` the wrong way, ``|lambda|`` for ``Re lambda``, the half-life
  and an unstable direction recognised).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from rnnlab.course.check import AnswerError, Misconception, check_array, ok, with_hint
from rnnlab.dynamics.stability import n_unstable
from rnnlab.flipflop.census_result import Census, ideal_census
from rnnlab.models.esn import ESN

__all__ = ["bit_pattern", "origin_unstable", "predict_census", "rls_step", "slowest_decay"]


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


# -- 03-slowest-decay ------------------------------------------------------------------------

#: Names of the points of the ideal 3-bit cube by their number of unstable dimensions.
_POINT_NAMES = {0: "memory", 1: "edge saddle", 2: "face saddle", 3: "centre"}


def _decay_steps(lam: np.ndarray, dt_over_tau: float) -> tuple[float, float]:
    """The e-folding time in steps of the slowest stable direction: (flow, Euler map).

    Flow: :math:`1/(\\frac{\\Delta t}{\\tau}|\\operatorname{Re}\\lambda_s|)` with
    :math:`\\lambda_s` the stable eigenvalue with the largest real part. Map: the simulated
    network shrinks that direction by :math:`|\\mu| = |1 + \\frac{\\Delta t}{\\tau}\\lambda|`
    per step, so :math:`-1/\\ln|\\mu|` steps, with the largest :math:`|\\mu| < 1`.
    """
    stable = lam[lam.real < 0]
    flow = 1.0 / (dt_over_tau * -np.max(stable.real))
    mu = np.abs(1.0 + dt_over_tau * lam)
    euler = -1.0 / np.log(np.max(mu[mu < 1.0])) if np.any(mu < 1.0) else np.nan
    return float(flow), float(euler)


def _decay_misconceptions(lam: np.ndarray, dt_over_tau: float) -> list[Misconception]:
    stable = lam[lam.real < 0]
    slow = stable[np.argmax(stable.real)]
    reference = 1.0 / (dt_over_tau * abs(slow.real))
    steps_per_tau = 1.0 / dt_over_tau
    candidates = [
        (
            1.0 / (dt_over_tau * np.max(np.abs(stable.real))),
            "That is the fastest stable direction: it is gone first. What is left after a "
            "pulse decays along the slowest one, the stable lambda with Re lambda closest to 0.",
        ),
        (
            1.0 / abs(slow.real),
            f"That is the time in units of tau (the eigenvalues of J are rates per tau); one "
            f"tau lasts tau/dt = 1/esn.dt_over_tau = {steps_per_tau:g} steps.",
        ),
        (
            dt_over_tau / abs(slow.real),
            f"You multiplied by dt/tau; a step lasts dt/tau = {dt_over_tau:g} tau, so a time "
            f"t (in units of tau) takes t / {dt_over_tau:g} steps: divide.",
        ),
        (
            1.0 / (dt_over_tau * abs(slow)),
            "For a complex lambda the perturbation turns while it shrinks, and only Re lambda "
            "shrinks it: |exp(lambda t)| = exp(Re lambda t). Use |Re lambda|, not |lambda|.",
        ),
        (
            np.log(2.0) * reference,
            "That is the half-life, the time to shrink by 2; the question asks for a factor "
            "e: 1/|Re lambda|, without ln 2.",
        ),
    ]
    hint = (
        "That is an unstable direction (Re lambda > 0): along it a perturbation grows, it "
        "does not settle. Keep only the stable eigenvalues, Re lambda < 0."
    )
    for growth in lam.real[lam.real > 0]:  # with or without the sign, from any of them
        candidates += [(1.0 / (dt_over_tau * growth), hint), (-1.0 / (dt_over_tau * growth), hint)]
    hints: list[Misconception] = []
    for wrong, hint in candidates:
        if abs(wrong - reference) > 1e-6 * reference and all(
            abs(wrong - m.wrong) > 1e-6 * abs(m.wrong) for m in hints
        ):
            hints.append(Misconception(float(wrong), hint))
    return hints


def _as_steps(answer) -> float:
    """The answer as one finite real number, or an AnswerError saying what it is instead."""
    if answer is None:
        raise AnswerError("your decay time is None: did the function forget to `return` it?")
    if isinstance(answer, bool | np.bool_) or np.ndim(answer) != 0:
        raise AnswerError(f"your decay time should be a single number, got {answer!r}")
    if isinstance(answer, np.ndarray):
        answer = answer.item()
    if not isinstance(answer, numbers.Number):
        raise AnswerError(f"your decay time should be a number, got {type(answer).__name__}")
    value = complex(answer)
    if value.imag != 0 or not np.isfinite(value.real):
        raise AnswerError(f"your decay time should be a finite real number, got {answer!r}")
    return value.real


def _default_decay_points(census: Census) -> list[int]:
    """One memory of each mirror pair (first bit +1), then the first edge saddle."""
    n_unstable_ = census.points.n_unstable
    memories = [int(i) for i in np.flatnonzero(n_unstable_ == 0) if census.bits[i][0] > 0]
    return memories + [int(i) for i in np.flatnonzero(n_unstable_ == 1)[:1]]


def slowest_decay(
    student: Callable, esn: ESN, census: Census, points: Sequence[int] | None = None
) -> None:
    r"""Check ``slowest_decay(esn, x)``, the e-folding time in steps at a fixed point (``03-slowest-decay``).

    Near a fixed point :math:`\mathbf x^*` a perturbation along an eigenvector evolves like
    :math:`e^{\lambda t}`, with :math:`t` in units of :math:`\tau`, so it shrinks by a factor
    :math:`e` in :math:`1/|\operatorname{Re}\lambda|` units of :math:`\tau`, that is
    :math:`1/(\frac{\Delta t}{\tau}|\operatorname{Re}\lambda|)` steps. The reference is this
    time for the *slowest* stable direction, the stable :math:`\lambda` with the largest real
    part. The Euler map's exact count, :math:`-1/\ln|1 + \frac{\Delta t}{\tau}\lambda|`, is
    accepted too.

    Parameters
    ----------
    student : callable
        ``student(esn, x)`` returns that time in steps, a float, for a fixed point ``x``.
    esn : ESN
        The trained network whose closed loop has the fixed points.
    census : Census
        Its census (:func:`rnnlab.flipflop.census.census`); the reference uses the
        eigenvalues stored there, so only the student computes new ones.
    points : sequence of int, optional
        Indices into ``census.points`` to check; by default one memory of each mirror pair
        and the first edge saddle (the grader adds others).

    Raises
    ------
    AnswerError
        At the first point where the time differs, naming what a common wrong time
        reveals (the fastest direction, units of tau, an unstable direction, ...).
    TypeError
        When ``esn`` is not an ESN or ``census`` not a Census.
    ValueError
        When ``points`` is empty or names a point out of range or without a stable direction.
    """
    if not isinstance(esn, ESN):
        raise TypeError(f"esn must be an rnnlab.ESN, got {type(esn).__name__}")
    if not isinstance(census, Census):
        raise TypeError(f"census must be an rnnlab Census, got {type(census).__name__}")
    pts = census.points
    points = _default_decay_points(census) if points is None else [int(i) for i in points]
    if not points:
        raise ValueError("points must name at least one fixed point of the census, got none")
    for i in points:
        if not 0 <= i < pts.n_points:
            raise ValueError(f"points: {i} is not a point of the census (0-{pts.n_points - 1})")
        if not np.any(pts.eigenvalues[i].real < 0):
            raise ValueError(f"points: point {i} has no stable direction")
    for i in points:
        lam = pts.eigenvalues[i]
        flow, euler = _decay_steps(lam, esn.dt_over_tau)
        bits = ", ".join(f"{b:+d}" if b else " 0" for b in census.bits[i])
        k = int(pts.n_unstable[i])
        name = (
            _POINT_NAMES[k] if census.n_bits == 3 else f"saddle ({k} unstable)" if k else "memory"
        )
        label = f"{name} ({bits})"
        print(f"{label:<26}", end="")
        try:
            answer = _as_steps(student(esn, pts.x[i].copy()))
            if abs(answer - euler) <= 1e-6 * euler:
                ok(
                    f"your decay time is right: {euler:.1f} steps, the Euler map's exact "
                    f"count (the flow's estimate is {flow:.1f})"
                )
                continue
            if abs(answer - flow) > 1e-6 * flow:
                err = AnswerError(f"your decay time is {answer:.4g} steps, expected {flow:.4g}.")
                hints = _decay_misconceptions(lam, esn.dt_over_tau)
                raise with_hint(err, answer, hints, 0.0, 1e-6)
            ok(f"your decay time is right: {flow:.1f} steps")
        except AnswerError as err:
            print()
            raise AnswerError(f"at point {i}, {label}: {err}") from None
    memories = np.flatnonzero(pts.n_unstable == 0)
    if memories.size:
        times = [_decay_steps(pts.eigenvalues[i], esn.dt_over_tau)[0] for i in memories]
        print(
            f"slowest decay at the {memories.size} memories: {min(times):.1f} to "
            f"{max(times):.1f} steps"
        )
