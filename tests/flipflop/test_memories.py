"""Memories of a trained flip-flop network: its stable fixed points, one per bit pattern."""

import numpy as np
import pytest

from rnnlab.flipflop.memories import Memories, find_memories, memory_distances


@pytest.fixture(scope="module")
def net(two_bit_esn):
    """The shared trained 2-bit flip-flop (tests/conftest.py)."""
    return two_bit_esn


@pytest.fixture(scope="module")
def memories(net):
    return find_memories(net)


def test_find_memories(net, memories):
    assert len(memories) == 4 and memories.missing == []
    assert sorted(map(tuple, memories.patterns)) == [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    system = net.closed_loop()
    assert np.all(system.q(memories.x) < 1e-20)
    np.testing.assert_array_equal(np.sign(net.readout(memories.x)), memories.patterns)


def test_memory_distances_known_answer():
    N = 4
    X = np.array([[1, 1, 0, 0], [1, -1, 0, 0], [-1, 1, 0, 0], [-1, -1, 0, 0]], float)
    mem = Memories(
        x=X * np.sqrt(N), patterns=np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]]), missing=[]
    )
    d = memory_distances(mem)
    np.testing.assert_allclose(d["nearest"], 2.0)  # |x_i - x_j| / sqrt(N) = 2 sqrt(N)/sqrt(N)
    np.testing.assert_allclose(np.sort(d["neighbours"]), [2.0] * 4)
    np.testing.assert_allclose(d["pairwise"][0, 3], 2 * np.sqrt(2))


def test_bad_inputs(memories):
    with pytest.raises(ValueError, match="need at least 2 memories"):
        memory_distances(Memories(x=memories.x[:1], patterns=memories.patterns[:1], missing=[]))
    with pytest.raises(TypeError, match="memories must come from find_memories"):
        memory_distances(memories.x)
    with pytest.raises(TypeError, match=r"esn must be an rnnlab\.ESN"):
        find_memories("net")
