"""Chapter 08's checks: the right answers pass, and each common wrong answer gets its hint."""

import numpy as np
import pytest

from rnnlab.course.check import AnswerError, ch08
from rnnlab.course.networks import DELAYS, load_delayed_network
from rnnlab.dynamics.stability import n_unstable
from rnnlab.models.bptt import TanhRNN

SHIPPED = {d: load_delayed_network(d) for d in DELAYS}


def hint_of(call, *args) -> str:
    with pytest.raises(AnswerError) as info:
        call(*args)
    return str(info.value)


# -- right answers -------------------------------------------------------------------------------


def right_grad_w01(model, u, y, x0):
    return ch08.hand_gradient(model, u, y, x0)


def right_grad_w_out(model, inputs, targets, state0):
    return model.loss_and_grad((inputs, targets), state0)[1]["W_out"]


def right_origin(model):
    return int(n_unstable(np.linalg.eigvals(model.W), discrete=True))


def test_right_answers_pass(capsys):
    ch08.grad_by_hand(right_grad_w01)
    ch08.grad_w_out(right_grad_w_out)
    ch08.first_rotating_delay(8, SHIPPED)
    ch08.first_rotating_delay(np.int64(8), SHIPPED)
    ch08.origin_unstable(right_origin, SHIPPED)
    out = capsys.readouterr().out
    assert out.count("\N{CHECK MARK}") == len(ch08.HAND_CASES) + 1 + 2 + len(DELAYS)
    assert (
        "delay 8: \N{CHECK MARK} your number of unstable dimensions of the origin is right: 10"
        in out
    )


def test_hand_gradient_is_the_library_gradient():
    for seed in ch08.HAND_CASES:
        model, u, y, x0 = ch08.hand_problem(seed)
        lib = model.loss_and_grad((u[None], y[None]), x0[None])[1]["W"][0, 1]
        assert ch08.hand_gradient(model, u, y, x0) == pytest.approx(lib, rel=1e-12, abs=1e-14)


def test_not_implemented_passes_through():
    def stub(*args):
        raise NotImplementedError("Exercise")

    for check in (ch08.grad_by_hand, ch08.grad_w_out):
        with pytest.raises(NotImplementedError):
            check(stub)
    with pytest.raises(NotImplementedError):
        ch08.origin_unstable(stub, SHIPPED)


# -- 08-grad-by-hand -----------------------------------------------------------------------------


def flagged(**flags):
    def answer(model, u, y, x0):
        return ch08.hand_gradient(model, u, y, x0, **flags)

    return answer


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"unit_slope": False}, "The factor tanh' of the units is missing"),
        ({"earlier_step": False}, "The path through the earlier step is missing"),
        ({"carry_back": False}, "The path from step 2 back to step 1 is missing"),
        ({"readout_slope": False}, "The readout's tanh' is missing"),
    ],
)
def test_grad_by_hand_misconceptions(flags, expected):
    message = hint_of(ch08.grad_by_hand, flagged(**flags))
    assert "on the tiny network with seed 0" in message
    assert expected in message


def test_grad_by_hand_wrong_answers_differ_everywhere():
    # Each misconception must be wrong on every case, or a case could pass it silently.
    for seed in ch08.HAND_CASES:
        model, u, y, x0 = ch08.hand_problem(seed)
        right = ch08.hand_gradient(model, u, y, x0)
        for flags, _ in ch08._HAND_HINTS:
            assert abs(ch08.hand_gradient(model, u, y, x0, **flags) - right) > 1e-3


def test_grad_by_hand_hard_coded_number_fails():
    model, u, y, x0 = ch08.hand_problem(0)
    value = ch08.hand_gradient(model, u, y, x0)
    message = hint_of(ch08.grad_by_hand, lambda *args: value)
    assert "seed 1" in message
    assert "missing" not in message


def test_grad_by_hand_wrong_type():
    assert "should be a single number" in hint_of(
        ch08.grad_by_hand, lambda *args: np.array([1.0, 2.0])
    )


# -- 08-grad-w-out -------------------------------------------------------------------------------


def variant(kind):
    def answer(model, inputs, targets, state0):
        x, z = model.forward(inputs, state0)
        c = 1.0 if kind == "unscaled" else model.target_scale
        dz = 2 * (z - c * targets)
        if kind != "sum":
            dz = dz / z.size
        dv = dz if kind == "no-slope" else dz * (1 - z**2)
        g = np.einsum("btk,btn->kn", dv, x)
        return g.T if kind == "transposed" else g

    return answer


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("no-slope", "The readout's tanh' is missing"),
        ("unscaled", "The targets are 0.9 y, not y"),
        ("sum", "the loss is their mean"),
        ("transposed", "That is the transpose"),
    ],
)
def test_grad_w_out_misconceptions(kind, expected):
    assert expected in hint_of(ch08.grad_w_out, variant(kind))


