"""Checks for chapter 06's exercises, with the wrong answers students commonly give.

One function per exercise, named after it; each wraps a check of :mod:`rnnlab.course.check` with
the exercise's reference and its :class:`~rnnlab.course.check.Misconception` hints.

The exercises and the mistakes each check recognises:

- ``06-noise-radius`` (:func:`noise_radius`): the radius taken as ``eta`` (the factor
  ``sqrt(N)`` lost), as ``eta * N`` (the circular law's ``sqrt`` forgotten), or scaling with
  ``eta**2`` (the variance instead of the standard deviation);
- ``06-rank-kinds`` (:func:`rank_kinds`): Jang's ranking (logistic or transferred networks
  the most robust, every transferred network the most fragile);
- ``06-first-order-shift`` (:func:`first_order_shift`): the sign of the Newton step, the
  noise applied to ``x*`` instead of the rates ``phi(x*)``, the inverse Jacobian forgotten;
- ``06-predict-eta-c`` (:func:`breakdown_level`): the factor 2 forgotten (``d / chi``), the
  radius of the noise's eigenvalue disk (``eta sqrt(N) = g`` or ``1``) used instead of the
  distance between memories, ``d chi / 2``;
- ``06-predicted-breakdown`` (:func:`predicted_breakdown`): the same two mistakes per
  memory, and ``chi`` averaged over the draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from rnnlab.course.check import AnswerError, Misconception, check_array, check_choice, check_value
from rnnlab.fixedpoints.finder import find_fixed_points
from rnnlab.flipflop.memories import Memories, memory_distances
from rnnlab.flipflop.noise import perturbed
from rnnlab.flipflop.noise_memories import linear_shift
from rnnlab.models.esn import ESN

__all__ = [
    "KINDS",
    "breakdown_level",
    "first_order_shift",
    "noise_radius",
    "predicted_breakdown",
    "rank_kinds",
]

#: The three kinds of network of the chapter, as ``rank_kinds`` names them.
KINDS = ("tanh", "logistic", "transfer")


# -- 06-noise-radius -------------------------------------------------------------------------


def noise_radius(student: Callable[[int, float], float], N: int, measured: float) -> None:
    """Check ``student(N, eta)``, the radius of the eigenvalue disk of ``eta * Z``.

    Parameters
    ----------
    student : callable
        ``student(N, eta)`` returns the radius for an ``N x N`` matrix ``Z`` of standard
        normal entries.
    N : int
        The size of the measured matrix.
    measured : float
        The measured spectral radius of one such ``Z`` (``eta = 1``); the answer must lie
        within 5 % of it.

    Raises
    ------
    AnswerError
        If the radius at ``eta = 1`` is off by more than 5 %, or if it does not scale like
        ``eta``; names a lost ``sqrt(N)``, a forgotten square root and a variance taken for a
        standard deviation.
    """
    if not np.isfinite(measured) or measured <= 0:
        raise ValueError(f"measured must be a positive radius, got {measured!r}")
    at_one = float(student(N, 1.0))
    check_value(
        at_one / measured,
        1.0,
        "radius / measured radius",
        tol=0.05,
        misconceptions=[
            Misconception(
                N / measured,
                "That is eta * N. The circular law puts the eigenvalues of a matrix with "
                "entries of variance s^2 in a disk of radius s sqrt(N), not s N.",
            ),
            Misconception(
                1.0 / measured,
                "That is eta alone: the radius is not the size of one entry. N entries of "
                "standard deviation eta add up to a disk of radius eta sqrt(N).",
            ),
        ],
    )
    check_value(
        float(student(N, 0.01)) / at_one,
        0.01,
        "scaling with eta",
        tol=1e-6,
        misconceptions=[
            Misconception(
                1e-4,
                "Your radius scales like eta^2, the variance of the entries. The radius "
                "scales like their standard deviation eta: eta Z has eigenvalues eta mu.",
            ),
            Misconception(
                0.1,
                "Your radius scales like sqrt(eta). Multiplying a matrix by eta multiplies "
                "each eigenvalue by eta.",
            ),
        ],
    )


# -- 06-rank-kinds ---------------------------------------------------------------------------


def _levels_by_kind(levels: Mapping) -> dict[str, np.ndarray]:
    out = {}
    for kind in KINDS:
        values = [v for (k, _), v in levels.items() if k == kind]
        if not values:
            raise ValueError(f"levels holds no network of kind {kind!r}")
        out[kind] = np.asarray(values, dtype=float)
    return out


def rank_kinds(prediction: Sequence, levels: Mapping) -> None:
    """Check a predicted ranking of the three kinds of network.

    Parameters
    ----------
    prediction : (str, bool)
        ``(most_robust, transfer_always_first)``: the kind (one of :data:`KINDS`) whose
        networks break at the highest noise on average (geometric mean), and whether every
        transferred network breaks before every tanh and every logistic network.
    levels : dict
        ``{(kind, seed): eta}``: the measured breakdown level of each network.

    Raises
    ------
    AnswerError
        For a wrong kind or a wrong True/False, naming Jang's ranking when the answer is it.
    """
    if isinstance(prediction, str) or not isinstance(prediction, Sequence):
        raise AnswerError(
            "your prediction should be a tuple (most_robust, transfer_always_first), e.g. "
            f"('logistic', False); got {prediction!r}"
        )
    if len(prediction) != 2:
        raise AnswerError(
            "your prediction should hold two answers (most_robust, transfer_always_first), "
            f"got {len(prediction)}"
        )
    by_kind = _levels_by_kind(levels)
    mean = {kind: float(np.exp(np.log(v).mean())) for kind, v in by_kind.items()}
    most = max(mean, key=mean.get)
    others = np.concatenate([v for kind, v in by_kind.items() if kind != "transfer"])
    always_first = bool(by_kind["transfer"].max() < others.min())
    hints = {
        "logistic": "That is the caption of Jang's Figure 9 (sigmoid networks the most robust). "
        "Here the logistic networks' memories are closer together and move further per unit "
        "of noise (section 5), and they broke earlier on average.",
        "transfer": "The transferred networks were trained twice, but a second training does "
        "not make the memories deeper: they broke among the earliest on average.",
        "tanh": "The tanh networks were not the most robust here; look at the kinds' "
        "geometric means.",
    }
    check_choice(
        prediction[0],
        most,
        KINDS,
        "most robust kind",
        misconceptions=[Misconception(w, h) for w, h in hints.items() if w != most],
    )
    try:
        check_value(
            prediction[1], always_first, "answer to 'does every transferred network break first?'"
        )
    except AnswerError as err:
        if prediction[1] is True or prediction[1] is np.True_:
            raise AnswerError(
                f"{err} That is Jang's reading of one network per kind. With three per kind "
                "the kinds overlap: a transferred network outlasts networks of the other kinds."
            ) from None
        raise


# -- 06-first-order-shift --------------------------------------------------------------------


def first_order_shift(
    student: Callable[[ESN, np.ndarray, np.ndarray], np.ndarray],
    esn: ESN,
    x_star,
    E,
    *,
    atol: float = 0.01,
) -> None:
    """Check ``student(esn, x_star, E)``, the first-order move of a fixed point.

    The reference is the exact move: the fixed point of the perturbed network
    :math:`W_r + E` found by Newton's method from ``x_star``. Both are divided by the
    largest entry of the exact move and compared within ``atol``.

    Parameters
    ----------
    student : callable
        ``student(esn, x_star, E)`` returns :math:`\\delta`, shape ``(N,)``.
    esn : ESN
        The trained network; ``x_star`` is a fixed point of ``esn.closed_loop()``.
    x_star : array_like, shape (N,)
    E : array_like, shape (N, N)
        A small perturbation of :math:`W_r`.
    atol : float
        Tolerance on the scaled move (the first-order error grows like :math:`|E|^2`).

    Raises
    ------
    AnswerError
        Where the move differs; names a flipped sign, ``E x*`` instead of ``E phi(x*)`` and
        a forgotten inverse Jacobian.
    """
    x_star = np.asarray(x_star, dtype=float)
    E = np.asarray(E, dtype=float)
    if x_star.shape != (esn.N,):
        raise ValueError(f"x_star must have shape ({esn.N},), got {x_star.shape}")
    exact = find_fixed_points(perturbed(esn, E).closed_loop(), x_star).x[0] - x_star
    scale = np.abs(exact).max()
    J = esn.closed_loop().jacobian(x_star)
    kick = E @ esn.phi.f(x_star)
    misconceptions = [
        Misconception(
            np.linalg.solve(J, kick) / scale,
            "The sign is flipped. Newton's step solves J delta = -F_E(x*), so "
            "delta = -J^-1 E phi(x*).",
        ),
        Misconception(
            -np.linalg.solve(J, E @ x_star) / scale,
            "The noise acts on the rates, not on the state: the perturbed field at x* is "
            "E phi(x*), not E x*.",
        ),
        Misconception(
            -kick / scale,
            "That is the perturbed field -E phi(x*) itself, not the move: the move solves "
            "J delta = -E phi(x*), so it needs the inverse Jacobian (np.linalg.solve).",
        ),
    ]
    answer = np.asarray(student(esn, x_star, E), dtype=float)
    check_array(answer / scale, exact / scale, "shift", atol=atol, misconceptions=misconceptions)


# -- 06-predict-eta-c ------------------------------------------------------------------------


def breakdown_level(prediction, d: float, chi: float, N: int, g: float, measured: float) -> None:
    """Check a predicted breakdown level :math:`\\eta_c = d / 2\\chi`, and compare it.

    Parameters
    ----------
    prediction : float
        The predicted :math:`\\eta_c`; it passes within 5 % of ``d / (2 chi)`` (the printed
        numbers are rounded).
    d, chi : float
        Median distance to the nearest memory and median move per unit of noise (both RMS
        per unit).
    N, g : int, float
        Size and reservoir gain: the noise's eigenvalue disk has radius :math:`\\eta\\sqrt N`
        and reaches ``g`` (or 1) at the levels a wrong answer may give.
    measured : float
        The measured breakdown level of the same network, printed for comparison.

    Raises
    ------
    AnswerError
        For a wrong level; names a forgotten factor 2, the radius of the noise's disk used
        instead of the distance between memories, and a product instead of a quotient.
    """
    for name, value in (("d", d), ("chi", chi), ("N", N), ("g", g), ("measured", measured)):
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    reference = d / (2.0 * chi)
    radius_hint = (
        "the noise's eigenvalue disk (radius eta sqrt(N)) reaches {what}. That radius "
        "says when the noise rivals the whole reservoir, not when a memory breaks: a memory "
        "breaks when its move eta chi reaches the saddle, half the distance d to its "
        "neighbour, so eta_c = d / (2 chi)."
    )
    check_value(
        prediction,
        reference,
        "predicted eta_c",
        tol=0.05 * reference,
        misconceptions=[
            Misconception(
                d / chi,
                "The factor 2 is missing: the memory need not travel the whole distance d to "
                "its neighbour. The saddle between them sits about half-way, so it breaks "
                "when eta chi = d / 2.",
            ),
            Misconception(
                g / np.sqrt(N),
                "That is the level at which " + radius_hint.format(what=f"the gain g = {g:g}"),
            ),
            Misconception(
                1.0 / np.sqrt(N),
                "That is the level at which " + radius_hint.format(what="1 (chaos)"),
            ),
            Misconception(
                d * chi / 2.0,
                "eta chi is the move: solve eta chi = d / 2 for eta, which divides by chi.",
            ),
        ],
    )
    print(
        f"  measured breakdown of this network: {measured:.1e} (ratio {measured / reference:.1f})"
    )


# -- 06-predicted-breakdown ------------------------------------------------------------------


def predicted_breakdown(
    student: Callable[[ESN, Memories, np.ndarray], np.ndarray],
    esn: ESN,
    memories: Memories,
    Z,
) -> None:
    """Check ``student(esn, memories, Z)``: :math:`d_k / 2\\chi_{dk}` per draw and memory.

    Parameters
    ----------
    student : callable
        Returns an array of shape ``(D, K)``: for draw ``d`` and memory ``k`` the predicted
        breakdown level, the memory's distance to its nearest neighbour over twice its move
        per unit of noise along that draw.
    esn, memories, Z
        As for :func:`rnnlab.flipflop.noise_memories.linear_shift`.

    Raises
    ------
    AnswerError
        Where the array differs; names ``d / chi``, the radius for the distance, and ``chi``
        averaged over the draws.
    """
    chi = linear_shift(esn, memories, Z)
    d = memory_distances(memories)["nearest"]
    radius = np.linalg.norm(memories.x, axis=1) / np.sqrt(esn.N)
    reference = d[None, :] / (2.0 * chi)
    misconceptions = [
        Misconception(
            d[None, :] / chi,
            "The factor 2 is missing: the saddle next to a memory sits about half-way to "
            "its neighbour, at d / 2.",
        ),
        Misconception(
            radius[None, :] / (2.0 * chi),
            "You used the memories' radius |x*| / sqrt(N), their distance from the origin; "
            "use the distance to the nearest memory (memory_distances(...)['nearest']).",
        ),
        Misconception(
            np.broadcast_to(d / (2.0 * chi.mean(axis=0)), chi.shape),
            "You averaged chi over the draws: each draw moves each memory differently, so "
            "keep one chi per draw and memory (linear_shift returns shape (D, K)).",
        ),
    ]
    answer = student(esn, memories, Z)
    check_array(
        answer,
        reference,
        "predicted breakdown levels",
        rtol=1e-6,
        atol=0.0,
        misconceptions=misconceptions,
    )
