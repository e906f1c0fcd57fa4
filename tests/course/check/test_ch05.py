"""Chapter 05's checks: the right answers pass, and each common wrong answer gets its hint."""

import itertools

import numpy as np
import pytest

import rnnlab
from rnnlab.course.check import AnswerError, ch05
from rnnlab.models.transfer import transfer


def hint_of(call, *args) -> str:
    with pytest.raises(AnswerError) as info:
        call(*args)
    return str(info.value)


# -- 05-transfer-by-hand -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source():
    esn = rnnlab.ESN(30, 3, 3, g=0.6, seed=0)
    esn.W_o = np.random.default_rng(1).normal(size=(3, 30))
    return esn


def by_hand(W_fb, B, W_o, rng):
    N = W_fb.shape[0]
    fb, b = rng.uniform(-1, 1, size=(N, 1)), rng.uniform(-1, 1, size=(N, 1))
    return np.hstack([W_fb, fb]), np.hstack([B, b]), np.vstack([W_o, np.zeros((1, N))])


def test_transfer_by_hand_right(source, capsys):
    ch05.transfer_by_hand(by_hand, source)
    assert capsys.readouterr().out.count("\N{CHECK MARK}") == 3


def test_transfer_by_hand_swapped_order(source):
    def swapped(W_fb, B, W_o, rng):
        N = W_fb.shape[0]
        b, fb = rng.uniform(-1, 1, size=(N, 1)), rng.uniform(-1, 1, size=(N, 1))
        return np.hstack([W_fb, fb]), np.hstack([B, b]), np.vstack([W_o, np.zeros((1, N))])

    assert "drawn in the other order" in hint_of(ch05.transfer_by_hand, swapped, source)


def test_transfer_by_hand_unit_interval(source):
    def unit(W_fb, B, W_o, rng):
        N = W_fb.shape[0]
        fb, b = rng.random((N, 1)), rng.random((N, 1))
        return np.hstack([W_fb, fb]), np.hstack([B, b]), np.vstack([W_o, np.zeros((1, N))])

    assert "rng.random draws from (0, 1)" in hint_of(ch05.transfer_by_hand, unit, source)


def test_transfer_by_hand_random_readout_row(source):
    def random_row(W_fb, B, W_o, rng):
        W_fb2, B2, _ = by_hand(W_fb, B, W_o, rng)
        return W_fb2, B2, np.vstack([W_o, rng.uniform(-1, 1, size=(1, W_fb.shape[0]))])

    message = hint_of(ch05.transfer_by_hand, random_row, source)
    assert "new readout row must be zero" in message


def test_transfer_by_hand_wrong_shape_of_answer(source):
    message = hint_of(ch05.transfer_by_hand, lambda *a: by_hand(*a)[:2], source)
    assert "tuple (W_fb', B', W_o')" in message


def test_transfer_by_hand_reference_is_transfer(source):
    # The check's reference is rnnlab.transfer with the generator's seed.
    ref = transfer(source, new_bits=1, seed=7)
    mine = by_hand(source.W_fb, source.B, source.W_o, np.random.default_rng(7))
    assert np.array_equal(mine[0], ref.W_fb) and np.array_equal(mine[2], ref.W_o)


# -- 05-predict-head-start -----------------------------------------------------------------------

UPDATES = [0, 100, 300, 1000]
LOST = (np.array([[0.93, 0], [0.61, 0], [0.49, 0], [0.8, 0]]), np.array([[0.5, 0]] * 4))


def test_head_start_right(capsys):
    ch05.head_start("loses its lead within a few hundred updates", *LOST, UPDATES)
    ch05.head_start(
        " Keeps its lead", LOST[0] + [[0, 0], [0, 0], [0.4, 0], [0, 0]], LOST[1], UPDATES
    )
    assert capsys.readouterr().out.count("\N{CHECK MARK}") == 2


def test_head_start_kept():
    message = hint_of(ch05.head_start, "keeps its lead", *LOST, UPDATES)
    assert "P restarts at I/alpha" in message and "-0.01" in message


def test_head_start_never():
    message = hint_of(ch05.head_start, "starts no better than scratch", *LOST, UPDATES)
    assert "*is* the 3-bit network" in message and "+0.43" in message


def test_head_start_not_an_option():
    assert "not one of the options" in hint_of(ch05.head_start, "faster", *LOST, UPDATES)


def test_head_start_bad_updates():
    with pytest.raises(ValueError, match="must contain 0 and 300"):
        ch05.head_start("keeps its lead", *LOST, [0, 100])


# -- 05-edge-lengths -----------------------------------------------------------------------------

PATTERNS = np.array(list(itertools.product((-1, 1), repeat=3)))
# A stretched cube in 5 dimensions with a little jitter: edges 2, 4 and 6 along bits 1-3.
MEMORIES = np.hstack([PATTERNS * [1.0, 2.0, 3.0], np.zeros((8, 2))]) + np.random.default_rng(
    0
).normal(scale=0.01, size=(8, 5))


