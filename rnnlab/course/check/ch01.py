"""Checks for chapter 01's exercises, with the wrong answers students commonly give.

One function per exercise, named after it; each wraps a check of :mod:`rnnlab.course.check` with
the exercise's reference and its :class:`~rnnlab.course.check.Misconception` hints.

The exercises and the mistakes each check recognises:

- ``01-family-fixed-points`` (:func:`family_fixed_points`): the mirror point or the origin
  forgotten, ``y = x/2`` kept for every ``b``, the origin listed more than once at ``a = 0``,
  ``sqrt(a)`` taken for ``a < 0``;
- ``01-predict-types`` (:func:`fixed_point_types`): a negative trace read as stability, a
  repeated eigenvalue read as a complex one, the sign rule reversed;
- ``01-unstable-dims`` (:func:`unstable_dims`): the flow rule used for a map (and the other
  way round);
- ``01-largest-stable-step`` (:func:`largest_stable_step`): no bound at all (the flow rule),
  the imaginary part of λ forgotten, ``2/|λ|`` for a complex λ, the step at which ``μ`` reaches
  0, the largest bound taken instead of the smallest, the saddle included;
- ``01-grad-q`` (:func:`grad_q`): ``J F`` instead of ``J^T F``, ``2 J^T F``, ``-J^T F``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from rnnlab.course.check import (
    AnswerError,
    Misconception,
    check_choice,
    check_fixed_points,
    check_function,
    check_value,
)
from rnnlab.dynamics.stability import n_unstable
from rnnlab.dynamics.systems import ToySystem

__all__ = [
    "FAMILY_PARAMETERS",
    "STEP_PARAMETERS",
    "TEST_POINTS",
    "TYPES",
    "family_fixed_points",
    "fixed_point_types",
    "grad_q",
    "largest_stable_step",
    "unstable_dims",
]

#: States at which the gradient of q is compared: the three fixed points and two points
#: where F and the off-diagonal entries of the Jacobian are all nonzero.
TEST_POINTS = np.array([[0.0, 0.0], [1.0, 0.5], [-1.0, -0.5], [0.25, -1.25], [-1.5, 0.75]])

#: The (a, b) at which ``family_fixed_points`` is checked: a > 0 with b = 1/2, another b and
#: a negative b, then a = 0 and a < 0 (only the origin).
FAMILY_PARAMETERS = ((1.0, 0.5), (0.25, 0.5), (2.0, -0.3), (0.0, 0.5), (-0.5, 1.0))

#: The (a, b) at which ``largest_stable_step`` is checked: Jang's system (a degenerate node,
#: lambda = -1 twice), nodes with two different eigenvalues, then b < 0 and a < 0, where the
#: only stable point is the origin and it is a focus (complex lambda).
STEP_PARAMETERS = ((1.0, 0.5), (2.0, 0.5), (1.0, -2.0), (-1.0, 1.0))

#: The type names a prediction chooses from (the words `rnnlab.classify` uses).
TYPES = ("saddle", "stable node", "unstable node", "stable focus", "unstable focus")


# -- 01-family-fixed-points ------------------------------------------------------------------


def _family_misconceptions(a: float, b: float) -> list[Misconception]:
    r = np.sqrt(a) if a > 0 else 0.0
    hints = []
    if a > 0:
        hints += [
            Misconception(
                [[0.0, 0.0], [r, b * r]],
                "x^2 = a has two solutions, x = +sqrt(a) and x = -sqrt(a): the mirror point "
                "(-sqrt(a), -b sqrt(a)) is missing (F(-x) = -F(x), so fixed points come in "
                "pairs).",
            ),
            Misconception(
                [[0.0, 0.0], [-r, -b * r]],
                "x^2 = a has two solutions, x = +sqrt(a) and x = -sqrt(a): the point "
                "(sqrt(a), b sqrt(a)) is missing.",
            ),
            Misconception(
                [[r, b * r], [-r, -b * r]],
                "The origin is missing: the line y = 0 is part of the x-nullcline too, and it "
                "meets the y-nullcline y = b x at (0, 0), for every a.",
            ),
        ]
        if b != 0.5:
            hints.append(
                Misconception(
                    [[0.0, 0.0], [r, 0.5 * r], [-r, -0.5 * r]],
                    "Those are the points of Jang's system: in the family the y-nullcline is "
                    "y = b x, so the outer points are (+-sqrt(a), +-b sqrt(a)).",
                )
            )
    else:
        for n in (2, 3):
            hints.append(
                Misconception(
                    np.zeros((n, 2)),
                    "You listed the origin more than once: at a = 0 the solutions x = "
                    "+-sqrt(a) coincide with x = 0, so there is a single fixed point.",
                )
            )
    return hints


def _has_nan(answer) -> bool:
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return False
    return bool(np.any(np.isnan(arr)))


def family_fixed_points(
    student: Callable[[float, float], np.ndarray],
    parameters: Sequence[tuple[float, float]] = FAMILY_PARAMETERS,
) -> None:
    """Check ``student(a, b)``, the fixed points of the toy family, at several ``(a, b)``.

    Prints one line per ``(a, b)`` in ``parameters``, compared (in any order)
    with :meth:`rnnlab.ToySystem.analytic_fixed_points`.

    Parameters
    ----------
    student : callable
        ``student(a, b)`` returns the fixed points of
        :math:`\\dot x = (a - x^2) y,\\ \\dot y = b x - y` as an ``(n_points, 2)`` array.
    parameters : sequence of (a, b)
        Where to check; :data:`FAMILY_PARAMETERS` by default (the grader adds more).

    Raises
    ------
    AnswerError
        At the first ``(a, b)`` where the points differ, naming the missing and the extra
        points and, for a common mistake, what it reveals.
    """
    if len(parameters) == 0:
        raise ValueError("parameters must hold at least one (a, b), got none")
    for a, b in parameters:
        answer = student(a, b)
        if a < 0 and _has_nan(answer):
            raise AnswerError(
                f"at a = {a:g}, b = {b:g} your fixed points hold a non-finite value. For a < 0, "
                "x^2 = a has no real solution (np.sqrt(a) is nan): only the origin is left."
            )
        try:
            print(f"a = {a:5.2f}, b = {b:5.2f}: ", end="")
            check_fixed_points(
                answer,
                ToySystem(a, b).analytic_fixed_points(),
                misconceptions=_family_misconceptions(a, b),
            )
        except AnswerError as err:
            print()
            raise AnswerError(f"at a = {a:g}, b = {b:g}: {err}") from None


# -- 01-predict-types ------------------------------------------------------------------------

_ORIGIN_HINTS = {
    "stable node": "A negative trace (here -1) only says that the eigenvalues add up to a "
    "negative number. The determinant of J at the origin is -1/2 < 0, so the two eigenvalues "
    "have opposite signs: one direction grows, a saddle.",
    "unstable node": "Only one eigenvalue at the origin, (-1 + sqrt 3)/2 = 0.37, is positive; "
    "the other, (-1 - sqrt 3)/2, is negative. One unstable and one stable direction make a "
    "saddle.",
    "stable focus": "The eigenvalues at the origin are real (lambda^2 + lambda - 1/2 = 0 has "
    "discriminant 3 > 0); a focus needs complex eigenvalues.",
    "unstable focus": "The eigenvalues at the origin are real (lambda^2 + lambda - 1/2 = 0 has "
    "discriminant 3 > 0); a focus needs complex eigenvalues.",
}
_NODE_HINTS = {
    "stable focus": "A repeated eigenvalue is not a complex one: at (1, 1/2) J is triangular "
    "with -1 twice on its diagonal, so both eigenvalues are real. A focus needs complex "
    "eigenvalues.",
    "unstable node": "Both eigenvalues at (1, 1/2) are -1: for a flow Re lambda < 0 means a "
    "perturbation shrinks like e^(-t), so the point is stable.",
    "saddle": "A saddle needs eigenvalues of both signs; at (1, 1/2) both are -1.",
    "unstable focus": "Both eigenvalues at (1, 1/2) are real and negative (-1 twice): "
    "stable, and no rotation.",
}


def _type_word(kind: str) -> str:
    """``'saddle (1 unstable)'`` -> ``'saddle'``: the word without the count."""
    return kind.split("(")[0].strip()


def fixed_point_types(prediction: Sequence[str], computed: Sequence[str]) -> None:
    """Check a predicted type for the origin and for the fixed point (1, 1/2).

    Parameters
    ----------
    prediction : (str, str)
        The predicted types of the origin and of (1, 1/2), each one of :data:`TYPES`.
    computed : (str, str)
        The types :func:`rnnlab.classify` gives for the same two points, in the same order
        (a count such as ``" (1 unstable)"`` is ignored).

    Raises
    ------
    AnswerError
        For the first wrong type, with what a common wrong type reveals (a negative trace
        read as stability, a repeated eigenvalue read as complex, ...).
    """
    if isinstance(prediction, str) or not isinstance(prediction, Sequence):
        raise AnswerError(
            "your prediction should be a tuple of two types (origin, (1, 1/2)), e.g. "
            f"('stable node', 'saddle'); got {prediction!r}"
        )
    if len(prediction) != 2:
        raise AnswerError(
            f"your prediction should hold two types (origin, (1, 1/2)), got {len(prediction)}"
        )
    computed = [_type_word(c) for c in computed]
    if len(computed) != 2:
        raise ValueError(f"computed must hold two types, got {len(computed)}")
    for answer, reference, name, hints in zip(
        prediction,
        computed,
        ("type of the origin", "type of (1, 1/2)"),
        (_ORIGIN_HINTS, _NODE_HINTS),
        strict=True,
    ):
        check_choice(
            answer,
            reference,
            TYPES,
            name,
            misconceptions=[Misconception(w, h) for w, h in hints.items() if w != reference],
        )


# -- 01-unstable-dims ------------------------------------------------------------------------


def unstable_dims(prediction: Sequence[int], mu) -> None:
    """Check a predicted number of unstable dimensions under the flow and the map rule.

    Parameters
    ----------
    prediction : (int, int)
        ``(flow_rule, map_rule)``: how many eigenvalues ``mu`` have
        :math:`\\operatorname{Re}\\mu > 0` (the flow rule, wrong for a map) and how many
        have :math:`|\\mu| > 1` (the map rule).
    mu : array_like
        Eigenvalues of the map's Jacobian :math:`\\partial G/\\partial\\mathbf x` at the point.

    Raises
    ------
    AnswerError
        For a wrong count; a map-rule answer that is the flow rule's count (or the other
        way round) is named as the rules mixed up.
    """
    if isinstance(prediction, str) or not isinstance(prediction, Sequence):
        raise AnswerError(
            f"your prediction should be a tuple (flow_rule, map_rule) of two ints, got "
            f"{prediction!r}"
        )
    if len(prediction) != 2:
        raise AnswerError(
            f"your prediction should hold two counts (flow_rule, map_rule), got {len(prediction)}"
        )
    flow = int(n_unstable(mu))
    map_ = int(n_unstable(mu, discrete=True))
    flow_hints = []
    map_hints = []
    if flow != map_:
        flow_hints.append(
            Misconception(
                map_,
                "That is the map rule |mu| > 1. The flow rule counts the eigenvalues with "
                "Re mu > 0; applied to a map's eigenvalues it is wrong, and the question "
                "asks what it would (wrongly) say.",
            )
        )
        map_hints.append(
            Misconception(
                flow,
                "For a map the rule is |mu| > 1, not Re mu > 0: you used the flow rule. A "
                "perturbation is multiplied by mu at every step, so it grows only when "
                "|mu| > 1.",
            )
        )
    check_value(prediction[0], flow, "flow-rule count", misconceptions=flow_hints)
    check_value(prediction[1], map_, "map-rule count", misconceptions=map_hints)


# -- 01-largest-stable-step ------------------------------------------------------------------


def _stable_spectra(system: ToySystem) -> list[np.ndarray]:
    """The eigenvalues at every fixed point of ``system`` that is stable for the flow.

    Stable means every :math:`\\operatorname{Re}\\lambda < 0` (strictly: a non-hyperbolic
    point, as at ``a = 0``, is left out, the bound would be 0/0 there).
    """
    spectra = [system.eigenvalues(p) for p in system.analytic_fixed_points()]
    return [lam for lam in spectra if np.all(lam.real < -1e-12)]


def _step_bound(lam: np.ndarray) -> np.ndarray:
    """Largest Euler step with :math:`|1 + \\Delta t\\,\\lambda| \\le 1`, per eigenvalue."""
    return -2.0 * lam.real / np.abs(lam) ** 2


def _step_misconceptions(system: ToySystem, reference: float) -> list[Misconception]:
    stable = np.concatenate(_stable_spectra(system))
    every = np.concatenate([system.eigenvalues(p) for p in system.analytic_fixed_points()])
    candidates = [
        (
            np.min(2.0 / np.abs(stable.real)),
            "You kept only the real part of lambda. For a complex lambda, |mu|^2 = "
            "(1 + dt Re lambda)^2 + (dt Im lambda)^2: the rotation pushes mu out of the unit "
            "circle sooner, at dt = -2 Re lambda / |lambda|^2.",
        ),
        (
            np.min(2.0 / np.abs(stable)),
            "2/|lambda| is the bound for a real lambda only. For a complex one, solve "
            "|1 + dt lambda|^2 = 1 + 2 dt Re lambda + dt^2 |lambda|^2 = 1: dt = -2 Re lambda "
            "/ |lambda|^2.",
        ),
        (
            np.min(1.0 / np.abs(stable.real)),
            "At that step mu = 1 + dt lambda only reaches 0 (a real lambda: dt = 1/|lambda|, "
            "the time scale). A negative mu with |mu| < 1 still shrinks a perturbation, it "
            "only flips its sign each step: the map rule allows mu down to -1.",
        ),
        (
            np.max(_step_bound(stable)),
            "That is the largest of the bounds; the point stays stable only while every "
            "|mu| < 1, so the smallest bound (the fastest eigenvalue) decides.",
        ),
        (
            np.min(_step_bound(every[every.real < 0])),
            "You included the saddle. It is unstable for the flow and, by the map rule, for "
            "every dt > 0 (its mu = 1 + dt lambda > 1 for its lambda > 0): it has no "
            "stability to lose. Keep only the points that are stable for the flow.",
        ),
        (
            np.min(_step_bound(every)),
            "A negative step: you included an unstable eigenvalue (Re lambda > 0, the "
            "saddle's). Keep only the points that are stable for the flow.",
        ),
    ]
    hints: list[Misconception] = []
    for wrong, hint in candidates:
        if abs(wrong - reference) > 1e-6 and all(abs(wrong - m.wrong) > 1e-6 for m in hints):
            hints.append(Misconception(float(wrong), hint))
    return hints


def _is_infinite(answer) -> bool:
    try:
        return bool(np.ndim(answer) == 0 and np.isinf(float(answer)))
    except (TypeError, ValueError):
        return False


def _focus_line(parameters: Sequence[tuple[float, float]]) -> str | None:
    """Why 2/|lambda| fails, at the first (a, b) whose stable point is a focus."""
    for a, b in parameters:
        for lam in _stable_spectra(ToySystem(a, b)):
            if abs(lam[0].imag) > 1e-12:
                return (
                    f"  At a = {a:g}, b = {b:g} the stable point is a focus, lambda = "
                    f"{lam[0].real:.3f} \N{PLUS-MINUS SIGN} {abs(lam[0].imag):.3f}i: 2/|lambda| = "
                    f"{2.0 / abs(lam[0]):.3f}, but |1 + dt lambda| = 1 already at "
                    f"dt = 2|Re lambda|/|lambda|^2 = {_step_bound(lam)[0]:.3f}."
                )
    return None


def largest_stable_step(
    student: Callable[[ToySystem], float],
    parameters: Sequence[tuple[float, float]] = STEP_PARAMETERS,
) -> None:
    r"""Check ``student(system)``, the largest Euler step that keeps the flow's stable points stable.

    The Euler map :math:`G(\mathbf x) = \mathbf x + \Delta t\,F(\mathbf x)` has the
    eigenvalues :math:`\mu = 1 + \Delta t\,\lambda`, and
    :math:`|\mu|^2 = 1 + 2\Delta t\operatorname{Re}\lambda + \Delta t^2|\lambda|^2 < 1`
    holds for :math:`0 < \Delta t < -2\operatorname{Re}\lambda/|\lambda|^2`. The reference
    is the smallest of these bounds over the eigenvalues of every fixed point that is stable
    for the flow (all :math:`\operatorname{Re}\lambda < 0`).

    Parameters
    ----------
    student : callable
        ``student(system)`` returns that step, a float, for a :class:`rnnlab.ToySystem`.
    parameters : sequence of (a, b)
        The members of the family to check, each with at least one stable fixed point;
        :data:`STEP_PARAMETERS` by default (the grader adds more).

    Raises
    ------
    AnswerError
        At the first ``(a, b)`` where the step differs, naming what a common wrong step
        reveals (no bound, Im lambda forgotten, 2/|lambda| for a complex lambda, ...).
    ValueError
        When ``parameters`` is empty or a member has no fixed point that is stable for the
        flow (a non-hyperbolic one, as the origin at ``a = 0``, does not count).
    """
    if len(parameters) == 0:
        raise ValueError("parameters must hold at least one (a, b), got none")
    for a, b in parameters:
        system = ToySystem(a, b)
        if not _stable_spectra(system):
            raise ValueError(
                f"parameters: a = {a:g}, b = {b:g} has no fixed point with every Re lambda < 0"
            )
        reference = float(
            np.min(np.concatenate([_step_bound(lam) for lam in _stable_spectra(system)]))
        )
        answer = student(system)
        print(f"a = {a:5.2f}, b = {b:5.2f}: ", end="")
        try:
            if _is_infinite(answer):
                raise AnswerError(
                    "your step is infinite: that is the flow's view, stable for every dt "
                    "because Re lambda < 0 does not depend on dt. The Euler map's eigenvalues "
                    "mu = 1 + dt lambda do: apply the map rule |mu| < 1 to them."
                )
            check_value(
                answer,
                reference,
                "largest step",
                tol=1e-6,
                misconceptions=_step_misconceptions(system, reference),
            )
        except AnswerError as err:
            print()
            raise AnswerError(f"at a = {a:g}, b = {b:g}: {err}") from None
    line = _focus_line(parameters)
    if line is not None:
        print(line)


# -- 01-grad-q -------------------------------------------------------------------------------


def grad_q(student: Callable[[np.ndarray], np.ndarray], points=TEST_POINTS) -> None:
    """Check ``student(p)``, the gradient of the speed q of Jang's toy system, at ``points``.

    Parameters
    ----------
    student : callable
        ``student(p)`` returns :math:`\\nabla q = J^\\top F` at ``p``, shape ``(2,)``.
    points : array_like, shape (n, 2)
        Where to compare; :data:`TEST_POINTS` by default.

    Raises
    ------
    AnswerError
        At the first point where the gradient differs; names ``J F`` (no transpose),
        ``2 J^T F`` (the 1/2 of q forgotten) and ``-J^T F`` (the descent direction).
    """
    toy = ToySystem()
    misconceptions = [
        Misconception(
            lambda x: toy.jacobian(x) @ toy.rhs(x),
            "That is J F. The chain rule gives dq/dx_i = sum_k F_k dF_k/dx_i: the sum runs "
            "down column i of J, so the gradient is J^T F (J transposed).",
        ),
        Misconception(
            lambda x: 2.0 * toy.jacobian(x).T @ toy.rhs(x),
            "It is twice the gradient: q = |F|^2 / 2, and the 1/2 cancels the 2 from "
            "differentiating the square.",
        ),
        Misconception(
            lambda x: -toy.jacobian(x).T @ toy.rhs(x),
            "That is minus the gradient, the direction of steepest descent; the gradient "
            "itself points uphill.",
        ),
    ]
    check_function(student, toy.grad_q, points, "gradient of q", misconceptions=misconceptions)
