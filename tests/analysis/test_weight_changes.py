"""Weight-change analyses on matrices with known answers."""

import numpy as np
import pytest

from rnnlab.analysis.weight_changes import (
    angle_to_vector,
    delta_singular_values,
    departure_from_normality,
    eigenvector_centrality,
    pi_versus_slope,
    principal_angles,
    rank_truncation,
    schur_departure,
    shuffle_offdiagonal,
    truncate_change,
    weight_statistics,
)


def test_normal_matrices_have_zero_departure():
    rng = np.random.default_rng(0)
    S = rng.normal(size=(6, 6))
    for W in (S + S.T, S - S.T, np.linalg.qr(S)[0]):  # symmetric, skew, orthogonal
        nn = departure_from_normality(W)
        assert nn.henrici < 1e-6
        assert nn.strict_upper_fro < 1e-12 * np.linalg.norm(W) + 1e-12


def test_jordan_block_departure_is_sqrt_n_minus_1():
    n = 5
    J = 0.7 * np.eye(n) + np.eye(n, k=1)
    nn = departure_from_normality(J)
    assert nn.henrici == pytest.approx(np.sqrt(n - 1), rel=1e-6)
    assert nn.strict_upper_fro == pytest.approx(np.sqrt(n - 1), rel=1e-6)
    assert nn.strict_upper_2norm == pytest.approx(1.0, rel=1e-6)
    # nilpotent: every bit of the norm is departure
    assert departure_from_normality(np.eye(n, k=1)).relative == pytest.approx(1.0)


def test_henrici_two_ways_agree_on_a_random_matrix():
    W = np.random.default_rng(1).normal(size=(30, 30)) / np.sqrt(30)
    nn = departure_from_normality(W)
    assert nn.henrici == pytest.approx(nn.strict_upper_fro, rel=1e-8)
    assert 0.5 < nn.relative < 1.0


def test_schur_departure_of_normal_matrices_is_zero():
    rng = np.random.default_rng(0)
    S = rng.normal(size=(6, 6))
    # symmetric, skew (complex pairs), orthogonal, and a rotation (whose *real* Schur form
    # has a nonzero strictly upper entry: the complex form is needed)
    for W in (S + S.T, S - S.T, np.linalg.qr(S)[0], [[0.0, -1.0], [1.0, 0.0]]):
        for order in ("modulus", "lapack"):
            sd = schur_departure(W, order=order)
            assert sd.two_norm < 1e-12 * np.linalg.norm(W) + 1e-12
            assert sd.fro < 1e-12 * np.linalg.norm(W) + 1e-12


def test_schur_departure_of_a_jordan_block():
    # J = 0.7 I + E: already its own Schur form, M = E (ones on the superdiagonal)
    n = 5
    sd = schur_departure(0.7 * np.eye(n) + np.eye(n, k=1))
    assert sd.two_norm == pytest.approx(1.0, rel=1e-12)
    assert sd.fro == pytest.approx(np.sqrt(n - 1), rel=1e-12)
    np.testing.assert_allclose(sd.eigenvalues, 0.7, atol=1e-12)


def test_schur_departure_of_a_2x2_is_the_corner_in_any_basis():
    # [[a, c], [0, b]] turned by an orthogonal V: M holds |c| whatever V and the order
    th = 0.4
    V = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    W = V @ np.array([[1.0, 2.0], [0.0, -3.0]]) @ V.T
    sd = schur_departure(W)
    assert sd.two_norm == pytest.approx(2.0, rel=1e-12)
    assert sd.fro == pytest.approx(2.0, rel=1e-12)
    np.testing.assert_allclose(sd.eigenvalues, [-3.0, 1.0], atol=1e-12)  # by modulus


def test_schur_departure_is_invariant_under_orthogonal_similarity():
    rng = np.random.default_rng(4)
    N = 40
    W = rng.normal(size=(N, N)) / np.sqrt(N)  # about half its eigenvalues in complex pairs
    assert np.sum(np.abs(np.linalg.eigvals(W).imag) > 1e-8) > 10
    V = np.linalg.qr(rng.normal(size=(N, N)))[0]
    a, b = schur_departure(W), schur_departure(V @ W @ V.T)
    assert b.two_norm == pytest.approx(a.two_norm, rel=1e-9)
    assert b.fro == pytest.approx(a.fro, rel=1e-9)
    np.testing.assert_allclose(b.eigenvalues, a.eigenvalues, atol=1e-9)
    # ordered by decreasing modulus, a conjugate pair's positive imaginary part first
    mod = np.abs(a.eigenvalues)
    assert np.all(np.diff(mod) < 1e-9)
    pair = np.flatnonzero(np.abs(a.eigenvalues.imag) > 1e-8)[0]
    assert a.eigenvalues[pair].imag > 0
    assert a.eigenvalues[pair + 1] == pytest.approx(np.conj(a.eigenvalues[pair]), abs=1e-9)


