"""Chapter 03's checks: the right answer passes, each common wrong answer gets its hint."""

import re
from math import comb

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


# -- 03-ideal-count -------------------------------------------------------------------------------
def test_ideal_count_right_answer_passes(capsys):
    ch03.ideal_count(lambda n, k: comb(n, k) * 2 ** (n - k))
    out = capsys.readouterr().out
    assert "ideal counts" in out and "81" in out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda n, k: comb(n, k), "multiply by 2\\*\\*\\(n - k\\)"),
        (lambda n, k: 2 ** (n - k), "there are comb\\(n, k\\) such choices"),
        (lambda n, k: comb(n, k) * 2**k, "2\\*\\*\\(n - k\\), not 2\\*\\*k"),
    ],
)
def test_ideal_count_misconceptions(wrong, hint):
    with pytest.raises(AnswerError, match=hint):
        ch03.ideal_count(wrong)


def test_ideal_count_without_return():
    with pytest.raises(AnswerError, match="forget `return`"):
        ch03.ideal_count(lambda n, k: None)


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
