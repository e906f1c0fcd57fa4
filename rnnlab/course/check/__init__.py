"""Feedback on exercise answers.

Each ``check_*`` function compares a student's answer with a reference computed by the
library and either prints a short confirmation (returning nothing, so a notebook cell shows
only the message) or raises
:class:`AnswerError` saying *where* the answer goes wrong, e.g.::

    AnswerError: your Jacobian differs from the reference at entry (2, 0) by 0.5
    (yours 1.5, reference 1.0) at x = [0.1, -0.3, 0.2].

A ``NotImplementedError`` raised by an unfinished exercise stub passes through unchanged,
so an unsolved exercise reads as "not done yet", never as a wrong answer.

Feedback that teaches: every check takes ``misconceptions``, a sequence of
:class:`Misconception` (a typical wrong answer and what it reveals). When an answer is wrong
and matches one of them, the error names the misconception, e.g.::

    AnswerError: your number of unstable dimensions is 2, expected 1. For a map the
    rule is |mu| > 1, not Re mu > 0: you used the flow rule.

The chapter modules (``rnnlab.course.check.ch01``, ...) hold one check per exercise, with the
wrong answers students commonly give; each hint is tested by feeding it its wrong answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "AnswerError",
    "Misconception",
    "check_array",
    "check_choice",
    "check_eigenvalues",
    "check_fixed_points",
    "check_function",
    "check_jacobian",
    "check_value",
]


class AnswerError(AssertionError):
    """An exercise answer that does not match the reference."""


@dataclass(frozen=True)
class Misconception:
    """A common wrong answer and the misconception it reveals.

    Parameters
    ----------
    wrong : value, array_like or callable
        The wrong answer. For :func:`check_function` (and the checks built on it) a
        callable ``x -> wrong answer at x``; otherwise the wrong value itself.
    hint : str
        What the wrong answer reveals and how to fix it, in a sentence or two
        ("for a map the rule is |mu| > 1, not Re mu > 0").
    """

    wrong: Any
    hint: str

    def __post_init__(self) -> None:
        if not isinstance(self.hint, str) or not self.hint.strip():
            raise ValueError(f"hint must be a non-empty string, got {self.hint!r}")


def _matches(answer, wrong, atol: float, rtol: float) -> bool:
    """Whether ``answer`` equals ``wrong`` (same type rules as the check itself)."""
    if isinstance(wrong, str):
        return isinstance(answer, str) and answer.strip().lower() == wrong.strip().lower()
    try:
        a = np.asarray(answer)
        w = np.asarray(wrong)
    except Exception:  # pragma: no cover - numpy accepts almost anything
        return False
    if a.dtype == object or w.dtype == object or a.shape != w.shape:
        return False
    if not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        return False
    if a.dtype == bool or w.dtype == bool:
        # True/False answers match only the same truth values (numpy cannot subtract bools).
        return a.dtype == w.dtype and bool(np.all(a == w))
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(w))):
        return False
    return bool(np.all(np.abs(a - w) <= atol + rtol * np.abs(w)))


def with_hint(
    error: AnswerError,
    answer,
    misconceptions: Sequence[Misconception],
    atol: float,
    rtol: float,
    x=None,
) -> AnswerError:
    """``error`` extended by the hint of the first misconception the answer matches."""
    for m in misconceptions:
        wrong = m.wrong(x) if callable(m.wrong) else m.wrong
        if _matches(answer, wrong, atol, rtol):
            return AnswerError(f"{error} {m.hint}")
    return error


def _check_misconceptions(misconceptions) -> tuple[Misconception, ...]:
    out = tuple(misconceptions)
    for m in out:
        if not isinstance(m, Misconception):
            raise TypeError(
                f"misconceptions must hold rnnlab.course.check.Misconception items, got {type(m).__name__}"
            )
    return out


def _fmt_point(x) -> str:
    x = np.atleast_1d(np.asarray(x, dtype=float))
    shown = ", ".join(f"{round(v, 4) + 0.0:g}" for v in x[:6])
    return f"[{shown}{', ...' if x.size > 6 else ''}]"


def _difference(d: float) -> str:
    # Round-off differs between machines (0 vs 2e-16); print it as a bound so the
    # confirmation reads the same everywhere.
    return "< 1e-12" if d < 1e-12 else f"{d:.1e}"


def ok(message: str) -> None:
    print(f"\N{CHECK MARK} {message}")


def _as_numeric(answer, name: str) -> np.ndarray:
    if answer is None:
        raise AnswerError(f"your {name} is None: did the function forget to `return` it?")
    try:
        arr = np.asarray(answer)
    except Exception as exc:  # pragma: no cover - numpy accepts almost anything
        raise AnswerError(f"your {name} could not be read as an array: {exc}") from exc
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise AnswerError(f"your {name} should be numeric, got {type(answer).__name__}")
    return arr


def _finite_reference(reference, name: str) -> np.ndarray:
    ref = np.asarray(reference)
    if ref.dtype == object or not (np.issubdtype(ref.dtype, np.number) or ref.dtype == bool):
        raise ValueError(f"reference for the {name} must be numeric, got {ref.dtype}")
    if not np.all(np.isfinite(ref)):
        # A NaN reference would let every answer pass (NaN comparisons are False).
        raise ValueError(
            f"reference for the {name} holds a non-finite value: the check cannot decide; "
            "this is a bug in the exercise, not in your answer"
        )
    return ref


def _compare(answer, reference, name: str, atol: float, rtol: float, where: str = "") -> float:
    """Raise AnswerError at the worst entry; return the largest difference."""
    ans = _as_numeric(answer, name)
    ref = _finite_reference(reference, name)
    if ans.shape != ref.shape:
        raise AnswerError(
            f"your {name} has shape {ans.shape}, the reference has shape {ref.shape}{where}"
        )
    if not np.all(np.isfinite(ans)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(ans))[0])
        raise AnswerError(f"your {name} has a non-finite value at entry {bad}{where}")
    if ans.size == 0:
        return 0.0
    diff = np.abs(ans - ref)
    allowed = atol + rtol * np.abs(ref)
    excess = diff - allowed
    worst = np.unravel_index(np.argmax(excess), ans.shape)
    if excess[worst] > 0:
        entry = tuple(int(i) for i in worst)
        label = f"entry {entry}" if ans.ndim else "value"
        raise AnswerError(
            f"your {name} differs from the reference at {label} by {diff[worst]:.3g} "
            f"(yours {complex(ans[worst]) if np.iscomplexobj(ans) else float(ans[worst]):.6g}, "
            f"reference {complex(ref[worst]) if np.iscomplexobj(ref) else float(ref[worst]):.6g}){where}."
        )
    return float(diff.max())


def check_array(
    answer,
    reference,
    name: str = "answer",
    *,
    atol: float = 1e-8,
    rtol: float = 1e-6,
    misconceptions: Sequence[Misconception] = (),
) -> None:
    """Check an array (or number) against a reference, entry by entry.

    Parameters
    ----------
    answer, reference : array_like
    name : str
        What the answer is, for the message ("Jacobian", "gradient of q").
    atol, rtol : float
        An entry passes when ``|answer - reference| <= atol + rtol * |reference|``.
    misconceptions : sequence of Misconception
        Typical wrong answers; a wrong answer equal to one of them gets its hint.

    Raises
    ------
    AnswerError
        When the answer is wrong, with the worst entry and any matching hint.
    ValueError
        When the reference itself is not finite (a broken exercise, not a wrong answer).
    """
    misconceptions = _check_misconceptions(misconceptions)
    try:
        worst = _compare(answer, reference, name, atol, rtol)
    except AnswerError as err:
        raise with_hint(err, answer, misconceptions, atol, rtol) from None
    return ok(f"your {name} matches the reference (largest difference {_difference(worst)}).")


def _is_integer(x) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool | np.bool_)


def check_value(
    answer,
    reference,
    name: str = "answer",
    *,
    tol: float = 1e-8,
    misconceptions: Sequence[Misconception] = (),
) -> None:
    """Check a single number, integer, string or bool.

    An integer reference (a count) takes only an integer answer: ``True`` or
    ``np.array([3])`` are not the number 3. A float reference takes any real scalar
    within ``tol``. Strings compare without case or surrounding blanks.

    Parameters
    ----------
    misconceptions : sequence of Misconception
        Typical wrong answers; a wrong answer equal to one of them gets its hint.
    """
    misconceptions = _check_misconceptions(misconceptions)
    try:
        if isinstance(reference, bool | np.bool_):
            if not isinstance(answer, bool | np.bool_):
                raise AnswerError(
                    f"your {name} should be True or False, got {type(answer).__name__}"
                )
            if bool(answer) != bool(reference):
                raise AnswerError(f"your {name} is {answer!r}, expected {reference!r}.")
            return ok(f"your {name} is right: {bool(reference)!r}.")
        if isinstance(reference, str):
            if not isinstance(answer, str):
                raise AnswerError(f"your {name} should be a string, got {type(answer).__name__}")
            if answer.strip().lower() != reference.strip().lower():
                raise AnswerError(f"your {name} is {answer!r}, expected {reference!r}.")
            return ok(f"your {name} is right: {reference!r}.")
        if _is_integer(reference):
            if answer is None:
                raise AnswerError(f"your {name} is None: did the function forget to `return` it?")
            if not _is_integer(answer):
                raise AnswerError(
                    f"your {name} should be a whole number (int), got {type(answer).__name__} "
                    f"{answer!r}"
                )
            if int(answer) != int(reference):
                raise AnswerError(f"your {name} is {int(answer)}, expected {int(reference)}.")
            return ok(f"your {name} is right: {int(reference)}.")
        if isinstance(answer, bool | np.bool_):
            raise AnswerError(f"your {name} should be a number, got a bool ({answer!r})")
        if np.ndim(answer) != 0:
            raise AnswerError(
                f"your {name} should be a single number, got shape {np.shape(answer)}"
            )
        _compare(answer, reference, name, tol, 0.0)
    except AnswerError as err:
        raise with_hint(err, answer, misconceptions, tol, 0.0) from None
    return ok(f"your {name} is right: {float(np.real(answer)):.6g}.")


def check_choice(
    answer,
    reference: str,
    options: Sequence[str],
    name: str = "choice",
    *,
    misconceptions: Sequence[Misconception] = (),
) -> None:
    """Check one choice among ``options`` (e.g. a prediction "saddle", "node", "focus").

    An answer that is not one of the options is told the options; a wrong option that is a
    known misconception gets its hint.
    """
    misconceptions = _check_misconceptions(misconceptions)
    opts = [o.strip().lower() for o in options]
    if not isinstance(reference, str) or reference.strip().lower() not in opts:
        raise ValueError(f"reference must be one of the options {list(options)}, got {reference!r}")
    if not isinstance(answer, str):
        raise AnswerError(
            f"your {name} should be one of {list(options)} (a string), got {type(answer).__name__}"
        )
    if answer.strip().lower() not in opts:
        raise AnswerError(f"your {name} {answer!r} is not one of the options {list(options)}")
    if answer.strip().lower() != reference.strip().lower():
        err = AnswerError(f"your {name} is {answer!r}, expected {reference!r}.")
        raise with_hint(err, answer, misconceptions, 0.0, 0.0) from None
    return ok(f"your {name} is right: {reference!r}.")


def check_function(
    student: Callable,
    reference: Callable,
    inputs: Iterable,
    name: str = "function",
    *,
    atol: float = 1e-8,
    rtol: float = 1e-6,
    misconceptions: Sequence[Misconception] = (),
) -> None:
    """Call ``student(x)`` and ``reference(x)`` for every ``x`` in ``inputs`` and compare.

    The message names the first input where they differ. Each misconception's ``wrong``
    is a callable ``x -> wrong answer``; a wrong answer equal to one gets its hint.

    Raises
    ------
    ValueError
        When ``inputs`` is empty (the check would pass vacuously).
    """
    misconceptions = _check_misconceptions(misconceptions)
    for m in misconceptions:
        if not callable(m.wrong):
            raise TypeError(
                "misconceptions of check_function need a callable `wrong` (x -> answer)"
            )
    inputs = list(inputs)
    if not inputs:
        raise ValueError("inputs must hold at least one test point, got none")
    worst = 0.0
    for x in inputs:
        where = f" at x = {_fmt_point(x)}"
        answer = student(x)
        try:
            worst = max(worst, _compare(answer, reference(x), name, atol, rtol, where))
        except AnswerError as err:
            raise with_hint(err, answer, misconceptions, atol, rtol, x) from None
    return ok(
        f"your {name} matches the reference at all {len(inputs)} test points (largest difference {_difference(worst)})."
    )


def check_jacobian(
    student: Callable,
    system,
    points,
    *,
    atol: float = 1e-8,
    rtol: float = 1e-6,
    misconceptions: Sequence[Misconception] = (),
) -> None:
    """Check a hand-written Jacobian ``student(x) -> (N, N)`` against ``system.jacobian``.

    Parameters
    ----------
    student : callable
        Takes one state ``(N,)``, returns its Jacobian ``(N, N)``.
    system : rnnlab.DynamicalSystem
    points : array_like, shape (n, N)
        States to test at.
    misconceptions : sequence of Misconception
        Besides the caller's, a transposed Jacobian is always recognised.
    """
    transposed = Misconception(
        lambda x: system.jacobian(x).T,
        "It equals the transpose of the Jacobian: row i holds the derivatives of "
        "component i of the right-hand side, J[i, j] = dF_i/dx_j.",
    )
    pts = np.atleast_2d(points)
    # The transpose hint only where the Jacobian is not symmetric at the test points.
    symmetric = all(np.allclose(system.jacobian(p), system.jacobian(p).T) for p in pts)
    hints = tuple(misconceptions) + (() if symmetric else (transposed,))
    return check_function(
        student,
        system.jacobian,
        pts,
        "Jacobian",
        atol=atol,
        rtol=rtol,
        misconceptions=hints,
    )


def check_fixed_points(
    answer,
    reference,
    *,
    atol: float = 1e-6,
    misconceptions: Sequence[Misconception] = (),
) -> None:
    """Check a set of fixed points, in any order: names the missing and the extra ones.

    Parameters
    ----------
    answer, reference : array_like, shape (n, N)
    misconceptions : sequence of Misconception
        Each ``wrong`` a set of points (any order); an answer equal to it gets its hint.
    """
    misconceptions = _check_misconceptions(misconceptions)
    ref = np.atleast_2d(_finite_reference(reference, "fixed points").astype(float))
    arr = _as_numeric(answer, "fixed points")
    if arr.size == 0:
        raise AnswerError(f"you gave no fixed points; there are {len(ref)}")
    if arr.ndim > 2:
        raise AnswerError(
            f"your fixed points should be an (n, {ref.shape[1]}) array, got shape {arr.shape}"
        )
    ans = np.atleast_2d(arr.astype(float))
    if not np.all(np.isfinite(ans)):
        raise AnswerError("your fixed points hold a non-finite value")
    if ans.size and ans.shape[1] != ref.shape[1]:
        raise AnswerError(
            f"your fixed points have dimension {ans.shape[1]}, expected {ref.shape[1]}"
        )
    matched = np.zeros(len(ans), dtype=bool)
    missing = []
    for r in ref:
        d = np.max(np.abs(ans - r), axis=1) if len(ans) else np.array([])
        free = np.flatnonzero((d <= atol) & ~matched)
        if free.size:
            matched[free[0]] = True
        else:
            missing.append(r)
    extra = ans[~matched]
    if missing or len(extra):
        parts = []
        if missing:
            parts.append("missing " + ", ".join(_fmt_point(m) for m in missing))
        if len(extra):
            parts.append(
                "not fixed points of the reference: " + ", ".join(_fmt_point(e) for e in extra)
            )
        err = AnswerError(f"your fixed points are not right: {'; '.join(parts)}.")
        for m in misconceptions:
            w = np.atleast_2d(np.asarray(m.wrong, dtype=float))
            if w.shape == ans.shape and _same_set(ans, w, atol):
                raise AnswerError(f"{err} {m.hint}") from None
        raise err
    n = len(ref)
    return ok(f"all {n} fixed point{'s' if n != 1 else ''} found, none extra.")


def _same_set(a: np.ndarray, b: np.ndarray, atol: float) -> bool:
    left = list(b)
    for p in a:
        d = [np.max(np.abs(p - q)) for q in left]
        i = int(np.argmin(d))
        if d[i] > atol:
            return False
        left.pop(i)
    return True


def check_eigenvalues(
    answer,
    reference,
    *,
    atol: float = 1e-6,
    misconceptions: Sequence[Misconception] = (),
) -> None:
    """Check eigenvalues as a multiset (order does not matter).

    Each misconception's ``wrong`` is a multiset of eigenvalues; an answer equal to one
    (in any order) gets its hint.
    """
    misconceptions = _check_misconceptions(misconceptions)
    ref = np.sort_complex(
        np.atleast_1d(_finite_reference(reference, "eigenvalues")).astype(complex)
    )
    ans = np.atleast_1d(_as_numeric(answer, "eigenvalues")).astype(complex)
    if not np.all(np.isfinite(ans)):
        raise AnswerError("your eigenvalues hold a non-finite value")
    ans = np.sort_complex(ans)

    def _hinted(err: AnswerError) -> AnswerError:
        for m in misconceptions:
            w = np.atleast_1d(np.asarray(m.wrong)).astype(complex)
            if w.shape == ans.shape and _same_set(ans[:, None], w[:, None], atol):
                return AnswerError(f"{err} {m.hint}")
        return err

    if ans.shape != ref.shape:
        raise _hinted(AnswerError(f"you gave {ans.size} eigenvalues, expected {ref.size}."))
    # Greedy matching so that tiny imaginary parts do not scramble the sort order.
    left = list(ref)
    for lam in ans:
        d = [abs(lam - r) for r in left]
        i = int(np.argmin(d))
        if d[i] > atol:
            raise _hinted(
                AnswerError(
                    f"your eigenvalue {lam:.6g} is not an eigenvalue of the reference "
                    f"(nearest {left[i]:.6g})."
                )
            )
        left.pop(i)
    return ok(f"all {ref.size} eigenvalues match.")


# The chapters' own checks (one module per chapter), reachable as ``check.ch01`` etc.
from rnnlab.course.check import ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10  # noqa: E402, F401
