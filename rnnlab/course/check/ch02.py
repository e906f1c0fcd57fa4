r"""Checks for chapter 02's exercises, with the wrong answers students commonly give.

One function per exercise, named after it; each wraps a check of :mod:`rnnlab.course.check` with
the exercise's reference and its :class:`~rnnlab.course.check.Misconception` hints.

The exercises and the mistakes each check recognises:

- ``02-rnn-jacobian`` (:func:`rnn_jacobian`): rows of :math:`W` scaled instead of columns
  (:math:`\mathrm{diag}(\phi')\,W`), :math:`\tanh` or :math:`1 - \tanh` used for
  :math:`\phi'`, the :math:`-I` forgotten, :math:`\phi'` forgotten, the matrix transposed;
- ``02-hessian-correction`` (:func:`hessian_correction`): the sign flipped, the printed
  first-derivative term :math:`J^\top \mathrm{diag}(\mathbf F) J`, :math:`\phi'` instead of
  :math:`\phi''`, :math:`W\mathbf F` instead of :math:`W^\top \mathbf F`, the whole Hessian
  returned instead of the term Gauss-Newton drops;
- ``02-predict-rightmost`` (:func:`predict_rightmost`): the radius :math:`g` of the disk of
  :math:`W` without the :math:`-I` shift, the variance :math:`g^2` taken for the radius,
  the shift taken the wrong way;
- ``02-unstable-dimensions`` (:func:`unstable_dimensions`): the map rule
  :math:`|\lambda| > 1`, the eigenvalues of :math:`W\,\mathrm{diag}(\phi')` without the
  :math:`-I`, the Jacobian at the origin used at every point, the stable directions counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from rnnlab.course.check import (
    AnswerError,
    Misconception,
    check_array,
    check_function,
    check_jacobian,
)
from rnnlab.dynamics.stability import n_unstable
from rnnlab.dynamics.systems import random_rnn

__all__ = [
    "exercise_network",
    "hessian_correction",
    "predict_rightmost",
    "rnn_jacobian",
    "unstable_dimensions",
]


def exercise_network():
    """The exercises' small network and its test states.

    Returns
    -------
    net : rnnlab.RateRNN
        :math:`\\dot x = -x + W\\tanh x` with ``N = 6``, ``g = 1.2``, ``seed = 2`` (the
        chapter's ``net``).
    points : ndarray, shape (5, 6)
        The chapter's five test states, normal with standard deviation 1.5 (seed 3).
    """
    net = random_rnn(6, 1.2, seed=2)
    points = np.random.default_rng(3).normal(0.0, 1.5, size=(5, 6))
    return net, points


def _check_student(student, name: str) -> None:
    if not callable(student):
        raise TypeError(f"{name} must be your function, got {type(student).__name__}")


# -- 02-rnn-jacobian -------------------------------------------------------------------------


def rnn_jacobian(student: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> None:
    """Check ``student(W, x)``, the Jacobian of :math:`\\dot x = -x + W\\tanh x`.

    Compared with the library's ``RateRNN.jacobian`` at the five test states of
    :func:`exercise_network`.

    Parameters
    ----------
    student : callable
        ``student(W, x)`` returns :math:`-I + W\\,\\mathrm{diag}(1 - \\tanh^2 x)`, shape
        ``(N, N)``.

    Raises
    ------
    AnswerError
        At the first state and entry where the Jacobian differs; names rows scaled instead
        of columns, a wrong :math:`\\phi'`, a forgotten :math:`-I` or :math:`\\phi'`, and a
        transposed matrix.
    """
    _check_student(student, "student")
    net, points = exercise_network()
    W = net.W
    eye = np.eye(net.dim)

    def dphi(x):
        return 1.0 - np.tanh(x) ** 2

    misconceptions = [
        Misconception(
            lambda x: -eye + np.diag(dphi(x)) @ W,
            "You scaled the rows of W (diag(phi') W): J_ij = -delta_ij + W_ij phi'(x_j) "
            "carries phi' of the column index j, so column j is scaled, W diag(phi'), or "
            "W * phi'(x) with broadcasting.",
        ),
        Misconception(
            lambda x: -eye + W * np.tanh(x),
            "You used tanh(x) where its derivative belongs: phi'(x) = 1 - tanh(x)^2.",
        ),
        Misconception(
            lambda x: -eye + W * (1.0 - np.tanh(x)),
            "The derivative of tanh is 1 - tanh(x)^2: the square is missing.",
        ),
        Misconception(
            lambda x: W * dphi(x),
            "The -I is missing: the leak term -x_i contributes -delta_ij to J_ij.",
        ),
        Misconception(
            lambda x: -eye + W,
            "phi' is missing: that is the Jacobian at the origin only (phi'(0) = 1); at other "
            "states column j of W is scaled by 1 - tanh(x_j)^2.",
        ),
    ]
    check_jacobian(lambda x: student(W, x), net, points, misconceptions=misconceptions)


# -- 02-hessian-correction -------------------------------------------------------------------


def hessian_correction(student: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> None:
    """Check ``student(W, x)``, the term :math:`\\sum_k F_k \\nabla^2 F_k` Gauss-Newton drops.

    The reference is the library's exact Hessian of :math:`q` minus its Gauss-Newton
    Hessian :math:`J^\\top J`, at the five test states of :func:`exercise_network`.

    Parameters
    ----------
    student : callable
        ``student(W, x)`` returns :math:`\\mathrm{diag}((W^\\top F) \\odot \\phi''(x))`,
        shape ``(N, N)``.

    Raises
    ------
    AnswerError
        At the first state and entry where the term differs; names a flipped sign, the
        first-derivative term as printed in Jang's eq. 11, :math:`\\phi'` for
        :math:`\\phi''`, :math:`W F` for :math:`W^\\top F`, and the whole Hessian.
    """
    _check_student(student, "student")
    net, points = exercise_network()
    W = net.W

    def reference(x):
        return net.hessian_q(x) - net.gauss_newton_hessian(x)

    def phi2(x):
        t = np.tanh(x)
        return -2.0 * t * (1.0 - t**2)

    misconceptions = [
        Misconception(
            lambda x: -reference(x),
            "The sign is flipped: the product rule gives H = J^T J + sum_k F_k d^2F_k, a plus, "
            "and phi''(x) = -2 tanh(x) (1 - tanh(x)^2) carries its own minus.",
        ),
        Misconception(
            lambda x: net.jacobian(x).T @ np.diag(net.rhs(x)) @ net.jacobian(x),
            "That is J^T diag(F) J, the term as printed in Jang's eq. 11: a product of first "
            "derivatives. The product rule differentiates dF_k/dx_i once more, which gives the "
            "second derivatives sum_k F_k d^2F_k/dx_i dx_j.",
        ),
        Misconception(
            lambda x: np.diag((W.T @ net.rhs(x)) * (1.0 - np.tanh(x) ** 2)),
            "You used phi'(x) = 1 - tanh^2 x; the term needs the second derivative "
            "phi''(x) = -2 tanh(x) (1 - tanh(x)^2).",
        ),
        Misconception(
            lambda x: np.diag((W @ net.rhs(x)) * phi2(x)),
            "You used W F; the sum over k runs over the first index of W_ki, so it is (W^T F)_i.",
        ),
        Misconception(
            lambda x: net.hessian_q(x),
            "That is the whole Hessian J^T J + correction; the exercise asks for the correction "
            "alone, the term Gauss-Newton leaves out.",
        ),
    ]
    check_function(
        lambda x: student(W, x),
        reference,
        points,
        "Hessian correction",
        atol=1e-10,
        misconceptions=misconceptions,
    )


# -- 02-predict-rightmost --------------------------------------------------------------------


def predict_rightmost(student: Callable[[float], float], spectra: Mapping) -> None:
    """Check a prediction of the largest real part of the eigenvalues of :math:`J(0)`.

    Parameters
    ----------
    student : callable
        ``student(g)`` returns the predicted largest real part among the eigenvalues of
        :math:`J(0) = -I + W` for a large random network of gain ``g``.
    spectra : mapping
        Gain ``g`` -> the computed eigenvalues of :math:`J(0)` at that gain (the chapter's
        ``spectra``). The prediction passes when it is within 0.1 of the computed largest
        real part (finite ``N`` blurs the edge of the disk by a few hundredths).

    Raises
    ------
    AnswerError
        At the first gain where the prediction is off; names the radius :math:`g` read as
        the rightmost point (the :math:`-I` forgotten), :math:`g^2` taken for the radius, and
        the shift taken the wrong way.
    ValueError
        When ``spectra`` is empty or holds no eigenvalues for a gain.
    """
    _check_student(student, "student")
    if not isinstance(spectra, Mapping) or not spectra:
        raise ValueError("spectra must be a non-empty dict {gain: eigenvalues of J(0)}")
    rightmost = {}
    for g, lam in spectra.items():
        lam = np.asarray(lam)
        if lam.size == 0:
            raise ValueError(f"spectra[{g!r}] holds no eigenvalues")
        rightmost[float(g)] = float(np.max(lam.real))
    misconceptions = [
        Misconception(
            lambda g: g,
            "That is the radius of the disk of W's eigenvalues, centred at 0. At the origin "
            "phi'(0) = 1, so J(0) = -I + W: the -I shifts the disk to the centre -1, and its "
            "rightmost point is -1 + g.",
        ),
        Misconception(
            lambda g: g**2 - 1.0,
            "g^2/N is the variance of one weight; the circular law gives a disk of radius g "
            "(not g^2), here centred at -1.",
        ),
        Misconception(
            lambda g: 1.0 - g,
            "The shift goes the other way: J(0) = -I + W moves the disk's centre to -1, so its "
            "rightmost point is -1 + g, which grows with g.",
        ),
        Misconception(
            lambda g: -1.0,
            "-1 is the centre of the disk, where the leak alone puts every eigenvalue; W "
            "spreads them over a disk of radius g around it.",
        ),
    ]
    # Largest gain first: there the common wrong answers all differ from each other.
    gains = sorted(rightmost, reverse=True)
    check_function(
        student,
        lambda g: rightmost[g],
        gains,
        "predicted rightmost eigenvalue",
        atol=0.1,
        rtol=0.0,
        misconceptions=misconceptions,
    )
    print("  So the origin of a large random network loses stability at g = 1.")


# -- 02-unstable-dimensions ------------------------------------------------------------------


def unstable_dimensions(
    student: Callable[[object, np.ndarray], np.ndarray], net, points: np.ndarray
) -> None:
    """Check ``student(net, points)``, the unstable dimensions of the flow at each point.

    Parameters
    ----------
    student : callable
        ``student(net, points)`` returns, for every row of ``points``, the number of
        eigenvalues of the Jacobian ``net.jacobian(x)`` with positive real part.
    net : rnnlab.RateRNN
        The network (the chapter passes a random network of gain 1.8).
    points : array_like, shape (n, N)
        Its fixed points. When the origin is among them, a line compares its count with
        the others' and with how saturated their units are.

    Raises
    ------
    AnswerError
        Names the map rule :math:`|\\lambda| > 1`, the eigenvalues of
        :math:`W\\mathrm{diag}(\\phi')` without the :math:`-I`, :math:`J(0)` used at every
        point, and the stable directions counted instead of the unstable ones.
    ValueError
        When ``points`` is empty or does not have ``net.dim`` columns.
    """
    _check_student(student, "student")
    pts = np.atleast_2d(np.asarray(points, dtype=float))
    if pts.size == 0 or pts.shape[1] != net.dim:
        raise ValueError(f"points must be an (n, {net.dim}) array of states, got {pts.shape}")
    spectra = [net.eigenvalues(x) for x in pts]
    reference = np.array([n_unstable(lam) for lam in spectra])
    origin = n_unstable(net.eigenvalues(np.zeros(net.dim)))
    misconceptions = [
        Misconception(
            np.array([int(np.sum(np.abs(lam) > 1.0)) for lam in spectra]),
            "You counted |lambda| > 1, the rule for a map. This network is a flow, "
            "dx/dt = F(x): a direction grows when Re lambda > 0.",
        ),
        Misconception(
            np.array([n_unstable(lam + 1.0) for lam in spectra]),
            "You counted the eigenvalues of W diag(phi') with positive real part: the Jacobian "
            "is -I + W diag(phi'), so the threshold for those is Re > 1.",
        ),
        Misconception(
            np.full(len(pts), origin),
            "Every point got the count of the origin: the Jacobian depends on the state, "
            "J(x) = -I + W diag(1 - tanh^2 x); evaluate it at each fixed point.",
        ),
        Misconception(
            np.array([int(np.sum(lam.real < 0)) for lam in spectra]),
            "You counted the stable directions (Re lambda < 0); the unstable ones have "
            "Re lambda > 0.",
        ),
    ]
    answer = student(net, pts)
    if answer is None:
        raise AnswerError("your counts are None: did the function forget to `return` them?")
    check_array(
        answer,
        reference,
        "list of unstable dimensions",
        atol=0.0,
        rtol=0.0,
        misconceptions=misconceptions,
    )
    at_origin = np.max(np.abs(pts), axis=1) < 1e-8
    if at_origin.any() and not at_origin.all():
        others = pts[~at_origin]
        counts = ", ".join(str(int(c)) for c in reference[~at_origin])
        slope = np.mean(1.0 - np.tanh(others) ** 2)
        print(
            f"  The origin has {origin} unstable dimensions, the other fixed points {counts}; "
            f"at those, the mean of phi'(x*) over units and points is {slope:.2f} (1 at the origin)."
        )
