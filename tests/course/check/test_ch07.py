"""Chapter 07's checks: the right answers pass, and each common wrong answer gets its hint."""

import numpy as np
import pytest

from rnnlab.course.check import AnswerError, ch07
from rnnlab.theory.meanfield import NoFadingMemory, gauss_hermite, mean_field


@pytest.fixture(scope="module")
def theories():
    return [mean_field("tanh", 0.8, 1.0), mean_field("relu", 0.8, 1.0, threshold=0.5)]


@pytest.fixture(scope="module")
def sign_lambdas():
    return [mean_field(p, g, A, threshold=t).lambda_out for p, t, g, A in ch07.SIGN_CASES]


def hint_of(call, *args) -> str:
    with pytest.raises(AnswerError) as info:
        call(*args)
    return str(info.value)


def gain(A, beta0, beta1, omega):
    return A * beta0 / (1 - beta1 + 1j * np.asarray(omega))


def identity(phi, g, A, sigma, n=101):
    nodes, weights = gauss_hermite(n)
    U, E = np.meshgrid(nodes, nodes, indexing="ij")
    x = U * A + sigma * E
    f = phi.f(x)
    return -(g**2 / sigma**2) * np.sum(np.outer(weights, weights) * f * (f - x * phi.df(x)))


def edge(A, step=0.01):
    last = None
    for g in np.round(np.arange(0.2, 4.0, step), 2):
        try:
            last = mean_field("tanh", g, A, n_nodes=61)
        except NoFadingMemory:
            break
    return last


# -- right answers -------------------------------------------------------------------------------


def test_right_answers_pass(capsys, theories, sign_lambdas):
    ch07.open_loop_gain(gain, theories)
    ch07.lambda_out_signs((-1, -1, -1, 1, 1, 1), sign_lambdas)
    ch07.lambda_out_signs(np.array([-1, -1, -1, 1, 1, 1]), sign_lambdas)
    ch07.lambda_out_identity(identity, theories)
    ch07.encirclements((0, 0, 1), [0, 0, 1])
    ch07.encirclements((np.int64(2),), [2])
    out = capsys.readouterr().out
    assert out.count("\N{CHECK MARK}") == 2 + 2 + 2 + 2


@pytest.mark.slow
def test_tau_out_at_edge_right_answer_passes(capsys):
    def student(A):
        m = edge(A)
        return m.g, m.tau_out

    ch07.tau_out_at_edge(student)
    out = capsys.readouterr().out
    assert out.count("\N{CHECK MARK}") == 2
    assert "A = 0.5: g_edge = 1.54" in out


def test_sign_cases_are_as_documented(sign_lambdas):
    # tanh stable, thresholded ReLU unstable, none near 0 (a fair prediction).
    assert np.all(np.array(sign_lambdas[:3]) < -0.4)
    assert np.all(np.array(sign_lambdas[3:]) > 0.05)


def test_not_implemented_passes_through(theories):
    def stub(*args):
        raise NotImplementedError("Exercise")

    for call, arg in (
        (ch07.open_loop_gain, theories),
        (ch07.lambda_out_identity, theories),
        (ch07.tau_out_at_edge, (0.5,)),
    ):
        with pytest.raises(NotImplementedError):
            call(stub, arg)


def test_empty_references_are_refused(theories):
    with pytest.raises(ValueError, match="theories"):
        ch07.open_loop_gain(gain, [])
    with pytest.raises(ValueError, match="theories"):
        ch07.lambda_out_identity(identity, [])
    with pytest.raises(ValueError, match="targets"):
        ch07.tau_out_at_edge(lambda A: (1.0, 1.0), ())
    with pytest.raises(ValueError, match="computed"):
        ch07.encirclements((), [])
    with pytest.raises(ValueError, match="lambdas"):
        ch07.lambda_out_signs((-1,) * 6, [1.0, 2.0])
    with pytest.raises(ValueError, match="nonzero"):
        ch07.lambda_out_signs((-1,) * 6, [-1, -1, -1, 1, 1, 0.0])


# -- 07-open-loop-gain ---------------------------------------------------------------------------


def test_gain_mirrored(theories):
    msg = hint_of(ch07.open_loop_gain, lambda A, b0, b1, om: A * b0 / (1 - b1 - 1j * om), theories)
    assert "mirror image" in msg


def test_gain_sign_of_beta1(theories):
    msg = hint_of(ch07.open_loop_gain, lambda A, b0, b1, om: A * b0 / (1 + b1 + 1j * om), theories)
    assert "sign of beta1" in msg


