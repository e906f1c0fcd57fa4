"""Checks for chapter 04's exercises, with the wrong answers students commonly give.

One function per exercise, named after it; each wraps a check of :mod:`rnnlab.course.check` with
the exercise's reference and its :class:`~rnnlab.course.check.Misconception` hints.

- :func:`predict_census` (``04-predict-census``, predict): the ideal 4-bit census;
- :func:`pca_fractions` (``04-predict-fractions``, predict): the PCA variance fractions of a
  perfect tesseract;
- :func:`neighbour_pairs` (``04-neighbour-pairs``, implement): the edges of a hypercube;
- :func:`jacobian_of_square` (``04-jacobian-of-square``, implement): the chain rule for
  :math:`G \\circ G`;
- :func:`stable_orbits` (``04-stable-orbits``, analyse): stable orbits of a ring of three
  units, by minimal period.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from rnnlab.course.check import (
    AnswerError,
    Misconception,
    check_array,
    check_function,
    check_value,
    ok,
)
from rnnlab.dynamics.systems import TanhMap
from rnnlab.fixedpoints.periodic import IteratedMap, find_periodic_points
from rnnlab.flipflop.census_result import ideal_census

__all__ = [
    "jacobian_of_square",
    "neighbour_pairs",
    "pca_fractions",
    "predict_census",
    "ring_weights",
    "stable_orbits",
]


# -- 04-predict-census -----------------------------------------------------------------------


def _as_list(answer, what: str) -> list:
    if isinstance(answer, Mapping):
        n = max(int(k) for k in answer) + 1 if answer else 0
        return [answer.get(k, 0) for k in range(n)]
    if isinstance(answer, str) or not isinstance(answer, Sequence | np.ndarray):
        raise AnswerError(f"your prediction should be a list {what}, got {type(answer).__name__}")
    return list(answer)


def predict_census(answer: Sequence[int] | Mapping[int, int]) -> None:
    """Check a prediction of the ideal 4-bit census by unstable dimensions (``04-predict-census``).

    Parameters
    ----------
    answer : sequence of int or dict
        ``[n0, n1, n2, n3, n4]``: how many fixed points of the ideal tesseract have 0, ..., 4
        unstable dimensions (a dict ``{0: n0, ...}`` is read the same way).

    Raises
    ------
    AnswerError
        With a hint for counting only the memories (``2^n``), forgetting the centre, the
        binomial coefficients without the signs of the nonzero bits, or the list reversed.
    """
    counts = _as_list(answer, "[n0, n1, n2, n3, n4]")
    ideal = ideal_census(4)
    reference = [ideal[k] for k in range(5)]
    centre = (
        "The centre is missing: all four bits 0 is the origin, a saddle with 4 unstable "
        "dimensions (one per bit); 3^4 = 81 points in all."
    )
    if counts == reference[:4]:
        raise AnswerError(f"your prediction {counts} has 4 entries, expected 5. {centre}")
    hints = [
        Misconception([16, 32, 24, 8, 0], centre),
        Misconception([16, 0, 0, 0, 0], "Only the 2^4 = 16 memories: between two stable states "
                                        "that differ in one bit there is a saddle, and every "
                                        "pattern in {-1, 0, +1}^4 is a fixed point, 3^4 = 81."),
        Misconception([1, 4, 6, 4, 1], "comb(4, k) counts where the k zero bits are; each of the "
                                       "other 4 - k bits still takes a sign: times 2^(4 - k)."),
        Misconception([1, 8, 24, 32, 16], "Reversed: the 16 memories are stable (0 unstable "
                                          "dimensions); the single centre has 4."),
    ]  # fmt: skip
    check_array(counts, reference, "predicted counts [n0, ..., n4]", misconceptions=hints)


# -- 04-predict-fractions --------------------------------------------------------------------


def _hypercube_fractions(n_bits: int = 4, n_units: int = 50, seed: int = 0) -> np.ndarray:
    """PCA variance fractions of the 2^n corners embedded by a random orthogonal A (N x n)."""
    rng = np.random.default_rng(seed)
    A, _ = np.linalg.qr(rng.normal(size=(n_units, n_bits)))
    corners = np.array(list(itertools.product((-1.0, 1.0), repeat=n_bits)))
    X = corners @ (3.0 * A).T + rng.normal(size=n_units)  # any offset, any common scale
    var = np.linalg.eigvalsh(np.cov(X, rowvar=False, bias=True))[::-1]
    return var[:n_bits] / var.sum()


def pca_fractions(answer: Sequence[float], measured: Sequence[float] | None = None) -> None:
    """Check a prediction of the first four PCA variance fractions of a perfect tesseract.

    The reference is computed, not typed in: the 16 corners of :math:`\\{-1, +1\\}^4`
    embedded in 50 dimensions by an orthogonal :math:`A` (with an offset), and the fractions
    of the covariance's eigenvalues. ``measured``, if given (the trained network's fractions),
    is printed beside it.

    Parameters
    ----------
    answer : sequence of float
        Four fractions, PC1 to PC4.
    measured : sequence of float, optional
        The fractions measured on a trained network, for comparison.

    Raises
    ------
    AnswerError
        With a hint when PC1 takes most of the variance (PCA's first component does not
        dominate when nothing is larger), when the fractions decrease as if a spectrum must,
        when only three components are used, or when the fractions do not add up to 1.
    """
    counts = _as_list(answer, "of four fractions")
    try:
        a = np.asarray(counts, dtype=float)
    except (TypeError, ValueError):
        raise AnswerError(f"your prediction should be four numbers, got {counts!r}") from None
    if a.shape != (4,):
        raise AnswerError(f"your prediction should hold four fractions (PC1-4), got {a.size}")
    reference = _hypercube_fractions()
    if abs(a.sum() - 1.0) > 0.02:
        raise AnswerError(
            f"your fractions add up to {a.sum():.2f}: the four bit directions hold all the "
            "variance of the corners, so PC1-4 together explain 1."
        )
    if not np.allclose(a, reference, atol=0.02):
        if a[0] >= 0.4:
            hint = (
                "PC1 does not dominate here: PCA ranks directions by variance, and over the "
                "16 corners every bit has variance 1 and the bits are uncorrelated, so no "
                "direction of the bit subspace has more variance than another."
            )
        elif np.isclose(a[3], 0.0, atol=0.02):
            hint = (
                "All four bits vary: the fourth direction holds as much variance as the "
                "other three (a 3-D picture leaves a quarter of the variance out)."
            )
        else:
            hint = (
                "A variance spectrum need not decrease steeply: here the covariance is "
                "A <b b^T> A^T = s^2 (projection on the bit subspace), the same in every "
                "direction of it."
            )
        raise AnswerError(
            f"your fractions {np.round(a, 2).tolist()} are not the perfect tesseract's "
            f"{np.round(reference, 2).tolist()}. {hint}"
        )
    msg = f"your prediction matches the perfect tesseract's {np.round(reference, 2).tolist()}"
    if measured is not None:
        m = np.asarray(measured, dtype=float)[:4]
        msg += f"; the trained network's memories: {np.round(m, 2).tolist()}"
    return ok(msg + ".")


# -- 04-neighbour-pairs ----------------------------------------------------------------------


def _pairs(patterns: np.ndarray, rule: Callable[[int], bool], ordered: bool = False) -> list:
    n = len(patterns)
    index = itertools.permutations(range(n), 2) if ordered else itertools.combinations(range(n), 2)
    return sorted((i, j) for i, j in index if rule(int(np.sum(patterns[i] != patterns[j]))))


def neighbour_pairs(student: Callable, patterns=None) -> None:
    """Check ``neighbour_pairs(patterns)``, the edges of a hypercube (``04-neighbour-pairs``).

    Parameters
    ----------
    student : callable
        ``patterns (n, n_bits) -> sorted list of pairs (i, j), i < j``.
    patterns : array_like, optional
        The rows to test on (e.g. the memories' bit patterns); by default the corners of the
        tesseract in a shuffled order. The shuffled corners of the 3-cube are tested as well.

    Raises
    ------
    AnswerError
        With a hint for pairs listed in both orders, pairs differing in at least one bit, or
        pairs differing in all bits (opposite corners).
    """
    rng = np.random.default_rng(0)
    cases = []
    for n_bits in (4, 3):
        corners = np.array(list(itertools.product((-1, 1), repeat=n_bits)))
        cases.append(corners[rng.permutation(len(corners))])
    if patterns is not None:
        cases[0] = np.asarray(patterns)
    for P in cases:
        n_bits = P.shape[1]
        reference = _pairs(P, lambda d: d == 1)
        answer = student(P.copy())
        if answer is None:
            raise AnswerError("neighbour_pairs returned None: did the function forget `return`?")
        answer = sorted(tuple(int(v) for v in pair) for pair in answer)
        hints = [
            Misconception(len(_pairs(P, lambda d: d == 1, ordered=True)),
                          "Every edge is listed twice, as (i, j) and (j, i): keep i < j."),
            Misconception(len(_pairs(P, lambda d: d >= 1)),
                          "Those are all pairs of distinct rows: neighbours differ in exactly "
                          "one bit."),
            Misconception(len(_pairs(P, lambda d, n=n_bits: d == n)),
                          "Those are opposite corners (every bit differs): neighbours differ "
                          "in exactly one bit."),
        ]  # fmt: skip
        check_value(
            len(answer),
            len(reference),
            f"number of edges of {len(P)} patterns of {n_bits} bits",
            misconceptions=hints,
        )
        check_array(np.array(answer), np.array(reference), f"edge list ({n_bits} bits)")


# -- 04-jacobian-of-square -------------------------------------------------------------------


def jacobian_of_square(student: Callable, *, seed: int = 3) -> None:
    """Check ``jacobian_of_square(G, x)`` against ``IteratedMap(G, 2)`` (``04-jacobian-of-square``).

    The map is :math:`x \\mapsto \\tanh(Wx)` with a random non-symmetric :math:`W` (5 units),
    so that the Jacobians at :math:`x` and :math:`G(x)` do not commute.

    Raises
    ------
    AnswerError
        With a hint for the factors in the wrong order, the Jacobian at ``x`` squared, or the
        Jacobian of one step only.
    """
    G = TanhMap(np.random.default_rng(seed).normal(0, 1.2, size=(5, 5)))
    G2 = IteratedMap(G, 2)
    states = np.random.default_rng(seed + 1).normal(size=(6, 5))
    M = G.stability_matrix
    hints = [
        Misconception(lambda x: M(x) @ M(G.step(x)),
                      "The factors are in the wrong order: the chain rule gives "
                      "dG(G(x)) @ dG(x), the later step on the left."),
        Misconception(lambda x: M(x) @ M(x),
                      "The second factor is taken at x: it belongs at the first image G(x)."),
        Misconception(M, "That is the Jacobian of one step, dG(x); G o G has two."),
    ]  # fmt: skip
    check_function(
        lambda x: student(G, x),
        G2.stability_matrix,
        states,
        "Jacobian of G o G",
        misconceptions=hints,
    )


# -- 04-stable-orbits ------------------------------------------------------------------------


def ring_weights(gain: float = -2.0) -> np.ndarray:
    """Weights of a ring of three units: unit i reads unit i - 1 with weight ``gain``."""
    return gain * np.roll(np.eye(3), 1, axis=0)


def _orbits(W, k, starts, *, stable_only=True, points=False) -> dict[int, int]:
    found = find_periodic_points(TanhMap(W), starts, k)
    out: dict[int, int] = {}
    for o in np.unique(found.orbit):
        members = np.flatnonzero(found.orbit == o)
        if stable_only and found.points.n_unstable[members[0]] != 0:
            continue
        p = int(found.period[members[0]])
        out[p] = out.get(p, 0) + (len(members) if points else 1)
    return out


def stable_orbits(student: Callable, *, n_starts: int = 40, seed: int = 0) -> None:
    """Check ``stable_orbits(W, k, starts) -> {minimal period: number of stable orbits}``.

    Exercise ``04-stable-orbits``: the ring of three inverting units (:func:`ring_weights`,
    gain -2) searched with ``k = 6`` and ``k = 3``, and the non-inverting ring (gain 2) with
    ``k = 3``; the reference is the same search done by the library.

    Raises
    ------
    AnswerError
        With a hint for counting saddle orbits too, counting points instead of orbits, or
        keying the orbits by ``k`` instead of their minimal period.
    """
    starts = np.random.default_rng(seed).uniform(-1.5, 1.5, size=(n_starts, 3))
    for gain, k in ((-2.0, 6), (-2.0, 3), (2.0, 3)):
        W = ring_weights(gain)
        reference = _orbits(W, k, starts)
        answer = student(W.copy(), k, starts.copy())
        if not isinstance(answer, Mapping):
            raise AnswerError(
                f"stable_orbits should return a dict {{period: count}}, got {type(answer).__name__}"
            )
        answer = {int(p): int(c) for p, c in answer.items() if c}
        what = f"stable orbits of the ring with gain {gain:g}, k = {k}"
        if answer == reference:
            ok(f"your {what}: {reference}")
            continue
        msg = f"your {what} are {answer}, expected {reference}."
        wrongs = [
            (_orbits(W, k, starts, stable_only=False),
             "Saddle orbits are included: keep orbits whose points have 0 unstable dimensions "
             "(all multipliers of G^k inside the unit circle)."),
            (_orbits(W, k, starts, points=True),
             "Those count points, not orbits: an orbit of minimal period p has p points."),
            ({k: sum(reference.values())} if reference else {},
             "Orbits are keyed by k: a fixed point of G^k can have any period dividing k; use "
             "the minimal period."),
        ]  # fmt: skip
        for wrong, hint in wrongs:
            if answer == wrong and wrong != reference:
                msg += " " + hint
                break
        raise AnswerError(msg)
