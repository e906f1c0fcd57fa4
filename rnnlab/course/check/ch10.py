"""Checks for chapter 10's exercises (the sine-wave generator), with common wrong answers.

- ``10-measure-frequency`` (:func:`measure_frequency`): cycles instead of radians (a factor
  2π), radians per step instead of per unit time (a factor dt), every zero crossing counted
  as a period (a factor 2), the period instead of the frequency;
- ``10-find-center`` (:func:`find_center`): the mean of the oscillation returned as the
  fixed point, the input left out of the system, a FixedPoints object instead of a state;
- ``10-predict-rule`` (:func:`frequency_rule`): Re λ, |λ| or Im λ / 2π instead of Im λ;
- ``10-linear-frequency`` (:func:`linear_frequency`): the Euler map's angle per step, the
  largest imaginary part of any eigenvalue, the pair with the largest modulus;
- ``10-compare`` (:func:`compare`): measured and predicted swapped, cycles instead of radians.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from rnnlab.course.check import AnswerError, Misconception, check_choice, ok, with_hint
from rnnlab.course.sine_network import run_level
from rnnlab.fixedpoints.finder import find_fixed_points
from rnnlab.fixedpoints.result import FixedPoints
from rnnlab.models.esn import ESN

__all__ = [
    "MIN_AMPLITUDE",
    "RULES",
    "compare",
    "find_center",
    "frequency_rule",
    "linear_frequency",
    "measure_frequency",
    "reference_center",
    "reference_frequency",
    "reference_linear_frequency",
]

#: What a prediction of the oscillation frequency can be read from (``10-predict-rule``).
RULES = ("Re lambda", "Im lambda", "|lambda|", "Im lambda / 2pi")


# -- references ------------------------------------------------------------------------------


#: Below this amplitude (half the peak-to-peak range) a signal does not oscillate.
MIN_AMPLITUDE = 0.02


def reference_frequency(z, dt: float) -> float:
    """Angular frequency (rad per unit time) of a signal sampled every ``dt``: upward zero
    crossings of ``z - mean(z)``, interpolated linearly; ``nan`` with fewer than two, or
    when the amplitude is below :data:`MIN_AMPLITUDE`."""
    z = np.asarray(z, dtype=float)
    if (z.max() - z.min()) / 2 < MIN_AMPLITUDE:
        return float("nan")
    s = z - np.mean(z)
    i = np.nonzero((s[:-1] < 0) & (s[1:] >= 0))[0]
    if len(i) < 2:
        return float("nan")
    t = (i + s[i] / (s[i] - s[i + 1])) * dt
    return float(2 * np.pi * (len(t) - 1) / (t[-1] - t[0]))


def reference_center(esn: ESN, u: float) -> np.ndarray:
    """The fixed point the oscillation at input ``u`` turns around (from its mean state)."""
    _, x, _ = run_level(esn, u, steps=3000)
    fps = find_fixed_points(esn.closed_loop(u=[u]), x.mean(axis=0))
    if fps.n_fixed == 0:
        raise RuntimeError(f"no fixed point found from the mean state at u = {u}")
    return fps.x[np.argmin(fps.q)]


def _leading_pair(lam: np.ndarray) -> complex | None:
    pair = lam[lam.imag > 0]
    return None if len(pair) == 0 else complex(pair[np.argmax(pair.real)])


def reference_linear_frequency(esn: ESN, u: float, x_star) -> float:
    """Im λ of the leading complex pair (the pair with the largest real part) of the flow's
    Jacobian at ``x_star``, in rad per unit time; ``nan`` without a complex pair."""
    lam = np.linalg.eigvals(esn.closed_loop(u=[u]).jacobian(x_star))
    pair = _leading_pair(lam)
    return float("nan") if pair is None else pair.imag


# -- 10-measure-frequency ----------------------------------------------------------------------


def _sine_cases():
    rng = np.random.default_rng(10)
    cases = []
    for omega, dt, amp, offset in (
        (0.3, 0.1, 0.2, 0.0),
        (0.1, 0.1, 0.15, 0.0),
        (0.55, 0.05, 0.1, 0.05),
    ):
        t = np.arange(6000) * dt
        cases.append((np.sin(omega * t + rng.uniform(0, 2 * np.pi)) * amp + offset, dt, omega))
    return cases


def _frequency_misconceptions(omega: float, dt: float) -> list[Misconception]:
    return [
        Misconception(
            omega / (2 * np.pi),
            "That is cycles per unit time: the chapter measures angular frequency, "
            "omega = 2 pi / period, in rad per unit time.",
        ),
        Misconception(
            omega * dt,
            "That is radians per step: multiply the step count by dt to get times in units of tau.",
        ),
        Misconception(
            2 * omega,
            "A sine crosses zero twice per period: count only upward (or only downward) "
            "crossings, or halve the count.",
        ),
        Misconception(
            2 * np.pi / omega,
            "That is the period T; the angular frequency is 2 pi / T.",
        ),
    ]


def _check_frequency(answer, reference: float, dt: float, where: str, rtol: float) -> None:
    if answer is None:
        raise AnswerError(f"your frequency is None{where}: did the function forget to `return`?")
    if np.ndim(answer) != 0 or isinstance(answer, bool | np.bool_):
        raise AnswerError(f"your frequency should be one number{where}, got {answer!r}")
    a = float(answer)
    if not np.isfinite(a) or abs(a - reference) > rtol * abs(reference):
        err = AnswerError(
            f"your frequency{where} is {a:.4g} rad per unit time, expected {reference:.4g} "
            f"(within {rtol:.0%})."
        )
        raise with_hint(err, a, _frequency_misconceptions(reference, dt), 0.0, rtol)


def measure_frequency(
    student: Callable, esn: ESN | None = None, levels: Sequence[float] = (), *, rtol: float = 0.02
) -> None:
    """Check ``student(z, dt)`` on three sines and on the network's output at ``levels``."""
    n = 0
    for z, dt, omega in _sine_cases():
        _check_frequency(student(z, dt), omega, dt, f" for a sine of frequency {omega}", rtol)
        n += 1
    flat = 0.001 * np.sin(0.3 * np.arange(6000) * 0.1)
    a = student(flat, 0.1)
    if a is None or np.ndim(a) != 0 or not np.isnan(float(a)):
        raise AnswerError(
            f"for a signal of amplitude 0.001 your frequency is {a!r}, expected nan: below an "
            f"amplitude of {MIN_AMPLITUDE} the output does not oscillate, and it has no frequency."
        )
    n += 1
    for u in levels:
        _, _, z = run_level(esn, u)
        ref = reference_frequency(z, esn.dt_over_tau)
        _check_frequency(
            student(z, esn.dt_over_tau), ref, esn.dt_over_tau, f" at u = {u:.3f}", rtol
        )
        n += 1
    ok(f"your measurement agrees with the reference on all {n} signals (within {rtol:.0%}).")


