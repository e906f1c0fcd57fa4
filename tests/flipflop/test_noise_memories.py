"""What noise in the recurrent weights does to the memories: followed, first order, census."""

import numpy as np
import pytest

import rnnlab
from rnnlab.flipflop.memories import find_memories
from rnnlab.flipflop.noise import noise_matrices, perturbed
from rnnlab.flipflop.noise_memories import linear_shift, perturbed_census, track_memories
from rnnlab.tasks.flipflop import FlipFlopTask


@pytest.fixture(scope="module")
def net(two_bit_esn):
    """The shared trained 2-bit flip-flop (tests/conftest.py)."""
    return two_bit_esn


@pytest.fixture(scope="module")
def memories(net):
    return find_memories(net)


def test_track_memories(net, memories):
    Z = noise_matrices(net.N, 2, seed=0)
    fate = track_memories(net, memories, [0.0, 1e-3, 1.0], Z)
    assert fate.exists.shape == (3, 2, 4)
    assert fate.stable[0].all() and fate.stable[1].all()
    np.testing.assert_allclose(fate.shift[0], 0.0, atol=1e-12)
    assert np.all((fate.shift[1] > 0) & (fate.shift[1] < 0.1))
    assert not fate.stable[2].any()  # eta sqrt(N) = 10: every memory gone
    assert fate.first_loss() == 1.0
    np.testing.assert_allclose(fate.survived, fate.stable.mean(axis=2))
    # the tracked point is the fixed point an independent search from the memory finds
    p = perturbed(net, 1e-3 * Z[1]).closed_loop()
    fps = rnnlab.find_fixed_points(p, memories.x)
    assert fps.n_fixed == 4 and np.all(fps.n_unstable == 0)
    found = fps.x[fps.start_point[:4]]
    moved = np.linalg.norm(found - memories.x, axis=1) / np.sqrt(net.N)
    np.testing.assert_allclose(fate.shift[1, 1], moved, atol=1e-8)


def test_perturbed_census_finds_the_memories(net, memories):
    E = 1e-3 * noise_matrices(net.N, 1, seed=0)[0]
    u, _ = FlipFlopTask(2, pulse_rate=0.02, pulse_at_start=True).generate(600, seed=1)
    states, _ = perturbed(net, E).run(u)
    c = perturbed_census(net, E, states, n_samples=10, seed=0)
    assert c.counts()[0] == 4
    assert sorted(c.stable_patterns) == sorted(map(tuple, memories.patterns))


def test_linear_shift_predicts_small_moves(net, memories):
    Z = noise_matrices(net.N, 2, seed=5)
    chi = linear_shift(net, memories, Z)
    assert chi.shape == (2, 4) and np.all(chi > 0)
    fate = track_memories(net, memories, [1e-5, 1e-4], Z)
    np.testing.assert_allclose(fate.shift[0], 1e-5 * chi, rtol=1e-3)  # first order in eta
    np.testing.assert_allclose(fate.shift[1], 1e-4 * chi, rtol=1e-2)


def test_bad_inputs(net, memories):
    Z = noise_matrices(net.N, 2, seed=0)
    with pytest.raises(TypeError, match="memories must come from find_memories"):
        track_memories(net, memories.x, [0.1], Z)
