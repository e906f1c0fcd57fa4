"""Truncated BPTT for the discrete tanh RNN: gradients vs finite differences, truncation,
shapes, the window stream, bad inputs, save/load, reproducibility."""

import numpy as np
import pytest

from rnnlab.dynamics.systems import TanhMap
from rnnlab.models.bptt import TanhRNN, bit_accuracy, flipflop_windows, train_flipflop
from rnnlab.tasks.flipflop import FlipFlopTask


def _window(N=12, B=3, T=6, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(B, T, 3))
    Yt = np.sign(rng.normal(size=(B, T, 3)))
    S0 = rng.uniform(-0.5, 0.5, size=(B, N))
    return X, Yt, S0


def _fd_grad(model, batch, state, name, h=1e-6):
    P = model.params[name]
    fd = np.zeros_like(P)
    for idx in np.ndindex(P.shape):
        old = P[idx]
        P[idx] = old + h
        lp = model.loss_and_grad(batch, state)[0]
        P[idx] = old - h
        lm = model.loss_and_grad(batch, state)[0]
        P[idx] = old
        fd[idx] = (lp - lm) / (2 * h)
    return fd


@pytest.mark.parametrize("readout", ["tanh", "linear"])
def test_gradient_matches_finite_differences(readout):
    model = TanhRNN(12, seed=0, readout=readout)
    model.params["W"] *= 3  # beyond the initial scale, where tanh is nonlinear
    X, Yt, S0 = _window()
    _, grads, _ = model.loss_and_grad((X, Yt), S0)
    for name in ("W", "W_out"):
        fd = _fd_grad(model, (X, Yt), S0, name)
        assert np.linalg.norm(grads[name] - fd) < 1e-7 * np.linalg.norm(fd)


def test_truncation_cuts_the_gradient_at_the_window_edge():
    # Two windows carried statefully: the second window's gradient is that of its own loss
    # with S0 held at the first window's last state, and differs from full BPTT through both.
    model = TanhRNN(10, seed=2)
    model.params["W"] *= 3
    X, Yt, _ = _window(N=10, T=8, seed=3)
    _, _, s = model.loss_and_grad((X[:, :4], Yt[:, :4]), None)
    S_full, _ = model.forward(X[:, :4])
    np.testing.assert_array_equal(s, S_full[:, -1])  # the carried state
    _, g2, s2 = model.loss_and_grad((X[:, 4:], Yt[:, 4:]), s)
    fd_held = _fd_grad(model, (X[:, 4:], Yt[:, 4:]), s, "W")
    np.testing.assert_allclose(g2["W"], fd_held, rtol=1e-6, atol=1e-10)

    def loss_second_half_through_both():
        _, Y = model.forward(X)
        return model.loss(Y[:, 4:], Yt[:, 4:])

    P = model.params["W"]
    i, j, h = 1, 2, 1e-6
    P[i, j] += h
    lp = loss_second_half_through_both()
    P[i, j] -= 2 * h
    lm = loss_second_half_through_both()
    P[i, j] += h
    full = (lp - lm) / (2 * h)
    assert abs(full - g2["W"][i, j]) > 1e-3 * abs(full)  # the cut matters
    np.testing.assert_allclose(s2, model.forward(X)[0][:, -1], atol=1e-14)


def test_shapes_and_single_sequence():
    model = TanhRNN(7, 2, 4, seed=0)
    S, Y = model.forward(np.zeros((5, 2)))
    assert S.shape == (5, 7) and Y.shape == (5, 4)
    S, Y = model.forward(np.zeros((3, 5, 2)), np.zeros((3, 7)))
    assert S.shape == (3, 5, 7) and Y.shape == (3, 5, 4)
    loss, g, s = model.loss_and_grad((np.zeros((3, 5, 2)), np.ones((3, 5, 4))))
    assert g["W"].shape == (7, 7) and g["W_out"].shape == (4, 7) and s.shape == (3, 7)
    assert loss == pytest.approx(0.81)  # zero input from rest: Y = 0, targets 0.9


def test_known_answer_one_step():
    model = TanhRNN(4, 1, 1, seed=0, readout="linear")
    x0 = np.array([0.1, -0.2, 0.3, 0.0])
    S, Y = model.forward(np.array([[0.5]]), x0)
    expect = np.tanh(model.W @ x0 + model.W_in[:, 0] * 0.5)
    np.testing.assert_allclose(S[0], expect, rtol=1e-15)
    np.testing.assert_allclose(Y[0], model.W_out @ expect, rtol=1e-14)


def test_as_map_is_the_zero_input_network():
    model = TanhRNN(6, seed=4)
    x = np.random.default_rng(0).uniform(-1, 1, 6)
    m = model.as_map()
    assert isinstance(m, TanhMap) and m.discrete
    S, _ = model.forward(np.zeros((1, 3)), x)
    np.testing.assert_allclose(m.rhs(x) + x, S[0], atol=1e-15)


def test_windows_are_one_seamless_stream():
    task = FlipFlopTask(3, pulse_rate=0.05, pulse_length=1, delay=3, pulse_at_start=True)
    gen = flipflop_windows(task, batch_size=2, unroll=5, seed=0, chunk_steps=20)
    U, Y = map(np.concatenate, zip(*[next(gen) for _ in range(12)], strict=True), (1, 1))
    assert U.shape == (2, 60, 3)
    for b in range(2):
        level = np.zeros(3)
        want = np.zeros((60, 3))
        for t in range(60):
            level = np.where(U[b, t] != 0, U[b, t], level)
            if t + 3 < 60:
                want[t + 3] = level
        np.testing.assert_array_equal(Y[b], want)  # the delayed last pulse, across chunk edges
    assert np.all(np.abs(Y[:, 3:]) == 1)  # pulse_at_start: defined from t = delay on


