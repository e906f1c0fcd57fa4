r"""The memories of a trained flip-flop network: its stable fixed points, one per bit pattern.

With the feedback folded into the reservoir, :math:`W_c = W_r + W_{fb} W_o`, a memory is a
stable fixed point :math:`x^*` of the closed loop,

.. math::

    F(x) = -x + W_c\,\phi(x) = 0, \qquad
    \operatorname{Re}\lambda_{\max}(J^*) < 0, \quad
    J^* = -I + W_c \operatorname{diag}\phi'(x^*),

that reads out a bit pattern :math:`p = \operatorname{sign}(W_o\phi(x^*)) \in \{-1, +1\}^n`.
:func:`find_memories` finds the :math:`2^n` of them by writing each pattern with the task's
own input pulses and polishing the end states by Newton's method; :func:`memory_distances`
measures how far apart they are, in RMS distance per unit
:math:`d_{ij} = |x_i - x_j|/\sqrt N`. What noise in the weights does to the memories is in
:mod:`rnnlab.flipflop.noise_memories`.

References
----------
.. [1] E. V. Jang, "Recurrent neural networks: a dynamical systems perspective", §8
   (the memories of trained flip-flop networks as stable fixed points).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from rnnlab._internal.blas import blas_limited
from rnnlab._internal.validation import positive_float, positive_int
from rnnlab.dynamics.stability import rightmost_real_part
from rnnlab.fixedpoints.newton import chord_newton, lu_at
from rnnlab.models.esn import ESN

__all__ = ["Memories", "find_memories", "memory_distances"]


# -- memories as fixed points -----------------------------------------------------------------
@dataclass(repr=False)
class Memories:
    """The stable fixed points of a trained flip-flop network, one per bit pattern.

    Attributes
    ----------
    x : ndarray, shape (K, N)
        The memories.
    patterns : ndarray of int, shape (K, n_out)
        Their bit patterns, :math:`\\operatorname{sign}(W_o\\phi(x))`.
    missing : list of tuple
        Patterns for which no stable point was found.
    """

    x: np.ndarray
    patterns: np.ndarray
    missing: list

    def __len__(self) -> int:
        return len(self.x)

    def __repr__(self) -> str:
        return f"Memories({len(self)} of {len(self) + len(self.missing)} patterns)"


@blas_limited
def find_memories(
    esn: ESN, *, pulse_length: int = 11, gap: int = 40, hold: int = 300, tol_fixed: float = 1e-20
) -> Memories:
    """The :math:`2^n` memories: write each bit pattern, let the network settle, polish.

    For every pattern :math:`p \\in \\{-1, +1\\}^n` the network starts at ``esn.x0`` and
    its channels are written one after the other, as in the task: channel :math:`j` gets the
    pulse :math:`p_j` for ``pulse_length`` steps followed by ``gap`` silent steps. The
    pattern is written twice (a pulse that arrives while the network holds no memory yet
    can fail to switch it), then ``hold`` more silent steps follow (all patterns in one
    batch). Newton's method polishes the end states into fixed points (:math:`q <`
    ``tol_fixed``) and the rightmost eigenvalue of the Jacobian (Arnoldi) tests their
    stability. A pattern is stored when its run ends at a *stable* fixed point whose
    readout has the signs of :math:`p`, distinct from the other patterns' points. A pattern
    not reached this way gets a second chance: from each memory that differs from it in one
    bit, that bit is flipped by a pulse. A pattern still missing was not reached by the
    task's own inputs; it may be absent or have too small a basin.

    Returns
    -------
    Memories
    """
    if not isinstance(esn, ESN):
        raise TypeError(f"esn must be an rnnlab.ESN, got {type(esn).__name__}")
    pulse_length, gap = positive_int(pulse_length, "pulse_length"), positive_int(gap, "gap")
    hold = positive_int(hold, "hold")
    tol_fixed = positive_float(tol_fixed, "tol_fixed")
    n = esn.n_out
    if esn.n_in != n:
        raise ValueError(f"a flip-flop network has n_in = n_out, got {esn.n_in} and {n}")
    patterns = np.array(list(itertools.product((-1.0, 1.0), repeat=n)), dtype=int)
    W_c = esn.W_r + esn.W_fb @ esn.W_o
    system = esn.closed_loop()
    timing = (pulse_length, gap, hold)
    start = np.broadcast_to(esn.x0, (len(patterns), esn.N))
    X = _write(esn, W_c, start, [(j, patterns[:, j]) for j in list(range(n)) * 2], timing)
    ok, X = _memories_at(esn, system, X, patterns, tol_fixed)
    # Second chance for a pattern not reached: from each memory one bit away, flip that bit.
    for p in np.flatnonzero(~ok):
        for q in np.flatnonzero(ok & (np.sum(patterns != patterns[p], axis=1) == 1)):
            j = int(np.flatnonzero(patterns[q] != patterns[p])[0])
            Xp = _write(esn, W_c, X[q : q + 1], [(j, patterns[p : p + 1, j])], timing)
            ok_p, Xp = _memories_at(esn, system, Xp, patterns[p : p + 1], tol_fixed)
            if ok_p[0] and np.all(np.max(np.abs(X[ok] - Xp[0]), axis=1) >= 1e-5):
                ok[p], X[p] = True, Xp[0]
                break
    return Memories(
        x=X[ok],
        patterns=patterns[ok],
        missing=[tuple(int(b) for b in p) for p in patterns[~ok]],
    )


def _write(esn: ESN, W_c, X0, pulses, timing) -> np.ndarray:
    """Run from states ``X0``: each (channel, signs) pulse, a gap, then the hold."""
    pulse_length, gap, hold = timing
    f = esn.phi.f
    X = np.array(X0, dtype=float)
    for j, signs in pulses:
        pulse = np.outer(signs, esn.B[:, j])
        for t in range(pulse_length + gap):
            esn.euler_step(X, f(X) @ W_c.T + (pulse if t < pulse_length else 0.0))
    for _ in range(hold):
        esn.euler_step(X, f(X) @ W_c.T)
    return X


def _memories_at(esn: ESN, system, X, patterns, tol_fixed):
    """Polish the states by Newton's method; which are distinct stable points with their pattern."""
    lus = [lu_at(system, x) for x in X]
    X, fixed = chord_newton(
        system, X, lus, max_iter=50, converged=lambda X, F: 0.5 * np.sum(F * F, axis=1) < tol_fixed
    )
    ok = fixed & np.all(_pattern(esn, X) == patterns, axis=1)
    for k in np.flatnonzero(ok):
        ok[k] = rightmost_real_part(system._jacobian(X[k][None])[0]) < 0
        if ok[k] and k and np.any(np.max(np.abs(X[:k][ok[:k]] - X[k]), axis=1) < 1e-5):
            ok[k] = False
    return ok, X