def test_grad_w_out_right_variant_passes(capsys):
    ch08.grad_w_out(variant("right"))
    assert "\N{CHECK MARK}" in capsys.readouterr().out


def test_grad_w_out_other_error_gets_no_hint():
    message = hint_of(ch08.grad_w_out, lambda *args: 2 * right_grad_w_out(*args))
    assert "gradient of W_out differs" in message
    assert "missing" not in message and "transpose" not in message


# -- 08-predict-rotations ------------------------------------------------------------------------


def test_rotations_without_delay():
    message = hint_of(ch08.first_rotating_delay, 0, SHIPPED)
    assert "smallest delay with rotations is 0, expected 8" in message
    assert "Without a delay the network is chapter 03's cube" in message


@pytest.mark.parametrize("delay", [2, 4])
def test_rotations_for_a_short_delay(delay):
    message = hint_of(ch08.first_rotating_delay, delay, SHIPPED)
    assert f"a delay of {delay} steps, about the pulse's length" in message


@pytest.mark.parametrize(
    ("prediction", "expected"),
    [(3, "one of the delays [0, 2, 4, 8]"), (8.0, "whole number"), (True, "whole number")],
)
def test_rotations_malformed(prediction, expected):
    assert expected in hint_of(ch08.first_rotating_delay, prediction, SHIPPED)


def test_rotations_ignore_pairs_at_a_degree():
    # Delays 2 and 4 have a complex pair outside the circle, at 0.2 and 0.8 degrees: two real
    # directions merged, not a rotation. Delay 8's pairs turn by 66-149 degrees per step.
    for d in (2, 4):
        mu = np.linalg.eigvals(SHIPPED[d].W)
        pairs = mu[(np.abs(mu) > 1) & (mu.imag > 1e-12)]
        assert len(pairs) == 1 and np.degrees(np.angle(pairs[0])) < 1
    ch08.first_rotating_delay(8, SHIPPED)
    with pytest.raises(ValueError, match="phase above 10 degrees"):
        ch08.first_rotating_delay(2, {2: SHIPPED[2], 4: SHIPPED[4]})


def test_rotations_needs_a_rotating_network():
    with pytest.raises(ValueError, match="no network"):
        ch08.first_rotating_delay(0, {0: SHIPPED[0]})
    with pytest.raises(TypeError, match="networks must be"):
        ch08.first_rotating_delay(8, [SHIPPED[8]])


# -- 08-origin-unstable --------------------------------------------------------------------------


def test_origin_flow_rule():
    message = hint_of(
        ch08.origin_unstable, lambda m: int(n_unstable(np.linalg.eigvals(m.W))), SHIPPED
    )
    assert "for the delay-0 network" in message
    assert "For a map the rule is |mu| > 1, not Re mu > 0" in message


def test_origin_shifted_flow_rule():
    message = hint_of(
        ch08.origin_unstable, lambda m: int(np.sum(np.linalg.eigvals(m.W).real > 1)), SHIPPED
    )
    assert "for the delay-8 network" in message  # the rules agree while all outliers are real
    assert "Re mu > 1 is the rule of the flow" in message


def test_origin_pairs_counted_once():
    def once(m):
        mu = np.linalg.eigvals(m.W)
        out = mu[np.abs(mu) > 1]
        return int(np.sum(np.abs(out.imag) < 1e-12) + np.sum(out.imag > 1e-12))

    message = hint_of(ch08.origin_unstable, once, SHIPPED)
    # The delay-2 network has one real outlier and a pair at 0.2 degrees: 2 instead of 3.
    assert "for the delay-2 network" in message
    assert "number of unstable dimensions of the origin is 2, expected 3" in message
    assert "You counted each complex pair once" in message


def test_origin_other_error_gets_no_hint():
    message = hint_of(ch08.origin_unstable, lambda m: 5, SHIPPED)
    assert "is 5, expected 3" in message
    assert "rule" not in message and "pair" not in message


def test_origin_float_rejected():
    assert "whole number" in hint_of(ch08.origin_unstable, lambda m: 3.0, SHIPPED)


def test_origin_checks_a_small_network(capsys):
    net = TanhRNN(4, seed=0)
    net.params["W"][...] = np.diag([1.5, 0.5, -2.0, 0.2])
    ch08.origin_unstable(right_origin, {0: net})
    assert "right: 2" in capsys.readouterr().out
