"""Chapter 02's checks: the right answers pass, and each common wrong answer gets its hint."""

import numpy as np
import pytest

import rnnlab
from rnnlab.course.check import AnswerError, ch02

NET, POINTS = ch02.exercise_network()


def phi1(x):
    return 1.0 - np.tanh(x) ** 2


def phi2(x):
    t = np.tanh(x)
    return -2.0 * t * (1.0 - t**2)


def rhs(W, x):
    return -x + W @ np.tanh(x)


def right_jacobian(W, x):
    return -np.eye(len(x)) + W * phi1(x)


def right_correction(W, x):
    return np.diag((W.T @ rhs(W, x)) * phi2(x))


def hint_of(call, *args) -> str:
    with pytest.raises(AnswerError) as info:
        call(*args)
    return str(info.value)


@pytest.fixture(scope="module")
def spectra():
    # Smaller than the chapter's N = 500 (fast), large enough for the circular law within 0.1.
    n = 300
    return {g: rnnlab.random_rnn(n, g, seed=0).eigenvalues(np.zeros(n)) for g in (0.5, 1.0, 1.5)}


@pytest.fixture(scope="module")
def case():
    """A network of gain 1.8 and its fixed points: the origin and two +- pairs."""
    net = rnnlab.random_rnn(60, 1.8, seed=1)
    x0 = np.random.default_rng(0).standard_normal((4, net.dim))
    t, x = rnnlab.simulate(net, x0, 150.0, dt=0.1)
    starts = rnnlab.sample_states(x[:, t >= 50.0], 40, seed=0)
    first = rnnlab.find_fixed_points(net, starts)
    fps = rnnlab.find_fixed_points(net, np.vstack([starts, rnnlab.mirror(first.x)]))
    return net, fps.x


def right_counts(net, points):
    return np.array([rnnlab.n_unstable(net.eigenvalues(x)) for x in points])


# -- right answers -------------------------------------------------------------------------------


def test_right_answers_pass(capsys, spectra, case):
    ch02.rnn_jacobian(right_jacobian)
    ch02.hessian_correction(right_correction)
    ch02.predict_rightmost(lambda g: g - 1.0, spectra)
    ch02.predict_rightmost(lambda g: np.float64(g) - 1, spectra)
    net, points = case
    ch02.unstable_dimensions(right_counts, net, points)
    ch02.unstable_dimensions(lambda n, p: [int(c) for c in right_counts(n, p)], net, points)
    out = capsys.readouterr().out
    assert out.count("\N{CHECK MARK}") == 6
    assert "loses stability at g = 1" in out
    assert "The origin has" in out


def test_the_case_has_an_origin_and_other_points(case):
    net, points = case
    at_origin = np.max(np.abs(points), axis=1) < 1e-8
    assert at_origin.sum() == 1 and len(points) >= 3
    counts = right_counts(net, points)
    # The saturated fixed points are less unstable than the origin (the check's last line).
    assert np.all(counts[~at_origin] < counts[at_origin][0])


def test_not_implemented_passes_through(spectra, case):
    def stub(*args):
        raise NotImplementedError("Exercise")

    for check in (ch02.rnn_jacobian, ch02.hessian_correction):
        with pytest.raises(NotImplementedError):
            check(stub)
    with pytest.raises(NotImplementedError):
        ch02.predict_rightmost(stub, spectra)
    with pytest.raises(NotImplementedError):
        ch02.unstable_dimensions(stub, *case)


# -- 02-rnn-jacobian -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda W, x: -np.eye(len(x)) + np.diag(phi1(x)) @ W, "You scaled the rows of W"),
        (lambda W, x: -np.eye(len(x)) + W * np.tanh(x), "You used tanh(x) where its derivative"),
        (lambda W, x: -np.eye(len(x)) + W * (1.0 - np.tanh(x)), "the square is missing"),
        (lambda W, x: W * phi1(x), "The -I is missing"),
        (lambda W, x: -np.eye(len(x)) + W, "phi' is missing"),
        (lambda W, x: right_jacobian(W, x).T, "transpose of the Jacobian"),
    ],
)
def test_rnn_jacobian_hints(wrong, hint):
    assert hint in hint_of(ch02.rnn_jacobian, wrong)


