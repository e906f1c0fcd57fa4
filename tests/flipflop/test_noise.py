"""Noise in the recurrent weights: the batched sweep equals the loop over trials."""

import numpy as np
import pytest

from rnnlab.flipflop.noise import (
    NoiseSweep,
    noise_levels,
    noise_matrices,
    noise_sweep,
    perturbed,
    run_perturbed,
)
from rnnlab.models.esn import ESN
from rnnlab.models.force import evaluate
from rnnlab.tasks.flipflop import FlipFlopTask


@pytest.fixture(scope="module")
def net(two_bit_esn):
    """The shared trained 2-bit flip-flop (tests/conftest.py)."""
    return two_bit_esn


@pytest.fixture(scope="module")
def test_seq():
    return FlipFlopTask(2, pulse_rate=0.02, pulse_at_start=True).generate(400, seed=5)


@pytest.mark.parametrize("phi", ["tanh", "logistic"])
def test_batched_run_equals_loop_over_trials(phi):
    esn = ESN(30, 2, 2, g=0.9, phi=phi, seed=1)
    esn.set_readout(np.random.default_rng(2).normal(0, 0.3, size=(2, 30)))
    u, _ = FlipFlopTask(2, pulse_rate=0.05).generate(150, seed=0)
    etas = np.array([0.0, 1e-3, 0.05, 0.4])
    Z = noise_matrices(30, 3, seed=7)
    x0 = np.random.default_rng(3).normal(size=30)
    out, proj = run_perturbed(esn, u, etas, Z, x0=x0, project=lambda X: X[..., :3])
    assert out.shape == (4, 3, 150, 2) and proj.shape == (4, 3, 150, 3)
    for l, eta in enumerate(etas):
        for d in range(3):
            states, z = perturbed(esn, eta * Z[d]).run(u, x0=x0)
            np.testing.assert_allclose(out[l, d], z, rtol=0, atol=1e-10)
            np.testing.assert_allclose(proj[l, d], states[:, :3], rtol=0, atol=1e-10)


def test_sweep_scores_equal_evaluate(net, test_seq):
    u, y = test_seq
    etas = [0.0, 3e-3, 0.1]
    Z = noise_matrices(net.N, 2, seed=0)
    sweep = noise_sweep(net, u, y, etas, Z=Z)
    assert sweep.mse.shape == (3, 2)
    for l, eta in enumerate(etas):
        for d in range(2):
            ref = evaluate(perturbed(net, eta * Z[d]), u, y)
            for metric in ("mse", "accuracy", "settled_accuracy"):
                assert getattr(sweep, metric)[l, d] == pytest.approx(ref[metric], abs=1e-10)
    # eta = 0 is the trained network itself: no spread between draws
    assert sweep.accuracy[0, 0] == sweep.accuracy[0, 1] > 0.95
    assert sweep.std("mse")[0] == pytest.approx(0.0, abs=1e-12)


def test_sweep_breaks_down_with_noise(net, test_seq):
    sweep = noise_sweep(net, *test_seq, [1e-4, 1.0], n_draws=3, seed=0)
    acc = sweep.mean("settled_accuracy")
    assert acc[0] > 0.95 and acc[1] < 0.8  # eta sqrt(N) = 10: a different network
    assert sweep.mean("mse")[1] > 10 * sweep.mean("mse")[0]
    assert sweep.breakdown("settled_accuracy", 0.9) == 1.0
    assert sweep.breakdown("mse", 1e6) != sweep.breakdown("mse", 1e6)  # nan: never that bad


def test_sweep_is_reproducible(net, test_seq):
    a = noise_sweep(net, *test_seq, [0.01, 0.05], n_draws=2, seed=3)
    b = noise_sweep(net, *test_seq, [0.01, 0.05], n_draws=2, seed=3)
    c = noise_sweep(net, *test_seq, [0.01, 0.05], n_draws=2, seed=4)
    np.testing.assert_array_equal(a.mse, b.mse)
    assert not np.array_equal(a.mse, c.mse)
    assert a.seed == 3 and "2 draws per level" in a.table()


