"""The perception and decision tasks: targets, shapes, seeds, bad inputs, shipped networks."""

import numpy as np
import pytest

from rnnlab.course.networks import initial_network, load_trained
from rnnlab.tasks.decisions import (
    DECISION_LEVELS,
    RECIPES,
    accuracy,
    decision_trials,
    perception_trials,
)


def test_perception_targets_invert_the_levels():
    tr = perception_trials(50, 30, seed=0, grace=5)
    assert tr.inputs.shape == (50, 30, 1) and tr.targets.shape == (50, 30, 1)
    lv = tr.levels[:, 0]
    assert set(np.unique(lv)) == {0.5, 0.8}
    np.testing.assert_array_equal(tr.targets[:, 0, 0], np.where(lv == 0.8, 0.5, 0.8))
    np.testing.assert_array_equal(tr.mask, np.r_[np.zeros(5), np.ones(25)])
    assert np.abs(tr.inputs.mean(axis=1)[:, 0] - lv).max() < 0.05
    clean = perception_trials(2, 10, seed=0, input_noise=0.0, levels=[0.5, 0.8], grace=0)
    np.testing.assert_array_equal(clean.inputs[:, :, 0], [[0.5] * 10, [0.8] * 10])


def test_decision_targets_say_which_input_is_larger():
    tr = decision_trials(200, 30, seed=1)
    u1, u2 = tr.levels.T
    assert np.all(u1 != u2)
    assert set(np.unique(tr.levels)) <= set(DECISION_LEVELS)
    np.testing.assert_array_equal(tr.targets[:, -1, 0], np.where(u2 > u1, 0.8, 0.2))
    assert 0.3 < np.mean(u2 > u1) < 0.7


def test_same_seed_same_trials():
    a = decision_trials(5, 10, seed=3, grace=2)
    b = decision_trials(5, 10, seed=3, grace=2)
    np.testing.assert_array_equal(a.inputs, b.inputs)
    assert not np.array_equal(a.inputs, decision_trials(5, 10, seed=4, grace=2).inputs)


def test_accuracy_counts_the_side_of_the_midpoint():
    tr = decision_trials(4, 30, seed=0, levels=[[0.2, 0.4], [0.4, 0.2], [0.5, 0.7], [0.7, 0.5]])
    Z = np.zeros((4, 30, 1))
    Z[:, :, 0] = np.array([0.7, 0.4, 0.1, 0.3])[:, None]  # right, right, wrong, right
    assert accuracy(Z, tr) == 0.75
    with pytest.raises(ValueError, match="outputs must have shape"):
        accuracy(Z[:, :, :0], tr)


def test_bad_inputs():
    with pytest.raises(ValueError, match="seed is required"):
        perception_trials(3, seed=None)
    with pytest.raises(ValueError, match="grace must be"):
        perception_trials(3, 10, seed=0, grace=10)
    with pytest.raises(ValueError, match="levels must be"):
        perception_trials(2, seed=0, levels=[0.5, 0.6])
    with pytest.raises(ValueError, match="u1 != u2"):
        decision_trials(1, seed=0, levels=[[0.4, 0.4]])
    with pytest.raises(ValueError, match="task must be one of"):
        initial_network("memory", 0)


@pytest.mark.parametrize("task", sorted(RECIPES))
def test_shipped_networks_start_from_their_recipe_and_solve_the_task(task):
    data = load_trained(task)
    N = RECIPES[task]["N"]
    n = len(data["seeds"])
    assert data["W1"].shape == (n, N, N)
    np.testing.assert_array_equal(data["W0"][1], initial_network(task, int(data["seeds"][1])).W)
    assert np.all(np.diagonal(data["W1"], axis1=1, axis2=2) == 0)
    assert np.all(data["val_loss"][:, -1] < 0.1 * data["val_loss"][:, 0])
    # network 0 gives every held-out trial the right answer (output nearer its target)
    net = initial_network(task, 0).with_weights(data["W1"][0])
    tr = RECIPES[task]["trials"](40, seed=123)
    _, Z = net.run(tr.inputs, seed=5)
    assert accuracy(Z, tr) == 1.0
