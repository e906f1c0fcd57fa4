"""Fixtures shared across the test packages.

``two_bit_esn``: the small trained 2-bit flip-flop that the memory, noise and noise-app tests
open (N = 100, g = 0.6, 8000 FORCE steps, about a second). It is trained once per session;
each test module gets its own deep copy, so a module that changes its network cannot
change another's.
"""

from __future__ import annotations

import copy

import pytest

from rnnlab import ESN, FlipFlopTask, train_force


@pytest.fixture(scope="session")
def _two_bit_trained() -> ESN:
    task = FlipFlopTask(2, pulse_rate=0.01, pulse_at_start=True)
    esn = ESN(100, 2, 2, g=0.6, seed=0)
    train_force(esn, *task.generate(8000, seed=0))
    return esn


@pytest.fixture(scope="module")
def two_bit_esn(_two_bit_trained: ESN) -> ESN:
    """A trained 2-bit flip-flop network, a fresh copy for each test module."""
    return copy.deepcopy(_two_bit_trained)
