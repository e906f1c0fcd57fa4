"""The flip-flop generator: pulse shapes, onset counts, targets, delay, seeding, validation.

The onsets of a sequence are read off the same sequence generated with ``pulse_length=1``:
then every nonzero input sample is exactly one onset (onsets are at distinct times, one
channel each). The pulse schedule does not depend on the pulse length, so the longer pulses
and the targets of the same seed can be rebuilt from those onsets and compared exactly.
"""

import math

import numpy as np
import pytest

from rnnlab import FlipFlopTask


def onsets_of(task: FlipFlopTask, n_steps: int, seed) -> list[tuple[int, int, float]]:
    """(time, channel, sign) of every onset, in time order (from the 1-sample version)."""
    short = FlipFlopTask(
        task.n_bits, task.pulse_rate, pulse_length=1, pulse_at_start=task.pulse_at_start
    )
    u, _ = short.generate(n_steps, seed=seed)
    times, channels = np.nonzero(u)
    return [(int(t), int(c), float(u[t, c])) for t, c in zip(times, channels, strict=True)]


def forward_fill(onsets, n_steps, n_bits):
    """Target without delay: sign of the last onset on each channel, 0 before the first."""
    level = np.zeros((n_steps, n_bits))
    for t, c, s in onsets:
        level[t:, c] = s
    return level


CASES = [
    # n_bits, rate, length, at_start, n_steps
    (3, 0.02, 11, False, 2000),
    (3, 0.01, 11, True, 2000),
    (1, 0.2, 11, False, 300),  # dense: pulses on the one channel overwrite each other
    (4, 0.3, 5, True, 200),
    (2, 1.0, 3, False, 50),  # an onset at every step
]


@pytest.mark.parametrize(("n_bits", "rate", "length", "at_start", "n_steps"), CASES)
def test_one_sample_pulses_count_the_onsets(n_bits, rate, length, at_start, n_steps):
    task = FlipFlopTask(n_bits, rate, pulse_length=1, pulse_at_start=at_start)
    for seed in range(5):
        u, y = task.generate(n_steps, seed=seed)
        assert u.shape == y.shape == (n_steps, n_bits)
        assert set(np.unique(u)) <= {-1.0, 0.0, 1.0}
        nonzero = u != 0
        if at_start:
            assert nonzero[0].all(), "every channel pulses at t = 0"
            assert nonzero[1:].sum(axis=1).max() <= 1, "two onsets at one time"
            # the count with start pulses: test_start_pulses_come_on_top_of_the_random_onsets
            assert nonzero[1:].sum() <= math.floor(rate * n_steps)
        else:
            assert nonzero.sum(axis=1).max() <= 1, "two onsets at one time"
            assert nonzero.sum() == math.floor(rate * n_steps), f"seed {seed}"


def test_start_pulses_come_on_top_of_the_random_onsets():
    """With pulse_at_start the sequence has n_bits + floor(rate T) onsets, even when the
    random draw of onset times includes t = 0 (probability = rate per sequence)."""
    task = FlipFlopTask(2, pulse_rate=0.5, pulse_length=1, pulse_at_start=True)
    counts = [int(np.count_nonzero(task.generate(20, seed=s)[0])) for s in range(8)]
    assert counts == [2 + 10] * 8


@pytest.mark.parametrize(("n_bits", "rate", "length", "at_start", "n_steps"), CASES)
def test_pulses_are_pulse_length_long_unless_cut_or_overwritten(
    n_bits, rate, length, at_start, n_steps
):
    task = FlipFlopTask(n_bits, rate, pulse_length=length, pulse_at_start=at_start)
    saw_cut = saw_overwrite = False
    for seed in range(5):
        onsets = onsets_of(task, n_steps, seed)
        u, _ = task.generate(n_steps, seed=seed)
        expected = np.zeros_like(u)
        for i, (t, c, s) in enumerate(onsets):
            end = t + length
            later = [t2 for t2, c2, _ in onsets[i + 1 :] if c2 == c]
            if later and later[0] < end:
                end, saw_overwrite = later[0], True
            if end > n_steps:
                end, saw_cut = n_steps, True
            expected[t:end, c] = s
        np.testing.assert_array_equal(u, expected, err_msg=f"seed {seed}")
    if rate >= 0.2:
        assert saw_overwrite, "the dense cases should exercise overwriting"
    if rate == 1.0:
        assert saw_cut, "an onset at the last steps is cut by the sequence end"