def _pattern(esn: ESN, X: np.ndarray) -> np.ndarray:
    return np.sign(esn.phi.f(X) @ esn.W_o.T).astype(int)


def memory_distances(memories: Memories) -> dict[str, np.ndarray]:
    """How far apart the memories are (RMS distance per unit, :math:`|x_i - x_j|/\\sqrt N`).

    Returns
    -------
    dict
        ``pairwise`` (K, K): all distances; ``nearest`` (K,): to the nearest other memory;
        ``neighbours`` (n_pairs,): between memories that differ in exactly one bit (the
        pairs an input pulse switches between, joined through an edge saddle).

    Examples
    --------
    >>> two = Memories(x=np.array([[1.0, 1.0], [1.0, -1.0]]), patterns=np.array([[1], [-1]]),
    ...                missing=[])
    >>> memory_distances(two)["nearest"]  # |(0, 2)| / sqrt(2)
    array([1.41421356, 1.41421356])
    """
    if not isinstance(memories, Memories):
        raise TypeError(f"memories must come from find_memories, got {type(memories).__name__}")
    X, P = memories.x, memories.patterns
    if len(X) < 2:
        raise ValueError(f"need at least 2 memories to measure distances, got {len(X)}")
    d = np.sqrt(np.maximum(_sqdist(X, X), 0.0) / X.shape[1])
    off = d + np.diag(np.full(len(X), np.inf))
    i, j = np.triu_indices(len(X), 1)
    one_bit = np.sum(P[i] != P[j], axis=1) == 1
    return {"pairwise": d, "nearest": off.min(axis=1), "neighbours": d[i[one_bit], j[one_bit]]}


def _sqdist(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    return np.sum(A * A, axis=1)[:, None] - 2.0 * A @ B.T + np.sum(B * B, axis=1)[None, :]