def test_schur_departure_fro_is_henrici_and_the_form_is_similar_to_w():
    rng = np.random.default_rng(5)
    N = 30
    W = rng.normal(size=(N, N)) / np.sqrt(N)
    np.fill_diagonal(W, 0.0)
    lam = np.linalg.eigvals(W)
    for order in ("modulus", "lapack"):
        sd = schur_departure(W, order=order)
        henrici = np.sqrt(np.sum(W**2) - np.sum(np.abs(lam) ** 2))
        assert sd.fro == pytest.approx(henrici, rel=1e-9)
        assert np.all(np.tril(sd.M) == 0)
        # T = Lambda + M is unitarily similar to W: same singular values, same eigenvalues
        T = np.diag(sd.eigenvalues) + sd.M
        np.testing.assert_allclose(
            np.linalg.svd(T, compute_uv=False), np.linalg.svd(W, compute_uv=False), atol=1e-10
        )
        gap = np.abs(sd.eigenvalues[:, None] - lam[None, :])
        assert gap.min(axis=0).max() < 1e-9 and gap.min(axis=1).max() < 1e-9
        assert sd.two_norm <= sd.fro
    nn = departure_from_normality(W)
    assert nn.strict_upper_2norm == schur_departure(W).two_norm


def test_schur_departure_2norm_depends_on_the_order_but_fro_does_not():
    # already triangular, eigenvalues increasing: LAPACK keeps this order, "modulus" reverses it
    W = np.array([[1.0, 1.0, 0.0], [0.0, -2.0, 1.0], [0.0, 0.0, 3.0]])
    kept, sorted_ = schur_departure(W, order="lapack"), schur_departure(W, order="modulus")
    np.testing.assert_allclose(kept.eigenvalues, [1.0, -2.0, 3.0])
    np.testing.assert_allclose(sorted_.eigenvalues, [3.0, -2.0, 1.0], atol=1e-12)
    assert kept.two_norm == pytest.approx(1.0)  # M = the superdiagonal of W
    assert sorted_.fro == pytest.approx(kept.fro) == pytest.approx(np.sqrt(2.0))
    assert sorted_.two_norm > 1.2


def test_principal_angles_known_subspaces():
    e = np.eye(4)
    assert principal_angles(e[:, :2], e[:, 2:]) == pytest.approx([90.0, 90.0])
    th = np.radians(30.0)
    B = np.stack([e[:, 0], np.cos(th) * e[:, 1] + np.sin(th) * e[:, 2]], axis=1)
    np.testing.assert_allclose(principal_angles(e[:, :2], B), [30.0, 0.0], atol=1e-6)
    assert angle_to_vector(e[:, :2], [1.0, 1.0, 0.0, 0.0]) == pytest.approx(0.0, abs=1e-6)
    assert angle_to_vector(e[:, :2], [1.0, 0.0, 1.0, 0.0]) == pytest.approx(45.0)
    assert angle_to_vector(e[:, :1], [0.0, 0.0, 0.0, 2.0]) == pytest.approx(90.0)


def test_rank_truncation_finds_the_planted_rank_and_the_shuffle_control_fails():
    rng = np.random.default_rng(2)
    N, r = 20, 3
    W0 = rng.normal(size=(N, N)) / np.sqrt(N)
    np.fill_diagonal(W0, 0.0)
    dW = rng.normal(size=(N, r)) @ rng.normal(size=(r, N)) / N
    W1 = W0 + dW
    np.testing.assert_allclose(delta_singular_values(W0, W1)[r:], 0.0, atol=1e-12)
    np.testing.assert_allclose(truncate_change(W0, W1, r), W1, atol=1e-12)
    np.testing.assert_array_equal(truncate_change(W0, W1, 0), W0)

    def loss(W):  # the "task": reproduce W1
        return float(np.sum((W - W1) ** 2))

    res = rank_truncation(W0, W1, loss)
    assert res.rank == r
    assert res.rank0_loss == pytest.approx(np.sum(dW**2))
    assert res.losses[r] < 1e-20
    control = rank_truncation(W0, W1, loss, base=shuffle_offdiagonal(W0, seed=0))
    assert control.rank is None