@pytest.mark.parametrize(("n_bits", "rate", "length", "at_start", "n_steps"), CASES)
def test_target_is_sign_of_last_onset(n_bits, rate, length, at_start, n_steps):
    task = FlipFlopTask(n_bits, rate, pulse_length=length, pulse_at_start=at_start)
    for seed in range(3):
        onsets = onsets_of(task, n_steps, seed)
        _, y = task.generate(n_steps, seed=seed)
        np.testing.assert_array_equal(y, forward_fill(onsets, n_steps, n_bits))
        for c in range(n_bits):
            first = min((t for t, c2, _ in onsets if c2 == c), default=n_steps)
            assert not np.any(y[:first, c]), "target must be 0 before the first pulse"
            assert np.all(np.abs(y[first:, c]) == 1)


def test_target_follows_the_input_pulses_directly():
    """Independent of the onset reconstruction: at a pulse's first sample the target
    equals the pulse's sign, and the target only changes where a pulse starts."""
    task = FlipFlopTask(3, pulse_rate=0.02)
    u, y = task.generate(3000, seed=7)
    starts = (u != 0) & (np.vstack([np.zeros((1, 3)), u[:-1]]) != u)
    np.testing.assert_array_equal(y[starts], u[starts])
    changes = np.vstack([y[:1] != 0, y[1:] != y[:-1]])
    assert np.all(starts[changes])


def test_pulse_at_start_targets_never_zero():
    task = FlipFlopTask(3, pulse_rate=0.01, pulse_at_start=True)
    for seed in range(5):
        u, y = task.generate(1500, seed=seed)
        assert np.all(np.abs(u[0]) == 1)
        assert np.all(np.abs(y) == 1)
        np.testing.assert_array_equal(y[0], u[0])


def test_default_task_has_zero_targets_before_first_pulse():
    u, y = FlipFlopTask(3).generate(2000, seed=0)
    assert np.any(y == 0)
    np.testing.assert_array_equal(y[0], u[0])  # 0 unless a pulse starts at t = 0


@pytest.mark.parametrize("delay", [0, 1, 7, 40])
@pytest.mark.parametrize("at_start", [False, True])
def test_delay_shifts_target_exactly(delay, at_start):
    base = FlipFlopTask(3, pulse_rate=0.03, pulse_at_start=at_start)
    delayed = FlipFlopTask(3, pulse_rate=0.03, delay=delay, pulse_at_start=at_start)
    u0, y0 = base.generate(800, seed=3)
    u, y = delayed.generate(800, seed=3)
    np.testing.assert_array_equal(u, u0)  # the delay moves only the target
    np.testing.assert_array_equal(y[delay:], y0[: 800 - delay])
    assert not np.any(y[:delay])


def test_same_seed_same_sequence_different_seed_different():
    task = FlipFlopTask(3, pulse_rate=0.02)
    a = task.generate(1000, seed=5)
    b = task.generate(1000, seed=5)
    c = task.generate(1000, seed=6)
    for x, z in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, z)
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[1], c[1])


def test_generator_seed_is_accepted_and_advanced():
    task = FlipFlopTask(2, pulse_rate=0.05)
    rng = np.random.default_rng(1)
    first = task.generate(300, seed=rng)
    second = task.generate(300, seed=rng)
    np.testing.assert_array_equal(first[0], task.generate(300, seed=np.random.default_rng(1))[0])
    assert not np.array_equal(first[0], second[0])


def cut_pulses(onsets, length):
    """Onsets that come less than ``length`` steps after the previous one on their channel."""
    last: dict[int, int] = {}
    cut = []
    for t, c, s in onsets:
        if c in last and t - last[c] < length:
            cut.append((t, c, s))
        last[c] = t
    return cut


