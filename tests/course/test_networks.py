"""The networks shipped in rnnlab/data are what their recipes train, and they work."""

import numpy as np
import pytest

import rnnlab
from rnnlab.course.networks import RECIPES, load_network, train_recipe
from rnnlab.models.transfer import TransferredESN

#: The weakest shipped 4-bit network's settled accuracy on the test below, rounded down
#: (chapter 06 prints all nine).
SETTLED_4BIT = 0.95


@pytest.mark.parametrize("name", ["flipflop3", "flipflop3_g06"])
def test_shipped_network_is_its_recipe_and_works(name):
    shipped = load_network(name)
    retrained = train_recipe(name)
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


def test_transferred_network_loads_as_transfer_and_is_its_recipe():
    shipped = load_network("flipflop4_transfer_seed1")
    assert isinstance(shipped, TransferredESN)
    source = load_network(RECIPES["flipflop4_transfer_seed1"]["transfer"]["source"])
    # The from-scratch 4-bit networks' gain: transfer and scratch differ only in training.
    assert source.g == RECIPES["flipflop4_tanh_seed1"]["esn"]["g"]
    # The first three channels are the source's; the new bit's row of W_o was trained.
    np.testing.assert_array_equal(shipped.W_r, source.W_r)
    np.testing.assert_array_equal(shipped.W_fb[:, :3], source.W_fb)
    np.testing.assert_allclose(train_recipe("flipflop4_transfer_seed1").W_o, shipped.W_o, atol=1e-8)


def test_four_bit_networks_do_the_task():
    u, y = rnnlab.FlipFlopTask(4, pulse_rate=0.02, pulse_at_start=True).generate(5000, seed=1000)
    for kind in ("tanh", "logistic", "transfer"):
        for seed in (0, 1, 2):
            scores = rnnlab.evaluate(load_network(f"flipflop4_{kind}_seed{seed}"), u, y)
            assert scores["settled_accuracy"] >= SETTLED_4BIT, (kind, seed, scores)


def test_unknown_name():
    with pytest.raises(ValueError, match="name must be one of"):
        load_network("flipflop9")