def test_shuffle_keeps_entries_and_diagonal():
    W = np.arange(16.0).reshape(4, 4)
    S = shuffle_offdiagonal(W, seed=3)
    np.testing.assert_array_equal(np.diag(S), np.diag(W))
    mask = ~np.eye(4, dtype=bool)
    np.testing.assert_array_equal(np.sort(S[mask]), np.sort(W[mask]))
    assert not np.array_equal(S, W)
    np.testing.assert_array_equal(S, shuffle_offdiagonal(W, seed=3))


def test_star_graph_centrality():
    n = 9  # hub 0 and 9 leaves, undirected: Perron value 3, hub/leaf = sqrt(9) = 3
    A = np.zeros((n + 1, n + 1))
    A[0, 1:] = A[1:, 0] = -1.0  # signs do not matter: centrality uses |W|
    c = eigenvector_centrality(A)
    assert c.sum() == pytest.approx(1.0)
    assert c[0] / c[1] == pytest.approx(3.0, rel=1e-8)
    np.testing.assert_allclose(c[1:], c[1])


def test_directed_centrality_counts_incoming_weight():
    # unit 0 receives from 1 and 2, sends back only to 1: 0 is more central than 2
    W = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    c = eigenvector_centrality(W)
    lam = np.max(np.linalg.eigvals(W).real)
    np.testing.assert_allclose(W @ c, lam * c, atol=1e-9)
    assert c[0] > c[2]


def test_weight_statistics():
    W0 = np.array([[0.0, 1.0], [-1.0, 0.0]])
    W1 = np.array([[0.0, 0.0], [-2.0, 0.0]])
    st = weight_statistics([W0, W1])
    np.testing.assert_allclose(st["mean"], [0.0, -1.0])
    np.testing.assert_allclose(st["frac_negative"], [0.5, 0.5])
    np.testing.assert_allclose(st["delta_fro"], [0.0, np.sqrt(2.0)])
    np.testing.assert_allclose(st["spectral_radius"], [1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(weight_statistics([W0, W1], offdiagonal=False)["mean"], [0.0, -0.5])


def test_pi_versus_slope_calls_back_with_each_slope():
    seen = []

    def states(a):
        seen.append(a)
        rng = np.random.default_rng(0)
        x = np.zeros((400, 1))
        for t in range(1, 400):
            x[t] = a * x[t - 1] + rng.normal()
        return np.hstack([x, rng.normal(size=(400, 1))])

    pi = pi_versus_slope(states, [0.0, 0.9], d=1, T=1, n_init=2, seed=0)
    assert seen == [0.0, 0.9]
    assert pi[0] < 0.05  # white noise
    assert pi[1] == pytest.approx(-0.5 * np.log(1 - 0.81), rel=0.2)  # AR(1) with a = 0.9


def test_bad_inputs():
    with pytest.raises(ValueError, match="W must be square"):
        departure_from_normality(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="W must be square"):
        schur_departure(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="order must be one of"):
        schur_departure(np.eye(3), order="real")
    with pytest.raises(TypeError, match="W must be real"):
        schur_departure(np.eye(3) * 1j)
    with pytest.raises(ValueError, match="W1 must have shape"):
        delta_singular_values(np.zeros((3, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="rank must be an integer"):
        truncate_change(np.eye(3), np.eye(3), 4)
    with pytest.raises(TypeError, match="loss must be a callable"):
        rank_truncation(np.eye(3), np.eye(3), 1.0)
    with pytest.raises(ValueError, match="strictly increasing"):
        rank_truncation(np.eye(3), np.eye(3), lambda W: 1.0, ranks=[2, 1])
    with pytest.raises(ValueError, match="all zeros"):
        eigenvector_centrality(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="same space"):
        principal_angles(np.eye(3), np.eye(4))
    with pytest.raises(ValueError, match="weights must have shape"):
        weight_statistics(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="slopes must lie"):
        pi_versus_slope(lambda a: None, [2.0], d=1)
    with pytest.raises(ValueError, match="seed is required"):
        shuffle_offdiagonal(np.eye(3), seed=None)