@pytest.mark.parametrize(("n_bits", "rate", "length", "at_start", "n_steps"), CASES)
def test_whole_pulses_drops_exactly_the_onsets_that_would_cut_a_pulse(
    n_bits, rate, length, at_start, n_steps
):
    jang = FlipFlopTask(n_bits, rate, pulse_length=length, pulse_at_start=at_start)
    whole = FlipFlopTask(
        n_bits, rate, pulse_length=length, pulse_at_start=at_start, whole_pulses=True
    )
    for seed in range(5):
        # Reference: walk the default sequence's onsets, keep one only if it comes a whole
        # pulse after the last *kept* onset on its channel.
        kept, last = [], {}
        for t, c, s in onsets_of(jang, n_steps, seed):
            if c not in last or t - last[c] >= length:
                kept.append((t, c, s))
                last[c] = t
        u, y = whole.generate(n_steps, seed=seed)
        expected_u = np.zeros((n_steps, n_bits))
        for t, c, s in kept:
            expected_u[t : t + length, c] = s
        np.testing.assert_array_equal(u, expected_u)
        np.testing.assert_array_equal(y, forward_fill(kept, n_steps, n_bits))
        assert not cut_pulses(kept, length)
        for t, c, s in kept:  # every pulse arrives whole (unless the sequence ends)
            assert np.all(u[t : t + length, c] == s)


def test_default_generator_does_cut_pulses():
    """The hazard whole_pulses removes is real in the chapters' test sequences."""
    task = FlipFlopTask(3, pulse_rate=0.02, pulse_at_start=True)
    onsets = onsets_of(task, 5000, 1000)  # chapter 03's test sequence
    assert len(cut_pulses(onsets, task.pulse_length)) > 0
    whole = FlipFlopTask(3, pulse_rate=0.02, pulse_at_start=True, whole_pulses=True)
    assert not np.array_equal(whole.generate(5000, seed=1000)[0], task.generate(5000, seed=1000)[0])


def test_task_is_immutable():
    task = FlipFlopTask()
    with pytest.raises(AttributeError):
        task.n_bits = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"n_bits": 0}, ValueError, "n_bits"),
        ({"n_bits": -2}, ValueError, "n_bits"),
        ({"n_bits": True}, TypeError, "n_bits"),
        ({"n_bits": 2.0}, TypeError, "n_bits"),
        ({"pulse_rate": 0}, ValueError, "pulse_rate"),
        ({"pulse_rate": -0.1}, ValueError, "pulse_rate"),
        ({"pulse_rate": 1.5}, ValueError, "pulse_rate"),
        ({"pulse_rate": float("nan")}, ValueError, "pulse_rate"),
        ({"pulse_rate": True}, TypeError, "pulse_rate"),
        ({"pulse_length": 0}, ValueError, "pulse_length"),
        ({"delay": -1}, ValueError, "delay"),
        ({"delay": 1.5}, ValueError, "delay"),
        ({"delay": True}, ValueError, "delay"),
        ({"pulse_at_start": 1}, TypeError, "pulse_at_start"),
        ({"whole_pulses": "yes"}, TypeError, "whole_pulses"),
    ],
)
def test_bad_task_parameters_are_rejected(kwargs, error, name):
    with pytest.raises(error, match=name):
        FlipFlopTask(**kwargs)


@pytest.mark.parametrize(
    ("n_steps", "error"), [(0, ValueError), (-5, ValueError), (10.0, TypeError), (True, TypeError)]
)
def test_bad_n_steps_is_rejected(n_steps, error):
    with pytest.raises(error, match="n_steps"):
        FlipFlopTask().generate(n_steps, seed=0)


@pytest.mark.parametrize("n_steps", [5, 8])
def test_a_delay_as_long_as_the_sequence_is_refused(n_steps):
    with pytest.raises(ValueError, match=r"n_steps must exceed the delay \(8\)"):
        FlipFlopTask(3, delay=8).generate(n_steps, seed=0)
    _, targets = FlipFlopTask(3, delay=8, pulse_at_start=True).generate(9, seed=0)
    assert np.count_nonzero(targets[8]) == 3  # the first step after the delay is defined