def test_rnn_jacobian_other_wrong_answer_has_no_hint():
    message = hint_of(ch02.rnn_jacobian, lambda W, x: 2.0 * right_jacobian(W, x))
    assert "differs from the reference" in message
    assert "missing" not in message and "scaled" not in message


# -- 02-hessian-correction -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda W, x: -right_correction(W, x), "The sign is flipped"),
        (
            lambda W, x: right_jacobian(W, x).T @ np.diag(rhs(W, x)) @ right_jacobian(W, x),
            "as printed in Jang's eq. 11",
        ),
        (lambda W, x: np.diag((W.T @ rhs(W, x)) * phi1(x)), "needs the second derivative"),
        (lambda W, x: np.diag((W @ rhs(W, x)) * phi2(x)), "so it is (W^T F)_i"),
        (
            lambda W, x: right_jacobian(W, x).T @ right_jacobian(W, x) + right_correction(W, x),
            "That is the whole Hessian",
        ),
    ],
)
def test_hessian_correction_hints(wrong, hint):
    assert hint in hint_of(ch02.hessian_correction, wrong)


def test_hessian_correction_forgotten_return():
    assert "forget to `return`" in hint_of(ch02.hessian_correction, lambda W, x: None)


# -- 02-predict-rightmost ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda g: g, "the -I shifts the disk to the centre -1"),
        (lambda g: g**2 - 1.0, "radius g (not g^2)"),
        (lambda g: 1.0 - g, "The shift goes the other way"),
        (lambda g: -1.0, "-1 is the centre of the disk"),
    ],
)
def test_predict_rightmost_hints(wrong, hint, spectra):
    assert hint in hint_of(ch02.predict_rightmost, wrong, spectra)


def test_predict_rightmost_far_off_without_hint(spectra):
    message = hint_of(ch02.predict_rightmost, lambda g: 3.0 * g, spectra)
    assert "differs from the reference" in message and "disk" not in message


def test_predict_rightmost_rejects_empty_spectra():
    with pytest.raises(ValueError, match="spectra"):
        ch02.predict_rightmost(lambda g: g - 1.0, {})
    with pytest.raises(ValueError, match=r"spectra\[0.5\]"):
        ch02.predict_rightmost(lambda g: g - 1.0, {0.5: []})


# -- 02-unstable-dimensions ----------------------------------------------------------------------


def eig_counts(rule):
    def answer(net, points):
        return np.array([int(np.sum(rule(net.eigenvalues(x)))) for x in points])

    return answer


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (eig_counts(lambda lam: np.abs(lam) > 1.0), "the rule for a map"),
        (eig_counts(lambda lam: (lam + 1.0).real > 0), "threshold for those is Re > 1"),
        (
            lambda net, points: np.full(len(points), right_counts(net, np.zeros((1, net.dim)))[0]),
            "Every point got the count of the origin",
        ),
        (eig_counts(lambda lam: lam.real < 0), "You counted the stable directions"),
    ],
)
def test_unstable_dimensions_hints(wrong, hint, case):
    assert hint in hint_of(ch02.unstable_dimensions, wrong, *case)


def test_unstable_dimensions_wrong_shape_and_none(case):
    net, points = case
    assert "shape" in hint_of(
        ch02.unstable_dimensions, lambda n, p: int(right_counts(n, p).sum()), net, points
    )
    assert "forget to `return`" in hint_of(ch02.unstable_dimensions, lambda n, p: None, net, points)


def test_unstable_dimensions_rejects_bad_points(case):
    net, _ = case
    with pytest.raises(ValueError, match="points"):
        ch02.unstable_dimensions(right_counts, net, np.zeros((2, net.dim + 1)))
    with pytest.raises(ValueError, match="points"):
        ch02.unstable_dimensions(right_counts, net, np.zeros((0, net.dim)))


def test_student_must_be_callable(spectra):
    with pytest.raises(TypeError, match="student"):
        ch02.rnn_jacobian(np.eye(6))
    with pytest.raises(TypeError, match="student"):
        ch02.predict_rightmost(0.5, spectra)
