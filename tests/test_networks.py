"""The networks shipped in rnnlab/data are what their recipes train, and they work."""

import numpy as np
import pytest

import rnnlab
from rnnlab.networks import RECIPES, load_network, train_recipe


def test_shipped_network_is_its_recipe_and_works():
    shipped = load_network("flipflop3")
    retrained = train_recipe("flipflop3")
    assert shipped.config() == retrained.config()
    # Same seed, same training: the same readout up to round-off of the BLAS.
    np.testing.assert_allclose(shipped.W_o, retrained.W_o, atol=1e-8)
    u, y = rnnlab.FlipFlopTask(3, pulse_rate=0.02, pulse_at_start=True).generate(5000, seed=1000)
    scores = rnnlab.evaluate(shipped, u, y)
    assert scores["accuracy"] >= 0.98
    assert scores["settled_accuracy"] >= 0.99


def test_every_recipe_has_a_file():
    for name in RECIPES:
        assert load_network(name).n_out == RECIPES[name]["task"]["n_bits"]


def test_unknown_name():
    with pytest.raises(ValueError, match="name must be one of"):
        load_network("flipflop9")