def test_gain_target_forgotten(theories):
    # at A = 1 the two coincide: the ReLU theory at A = 2 tells them apart
    mf2 = [mean_field("relu", 0.8, 2.0, threshold=0.5)]
    msg = hint_of(ch07.open_loop_gain, lambda A, b0, b1, om: b0 / (1 - b1 + 1j * om), mf2)
    assert "target A is missing" in msg


def test_gain_other_error_has_no_hint(theories):
    msg = hint_of(ch07.open_loop_gain, lambda A, b0, b1, om: 2 * gain(A, b0, b1, om), theories)
    assert "mirror" not in msg and "beta1" not in msg and "missing" not in msg


# -- 07-predict-sign -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prediction", "words"),
    [
        ((1, 1, 1, -1, -1, -1), "Every sign is reversed"),
        ((-1, 1, -1, 1, 1, 1), "does not depend on g or A"),
        ((-1, -1, 1, 1, 1, 1), "does not depend on g or A"),
        ((-1, -1, -1, 1, -1, 1), "only the sign of theta matters"),
        ((1, 1, 1, 1, 1, 1), "tanh saturates"),
        ((-1, -1, -1, -1, -1, -1), "does not saturate"),
    ],
)
def test_sign_misconceptions(sign_lambdas, prediction, words):
    assert words in hint_of(ch07.lambda_out_signs, prediction, sign_lambdas)


def test_sign_bad_answers(sign_lambdas):
    assert "tuple of 6 ints" in hint_of(ch07.lambda_out_signs, "stable", sign_lambdas)
    assert "6 ints" in hint_of(ch07.lambda_out_signs, (-1, 1), sign_lambdas)
    assert "whole numbers" in hint_of(ch07.lambda_out_signs, (-1.0,) * 6, sign_lambdas)
    assert "+1 (unstable)" in hint_of(ch07.lambda_out_signs, (0, -1, -1, 1, 1, 1), sign_lambdas)


# -- 07-lambda-out-identity ----------------------------------------------------------------------


def test_identity_minus_sign(theories):
    msg = hint_of(ch07.lambda_out_identity, lambda *a: -identity(*a), theories)
    assert "minus it" in msg


def test_identity_prefactor(theories):
    def wrong(phi, g, A, sigma):
        return identity(phi, g, A, sigma) * sigma**2 / g**2

    assert "prefactor" in hint_of(ch07.lambda_out_identity, wrong, theories)


def test_identity_clamp_left_out(theories):
    def wrong(phi, g, A, sigma):
        return identity(phi, g, 0.0, sigma)

    assert "clamp" in hint_of(ch07.lambda_out_identity, wrong, theories)


# -- 07-predict-encirclements --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prediction", "words"),
    [
        ((0, 0, -1), "Count clockwise turns"),
        ((0, 0, 0), "not 0 + 1i"),
        ((1, 1, 1), "encircling +1 means going around it"),
        ((1, 0, 1), "exactly when G_OL(0) > 1"),
    ],
)
def test_encirclement_misconceptions(prediction, words):
    assert words in hint_of(ch07.encirclements, prediction, [0, 0, 1])


def test_encirclement_bad_answers():
    assert "3 ints" in hint_of(ch07.encirclements, (0, 1), [0, 0, 1])
    assert "whole numbers" in hint_of(ch07.encirclements, (0, 0, True), [0, 0, 1])


# -- 07-tau-out-at-edge --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def edge_half():
    return edge(0.5)


def test_edge_bisection_agrees_with_the_grid(edge_half):
    g_edge = ch07.edge_of_fading_memory(0.5)
    assert edge_half.g <= g_edge < edge_half.g + 0.01
    with pytest.raises(ValueError, match="A must be positive"):
        ch07.edge_of_fading_memory(-1.0)


@pytest.mark.parametrize(
    ("wrong", "words"),
    [
        (lambda m: m.tau_net, "tau_net"),
        (lambda m: m.lambda_out, "That is lambda_out"),
        (lambda m: -m.tau_out, "A time constant is positive"),
    ],
)
def test_tau_misconceptions(edge_half, wrong, words):
    msg = hint_of(ch07.tau_out_at_edge, lambda A: (edge_half.g, wrong(edge_half)), (0.5,))
    assert words in msg


def test_tau_wrong_edge(edge_half):
    msg = hint_of(ch07.tau_out_at_edge, lambda A: (1.0, 1.7), (0.5,))
    assert "fading memory (rho < 1) ends at" in msg
    assert "pair" in hint_of(ch07.tau_out_at_edge, lambda A: 1.7, (0.5,))