def test_noise_levels_and_matrices():
    np.testing.assert_allclose(noise_levels(5), [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    assert len(noise_levels()) == 20
    Z = noise_matrices(200, 2, seed=0)
    assert Z.shape == (2, 200, 200)
    assert abs(Z.mean()) < 0.01 and Z.std() == pytest.approx(1.0, abs=0.01)
    np.testing.assert_array_equal(Z, noise_matrices(200, 2, seed=0))


def test_perturbed_copy_leaves_the_original(net):
    E = 0.01 * noise_matrices(net.N, 1, seed=0)[0]
    W_r = net.W_r.copy()
    p = perturbed(net, E)
    np.testing.assert_array_equal(p.W_r, W_r + E)
    np.testing.assert_array_equal(net.W_r, W_r)
    np.testing.assert_array_equal(p.W_o, net.W_o)
    assert p.W_o is not net.W_o


def test_breakdown_known_answer():
    acc = np.array([[1.0, 1.0], [0.95, 0.85], [0.5, 0.6]])
    s = NoiseSweep(
        etas=np.array([1e-3, 1e-2, 1e-1]), mse=1 - acc, accuracy=acc, settled_accuracy=acc
    )
    assert s.breakdown("accuracy", 0.95) == 1e-2
    assert s.breakdown("accuracy", 0.5) != s.breakdown("accuracy", 0.5)  # nan
    assert s.breakdown("mse", 0.1) == 1e-2
    np.testing.assert_allclose(s.sem("accuracy"), s.std("accuracy") / np.sqrt(2))


def test_bad_inputs(net, test_seq):
    u, y = test_seq
    Z = noise_matrices(net.N, 2, seed=0)
    with pytest.raises(ValueError, match="etas must be >= 0"):
        noise_sweep(net, u, y, [-1e-3], Z=Z)
    with pytest.raises(ValueError, match="etas must be a non-empty 1-D"):
        run_perturbed(net, u, [[0.1]], Z)
    with pytest.raises(ValueError, match=r"Z must have shape \(n_draws, 100, 100\)"):
        run_perturbed(net, u, [0.1], Z[:, :50])
    with pytest.raises(ValueError, match="inputs must have shape"):
        run_perturbed(net, u[:, :1], [0.1], Z)
    with pytest.raises(TypeError, match="seed is required"):
        noise_sweep(net, u, y, [0.1])
    with pytest.raises(TypeError, match="either seed"):
        noise_sweep(net, u, y, [0.1], seed=0, Z=Z)
    with pytest.raises(TypeError, match=r"esn must be an rnnlab\.ESN"):
        noise_sweep("net", u, y, [0.1], seed=0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        noise_matrices(10, 2, seed=1.5)
    with pytest.raises(ValueError, match="low must be below high"):
        noise_levels(5, low=1.0, high=0.1)
    with pytest.raises(ValueError, match="E must have shape"):
        perturbed(net, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="metric must be one of"):
        noise_sweep(net, u, y, [0.1], Z=Z).mean("loss")


def test_several_networks_in_one_batch_equal_one_at_a_time(net, test_seq):
    other = ESN(100, 2, 2, g=0.6, phi="logistic", seed=4)
    other.set_readout(np.random.default_rng(0).normal(0, 0.2, size=(2, 100)))
    u, y = test_seq
    Z = noise_matrices(net.N, 2, seed=1)
    both = noise_sweep([net, other], u, y, [1e-3, 0.05], Z=Z)
    for sweep, esn in zip(both, (net, other), strict=True):
        alone = noise_sweep(esn, u, y, [1e-3, 0.05], Z=Z)
        np.testing.assert_allclose(sweep.mse, alone.mse, rtol=1e-10)
        np.testing.assert_array_equal(sweep.accuracy, alone.accuracy)
    with pytest.raises(ValueError, match="must share N"):
        run_perturbed([net, ESN(50, 2, 2, seed=0)], u, [0.1], Z)


def test_halfway():
    acc = np.array([[0.9, 0.9], [0.8, 0.8], [0.65, 0.7], [0.5, 0.5]])
    s = NoiseSweep(
        etas=np.array([1e-4, 1e-3, 1e-2, 1e-1]), mse=1 - acc, accuracy=acc, settled_accuracy=acc
    )
    # (0.9 + 0.5) / 2 = 0.7 is crossed between 1e-3 (0.8) and 1e-2 (0.675): 80 % of the way
    assert s.halfway() == pytest.approx(10 ** (-3 + 0.8))
    with pytest.raises(ValueError, match="halfway is defined for the accuracies"):
        s.halfway("mse")


def test_one_test_sequence_per_draw(net):
    task = FlipFlopTask(2, pulse_rate=0.02, pulse_at_start=True)
    seqs = [task.generate(300, seed=10 + d) for d in range(3)]
    U, Y = np.stack([s[0] for s in seqs]), np.stack([s[1] for s in seqs])
    Z = noise_matrices(net.N, 3, seed=2)
    sweep = noise_sweep(net, U, Y, [0.0, 0.02], Z=Z)
    for l, eta in enumerate([0.0, 0.02]):
        for d in range(3):
            ref = evaluate(perturbed(net, eta * Z[d]), U[d], Y[d])
            assert sweep.mse[l, d] == pytest.approx(ref["mse"], abs=1e-10)
            assert sweep.settled_accuracy[l, d] == pytest.approx(ref["settled_accuracy"], abs=1e-12)
    with pytest.raises(ValueError, match=r"one sequence per draw"):
        noise_sweep(net, U[:2], Y[:2], [0.1], Z=Z)


def test_shipped_logistic_network_is_its_recipe():
    # Chapter 06's logistic networks are new recipes: the shipped file is what the recipe
    # trains (same readout up to BLAS round-off), and it shares the tanh network's reservoir.
    from rnnlab.course.networks import load_network, train_recipe

    shipped = load_network("flipflop4_logistic_seed0")
    np.testing.assert_allclose(train_recipe("flipflop4_logistic_seed0").W_o, shipped.W_o, atol=1e-8)
    tanh = load_network("flipflop4_tanh_seed0")
    np.testing.assert_array_equal(shipped.W_r, tanh.W_r)
    assert shipped.phi.name == "logistic" and tanh.phi.name == "tanh"