# -- 10-find-center --------------------------------------------------------------------------


def find_center(
    student: Callable, esn: ESN, levels: Sequence[float], *, tol_q: float = 1e-12
) -> None:
    """Check that ``student(esn, u)`` returns the fixed point the oscillation turns around."""
    if len(levels) == 0:
        raise ValueError("levels must hold at least one input level, got none")
    for u in levels:
        where = f" at u = {u:.3f}"
        x = student(esn, u)
        if isinstance(x, FixedPoints):
            raise AnswerError(
                f"your find_center{where} returned a FixedPoints result; return one state, "
                "e.g. fps.x[i] for the point with status 'fixed'."
            )
        if x is None:
            raise AnswerError(f"your find_center{where} returned None: forgot to `return`?")
        x = np.asarray(x, dtype=float)
        if x.shape != (esn.N,):
            raise AnswerError(f"your state{where} should have shape ({esn.N},), got {x.shape}")
        system = esn.closed_loop(u=[u])
        q = float(system.q(x))
        if not q < tol_q:
            _, xs, _ = run_level(esn, u, steps=3000)
            if np.allclose(x, xs.mean(axis=0), atol=1e-6):
                hint = (
                    " That is the mean of the oscillation: a good place to start the search, "
                    "but F is not zero there. Run find_fixed_points from it."
                )
            elif float(esn.closed_loop().q(x)) < tol_q:
                hint = (
                    " It is a fixed point of the network without input: the input is part of "
                    "the system, use esn.closed_loop(u=[u])."
                )
            else:
                hint = ""
            raise AnswerError(
                f"your state{where} is not a fixed point: q = {q:.2g} (expected below {tol_q:g})."
                + hint
            )
        ref = reference_center(esn, u)
        if np.max(np.abs(x - ref)) > 1e-4:
            raise AnswerError(
                f"your point{where} is a fixed point, but not the one the oscillation turns "
                f"around (it is {np.linalg.norm(x - ref):.2g} away): start from states of the "
                "oscillation, not from elsewhere."
            )
    ok(
        f"your centres are the fixed points the oscillation turns around at all {len(levels)} levels."
    )


# -- 10-predict-rule -------------------------------------------------------------------------


def frequency_rule(answer) -> None:
    """Check the prediction of what gives the frequency (one of :data:`RULES`)."""
    check_choice(
        answer,
        "Im lambda",
        RULES,
        "rule",
        misconceptions=[
            Misconception(
                "Re lambda",
                "Re lambda is a growth rate: it sets how fast the oscillation grows away from "
                "the fixed point, not how fast it turns.",
            ),
            Misconception(
                "|lambda|",
                "The modulus mixes growth (Re) and rotation (Im): delta(t) ~ e^{Re lambda t} "
                "(cos(Im lambda t), sin(Im lambda t)) turns at Im lambda alone.",
            ),
            Misconception(
                "Im lambda / 2pi",
                "Im lambda / 2pi is in cycles per unit time; the targets omega are in rad per "
                "unit time, like Im lambda itself.",
            ),
        ],
    )


