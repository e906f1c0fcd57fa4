"""Chapter 03's checks: the right answer passes, each common wrong answer gets its hint."""

import re

import numpy as np
import pytest
from cube_network import cube_esn

import rnnlab
from rnnlab.course.check import AnswerError, ch03
from rnnlab.flipflop.census import census


# -- 03-rls-step --------------------------------------------------------------------------------
def rls(P, r, W_o, y, *, p_sign=-1.0, c_on=True, e_sign=1.0, in_place=False):
    e = e_sign * (W_o @ r - y)
    k = P @ r
    c = 1.0 / (1.0 + r @ k) if c_on else 1.0
    if in_place:  # right, but overwrites its inputs: the check must not be fooled
        P -= c * np.outer(k, k)
        W_o -= c * np.outer(e, k)
        return P, W_o
    return P + p_sign * c * np.outer(k, k), W_o - c * np.outer(e, k)


def test_rls_step_right_answer_passes(capsys):
    ch03.rls_step(rls)
    ch03.rls_step(lambda *a: rls(*a, in_place=True))
    assert "W_o after 200 steps matches" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        ({"p_sign": 1.0}, "P grew: the update subtracts"),
        ({"c_on": False}, "The factor c = 1 / (1 + r^T P r) is missing"),
        ({"e_sign": -1.0}, "The readout moved the wrong way"),
    ],
)
def test_rls_step_misconceptions(wrong, hint):
    with pytest.raises(AnswerError, match=re.escape(hint)):
        ch03.rls_step(lambda *a: rls(*a, **wrong))


def test_rls_step_wrong_return_and_stub():
    with pytest.raises(AnswerError, match="pair"):
        ch03.rls_step(lambda P, r, W_o, y: P)
    with pytest.raises(AnswerError, match="shape"):
        ch03.rls_step(lambda P, r, W_o, y: (P, W_o.T))

    def stub(P, r, W_o, y):
        raise NotImplementedError("exercise")

    with pytest.raises(NotImplementedError):
        ch03.rls_step(stub)


# -- 03-origin-unstable ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def reservoir():
    esn = rnnlab.ESN(200, g=1.5, seed=0)
    lam = esn.closed_loop(W_o=np.zeros((3, 200))).eigenvalues(np.zeros(200))
    return esn, int(np.sum(lam.real > 0))


def test_origin_unstable_close_prediction_passes(reservoir, capsys):
    esn, count = reservoir
    assert 10 < count < 40  # about 11 % of N, the circular law's area beyond Re = 1
    ch03.origin_unstable(count, esn)
    ch03.origin_unstable(round(0.11 * esn.N), esn)
    assert f"has {count} unstable dimensions" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (0, "Zero needs g < 1"),
        (3, "Three is the centre of the trained cube"),
        (100, "Half of N would be a disk centred at 0"),
        (200, "Not every direction"),
        (round(200 * 0.5 / 3), "fraction of the disk's diameter"),
    ],
)
def test_origin_unstable_misconceptions(reservoir, wrong, hint):
    esn, _ = reservoir
    with pytest.raises(AnswerError, match=hint):
        ch03.origin_unstable(wrong, esn)


def test_origin_unstable_needs_a_whole_number_and_an_esn(reservoir):
    esn, count = reservoir
    with pytest.raises(AnswerError, match="whole number"):
        ch03.origin_unstable(float(count), esn)
    with pytest.raises(AnswerError, match="whole number"):
        ch03.origin_unstable(True, esn)
    with pytest.raises(TypeError, match="esn"):
        ch03.origin_unstable(count, "esn")


# -- 03-predict-census ----------------------------------------------------------------------------
def test_predict_census_right_answer_passes(capsys):
    ch03.predict_census([8, 12, 6, 1])
    ch03.predict_census({0: 8, 1: 12, 2: 6, 3: 1})
    assert "matches" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        ([8, 12, 6, 0], "The centre is missing"),
        ([8, 12, 6], "has 3 entries, expected 4. The centre is missing"),
        ([8, 0, 0, 0], "Only the memories"),
        ([1, 3, 3, 1], r"comb\(3, k\) counts where the k zero bits are"),
        ([8, 6, 12, 1], "Edges and faces swapped"),
        ([1, 6, 12, 8], "Reversed"),
    ],
)
def test_predict_census_misconceptions(wrong, hint):
    with pytest.raises(AnswerError, match=hint):
        ch03.predict_census(wrong)


def test_predict_census_other_wrong_answers():
    with pytest.raises(AnswerError) as err:
        ch03.predict_census([8, 12, 6, 2])
    assert "centre" not in str(err.value)
    with pytest.raises(AnswerError, match="list"):
        ch03.predict_census(27)