def lengths(memories, patterns, scale=1.0):
    out = []
    for i in range(patterns.shape[1]):
        d = [
            np.linalg.norm(memories[a] - memories[b])
            for a, b in itertools.combinations(range(len(patterns)), 2)
            if np.sum(patterns[a] != patterns[b]) == 1 and patterns[a][i] != patterns[b][i]
        ]
        out.append(np.mean(d) * scale)
    return np.array(out)


def test_edge_lengths_right(capsys):
    assert np.allclose(lengths(MEMORIES, PATTERNS), [2, 4, 6], atol=0.05)
    ch05.edge_lengths(lengths, MEMORIES, PATTERNS)
    assert "\N{CHECK MARK}" in capsys.readouterr().out


def test_edge_lengths_rms():
    def rms(m, p):
        return lengths(m, p, scale=1 / np.sqrt(m.shape[1]))

    assert "RMS distance per unit" in hint_of(ch05.edge_lengths, rms, MEMORIES, PATTERNS)


def test_edge_lengths_all_pairs():
    def all_pairs(m, p):
        return np.array(
            [
                np.mean(
                    [
                        np.linalg.norm(m[a] - m[b])
                        for a, b in itertools.combinations(range(len(p)), 2)
                        if p[a][i] != p[b][i]
                    ]
                )
                for i in range(p.shape[1])
            ]
        )

    message = hint_of(ch05.edge_lengths, all_pairs, MEMORIES, PATTERNS)
    assert "differ in bit i *only*" in message


# -- 05-predict-old-memories ---------------------------------------------------------------------

NEAR = np.full(8, 0.2)
SADDLES = np.ones(8, int)
FATE = "become saddles with 1 unstable dimension along bit 4"


def test_old_memories_right(capsys):
    ch05.old_memories(FATE, NEAR, SADDLES)
    ch05.old_memories("stay stable memories", NEAR, np.zeros(8, int))
    ch05.old_memories("vanish", np.full(8, 0.5), SADDLES)
    assert capsys.readouterr().out.count("\N{CHECK MARK}") == 3


def test_old_memories_stay():
    message = hint_of(ch05.old_memories, "stay stable memories", NEAR, SADDLES)
    assert "an edge saddle with one unstable direction" in message


def test_old_memories_vanish():
    message = hint_of(ch05.old_memories, "vanish", NEAR, SADDLES)
    assert "pitchfork" in message


def test_old_memories_bad_input():
    with pytest.raises(ValueError, match="same nonzero length"):
        ch05.old_memories(FATE, NEAR, SADDLES[:3])
    with pytest.raises(ValueError, match="no single fate"):
        ch05.old_memories(FATE, NEAR, np.arange(8) % 2)


# -- 05-analyse-split ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def split_case():
    """The shipped source and a shipped transferred network, their memories, the old edge."""
    src = rnnlab.load_network("flipflop3_g06")
    tr = rnnlab.load_network("flipflop4_transfer_seed0")
    old, new = rnnlab.find_memories(src), rnnlab.find_memories(tr)
    N = src.N
    one_bit = [
        np.linalg.norm(old.x[a] - old.x[b]) / np.sqrt(N)
        for a, b in itertools.combinations(range(8), 2)
        if np.sum(old.patterns[a] != old.patterns[b]) == 1
    ]
    every = [
        np.linalg.norm(old.x[a] - old.x[b]) / np.sqrt(N)
        for a, b in itertools.combinations(range(8), 2)
    ]
    return src, tr, old, new, np.mean(one_bit), np.mean(every)


def shifts(old, new, edge, first_bits=slice(0, 3)):
    index = [
        int(np.flatnonzero(np.all(old.patterns == p[first_bits], axis=1))[0]) for p in new.patterns
    ]
    return np.linalg.norm(new.x - old.x[index], axis=1) / np.sqrt(new.x.shape[1]) / edge


def test_split_right(split_case, capsys):
    src, tr, old, new, edge, _ = split_case
    result = ch05.split(lambda s, t: shifts(old, new, edge), src, tr)
    assert "\N{CHECK MARK}" in capsys.readouterr().out
    assert np.allclose(result, ch05.reference_split(src, tr))
    assert 0.4 < result.mean() < 0.6  # the cube is split: half an old edge


def test_split_not_in_edges(split_case):
    src, tr, old, new, _, _ = split_case
    message = hint_of(ch05.split, lambda s, t: shifts(old, new, 1.0), src, tr)
    assert "not yet in old edges" in message


def test_split_edge_over_all_pairs(split_case):
    src, tr, old, new, _, every = split_case
    message = hint_of(ch05.split, lambda s, t: shifts(old, new, every), src, tr)
    assert "mean over all pairs" in message


def test_split_new_bit_first(split_case):
    src, tr, old, new, edge, _ = split_case
    message = hint_of(ch05.split, lambda s, t: shifts(old, new, edge, slice(1, 4)), src, tr)
    assert "The new bit is the last one" in message
