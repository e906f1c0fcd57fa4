"""The generic training loop on a tiny linear regression (and a stateful counter)."""

import numpy as np
import pytest

from rnnlab.models.adam import Adam
from rnnlab.models.training_loop import TrainingHistory, train


class LinearRegression:
    """Loss mean((x w - y)^2) on batches (x, y); carries no state."""

    def __init__(self, n: int):
        self.params = {"w": np.zeros(n)}

    def loss_and_grad(self, batch, state):
        x, y = batch
        r = x @ self.params["w"] - y
        return float(np.mean(r**2)), {"w": 2 * x.T @ r / len(y)}, None


def regression_batches(w_true, seed):
    rng = np.random.default_rng(seed)
    while True:
        x = rng.normal(size=(32, len(w_true)))
        yield x, x @ w_true


W_TRUE = np.array([1.0, -2.0, 0.5])


def validation(model):
    return float(np.sum((model.params["w"] - W_TRUE) ** 2))


def test_loss_falls_and_history_has_one_entry_per_step():
    model = LinearRegression(3)
    h = train(model, regression_batches(W_TRUE, 0), n_steps=800, lr=0.05, progress=False)
    assert isinstance(h, TrainingHistory)
    assert h.n_steps == 800 and h.loss.shape == (800,) and h.grad_norm.shape == (800,)
    assert h.loss[-1] < 1e-3 * h.loss[0]
    assert h.stopped == "n_steps" and h.best_step == -1


def test_same_batches_same_result():
    a, b = LinearRegression(3), LinearRegression(3)
    train(a, regression_batches(W_TRUE, 1), n_steps=50, lr=0.05, progress=False)
    train(b, regression_batches(W_TRUE, 1), n_steps=50, lr=0.05, progress=False)
    np.testing.assert_array_equal(a.params["w"], b.params["w"])


def test_stops_at_target():
    model = LinearRegression(3)
    h = train(
        model,
        regression_batches(W_TRUE, 0),
        n_steps=5000,
        lr=0.05,
        validate=validation,
        validate_every=10,
        target=1e-4,
        progress=False,
    )
    assert h.stopped == "target"
    assert h.n_steps < 5000 and h.n_steps % 10 == 0
    assert h.val_value[-1] <= 1e-4 and h.best_step == h.n_steps


def test_patience_stops_and_best_parameters_are_restored():
    # lr so large that the iterate bounces: validation stops improving.
    model = LinearRegression(3)
    seen = []
    h = train(
        model,
        regression_batches(W_TRUE, 0),
        n_steps=3000,
        lr=0.5,
        validate=lambda m: seen.append(m.params["w"].copy()) or validation(m),
        validate_every=5,
        patience=3,
        progress=False,
    )
    assert h.stopped == "patience"
    best = int(np.argmin(h.val_value))
    assert h.best_step == h.val_step[best]
    np.testing.assert_array_equal(model.params["w"], seen[best])
    assert len(h.val_value) - 1 - best == 3


def test_clip_norm_bounds_every_step():
    model = LinearRegression(3)
    opt = Adam(model.params, lr=0.1)
    train(
        model,
        regression_batches(10 * W_TRUE, 0),
        n_steps=1,
        optimizer=opt,
        clip_norm=1e-3,
        progress=False,
    )
    # Adam's first step is lr * sign(g) whatever the scale: check the moment instead.
    assert np.linalg.norm(opt.m["w"]) <= 0.1 * 1e-3 * (1 + 1e-12)


class Counter:
    """State = number of batches seen; the gradient is zero."""

    def __init__(self):
        self.params = {"w": np.zeros(1)}
        self.states = []

    def loss_and_grad(self, batch, state):
        self.states.append(state)
        return 0.0, {"w": np.zeros(1)}, (0 if state is None else state) + 1


def test_state_is_carried_from_batch_to_batch():
    model = Counter()
    calls = []
    train(
        model, iter(range(4)), n_steps=4, progress=False, callback=lambda s, m, h: calls.append(s)
    )
    assert model.states == [None, 1, 2, 3]
    assert calls == [1, 2, 3, 4]


def test_errors():
    model = LinearRegression(3)
    with pytest.raises(TypeError, match="must expose"):
        train(object(), [], n_steps=1)
    with pytest.raises(ValueError, match="n_steps must be a positive integer"):
        train(model, [], n_steps=0)
    with pytest.raises(ValueError, match="need a validate function"):
        train(model, [], n_steps=1, patience=2)
    with pytest.raises(ValueError, match="batches ran out after 2 of n_steps=5"):
        x = np.ones((4, 3))
        train(model, [(x, x[:, 0])] * 2, n_steps=5, progress=False)
    with pytest.raises(ValueError, match=r"optimizer must have been made over model\.params"):
        train(model, [], n_steps=1, optimizer=Adam({"w": np.zeros(3)}))


def test_non_finite_loss_is_an_error():
    class Bad(LinearRegression):
        def loss_and_grad(self, batch, state):
            return float("nan"), {"w": np.zeros(3)}, None

    with pytest.raises(FloatingPointError, match="non-finite at step 1"):
        train(Bad(3), regression_batches(W_TRUE, 0), n_steps=3, progress=False)
