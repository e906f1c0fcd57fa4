"""Chapter 09's checks: the right answers pass, and each common wrong answer gets its hint."""

import numpy as np
import pytest

from rnnlab.analysis.dca import predictive_information
from rnnlab.analysis.weight_changes import departure_from_normality, truncate_change
from rnnlab.course.check import AnswerError, ch09
from rnnlab.dynamics.stability import n_unstable


def hint_of(call, *args, **kwargs) -> str:
    with pytest.raises(AnswerError) as info:
        call(*args, **kwargs)
    return str(info.value)


def random_matrix(n, seed, scale=1.0):
    rng = np.random.default_rng(seed)
    W = rng.normal(0, scale / np.sqrt(n), (n, n))
    np.fill_diagonal(W, 0.0)
    return W


# a stable matrix and one with outliers beyond Re = 1 and |lambda| > 1 inside the stable region
W_STABLE = random_matrix(40, 0, 0.8)
W_OUTLIER = random_matrix(40, 1) + 1.8 * np.outer(np.ones(40), np.ones(40)) / 40
W_ROTATING = np.kron(np.eye(20), np.array([[0.0, -1.5], [1.5, 0.0]]))  # |lambda| = 1.5, Re = 0
MATRICES = [W_STABLE, W_OUTLIER, W_ROTATING]


def right_linear(W, alpha=0.1):
    return int(n_unstable(1 - alpha + alpha * np.linalg.eigvals(W), discrete=True))


def test_fixture_matrices_distinguish_the_rules():
    assert right_linear(W_OUTLIER) >= 1
    assert right_linear(W_ROTATING) == 0
    assert int(n_unstable(np.linalg.eigvals(W_ROTATING), discrete=True)) == 40


# -- right answers -------------------------------------------------------------------------------


def test_right_answers_pass(capsys):
    ch09.linear_unstable_dims(right_linear, MATRICES)
    ch09.linear_unstable_dims(lambda W: np.int64(right_linear(W)), MATRICES)
    s = np.array([3.0, 2.0, 1.0, 0.5, 0.1])
    ch09.rank_and_control((2, False), s, [None, None, 1])
    ch09.rank_and_control((np.int64(4), np.False_), s, [None, None, 1])
    W0, W1 = random_matrix(12, 2), random_matrix(12, 3)
    ch09.truncate(truncate_change, W0, W1)
    ch09.henrici(lambda W: departure_from_normality(W).henrici, W_OUTLIER)
    ch09.ar1_pi(lambda a: -0.5 * np.log(1 - a**2))
    out = capsys.readouterr().out
    assert out.count("\N{CHECK MARK}") == 1 + 1 + 2 + 2 + 3 + 2 + 1


def test_not_implemented_passes_through():
    def stub(*args):
        raise NotImplementedError("Exercise")

    with pytest.raises(NotImplementedError):
        ch09.linear_unstable_dims(stub, MATRICES)
    with pytest.raises(NotImplementedError):
        ch09.truncate(stub, W_STABLE, W_OUTLIER)
    with pytest.raises(NotImplementedError):
        ch09.henrici(stub, W_STABLE)
    with pytest.raises(NotImplementedError):
        ch09.ar1_pi(stub)


# -- 09-linear-unstable --------------------------------------------------------------------------


def test_linear_map_rule_on_W():
    msg = hint_of(
        ch09.linear_unstable_dims,
        lambda W: int(n_unstable(np.linalg.eigvals(W), discrete=True)),
        [W_ROTATING],
    )
    assert "Jacobian of the map" in msg


def test_linear_flow_rule():
    msg = hint_of(
        ch09.linear_unstable_dims,
        lambda W: int(n_unstable(np.linalg.eigvals(W))),
        [W_STABLE],
    )
    assert "flow rule" in msg


def test_linear_alpha_forgotten():
    msg = hint_of(
        ch09.linear_unstable_dims,
        lambda W: int(n_unstable(1 + np.linalg.eigvals(W), discrete=True)),
        [W_STABLE],
    )
    assert "Euler step alpha is missing" in msg


def test_linear_wrong_type_is_caught():
    assert "int" in hint_of(ch09.linear_unstable_dims, lambda W: float(right_linear(W)), MATRICES)


def test_linear_bad_input():
    with pytest.raises(ValueError, match="matrices"):
        ch09.linear_unstable_dims(right_linear, [])
    with pytest.raises(ValueError, match="alpha"):
        ch09.linear_unstable_dims(right_linear, MATRICES, alpha=0.0)
    with pytest.raises(ValueError, match="square"):
        ch09.linear_unstable_dims(right_linear, [np.ones((2, 3))])


