r"""The n-bit flip-flop task, optionally with a delayed target.

Each of ``n_bits`` input channels carries rare pulses of :math:`\pm 1`; the target on a
channel is the sign of the last pulse it received (Jang §6; Sussillo & Barak 2013). With
a delay :math:`\Delta`, the target is the same sequence shifted by :math:`\Delta` steps,
so the network must also *wait* (the delayed flip-flop chapter).

Jang's generator (the default): :math:`\lfloor r T \rfloor` pulse onsets at distinct random
times, each on one random channel with a random sign, ``pulse_length`` samples long; the
target is 0 on a channel before its first pulse. With ``pulse_at_start=True`` every
channel is also pulsed at :math:`t = 0`, so the target is never 0 (this course's recipe for
a clean cube: the network never has to represent "no bit yet"). Jang's generator lets a pulse
start on a channel while an earlier one is still on, cutting the earlier one short; with
``whole_pulses=True`` such onsets are dropped, so every pulse arrives whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab._internal.validation import positive_float, positive_int

__all__ = ["FlipFlopTask"]


@dataclass(frozen=True)
class FlipFlopTask:
    """An n-bit flip-flop task.

    Parameters
    ----------
    n_bits : int
        Number of channels (memories).
    pulse_rate : float
        Pulse onsets per time step, over all channels: :math:`\\lfloor` rate · T
        :math:`\\rfloor` onsets in a sequence of T steps.
    pulse_length : int
        Samples per pulse.
    delay : int
        Steps by which the target lags the input (0: respond at once).
    pulse_at_start : bool
        Also pulse every channel at t = 0 with a random sign.
    whole_pulses : bool
        Drop every onset that comes less than ``pulse_length`` steps after the last kept
        onset on its channel, so no pulse is cut short by the next one (default False,
        Jang's generator). The sequence then has at most :math:`\\lfloor` rate · T
        :math:`\\rfloor` onsets; the draws are the same, so the kept pulses are those of
        the default sequence with the same seed.

    Examples
    --------
    >>> task = FlipFlopTask(n_bits=3, pulse_at_start=True)
    >>> u, y = task.generate(1000, seed=0)
    >>> u.shape, y.shape, bool(np.all(np.abs(y) == 1))
    ((1000, 3), (1000, 3), True)
    """

    n_bits: int = 3
    pulse_rate: float = 0.02
    pulse_length: int = 11
    delay: int = 0
    pulse_at_start: bool = False
    whole_pulses: bool = False

    def __post_init__(self):
        positive_int(self.n_bits, "n_bits")
        positive_float(self.pulse_rate, "pulse_rate")
        if self.pulse_rate > 1:
            raise ValueError(f"pulse_rate must be at most 1 onset per step, got {self.pulse_rate}")
        positive_int(self.pulse_length, "pulse_length")
        if (
            isinstance(self.delay, bool)
            or not isinstance(self.delay, int | np.integer)
            or self.delay < 0
        ):
            raise ValueError(f"delay must be an integer >= 0, got {self.delay!r}")
        for name in ("pulse_at_start", "whole_pulses"):
            if not isinstance(getattr(self, name), bool | np.bool_):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")

    def generate(
        self, n_steps: int, *, seed: int | np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """A sequence of inputs and targets.

        Parameters
        ----------
        n_steps : int
        seed : int or Generator

        Returns
        -------
        inputs : ndarray, shape (n_steps, n_bits)
            Pulses of +1 / -1, zero elsewhere.
        targets : ndarray, shape (n_steps, n_bits)
            Sign of the last pulse on each channel (from its onset on), 0 before the first,
            shifted by ``delay`` steps.
        """
        n_steps = positive_int(n_steps, "n_steps")
        if self.delay >= n_steps:
            raise ValueError(
                f"n_steps must exceed the delay ({self.delay}): with n_steps={n_steps} every "
                "target would still be 0 (undefined) when the sequence ends"
            )
        rng = np.random.default_rng(seed)
        first = 1 if self.pulse_at_start else 0  # the start pulses take t = 0
        n_onsets = min(int(np.floor(self.pulse_rate * n_steps)), n_steps - first)
        times = first + np.sort(rng.choice(n_steps - first, size=n_onsets, replace=False))
        channels = rng.integers(0, self.n_bits, size=n_onsets)
        signs = rng.choice([-1.0, 1.0], size=n_onsets)
        if self.pulse_at_start:
            start_signs = rng.choice([-1.0, 1.0], size=self.n_bits)
            times = np.concatenate([np.zeros(self.n_bits, dtype=int), times])
            channels = np.concatenate([np.arange(self.n_bits), channels])
            signs = np.concatenate([start_signs, signs])
        if self.whole_pulses:
            keep = np.ones(len(times), dtype=bool)
            last = np.full(self.n_bits, -self.pulse_length)
            for i, (t, c) in enumerate(zip(times, channels, strict=True)):
                keep[i] = t - last[c] >= self.pulse_length
                if keep[i]:
                    last[c] = t
            times, channels, signs = times[keep], channels[keep], signs[keep]

        inputs = np.zeros((n_steps, self.n_bits))
        level = np.zeros((n_steps, self.n_bits))
        for t, c, s in zip(times, channels, signs, strict=True):
            inputs[t : t + self.pulse_length, c] = s  # a later pulse overwrites an earlier one
            level[t:, c] = s  # holds until the next onset on this channel overwrites it
        targets = np.zeros_like(level)
        targets[self.delay :] = level[: n_steps - self.delay]
        return inputs, targets