def test_unroll_must_exceed_the_delay():
    with pytest.raises(ValueError, match=r"unroll must exceed the delay.*unroll=8, delay=8"):
        next(flipflop_windows(FlipFlopTask(delay=8), batch_size=2, unroll=8, seed=0))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"readout": "relu"}, "readout must be one of"),
        ({"readout": "tanh", "target_scale": 1.0}, "target_scale must be < 1"),
        ({"N": 0}, "N must be a positive integer"),
    ],
)
def test_bad_construction(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        TanhRNN(**{"seed": 0, **kwargs})


def test_bad_inputs():
    model = TanhRNN(5, seed=0)
    with pytest.raises(ValueError, match=r"inputs must have shape \(T, 3\) or \(B, T, 3\)"):
        model.forward(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"state0 must have shape \(5,\) or \(2, 5\)"):
        model.forward(np.zeros((2, 4, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="targets must have shape"):
        model.loss_and_grad((np.zeros((2, 4, 3)), np.zeros((2, 3, 3))))
    with pytest.raises(TypeError, match="inputs must be a numeric array"):
        model.forward(np.array([["a", "b", "c"]]))
    with pytest.raises(ValueError, match="same shape"):
        bit_accuracy(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match=r"task\.n_bits=2 must equal"):
        train_flipflop(model, FlipFlopTask(2), n_steps=1, seed=0)
    with pytest.raises(TypeError, match="task must be a FlipFlopTask"):
        train_flipflop(model, "flipflop", n_steps=1, seed=0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        train_flipflop(model, FlipFlopTask(3), n_steps=1, seed=np.random.default_rng(0))
    with pytest.raises(TypeError, match="model must be a TanhRNN"):
        train_flipflop(object(), FlipFlopTask(3), n_steps=1, seed=0)


def test_bit_accuracy_ignores_undefined_targets():
    assert bit_accuracy([0.5, -0.2, 0.3, 0.9], [1, 1, 0, 1]) == pytest.approx(2 / 3)


def test_save_load_round_trip(tmp_path):
    model = TanhRNN(8, seed=5, readout="linear")
    model.info = {"delay": 4, "accuracy": 0.99}
    model.save(tmp_path / "net")
    back = TanhRNN.load(tmp_path / "net")
    for name in ("W", "W_out"):
        np.testing.assert_array_equal(back.params[name], model.params[name])
    np.testing.assert_array_equal(back.W_in, model.W_in)
    assert back.config() == model.config() and back.info == {"delay": 4, "accuracy": 0.99}


def test_training_is_reproducible_and_learns():
    task = FlipFlopTask(3, pulse_rate=0.05, pulse_length=3, delay=0, pulse_at_start=True)
    runs = []
    for _ in range(2):
        model = TanhRNN(50, seed=0)
        h = train_flipflop(
            model,
            task,
            n_steps=800,
            seed=0,
            lr=3e-3,
            validate_every=200,
            val_steps=1000,
            progress=False,
        )
        runs.append((model, h))
    np.testing.assert_array_equal(runs[0][0].W, runs[1][0].W)
    np.testing.assert_array_equal(runs[0][1].loss, runs[1][1].loss)
    h = runs[0][1]
    assert h.loss[-100:].mean() < 0.85 * h.loss[:100].mean()  # learning, not yet done
    assert h.val_value.shape == (4,) and h.best_value < 0.3


@pytest.mark.parametrize("delay", [0, 8])
def test_shipped_networks_do_the_task(delay):
    from rnnlab.course.networks import DELAYED_RECIPE, delayed_task, load_delayed_network

    model = load_delayed_network(delay)
    assert model.config() == {
        **model.config(),
        **{k: v for k, v in DELAYED_RECIPE["model"].items() if k != "seed"},
    }
    assert model.info["delay"] == delay
    u, y = delayed_task(delay).generate(10_000, seed=123)
    assert bit_accuracy(model.run(u)[1], y) >= (0.99 if delay == 0 else 0.98)
    lam = np.linalg.eigvals(model.W)
    outside = lam[np.abs(lam) > 1]
    if delay == 0:
        assert np.all(np.abs(outside.imag) < 1e-12) and len(outside) == 3
    else:
        assert np.sum(np.abs(outside.imag) > 0.1) >= 4  # at least two rotating pairs


def test_load_delayed_network_rejects_unknown_delays():
    from rnnlab.course.networks import load_delayed_network

    with pytest.raises(ValueError, match=r"delay must be one of \(0, 2, 4, 8\), got 3"):
        load_delayed_network(3)


@pytest.mark.parametrize("where", ["inputs", "state0"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_forward_refuses_non_finite_inputs_and_states(where, bad):
    model = TanhRNN(6, 2, 3, seed=0)
    X = np.zeros((4, 2))
    S0 = np.zeros(6)
    if where == "inputs":
        X[1, 0] = bad
    else:
        S0[2] = bad
    with pytest.raises(ValueError, match=f"{where} contain"):
        model.forward(X, S0)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"batch_size": 0, "unroll": 10}, ValueError, "batch_size"),
        ({"batch_size": 2, "unroll": 3}, ValueError, "unroll must exceed the delay"),
        ({"batch_size": 2, "unroll": 10, "chunk_steps": 5}, ValueError, "chunk_steps"),
    ],
)
def test_window_arguments_are_checked_at_the_call_not_at_first_next(kwargs, error, message):
    task = FlipFlopTask(3, delay=5)
    with pytest.raises(error, match=message):
        flipflop_windows(task, seed=0, **kwargs)  # no next(): the call itself raises