# -- 03-bit-pattern -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cube_census():
    esn = cube_esn()
    task = rnnlab.FlipFlopTask(3, pulse_rate=0.02, pulse_at_start=True)
    states, _ = esn.run(task.generate(600, seed=0)[0])
    return census(esn, states, n_samples=30, seed=0)


def right_bits(z, threshold=0.5):
    z = np.asarray(z)
    return np.where(np.abs(z) < threshold, 0, np.sign(z)).astype(int)


def test_bit_pattern_right_answer_passes(cube_census, capsys):
    ch03.bit_pattern(right_bits, cube_census)
    assert "threshold 0.2 matches" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda z, threshold=0.5: np.where(z < threshold, 0, np.sign(z)), "compare \\|z\\|"),
        (lambda z, threshold=0.5: -right_bits(z, threshold), "inverted"),
        (
            lambda z, threshold=0.5: np.where(np.abs(z) > threshold, 0, np.sign(z)),
            "wrong side",
        ),
    ],
)
def test_bit_pattern_misconceptions(cube_census, wrong, hint):
    with pytest.raises(AnswerError, match=hint):
        ch03.bit_pattern(wrong, cube_census)


def test_bit_pattern_ignoring_the_threshold_argument_fails(cube_census):
    with pytest.raises(AnswerError, match=r"threshold 0\.2"):
        ch03.bit_pattern(lambda z, threshold=0.5: right_bits(z), cube_census)
    with pytest.raises(TypeError, match="census"):
        ch03.bit_pattern(right_bits, None)


# -- 03-slowest-decay -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def decay_case():
    """The ideal cube with a random reservoir (g = 0.5) in the loop: its census is complete,
    and some saddles' slowest stable eigenvalue is a complex pair."""
    esn = cube_esn(g=0.5)
    task = rnnlab.FlipFlopTask(3, pulse_rate=0.02, pulse_at_start=True)
    states, _ = esn.run(task.generate(600, seed=0)[0])
    return esn, census(esn, states, n_samples=30, seed=0)


def eigenvalues(esn, x):
    return np.linalg.eigvals(esn.closed_loop().jacobian(x))


def decay(esn, x):
    """The right answer to 03-slowest-decay, written independently of the check."""
    lam = eigenvalues(esn, x)
    slowest = np.max(lam.real[lam.real < 0])  # the stable eigenvalue closest to Re = 0
    return 1 / (esn.dt_over_tau * abs(slowest))  # in units of tau, then tau/dt steps per tau


def first_point(census, n_unstable, complex_slowest=False):
    """Index of the first census point with that many unstable dimensions (and, if asked,
    whose slowest stable eigenvalue is complex)."""
    for i, lam in enumerate(census.points.eigenvalues):
        slow = lam[lam.real < 0][np.argmax(lam.real[lam.real < 0])]
        if census.points.n_unstable[i] == n_unstable and (abs(slow.imag) > 0) == complex_slowest:
            return i
    raise AssertionError("no such point in the test census")


def test_slowest_decay_right_answer_passes(decay_case, capsys):
    esn, cube = decay_case
    assert cube.complete
    ch03.slowest_decay(decay, esn, cube)
    ch03.slowest_decay(lambda e, x: np.float32(decay(e, x)), esn, cube, points=[0])
    every = range(cube.points.n_points)
    ch03.slowest_decay(decay, esn, cube, points=every)
    out = capsys.readouterr().out
    assert out.count("\N{CHECK MARK}") == 5 + 1 + 27
    assert "memory (+1, +1, -1)" in out and "centre ( 0,  0,  0)" in out
    assert "face saddle" in out and "edge saddle" in out
    times = [decay(esn, cube.points.x[i]) for i in np.flatnonzero(cube.points.n_unstable == 0)]
    assert f"slowest decay at the 8 memories: {min(times):.1f} to {max(times):.1f} steps" in out


def test_slowest_decay_by_hand(cube_census, capsys):
    """The pure cube (no reservoir): every unit decays at rate 1 except the bit modes, at
    -1 + gain (1 - z*^2) with z* = tanh(gain z*) at a nonzero bit, so 10/(1 - 3 (1 - z*^2))
    steps at every point with a nonzero bit and 10 steps at the centre."""
    esn = cube_esn()
    z = 1.0
    for _ in range(200):
        z = np.tanh(3.0 * z)
    steps = 10 / (1 - 3.0 * (1 - z**2))
    assert steps == pytest.approx(10.31, abs=0.01)
    n_unstable = cube_census.points.n_unstable
    bits_set = [int(i) for i in np.flatnonzero(n_unstable < 3)]
    ch03.slowest_decay(lambda e, x: steps, esn, cube_census, points=bits_set)
    ch03.slowest_decay(lambda e, x: 10.0, esn, cube_census, points=[int(np.argmax(n_unstable))])
    out = capsys.readouterr().out
    assert out.count("\N{CHECK MARK}") == 27
    assert "slowest decay at the 8 memories: 10.3 to 10.3 steps" in out


