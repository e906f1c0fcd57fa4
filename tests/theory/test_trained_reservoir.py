"""A trained reservoir as a feedback loop: gains against direct solves, poles, kicks, noise."""

import numpy as np
import pytest

from rnnlab.theory.meanfield import mean_field
from rnnlab.theory.open_loop import random_reservoir, train_open_loop


@pytest.fixture(scope="module")
def small():
    J, u = random_reservoir(200, 0.9, seed=3)
    return train_open_loop(J, u, [0.5, 1.0, 1.5])


@pytest.fixture(scope="module")
def big_tanh():
    J, u = random_reservoir(1500, 0.8, seed=0)
    return train_open_loop(J, u, 1.0)


@pytest.fixture(scope="module")
def big_relu():
    J, u = random_reservoir(1500, 0.8, seed=0)
    return train_open_loop(J, u, 1.0, "relu", threshold=0.5)


def direct_gain(net, omega, n=0, b=None, closed=False):
    """w^T Phi' (s I - A)^{-1} b by a dense solve, A the open- or closed-loop Jacobian."""
    b = net.u if b is None else b
    d = net.phi.df(net.x[n])
    W = net.J + (np.outer(net.u, net.w) if closed else 0.0)
    A = W * d[None, :] - np.eye(net.N)
    return (net.w * d) @ np.linalg.solve(1j * omega * np.eye(net.N) - A, b)


def test_gain_equals_a_direct_solve(small):
    b = np.random.default_rng(0).standard_normal(small.N)
    om = np.array([0.0, 0.7])
    np.testing.assert_allclose(small.G_OL(om, 1, method="solve"), small.G_OL(om, 1), atol=1e-9)
    with pytest.raises(ValueError, match="method must be"):
        small.G_OL(om, method="lu")
    for n in (0, 2):
        for om in (0.0, 0.3, -1.7):
            assert small.G_OL(om, n) == pytest.approx(direct_gain(small, om, n), abs=1e-9)
            assert small.G_OL(om, n, b=b) == pytest.approx(direct_gain(small, om, n, b), abs=1e-9)
            # Sherman-Morrison: the closed loop answers b with H_b / (1 - G_OL).
            cl = direct_gain(small, om, n, b, closed=True)
            assert small.G_CL(om, n, b=b) == pytest.approx(cl, abs=1e-8)
    om = np.linspace(-2, 2, 9)
    G = small.G_OL(om)
    np.testing.assert_allclose(small.G_CL(om), G / (1 - G), atol=1e-12)


def test_gain_derivative_against_finite_differences(small):
    om = np.linspace(-2, 2, 9)
    h = 1e-5
    fd = (small.G_OL(om + h, 1) - small.G_OL(om - h, 1)) / (2 * h)
    np.testing.assert_allclose(small.dG_OL(om, 1), fd, atol=1e-7)


def test_closed_loop_eigenvalues_match_the_rate_rnn(small):
    lam = small.closed_loop_eigenvalues(1)
    ref = small.closed_loop().eigenvalues(small.x[1])
    np.testing.assert_allclose(np.sort_complex(lam), np.sort_complex(ref), atol=1e-9)


def test_output_poles_are_roots_with_the_right_residue(small):
    poles, res = small.output_poles(0)
    assert poles.shape == (3,)
    for p, r in zip(poles, res, strict=True):
        assert abs(1 - small.transfer(p, 0)) < 1e-6
        # residue of G_CL = lim (s - p) G_CL(s)
        s = p + 1e-6
        G = small.transfer(s, 0)
        assert (s - p) * G / (1 - G) == pytest.approx(r, rel=1e-4, abs=1e-9)
    # bulk eigenvalues are (nearly) cancelled: residues far below the output poles'
    _, all_res = small.output_poles(0, k=small.N)
    assert np.abs(all_res[10:]).max() < 0.1 * np.abs(res[0])


def test_mean_field_agrees_with_a_big_tanh_network(big_tanh):
    mf = mean_field("tanh", 0.8, 1.0)
    G = big_tanh.G_OL(np.array([0.0, 1.0]), method="solve")
    np.testing.assert_array_less(np.abs(G - mf.G_OL(np.array([0.0, 1.0]))), 0.1 * np.abs(G))
    assert abs(big_tanh.sigma() - mf.sigma) < 0.1 * mf.sigma
    # the course's regression values (seed 0)
    assert round(big_tanh.sigma(), 3) == 0.507
    assert round(float(G[0].real), 3) == 0.360


def test_relu_outlier_is_the_predicted_unstable_pole(big_relu):
    mf = mean_field("relu", 0.8, 1.0, threshold=0.5)
    top = big_relu.closed_loop_eigenvalues(0)[0]
    assert abs(top.imag) < 1e-9 and top.real > 0
    assert abs(top.real - mf.lambda_out) < 0.05
    assert round(top.real, 3) == 0.403
    assert round(float(big_relu.G_OL(0.0).real), 3) == 1.511
    poles, _ = big_relu.output_poles(0, k=1)
    assert poles[0] == top
    for om in (0.0, 1.0):
        assert abs(big_relu.G_OL(om) - mf.G_OL(om)) < 0.1 * abs(mf.G_OL(om))


def test_kick_response(small):
    t, dz, dx = small.kick_response(2, eps=1e-4, duration=40.0, dt=0.05)
    assert dx.shape == (len(t), small.N)
    d = small.phi.df(small.x[2])
    assert dz[0] == pytest.approx((small.w * d) @ small.u, rel=1e-3)
    assert abs(dz[-1]) < 0.05 * abs(dz[0])  # a stable target: the output settles


def test_noise_response(small):
    b = np.random.default_rng(1).standard_normal(small.N)
    t, dz = small.noise_response(0, b=b, amplitude=0.01, duration=20.0, seed=4)
    _, again = small.noise_response(0, b=b, amplitude=0.01, duration=20.0, seed=4)
    _, other = small.noise_response(0, b=b, amplitude=0.01, duration=20.0, seed=5)
    assert t.shape == dz.shape == (401,)
    np.testing.assert_array_equal(dz, again)
    assert not np.allclose(dz, other)
    assert 1e-4 < np.std(dz) < 0.1
    _, quiet = small.noise_response(0, amplitude=0.0, duration=5.0, seed=0)
    assert np.max(np.abs(quiet)) < 1e-9  # the target is a fixed point of the closed loop


def test_bad_indices(small):
    with pytest.raises(ValueError, match="target index"):
        small.G_OL(0.0, n=3)
    with pytest.raises(ValueError, match="b must have length"):
        small.G_OL(0.0, b=np.ones(3))


def test_open_loop_jacobian_against_finite_differences(small):
    n, h = 1, 1e-6
    A = small.targets[n]

    def F(x):
        return -x + small.J @ np.tanh(x) + small.u * A

    x = small.x[n]
    idx = [0, 7, 42]
    for j in idx:
        e = np.zeros(small.N)
        e[j] = h
        fd = (F(x + e) - F(x - e)) / (2 * h)
        np.testing.assert_allclose(small.open_loop_jacobian(n)[:, j], fd, atol=1e-8)


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.zeros(199), r"x must have shape \(200,\) or \(\.\.\., 200\)"),
        (np.zeros((3, 201)), r"got an array of shape \(3, 201\)"),
        (np.full(200, np.nan), "x contains NaN or inf"),
    ],
)
def test_readout_refuses_states_of_the_wrong_size(small, x, message):
    with pytest.raises(ValueError, match=message):
        small.readout(x)
