"""Adam: known first step, bias correction, convergence, in-place updates, bad inputs."""

import numpy as np
import pytest

from rnnlab.models.adam import Adam


def test_first_step_is_lr_times_sign():
    # After one step m_hat = g and v_hat = g^2, so the step is lr * g / (|g| + eps).
    p = {"a": np.array([1.0, -2.0, 0.5])}
    g = {"a": np.array([0.3, -4.0, 1e-3])}
    Adam(p, lr=0.01, eps=1e-12).step(g)
    np.testing.assert_allclose(p["a"], [1.0 - 0.01, -2.0 + 0.01, 0.5 - 0.01], rtol=0, atol=1e-9)


def test_matches_a_direct_transcription_of_the_algorithm():
    rng = np.random.default_rng(0)
    p = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}
    ref = {k: v.copy() for k, v in p.items()}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    s = {k: np.zeros_like(v) for k, v in p.items()}
    opt = Adam(p, lr=0.05, beta1=0.8, beta2=0.99, eps=1e-6)
    for t in range(1, 6):
        g = {k: rng.normal(size=v.shape) for k, v in p.items()}
        opt.step(g)
        for k in ref:
            m[k] = 0.8 * m[k] + 0.2 * g[k]
            s[k] = 0.99 * s[k] + 0.01 * g[k] ** 2
            ref[k] = ref[k] - 0.05 * (m[k] / (1 - 0.8**t)) / (np.sqrt(s[k] / (1 - 0.99**t)) + 1e-6)
    for k in ref:
        np.testing.assert_allclose(p[k], ref[k], rtol=1e-13, atol=1e-14)
    assert opt.t == 5


def test_updates_in_place_and_converges_on_a_quadratic():
    x = np.zeros(3)
    params = {"x": x}
    opt = Adam(params, lr=0.05)
    target = np.array([1.0, -2.0, 0.5])
    for _ in range(2000):
        opt.step({"x": params["x"] - target})
    assert params["x"] is x
    np.testing.assert_allclose(x, target, atol=1e-3)


def test_learning_rate_can_change_between_steps():
    p = {"x": np.zeros(1)}
    opt = Adam(p, lr=0.1)
    opt.step({"x": np.ones(1)})
    opt.lr = 0.0 + 1e-9
    before = p["x"].copy()
    opt.step({"x": np.ones(1)})
    assert abs(p["x"][0] - before[0]) < 1e-8


def test_state_dict_is_a_copy():
    p = {"x": np.zeros(2)}
    opt = Adam(p)
    opt.step({"x": np.ones(2)})
    sd = opt.state_dict()
    sd["m"]["x"][:] = 99.0
    assert sd["t"] == 1 and np.all(opt.m["x"] < 1)


@pytest.mark.parametrize(
    ("params", "kwargs", "match"),
    [
        ({}, {}, "non-empty dict"),
        ({"x": [1.0]}, {}, r"params\['x'\] must be a float64 numpy array"),
        ({"x": np.zeros(2, dtype=np.float32)}, {}, "float64"),
        ({"x": np.zeros(2)}, {"lr": 0.0}, "lr must be"),
        ({"x": np.zeros(2)}, {"beta1": 1.0}, r"beta1 must be in \[0, 1\)"),
        ({"x": np.zeros(2)}, {"beta2": -0.1}, "beta2 must be"),
    ],
)
def test_bad_construction(params, kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        Adam(params, **kwargs)


def test_bad_gradients():
    opt = Adam({"x": np.zeros(2)})
    with pytest.raises(ValueError, match="same names"):
        opt.step({"y": np.zeros(2)})
    with pytest.raises(ValueError, match=r"grads\['x'\] must have shape \(2,\)"):
        opt.step({"x": np.zeros(3)})