# -- 09-predict-rank -----------------------------------------------------------------------------


def test_n_directions():
    assert ch09.n_directions([3.0, 0.0, 0.0]) == 1
    assert ch09.n_directions([1.0, 1.0, 1.0, 1.0], 0.5) == 2
    assert ch09.n_directions([1.0, 1.0, 1.0, 1.0], 0.9) == 4
    with pytest.raises(ValueError, match="fraction"):
        ch09.n_directions([1.0], 1.5)
    with pytest.raises(ValueError, match="s must"):
        ch09.n_directions([])


S = np.r_[10.0, 6.0, 4.0, 3.0, 2.0, 0.05 * np.ones(59)]  # 64 values, k90 = 3


def test_rank_full_rank_misconception():
    assert ch09.n_directions(S) == 3
    msg = hint_of(ch09.rank_and_control, (64, False), S, [None, None])
    assert "full rank" in msg


def test_rank_single_direction():
    s = np.r_[1.0, 0.9, 0.8, 0.7, 0.6, 0.5]
    msg = hint_of(ch09.rank_and_control, (1, False), s, [None])
    assert "One direction is not enough" in msg


def test_control_expected_to_work():
    msg = hint_of(ch09.rank_and_control, (4, True), S, [None, None, 3])
    assert "tuned to W0" in msg


def test_control_that_works_is_checked_too():
    with pytest.raises(AnswerError):
        ch09.rank_and_control((4, False), S, [1, 2, None])


def test_rank_prediction_shape():
    assert "tuple" in hint_of(ch09.rank_and_control, 4, S, [None])
    assert "whole number" in hint_of(ch09.rank_and_control, (4.0, False), S, [None])
    assert "True or False" in hint_of(ch09.rank_and_control, (4, "no"), S, [None])


# -- 09-truncate ---------------------------------------------------------------------------------

W0_T, W1_T = random_matrix(10, 5), random_matrix(10, 6)


def svd_part(A, idx):
    U, s, Vt = np.linalg.svd(A)
    return (U[:, idx] * s[idx]) @ Vt[idx]


def test_truncate_W0_forgotten():
    msg = hint_of(ch09.truncate, lambda W0, W1, r: svd_part(W1 - W0, slice(0, r)), W0_T, W1_T)
    assert "W0 is missing" in msg


def test_truncate_one_too_many():
    msg = hint_of(
        ch09.truncate, lambda W0, W1, r: W0 + svd_part(W1 - W0, slice(0, r + 1)), W0_T, W1_T
    )
    assert "One direction too many" in msg


def test_truncate_smallest_kept():
    msg = hint_of(
        ch09.truncate,
        lambda W0, W1, r: W0 + svd_part(W1 - W0, slice(10 - r, 10)),
        W0_T,
        W1_T,
        ranks=(1,),
    )
    assert "smallest singular values" in msg


def test_truncate_W1_instead_of_change():
    msg = hint_of(
        ch09.truncate, lambda W0, W1, r: svd_part(W1, slice(0, r)), W0_T, W1_T, ranks=(2,)
    )
    assert "truncated W1" in msg


def test_truncate_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        ch09.truncate(truncate_change, W0_T, np.eye(3))


# -- 09-henrici ----------------------------------------------------------------------------------


def test_henrici_square_forgotten():
    msg = hint_of(ch09.henrici, lambda W: departure_from_normality(W).henrici ** 2, W_OUTLIER)
    assert "square root" in msg


def test_henrici_singular_values():
    def with_svd(W):
        s = np.linalg.svd(W, compute_uv=False)
        return float(np.sqrt(abs(np.sum(W * W) - np.sum(s**2))))

    assert "singular values" in hint_of(ch09.henrici, with_svd, W_OUTLIER)


def test_henrici_modulus_forgotten():
    def no_modulus(W):
        lam = np.linalg.eigvals(W)
        return float(np.sqrt(np.sum(W * W) - np.real(np.sum(lam**2))))

    assert "modulus" in hint_of(ch09.henrici, no_modulus, W_OUTLIER)


# -- 09-ar1-pi -----------------------------------------------------------------------------------


def test_ar1_reference_is_the_library():
    a = 0.6
    assert np.isclose(
        predictive_information(np.array([[[1.0]], [[a]]]), [[1.0]], 1), -0.5 * np.log(1 - a**2)
    )


def test_ar1_half_forgotten():
    assert "1/2 is missing" in hint_of(ch09.ar1_pi, lambda a: -np.log(1 - a**2))


def test_ar1_sign():
    assert "sign is reversed" in hint_of(ch09.ar1_pi, lambda a: 0.5 * np.log(1 - a**2))
