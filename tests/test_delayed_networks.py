"""Chapter 08's shipped delay-8 network is what its recipe trains, and the retrained one works.

The delay-0 network has the same comparison in tests/test_bptt.py
(``test_shipped_delay_0_network_is_its_recipe``); both networks are checked for the task and
their spectra in ``test_shipped_networks_do_the_task`` there. Retraining delay 8 takes
11 000-14 000 Adam steps (about 20 s on a quiet core, a minute on a busy one): slow.
"""

import numpy as np
import pytest

from rnnlab.bptt import bit_accuracy
from rnnlab.networks import (
    DELAYED_RECIPE,
    delayed_task,
    load_delayed_network,
    train_delayed_network,
)

#: Relative Frobenius distance between the retrained and the shipped W (and W_out) that still
#: counts as "the same recipe". Measured on an AMD EPYC (AVX2; the Makefile's Haswell/AVX2
#: pinning or none gives the same run): the recipe stops after 13 500 steps where the shipped
#: file (another machine's round-off) stopped after 11 000, and lands 0.40 (W) and 0.40
#: (W_out) from it; the recipe with seed 1 instead of 0 lands 1.44 and 1.41 away. The bound
#: sits between the two.
SAME_RECIPE = 0.8


@pytest.fixture(scope="module")
def retrained():
    return train_delayed_network(8)


@pytest.mark.slow
def test_shipped_delay_8_network_is_its_recipe(retrained):
    model, history = retrained
    shipped = load_delayed_network(8)
    assert model.config() == shipped.config()
    assert shipped.info["delay"] == model.info["delay"] == 8
    assert history.stopped == "target"
    assert shipped.info["val_accuracy"] >= DELAYED_RECIPE["train"]["target_accuracy"]
    # W_in is drawn from the seed and never trained: no round-off can touch it.
    np.testing.assert_array_equal(model.W_in, shipped.W_in)
    # Round-off differs between machines and 10 000 Adam steps amplify it: the stopping step
    # and the weights move, but stay far closer than another seed's network.
    assert 0.5 <= history.n_steps / shipped.info["train_steps"] <= 2
    for name in ("W", "W_out"):
        a, b = model.params[name], shipped.params[name]
        assert np.linalg.norm(a - b) / np.linalg.norm(b) < SAME_RECIPE, name


@pytest.mark.slow
def test_retrained_delay_8_network_does_the_task_with_rotations(retrained):
    model, _ = retrained
    u, y = delayed_task(8).generate(10_000, seed=123)
    assert bit_accuracy(model.run(u)[1], y) >= 0.98
    lam = np.linalg.eigvals(model.W)
    outside = lam[np.abs(lam) > 1]
    # The chapter's finding, not its exact spectrum: rotating pairs outside the unit circle
    # (the shipped network has 5 pairs and 1 real outlier; this machine's retrain 3 and 4).
    rotating = outside[outside.imag > 0]
    assert np.sum(np.degrees(np.angle(rotating)) > 20) >= 2
