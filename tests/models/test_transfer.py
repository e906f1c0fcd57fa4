"""Transfer from an n-bit to an (n+1)-bit network: shapes, preserved weights, retraining."""

import numpy as np
import pytest

import rnnlab
from rnnlab.models.esn import ESN
from rnnlab.models.force import train_force
from rnnlab.models.transfer import TransferredESN, continue_force, transfer


@pytest.fixture(scope="module")
def trained3():
    esn = ESN(60, 3, 3, g=0.6, seed=3)
    u, y = rnnlab.FlipFlopTask(3, pulse_rate=0.01, pulse_at_start=True).generate(2000, seed=0)
    train_force(esn, u, y)
    return esn


def test_shapes_and_preserved_weights(trained3):
    big = transfer(trained3, seed=7)
    assert isinstance(big, ESN)
    assert (big.n_in, big.n_out) == (4, 4)
    assert big.W_fb.shape == (60, 4) and big.B.shape == (60, 4) and big.W_o.shape == (4, 60)
    np.testing.assert_array_equal(big.W_r, trained3.W_r)
    np.testing.assert_array_equal(big.W_fb[:, :3], trained3.W_fb)
    np.testing.assert_array_equal(big.B[:, :3], trained3.B)
    np.testing.assert_array_equal(big.W_o[:3], trained3.W_o)
    np.testing.assert_array_equal(big.W_o[3], 0.0)
    np.testing.assert_array_equal(big.x0, trained3.x0)
    assert (big.g, big.dt_over_tau, big.phi.name) == (0.6, 0.1, "tanh")
    # The new columns are U(-1, 1) and not copies of the old ones.
    for M in (big.W_fb[:, 3], big.B[:, 3]):
        assert np.all(np.abs(M) <= 1) and np.std(M) > 0.4
    assert not np.allclose(big.W_fb[:, 3], big.B[:, 3])


def test_source_untouched_and_arrays_not_shared(trained3):
    W_o = trained3.W_o.copy()
    big = transfer(trained3, seed=1)
    big.W_r[0, 0] += 1.0
    big.W_o[0, 0] += 1.0
    assert trained3.W_r[0, 0] != big.W_r[0, 0]
    np.testing.assert_array_equal(trained3.W_o, W_o)


def test_several_new_bits_and_seed_reproducible(trained3):
    a = transfer(trained3, new_bits=2, seed=5)
    b = transfer(trained3, new_bits=2, seed=5)
    c = transfer(trained3, new_bits=2, seed=6)
    assert a.W_fb.shape == (60, 5) and a.W_o.shape == (5, 60)
    np.testing.assert_array_equal(a.W_fb, b.W_fb)
    np.testing.assert_array_equal(a.B, b.B)
    assert not np.allclose(a.W_fb[:, 3:], c.W_fb[:, 3:])


def test_closed_loop_unchanged_before_retraining(trained3):
    # A zero readout row feeds nothing back: the old memories are still fixed points.
    big = transfer(trained3, seed=2)
    np.testing.assert_allclose(big.closed_loop().W, trained3.closed_loop().W, atol=1e-14)


def test_continue_force_from_zero_equals_train_force():
    u, y = rnnlab.FlipFlopTask(2, pulse_rate=0.02, pulse_at_start=True).generate(600, seed=1)
    a, b = ESN(40, 2, 2, g=0.6, seed=4), ESN(40, 2, 2, g=0.6, seed=4)
    ha = train_force(a, u, y, update_every=2)
    hb = continue_force(b, u, y, update_every=2)
    np.testing.assert_allclose(a.W_o, b.W_o, atol=1e-12)
    np.testing.assert_allclose(ha.error, hb.error, atol=1e-12)


def test_continue_force_starts_from_readout(trained3):
    big = transfer(trained3, seed=2)
    start = big.W_o.copy()
    u, y = rnnlab.FlipFlopTask(4, pulse_rate=0.01, pulse_at_start=True).generate(400, seed=2)
    hist = continue_force(big, u, y)
    np.testing.assert_array_equal(hist.snapshots[0], start)
    # The first output is the transferred readout's, not zero.
    r0 = np.tanh(big.x0)
    np.testing.assert_allclose(hist.outputs[0], start @ r0)
    assert np.any(big.W_o[3] != 0)


def test_save_load_round_trip(trained3, tmp_path):
    big = transfer(trained3, seed=9)
    big.W_o[3] = np.linspace(-1, 1, 60)
    path = tmp_path / "t.npz"
    big.save(path)
    back = TransferredESN.load(path)
    for name in ("W_r", "W_fb", "B", "W_o", "x0"):
        np.testing.assert_array_equal(getattr(back, name), getattr(big, name))
    assert back.source_config == trained3.config()
    with pytest.raises(KeyError):
        ESN.load(path)  # a plain load would regenerate the wrong W_fb; it refuses instead
    plain = tmp_path / "p.npz"
    trained3.save(plain)
    with pytest.raises(ValueError, match="not a transferred network"):
        TransferredESN.load(plain)


def test_bad_inputs(trained3):
    with pytest.raises(TypeError, match=r"esn must be an rnnlab\.ESN"):
        transfer("net", seed=0)
    with pytest.raises(ValueError, match="new_bits must be a positive integer"):
        transfer(trained3, new_bits=0, seed=0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        transfer(trained3, seed=1.5)
    big = transfer(trained3, seed=0)
    u, y = rnnlab.FlipFlopTask(3).generate(100, seed=0)
    with pytest.raises(ValueError, match="inputs must have shape"):
        continue_force(big, u, y)
