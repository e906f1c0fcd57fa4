"""Dynamical Components Analysis: gradient, a planted slow subspace, invariance, bad inputs."""

import numpy as np
import pytest
import scipy.linalg

from rnnlab.analysis.dca import (
    DCA,
    _block_toeplitz,
    _pi_and_grad,
    cross_covariances,
    predictive_information,
)
from rnnlab.analysis.projection import PCA


def planted(seed, n_time=3000, N=10, noise=(3.0, 2.0)):
    """A slow, rotating 2-D AR(1) process (unit variance) in a random plane, plus white noise
    with a larger variance (std 2-3) in the 8 orthogonal directions."""
    rng = np.random.default_rng(seed)
    th, rho = 0.15, 0.97
    A = rho * np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    z = np.zeros((n_time, 2))
    for t in range(1, n_time):
        z[t] = A @ z[t - 1] + rng.normal(size=2) * np.sqrt(1 - rho**2)
    basis = np.linalg.qr(rng.normal(size=(N, N)))[0]
    white = rng.normal(size=(n_time, N - 2)) * np.linspace(*noise, N - 2)
    return z @ basis[:, :2].T + white @ basis[:, 2:].T, basis[:, :2]


@pytest.mark.parametrize("T", [1, 3])
def test_gradient_matches_finite_differences(T):
    rng = np.random.default_rng(1)
    X = np.cumsum(rng.normal(size=(500, 6)), axis=0) * 0.1 + rng.normal(size=(500, 6))
    C = cross_covariances(X, 2 * T)
    Q = np.linalg.qr(rng.normal(size=(6, 2)))[0]
    _, G = _pi_and_grad(C, Q, T)
    h = 1e-6
    G_fd = np.zeros_like(Q)
    for i in range(6):
        for j in range(2):
            E = np.zeros_like(Q)
            E[i, j] = h
            G_fd[i, j] = (
                predictive_information(C, Q + E, T) - predictive_information(C, Q - E, T)
            ) / (2 * h)
    np.testing.assert_allclose(G, G_fd, atol=1e-7 * np.max(np.abs(G)) + 1e-9)
    assert np.max(np.abs(G)) > 1e-3  # not a trivially zero gradient


def test_pi_depends_only_on_the_subspace():
    rng = np.random.default_rng(2)
    X = np.cumsum(rng.normal(size=(400, 5)), axis=0) * 0.1 + rng.normal(size=(400, 5))
    C = cross_covariances(X, 4)
    V = rng.normal(size=(5, 2))
    A = np.array([[2.0, 0.3], [-1.0, 0.5]])
    assert predictive_information(C, V @ A, 2) == pytest.approx(
        predictive_information(C, V, 2), rel=1e-10
    )


def test_white_noise_has_no_predictive_information_and_ar1_has_the_known_value():
    # For a scalar AR(1) x_t = a x_{t-1} + e_t and T = 1, PI = I(x_t; x_{t+1}) = -1/2 log(1 - a^2).
    a = 0.8
    C = np.array([[[1.0]], [[a]]])
    assert predictive_information(C, [[1.0]], 1) == pytest.approx(
        -0.5 * np.log(1 - a**2), rel=1e-12
    )
    C0 = np.array([np.eye(3), np.zeros((3, 3))])
    assert abs(predictive_information(C0, np.eye(3)[:, :2], 1)) < 1e-12


def test_dca_finds_planted_slow_plane_where_pca_does_not():
    X, plane = planted(0)
    dca = DCA(d=2, T=3, n_init=3, seed=0).fit(X)
    pca = PCA(2).fit(X)
    dca_angles = scipy.linalg.subspace_angles(dca.components_.T, plane)
    pca_angles = scipy.linalg.subspace_angles(pca.components_.T, plane)
    assert np.degrees(dca_angles.max()) < 3.0
    assert np.degrees(pca_angles.min()) > 60.0
    # the planted plane is (close to) the optimum: its PI is not above DCA's
    assert predictive_information(dca.cross_covs_, plane, 3) <= dca.pi_ + 1e-6
    np.testing.assert_allclose(dca.components_ @ dca.components_.T, np.eye(2), atol=1e-10)
    assert dca.transform(X).shape == (3000, 2)


