r"""The result of a census: the fixed points of a trained flip-flop and their labels.

The ideal n-bit flip-flop has one fixed point per point of the cube
:math:`\{-1, 0, +1\}^n` in readout space: :math:`\binom{n}{k} 2^{n-k}` with :math:`k`
unstable dimensions (:func:`ideal_census`). :class:`Census` holds what
:func:`rnnlab.flipflop.census.census` found, with each point's two labels (its readout pattern and
the pattern of the memories its unstable manifold leads to) and the verdict
:attr:`Census.complete`.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

from rnnlab._internal.validation import positive_int
from rnnlab.fixedpoints.result import FixedPoints

__all__ = ["Census", "ideal_census"]


def ideal_census(n_bits: int) -> dict[int, int]:
    """Fixed points of an ideal n-bit flip-flop by number of unstable dimensions.

    One point per :math:`k`-face of the cube of memories: :math:`\\binom{n}{k} 2^{n-k}`
    points with :math:`k` unstable dimensions, :math:`3^n` in all.

    Examples
    --------
    >>> ideal_census(3)
    {0: 8, 1: 12, 2: 6, 3: 1}
    >>> sum(ideal_census(4).values())
    81
    """
    n = positive_int(n_bits, "n_bits")
    return {k: comb(n, k) * 2 ** (n - k) for k in range(n + 1)}


@dataclass(repr=False)
class Census:
    """The fixed points of a trained flip-flop network, labelled by their readout.

    Attributes
    ----------
    points : FixedPoints
        The distinct fixed points (status ``'fixed'``) of the closed loop, sorted by number
        of unstable dimensions.
    readout : ndarray, shape (n_points, n_out)
        :math:`z = W_o \\phi(x^*)` at each point.
    bits : ndarray of int, shape (n_points, n_out)
        Readout pattern: sign of the readout, 0 where :math:`|z| <` ``zero_threshold``.
    connections : list of tuple of int
        For each point, the indices (into ``points``) of the memories its unstable manifold
        leads to; empty for a memory.
    connected_bits : ndarray of int, shape (n_points, n_out)
        Connection pattern: for a saddle, the sign its connected memories share on each bit,
        0 where they disagree (all 0 when it connects none); for a memory, its readout sign.
    n_bits : int
        Number of readouts (bits).
    seeds_used : dict
        Number of starts of each kind (origin, output-space, trajectory, midpoints,
        centroids, perturbed, mirror) over all rounds.
    starts : ndarray, shape (n_starts, N)
        Every start, in the order made.
    start_kind : ndarray of str, shape (n_starts,)
    start_point : ndarray of int, shape (n_starts,)
        Index into ``points`` of the point each start reached, -1 for none.
    start_minimised : ndarray of bool, shape (n_starts,)
        Whether the start was minimised (False: resolved by chord steps or as a mirror).
    slow_points : FixedPoints
        Slow points met on the way (status ``'slow'``), not counted in the census.
    rounds_run : int
    seconds : float
        Wall-clock time of the census.
    """

    points: FixedPoints
    readout: np.ndarray
    bits: np.ndarray
    connections: list[tuple[int, ...]]
    connected_bits: np.ndarray
    n_bits: int
    seeds_used: dict[str, int]
    starts: np.ndarray
    start_kind: np.ndarray
    start_point: np.ndarray
    start_minimised: np.ndarray
    slow_points: FixedPoints
    rounds_run: int
    seconds: float
    zero_threshold: float = 0.5

    def counts(self) -> dict[int, int]:
        """Number of points by number of unstable dimensions."""
        return self.points.counts()

    def ideal(self) -> dict[int, int]:
        """The ideal counts for this many bits (:func:`ideal_census`)."""
        return ideal_census(self.n_bits)

    @property
    def zero_bits(self) -> np.ndarray:
        """Number of zero bits of each point's connection pattern, shape ``(n_points,)``."""
        return np.sum(self.connected_bits == 0, axis=1)

    @property
    def stable_patterns(self) -> list[tuple]:
        """Bit patterns (readout signs) of the stable points, sorted."""
        stable = self.points.n_unstable == 0
        return sorted(tuple(int(b) for b in row) for row in self.connected_bits[stable])

    @property
    def complete(self) -> bool:
        """Ideal counts, all 2^n memories, and every saddle connecting the corners of a face
        of as many dimensions as it has unstable ones."""
        patterns = self.stable_patterns
        saddles = np.flatnonzero(self.points.n_unstable > 0)
        return (
            self.counts() == self.ideal()
            and bool(np.all(self.zero_bits == self.points.n_unstable))
            and all(len(self.connections[i]) >= 2 for i in saddles)
            and len(set(patterns)) == len(patterns) == 2**self.n_bits
            and all(0 not in p for p in patterns)
        )

    def table(self) -> str:
        """Found against ideal per number of unstable dimensions, with the tolerances."""
        counts, ideal = self.counts(), self.ideal()
        lines = [
            f"{'unstable dims':>13}  {'found':>5}  {'ideal':>5}  {'zero bits = unstable':>20}"
            f"  {'readout agrees':>14}"
        ]
        agrees = np.all(self.bits == self.connected_bits, axis=1)
        for k in sorted(set(counts) | set(ideal)):
            at_k = self.points.n_unstable == k
            match = int(np.sum(self.zero_bits[at_k] == k))
            lines.append(
                f"{k:>13}  {counts.get(k, 0):>5}  {ideal.get(k, 0):>5}  {match:>20}"
                f"  {int(np.sum(agrees[at_k])):>14}"
            )
        verdict = "complete" if self.complete else "incomplete"
        lines.append(
            f"{'total':>13}  {self.points.n_points:>5}  {sum(ideal.values()):>5}  {verdict:>20}"
            f"  {int(np.sum(agrees)):>14}"
        )
        lines.append(
            "zero bits: of the connection pattern (the memories each saddle's unstable manifold "
            f"leads to); readout agrees: |z| < {self.zero_threshold:g} gives the same pattern"
        )
        lines.append(f"tolerances: {self.points.tolerances}")
        if self.slow_points.n_points:
            lines.append(f"also {self.slow_points.n_points} slow points (not counted)")
        kinds = ", ".join(f"{k} {v}" for k, v in self.seeds_used.items() if v)
        lines.append(
            f"{len(self.starts)} starts ({kinds}); {int(self.start_minimised.sum())} minimised; "
            f"{self.rounds_run} rounds, {self.seconds:.1f} s"
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.table()


def connected_bits(readout: np.ndarray, links: list, n_unstable: np.ndarray) -> np.ndarray:
    """Memories keep their readout sign; a saddle gets the signs its memories share."""
    signs = np.sign(readout).astype(int)
    out = np.where(n_unstable[:, None] == 0, signs, 0)
    for i, link in enumerate(links):
        if n_unstable[i] > 0 and link:
            B = signs[list(link)]
            out[i] = np.where(np.all(B == B[0], axis=0), B[0], 0)
    return out


def readout_bits(z: np.ndarray, zero_threshold: float) -> np.ndarray:
    """The bit each readout ``z`` stands for: its sign, or 0 where :math:`|z| <` ``zero_threshold``."""
    return np.where(np.abs(z) < zero_threshold, 0, np.sign(z)).astype(int)