def test_slowest_decay_euler_count_accepted(decay_case, capsys):
    esn, cube = decay_case

    def euler(e, x):
        mu = np.abs(1 + e.dt_over_tau * eigenvalues(e, x))
        return -1 / np.log(np.max(mu[mu < 1]))

    ch03.slowest_decay(euler, esn, cube)
    assert "the Euler map's exact count (the flow's estimate is" in capsys.readouterr().out


def stable(esn, x):
    lam = eigenvalues(esn, x)
    return lam[lam.real < 0]


def fastest(e, x):
    return 1 / (e.dt_over_tau * np.max(np.abs(stable(e, x).real)))


def in_tau(e, x):
    return decay(e, x) * e.dt_over_tau


def times_dt(e, x):
    return decay(e, x) * e.dt_over_tau**2


def modulus(e, x):
    lam = stable(e, x)
    return 1 / (e.dt_over_tau * abs(lam[np.argmax(lam.real)]))


def half_life(e, x):
    return np.log(2) * decay(e, x)


def unstable_included(e, x):  # the largest Re lambda, stable or not, and its size
    return 1 / (e.dt_over_tau * abs(np.max(eigenvalues(e, x).real)))


def unstable_signed(e, x):  # -1 / Re lambda for the largest Re lambda, stable or not
    return -1 / (e.dt_over_tau * np.max(eigenvalues(e, x).real))


@pytest.mark.parametrize(
    ("wrong", "where", "hint"),
    [
        (fastest, "memory", "That is the fastest stable direction"),
        (in_tau, "memory", "That is the time in units of tau"),
        (times_dt, "memory", "You multiplied by dt/tau"),
        (half_life, "memory", "That is the half-life"),
        (modulus, "complex", "Use |Re lambda|, not |lambda|"),
        (unstable_included, "edge saddle", "That is an unstable direction (Re lambda > 0)"),
        (unstable_signed, "edge saddle", "That is an unstable direction (Re lambda > 0)"),
    ],
)
def test_slowest_decay_misconceptions(decay_case, wrong, where, hint):
    esn, cube = decay_case
    points = None
    if where == "complex":
        points = [first_point(cube, 1, complex_slowest=True)]
    with pytest.raises(AnswerError) as err:
        ch03.slowest_decay(wrong, esn, cube, points=points)
    message = str(err.value)
    assert hint in message
    assert f", {where} (" in message or where == "complex"


def test_slowest_decay_modulus_passes_where_the_slowest_is_real(decay_case, capsys):
    """|lambda| = |Re lambda| for a real eigenvalue: the slip shows only at a complex one."""
    esn, cube = decay_case
    real_saddle = first_point(cube, 1, complex_slowest=False)
    ch03.slowest_decay(modulus, esn, cube, points=[real_saddle])
    assert "right" in capsys.readouterr().out


def test_slowest_decay_other_wrong_answer_gets_no_hint(decay_case):
    esn, cube = decay_case
    with pytest.raises(AnswerError) as err:
        ch03.slowest_decay(lambda e, x: 1.1 * decay(e, x), esn, cube)
    message = str(err.value)
    assert "your decay time is" in message and "expected" in message
    for word in ("fastest", "units of tau", "dt/tau", "half-life", "|Re lambda|", "unstable"):
        assert word not in message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (None, "did the function forget to `return` it?"),
        (np.array([1.0, 2.0]), "should be a single number"),
        (True, "should be a single number"),
        ("10", "should be a number, got str"),
        (np.inf, "should be a finite real number"),
        (10 + 1j, "should be a finite real number"),
    ],
)
def test_slowest_decay_malformed_answer(decay_case, answer, expected):
    esn, cube = decay_case
    with pytest.raises(AnswerError, match=re.escape(expected)):
        ch03.slowest_decay(lambda e, x: answer, esn, cube)


def test_slowest_decay_stub_and_bad_arguments(decay_case):
    esn, cube = decay_case

    def stub(e, x):
        raise NotImplementedError("exercise")

    with pytest.raises(NotImplementedError):
        ch03.slowest_decay(stub, esn, cube)
    with pytest.raises(TypeError, match="esn must be"):
        ch03.slowest_decay(decay, None, cube)
    with pytest.raises(TypeError, match="census must be"):
        ch03.slowest_decay(decay, esn, cube.points)
    with pytest.raises(ValueError, match="at least one"):
        ch03.slowest_decay(decay, esn, cube, points=[])
    with pytest.raises(ValueError, match="not a point of the census"):
        ch03.slowest_decay(decay, esn, cube, points=[27])