def test_trials_axis_and_reproducibility():
    X, _ = planted(3, n_time=1200)
    trials = X.reshape(4, 300, 10)
    a = DCA(d=2, T=2, n_init=2, seed=5).fit(trials)
    b = DCA(d=2, T=2, n_init=2, seed=5).fit(trials)
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.restarts_pi_, b.restarts_pi_)
    assert a.restarts_bases_.shape == (2, 10, 2)
    assert a.transform(trials).shape == (4, 300, 2)


def test_cross_covariances_do_not_straddle_trials():
    X = np.array([[[1.0], [-1.0], [0.0]], [[-1.0], [1.0], [0.0]]])  # two trials, mean 0
    C = cross_covariances(X, 2)
    assert C[0, 0, 0] == pytest.approx(4 / 6)
    # within-trial pairs only: (1,-1), (-1,0), (-1,1), (1,0); a straddling (0,-1) would add
    # one; divided by all 6 samples (the biased estimator)
    assert C[1, 0, 0] == pytest.approx(-2 / 6)


def test_block_toeplitz_of_short_transients_is_positive_definite():
    # decaying transients from the same start in every trial: the unbiased estimator made
    # this indefinite; the biased one cannot be
    rng = np.random.default_rng(0)
    t = np.arange(12)
    X = np.exp(-t / 3)[None, :, None] * rng.normal(size=(1, 1, 3)) + 0.01 * rng.normal(
        size=(5, 12, 3)
    )
    C = cross_covariances(X, 10)
    big = _block_toeplitz(np.ascontiguousarray(C), 10)
    assert np.linalg.eigvalsh(0.5 * (big + big.T))[0] > 0
    assert np.isfinite(DCA(d=2, T=5, n_init=1, seed=0).fit(X).pi_)


def test_bad_inputs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 4))
    with pytest.raises(ValueError, match="d must be at most"):
        DCA(d=5, T=2, seed=0).fit(X)
    with pytest.raises(ValueError, match="d must be a positive integer"):
        DCA(d=0, T=2, seed=0)
    with pytest.raises(ValueError, match="seed is required"):
        DCA(d=1, T=2, seed=None)
    with pytest.raises(ValueError, match="X must have shape"):
        DCA(d=1, T=2, seed=0).fit(np.zeros(10))
    with pytest.raises(ValueError, match="NaN"):
        DCA(d=1, T=2, seed=0).fit(np.full((20, 2), np.nan))
    with pytest.raises(ValueError, match="n_lags must be smaller"):
        cross_covariances(X[:3], 4)
    with pytest.raises(ValueError, match="singular"):
        DCA(d=1, T=2, seed=0).fit(np.hstack([X, np.zeros((100, 1))]))
    with pytest.raises(ValueError, match="linearly independent"):
        predictive_information(cross_covariances(X, 4), np.ones((4, 2)), 2)
    with pytest.raises(ValueError, match="needs 2T"):
        predictive_information(cross_covariances(X, 2), np.eye(4)[:, :1], 2)
    with pytest.raises(RuntimeError, match="call fit"):
        DCA(d=1, T=2, seed=0).transform(X)


def test_n_pcs_reduction_maps_back_to_the_full_space():
    X, plane = planted(0)
    X = np.hstack([X, np.zeros((X.shape[0], 3))])  # three silent units: singular covariance
    dca = DCA(d=2, T=3, n_init=2, seed=0, n_pcs=10).fit(X)
    assert dca.components_.shape == (2, 13)
    full_plane = np.vstack([plane, np.zeros((3, 2))])
    assert np.degrees(scipy.linalg.subspace_angles(dca.components_.T, full_plane).max()) < 3.0
    assert dca.restarts_bases_.shape == (2, 13, 2)
    with pytest.raises(ValueError, match="n_pcs must be at least"):
        DCA(d=3, n_pcs=2, seed=0)
