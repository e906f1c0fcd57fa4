"""Chapter 10's checks: the right answers pass, and each common wrong answer gets its hint."""

import numpy as np
import pytest

from rnnlab.course.check import AnswerError, ch10
from rnnlab.course.sine_network import levels, load_sine_network

ESN = load_sine_network()
U = float(levels()[10])


def hint_of(call, *args, **kwargs) -> str:
    with pytest.raises(AnswerError) as info:
        call(*args, **kwargs)
    return str(info.value)


def right_center(esn, u):
    return ch10.reference_center(esn, u)


def right_linear(esn, u, x_star):
    return ch10.reference_linear_frequency(esn, u, x_star)


def test_right_answers_pass(capsys):
    ch10.measure_frequency(ch10.reference_frequency, ESN, [U])
    ch10.find_center(right_center, ESN, [U])
    ch10.frequency_rule("Im lambda")
    ch10.frequency_rule(" im LAMBDA ")
    ch10.linear_frequency(right_linear, ESN, [U])
    ch10.compare(right_table, ESN, levels()[[0, 30]])
    assert capsys.readouterr().out.count("\N{CHECK MARK}") == 6


def test_not_implemented_passes_through():
    def stub(*args):
        raise NotImplementedError("Exercise")

    with pytest.raises(NotImplementedError):
        ch10.measure_frequency(stub)
    with pytest.raises(NotImplementedError):
        ch10.find_center(stub, ESN, [U])
    with pytest.raises(NotImplementedError):
        ch10.linear_frequency(stub, ESN, [U])


# -- 10-measure-frequency ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factor", "hint"),
    [
        (lambda w, dt: 1 / (2 * np.pi), "cycles per unit time"),
        (lambda w, dt: dt, "radians per step"),
        (lambda w, dt: 2.0, "crosses zero twice"),
        (lambda w, dt: 2 * np.pi / w**2, "period"),
    ],
)
def test_measure_frequency_misconceptions(factor, hint):
    def wrong(z, dt):
        w = ch10.reference_frequency(z, dt)
        return w * factor(w, dt)

    assert hint in hint_of(ch10.measure_frequency, wrong)


def test_measure_frequency_refuses_none_and_arrays():
    assert "None" in hint_of(ch10.measure_frequency, lambda z, dt: None)
    assert "one number" in hint_of(ch10.measure_frequency, lambda z, dt: np.array([0.3, 0.3]))


def test_measure_frequency_wants_nan_for_a_flat_signal():
    def no_amplitude_rule(z, dt):
        return ch10.reference_frequency(np.asarray(z) * 100, dt)

    assert "expected nan" in hint_of(ch10.measure_frequency, no_amplitude_rule)


def test_measure_frequency_a_plain_error_has_no_hint():
    msg = hint_of(ch10.measure_frequency, lambda z, dt: 1.1 * ch10.reference_frequency(z, dt))
    assert "expected" in msg and "cycles" not in msg and "twice" not in msg


# -- 10-find-center ----------------------------------------------------------------------------


def test_find_center_mean_of_oscillation():
    from rnnlab.course.sine_network import run_level

    def wrong(esn, u):
        return run_level(esn, u, steps=3000)[1].mean(axis=0)

    assert "mean of the oscillation" in hint_of(ch10.find_center, wrong, ESN, [U])


def test_find_center_input_left_out():
    from rnnlab import find_fixed_points

    def wrong(esn, u):
        fps = find_fixed_points(esn.closed_loop(), np.zeros(esn.N))
        return fps.x[np.argmin(fps.q)]

    assert "input is part of the system" in hint_of(ch10.find_center, wrong, ESN, [U])


def test_find_center_fixed_points_object():
    from rnnlab import find_fixed_points

    def wrong(esn, u):
        return find_fixed_points(esn.closed_loop(u=[u]), right_center(esn, u))

    assert "FixedPoints result" in hint_of(ch10.find_center, wrong, ESN, [U])


def test_find_center_shape_and_empty_levels():
    assert "shape" in hint_of(ch10.find_center, lambda esn, u: np.zeros(3), ESN, [U])
    with pytest.raises(ValueError, match="levels"):
        ch10.find_center(right_center, ESN, [])


# -- 10-predict-rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "hint"),
    [("Re lambda", "growth rate"), ("|lambda|", "modulus"), ("Im lambda / 2pi", "cycles")],
)
def test_frequency_rule_misconceptions(answer, hint):
    assert hint in hint_of(ch10.frequency_rule, answer)


def test_frequency_rule_unknown_option():
    assert "not one of the options" in hint_of(ch10.frequency_rule, "eigenvector")


# -- 10-linear-frequency -----------------------------------------------------------------------


def _lam(esn, u, x_star):
    return np.linalg.eigvals(esn.closed_loop(u=[u]).jacobian(x_star))


def _pair(esn, u, x_star):
    lam = _lam(esn, u, x_star)
    pair = lam[lam.imag > 0]
    return pair[np.argmax(pair.real)]


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda e, u, x: float(np.angle(1 + e.dt_over_tau * _pair(e, u, x))), "radians per step"),
        (lambda e, u, x: _pair(e, u, x).imag / (2 * np.pi), "cycles per unit time"),
        (lambda e, u, x: float(np.max(_lam(e, u, x).imag)), "largest imaginary part"),
    ],
)
def test_linear_frequency_misconceptions(wrong, hint):
    assert hint in hint_of(ch10.linear_frequency, wrong, ESN, [U])


def test_linear_frequency_largest_modulus():
    def wrong(e, u, x):
        lam = _lam(e, u, x)
        return float(abs(lam[np.argmax(np.abs(lam))].imag))

    msg = hint_of(ch10.linear_frequency, wrong, ESN, [U])
    assert "largest modulus" in msg or "largest imaginary part" in msg


# -- 10-compare --------------------------------------------------------------------------------


def right_table(esn, us):
    from rnnlab.course.sine_network import run_level

    m = [ch10.reference_frequency(run_level(esn, u)[2], esn.dt_over_tau) for u in us]
    p = [right_linear(esn, u, right_center(esn, u)) for u in us]
    return np.array(m), np.array(p)


def test_compare_swapped_and_cycles():
    us = levels()[[10]]

    def swapped(esn, us):
        m, p = right_table(esn, us)
        return p, m

    def cycles(esn, us):
        m, p = right_table(esn, us)
        return m / (2 * np.pi), p

    assert "swapped" in hint_of(ch10.compare, swapped, ESN, us)
    assert "cycles" in hint_of(ch10.compare, cycles, ESN, us)


def test_compare_wrong_shape_and_type():
    us = levels()[[10, 20]]
    assert "one entry per level" in hint_of(ch10.compare, lambda e, u: ([0.1], [0.1, 0.2]), ESN, us)
    assert "pair" in hint_of(ch10.compare, lambda e, u: np.zeros(2), ESN, us)
