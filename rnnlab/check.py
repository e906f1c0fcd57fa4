"""Feedback on exercise answers.

Each ``check_*`` function compares a student's answer with a reference computed by the
library and either prints a short confirmation (returning nothing, so a notebook cell shows
only the message) or raises
:class:`AnswerError` saying *where* the answer goes wrong, e.g.::

    AnswerError: your Jacobian differs from the reference at entry (2, 0) by 0.5
    (yours 1.5, reference 1.0) at x = [0.1, -0.3, 0.2].

A ``NotImplementedError`` raised by an unfinished exercise stub passes through unchanged,
so an unsolved exercise reads as "not done yet", never as a wrong answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

__all__ = [
    "AnswerError",
    "check_array",
    "check_eigenvalues",
    "check_fixed_points",
    "check_function",
    "check_jacobian",
    "check_value",
]


class AnswerError(AssertionError):
    """An exercise answer that does not match the reference."""


def _fmt_point(x) -> str:
    x = np.atleast_1d(np.asarray(x, dtype=float))
    shown = ", ".join(f"{round(v, 4) + 0.0:g}" for v in x[:6])
    return f"[{shown}{', ...' if x.size > 6 else ''}]"


def _difference(d: float) -> str:
    # Round-off differs between machines (0 vs 2e-16); print it as a bound so the
    # confirmation reads the same everywhere.
    return "< 1e-12" if d < 1e-12 else f"{d:.1e}"


def _ok(message: str) -> None:
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


def _compare(answer, reference, name: str, atol: float, rtol: float, where: str = "") -> float:
    """Raise AnswerError at the worst entry; return the largest difference."""
    ans = _as_numeric(answer, name)
    ref = np.asarray(reference)
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
            f"reference {complex(ref[worst]) if np.iscomplexobj(ref) else float(ref[worst]):.6g}){where}"
        )
    return float(diff.max())


def check_array(
    answer, reference, name: str = "answer", *, atol: float = 1e-8, rtol: float = 1e-6
) -> None:
    """Check an array (or number) against a reference, entry by entry.

    Parameters
    ----------
    answer, reference : array_like
    name : str
        What the answer is, for the message ("Jacobian", "gradient of q").
    atol, rtol : float
        An entry passes when ``|answer - reference| <= atol + rtol * |reference|``.
    """
    worst = _compare(answer, reference, name, atol, rtol)
    return _ok(f"your {name} matches the reference (largest difference {_difference(worst)}).")


def check_value(answer, reference, name: str = "answer", *, tol: float = 1e-8) -> None:
    """Check a single number, integer or string."""
    if isinstance(reference, str | bool | int | np.integer) and not isinstance(reference, float):
        if answer != reference:
            raise AnswerError(f"your {name} is {answer!r}, expected {reference!r}")
        return _ok(f"your {name} is right: {reference!r}.")
    _compare(answer, reference, name, tol, 0.0)
    return _ok(f"your {name} is right: {float(np.real(answer)):.6g}.")


def check_function(
    student: Callable,
    reference: Callable,
    inputs: Iterable,
    name: str = "function",
    *,
    atol: float = 1e-8,
    rtol: float = 1e-6,
) -> None:
    """Call ``student(x)`` and ``reference(x)`` for every ``x`` in ``inputs`` and compare.

    The message names the first input where they differ.
    """
    inputs = list(inputs)
    worst = 0.0
    for x in inputs:
        where = f" at x = {_fmt_point(x)}"
        worst = max(worst, _compare(student(x), reference(x), name, atol, rtol, where))
    return _ok(
        f"your {name} matches the reference at all {len(inputs)} test points (largest difference {_difference(worst)})."
    )


def check_jacobian(
    student: Callable, system, points, *, atol: float = 1e-8, rtol: float = 1e-6
) -> None:
    """Check a hand-written Jacobian ``student(x) -> (N, N)`` against ``system.jacobian``.

    Parameters
    ----------
    student : callable
        Takes one state ``(N,)``, returns its Jacobian ``(N, N)``.
    system : rnnlab.DynamicalSystem
    points : array_like, shape (n, N)
        States to test at.
    """
    return check_function(
        student, system.jacobian, np.atleast_2d(points), "Jacobian", atol=atol, rtol=rtol
    )


def check_fixed_points(answer, reference, *, atol: float = 1e-6) -> None:
    """Check a set of fixed points, in any order: names the missing and the extra ones."""
    ans = np.atleast_2d(_as_numeric(answer, "fixed points").astype(float))
    ref = np.atleast_2d(np.asarray(reference, dtype=float))
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
        raise AnswerError(f"your fixed points are not right: {'; '.join(parts)}")
    n = len(ref)
    return _ok(f"all {n} fixed point{'s' if n != 1 else ''} found, none extra.")


def check_eigenvalues(answer, reference, *, atol: float = 1e-6) -> None:
    """Check eigenvalues as a multiset (order does not matter)."""
    ans = np.sort_complex(np.atleast_1d(_as_numeric(answer, "eigenvalues")).astype(complex))
    ref = np.sort_complex(np.atleast_1d(np.asarray(reference)).astype(complex))
    if ans.shape != ref.shape:
        raise AnswerError(f"you gave {ans.size} eigenvalues, expected {ref.size}")
    # Greedy matching so that tiny imaginary parts do not scramble the sort order.
    left = list(ref)
    for lam in ans:
        d = [abs(lam - r) for r in left]
        i = int(np.argmin(d))
        if d[i] > atol:
            raise AnswerError(
                f"your eigenvalue {lam:.6g} is not an eigenvalue of the reference (nearest {left[i]:.6g})"
            )
        left.pop(i)
    return _ok(f"all {ref.size} eigenvalues match.")