# -- 10-linear-frequency ---------------------------------------------------------------------


def _linear_misconceptions(esn: ESN, u: float, x_star) -> list[Misconception]:
    system = esn.closed_loop(u=[u])
    lam = np.linalg.eigvals(system.jacobian(x_star))
    a = esn.dt_over_tau
    pair = _leading_pair(lam)
    out = []
    if pair is not None:
        out += [
            Misconception(
                float(np.angle(1 + a * pair)),
                "That is the angle of the Euler map's eigenvalue mu = 1 + dt lambda, in "
                "radians per step; divide by dt (or use the flow's Im lambda directly).",
            ),
            Misconception(
                pair.imag / (2 * np.pi),
                "That is cycles per unit time: keep Im lambda in rad per unit time.",
            ),
        ]
    out.append(
        Misconception(
            float(np.max(lam.imag)),
            "That is the largest imaginary part of any eigenvalue, most of them fast and "
            "decaying: take the leading complex pair, the one with the largest real part.",
        )
    )
    big = lam[np.argmax(np.abs(lam))]
    out.append(
        Misconception(
            float(abs(big.imag)),
            "That is the pair of largest modulus, a fast decaying one: the slowest-decaying "
            "(or growing) pair, the one with the largest real part, shapes the oscillation.",
        )
    )
    return out


def linear_frequency(
    student: Callable, esn: ESN, levels: Sequence[float], *, rtol: float = 1e-6
) -> None:
    """Check ``student(esn, u, x_star)`` against Im λ of the leading complex pair."""
    if len(levels) == 0:
        raise ValueError("levels must hold at least one input level, got none")
    for u in levels:
        x_star = reference_center(esn, u)
        ref = reference_linear_frequency(esn, u, x_star)
        answer = student(esn, u, x_star)
        if answer is None or np.ndim(answer) != 0:
            raise AnswerError(
                f"your prediction at u = {u:.3f} should be one number, got {answer!r}"
            )
        a = float(answer)
        if np.isnan(ref) and np.isnan(a):
            continue
        if not np.isfinite(a) or abs(a - ref) > rtol * abs(ref) + 1e-9:
            err = AnswerError(
                f"your prediction at u = {u:.3f} is {a:.4g}, expected {ref:.4g} rad per unit time."
            )
            raise with_hint(err, a, _linear_misconceptions(esn, u, x_star), 1e-9, 1e-6)
    ok(f"your linear prediction is right at all {len(levels)} levels.")


# -- 10-compare ------------------------------------------------------------------------------


def compare(student: Callable, esn: ESN, us: Sequence[float], *, rtol: float = 0.02) -> None:
    """Check ``student(esn, us)``, a pair (measured, predicted) of arrays, one entry per level."""
    us = np.asarray(us, dtype=float)
    if us.size == 0:
        raise ValueError("us must hold at least one input level, got none")
    answer = student(esn, us)
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        raise AnswerError(
            "your frequency_table should return a pair (measured, predicted) of arrays, got "
            f"{type(answer).__name__}"
        )
    for name, arr in zip(("measured", "predicted"), answer, strict=True):
        if arr is None or np.shape(arr) != us.shape:
            raise AnswerError(
                f"your {name} frequencies should have one entry per level, shape {us.shape}, "
                f"got {None if arr is None else np.shape(arr)}"
            )
    measured, predicted = (np.asarray(a, dtype=float) for a in answer)
    for i, u in enumerate(us):
        _, _, z = run_level(esn, u)
        m_ref = reference_frequency(z, esn.dt_over_tau)
        p_ref = reference_linear_frequency(esn, u, reference_center(esn, u))
        for name, a, ref, other in (
            ("measured", measured[i], m_ref, p_ref),
            ("predicted", predicted[i], p_ref, m_ref),
        ):
            if np.isnan(ref) and np.isnan(a):
                continue
            if not abs(a - ref) <= rtol * abs(ref):
                hint = ""
                if abs(a - other) <= rtol * abs(other):
                    hint = " It equals the other column: are measured and predicted swapped?"
                elif abs(a - ref / (2 * np.pi)) <= rtol * abs(ref / (2 * np.pi)):
                    hint = " That is cycles per unit time; use rad per unit time."
                raise AnswerError(
                    f"your {name} frequency at u = {u:.3f} is {a:.4g}, expected {ref:.4g}.{hint}"
                )
    ok(f"your table agrees with the reference at all {len(us)} levels checked.")
