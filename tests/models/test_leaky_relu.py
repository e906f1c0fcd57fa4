"""Leaky-ReLU rate network: BPTT gradient vs finite differences, the map, training, inputs."""

import numpy as np
import pytest

from rnnlab import find_fixed_points
from rnnlab.models.leaky_relu import LeakyReLUMap, LeakyReLURNN, train_on_task
from rnnlab.tasks.decisions import decision_trials, perception_trials


def small_net(slope=0.0, seed=0, N=8, n_in=2):
    return LeakyReLURNN.random(N, n_in, seed=seed, input_scale=0.5, slope=slope)


@pytest.mark.parametrize("slope", [0.0, 0.3])
def test_gradient_matches_finite_differences(slope):
    net = small_net(slope)
    batch = (decision_trials(3, 15, seed=1, grace=3), 7)
    _, grads, state = net.loss_and_grad(batch)
    assert state is None
    G = grads["W"]
    W = net.W.copy()
    h = 1e-6
    G_fd = np.zeros_like(W)
    for i in range(net.N):
        for j in range(net.N):
            if i != j:
                Wp, Wm = W.copy(), W.copy()
                Wp[i, j] += h
                Wm[i, j] -= h
                G_fd[i, j] = (
                    net.with_weights(Wp).loss(batch) - net.with_weights(Wm).loss(batch)
                ) / (2 * h)
    np.testing.assert_allclose(G, G_fd, atol=1e-8)
    assert np.all(np.diag(G) == 0.0)
    assert np.max(np.abs(G)) > 1e-4


def test_forward_matches_the_equation_step_by_step():
    net = LeakyReLURNN.random(5, 1, seed=2, input_scale=0.5, slope=0.2, sigma=0.0)
    u = np.random.default_rng(0).normal(size=(1, 4, 1))
    R, Z = net.run(u)
    r = np.zeros(5)
    for t in range(4):
        a = net.W @ r + net.W_in @ u[0, t] + net.b
        r = 0.9 * r + 0.1 * np.where(a > 0, a, 0.2 * a)
        np.testing.assert_allclose(R[0, t], r, atol=1e-14)
    np.testing.assert_allclose(Z, R @ net.W_out.T)


def test_noise_is_seeded_and_has_the_report_scale():
    net = small_net()
    u = np.zeros((2, 50, 2))
    a, _ = net.run(u, seed=3)
    b, _ = net.run(u, seed=3)
    c, _ = net.run(u, seed=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    with pytest.raises(ValueError, match="seed is required"):
        net.run(u)
    assert net._noise((20000, 1, 1), 0).std() == pytest.approx(0.01 * np.sqrt(2 / 0.1), rel=0.03)


def test_diagonal_stays_zero_and_random_matches_the_report():
    net = LeakyReLURNN.random(200, 1, seed=0, input_scale=1 / np.sqrt(3))
    assert np.all(np.diag(net.W) == 0)
    off = net.W[~np.eye(200, dtype=bool)]
    assert off.std() == pytest.approx(1 / np.sqrt(200), rel=0.02)
    assert net.W_in.std() == pytest.approx(1 / np.sqrt(3), rel=0.15)
    W = np.ones((3, 3))
    LeakyReLURNN(W, np.ones((3, 1)), np.zeros(3), np.ones((1, 3)))
    assert W[0, 0] == 1.0  # the caller's array is not modified


def test_map_jacobian_and_fixed_point_of_the_trained_dynamics():
    net = small_net(slope=0.1)
    m = net.as_map([0.4, 0.6])
    assert isinstance(m, LeakyReLUMap) and m.discrete
    x = np.random.default_rng(1).normal(size=(3, net.N))
    J = m.jacobian(x)
    h = 1e-7
    for k in range(net.N):
        e = np.zeros(net.N)
        e[k] = h
        np.testing.assert_allclose(J[:, :, k], (m.rhs(x + e) - m.rhs(x - e)) / (2 * h), atol=1e-6)
    # the noise-free network at that input settles where the finder says
    u = np.broadcast_to([0.4, 0.6], (1, 3000, 2))
    R, _ = net.run(u, noise=False)
    fps = find_fixed_points(m, R[0, -1])
    assert fps.n_points == 1
    np.testing.assert_allclose(fps.x[0], R[0, -1], atol=1e-6)
    np.testing.assert_allclose(m.step(fps.x[0]), fps.x[0], atol=1e-9)


def test_training_lowers_the_loss_and_is_reproducible():
    def run():
        net = LeakyReLURNN.random(16, 1, seed=0, input_scale=1 / np.sqrt(3))
        hist, snaps = train_on_task(
            net,
            lambda n, seed: perception_trials(n, 40, seed=seed, grace=10),
            n_steps=30,
            seed=0,
            snapshot_every=10,
            lr=3e-2,
        )
        return net, hist, snaps

    net, hist, snaps = run()
    net2, _, _ = run()
    np.testing.assert_array_equal(net.W, net2.W)
    assert hist.val_value[-1] < 0.5 * hist.val_value[0]
    np.testing.assert_array_equal(snaps["step"], [0, 10, 20, 30])
    assert snaps["W"].shape == (4, 16, 16)
    assert np.all(np.diagonal(snaps["W"], axis1=1, axis2=2) == 0)


def test_bad_inputs():
    net = small_net()
    with pytest.raises(ValueError, match="inputs must have shape"):
        net.run(np.zeros((2, 5, 3)), noise=False)
    with pytest.raises(ValueError, match="slope must lie"):
        small_net(slope=2.0)
    with pytest.raises(ValueError, match="W must be square"):
        LeakyReLURNN(np.zeros((3, 2)), np.zeros((3, 1)), np.zeros(3), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="alpha must be in"):
        LeakyReLURNN(np.zeros((3, 3)), np.zeros((3, 1)), np.zeros(3), np.zeros((1, 3)), alpha=2.0)
    with pytest.raises(TypeError, match="batch must be a pair"):
        net.loss_and_grad("nonsense")
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        train_on_task(net, decision_trials, n_steps=1, seed=-1)
    with pytest.raises(ValueError, match="seed is required"):
        LeakyReLURNN.random(4, 1, seed=None, input_scale=1.0)
