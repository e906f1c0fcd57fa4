"""Checks for chapter 05's exercises, with the wrong answers students commonly give.

One function per exercise, named after it; each wraps a check of :mod:`rnnlab.course.check` with
the exercise's reference and its :class:`~rnnlab.course.check.Misconception` hints.

The exercises and the mistakes each check recognises:

- ``05-transfer-by-hand`` (:func:`transfer_by_hand`): the two new columns drawn in the other
  order, a random instead of a zero readout row, new columns drawn from U(0, 1);
- ``05-predict-head-start`` (:func:`head_start`): a head start believed to last, or believed
  never to have existed;
- ``05-edge-lengths`` (:func:`edge_lengths`): RMS distance per unit instead of the Euclidean
  one, every pair that differs in bit i counted (not only those one bit apart);
- ``05-predict-old-memories`` (:func:`old_memories`): the old memories believed to stay
  stable, or to vanish;
- ``05-analyse-split`` (:func:`split`): the shift not measured in old edges, the old cube's
  edge taken over all pairs, the new bit taken as the first one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from rnnlab.course.check import AnswerError, Misconception, check_array, check_choice
from rnnlab.flipflop.memories import find_memories
from rnnlab.models.esn import ESN

__all__ = [
    "FATES",
    "HEAD_START",
    "edge_lengths",
    "head_start",
    "old_memories",
    "reference_split",
    "split",
    "transfer_by_hand",
]

#: The choices of ``05-predict-head-start``.
HEAD_START = (
    "keeps its lead",
    "loses its lead within a few hundred updates",
    "starts no better than scratch",
)

#: The choices of ``05-predict-old-memories``.
FATES = (
    "stay stable memories",
    "become saddles with 1 unstable dimension along bit 4",
    "vanish",
)


# -- 05-transfer-by-hand ---------------------------------------------------------------------


def transfer_by_hand(student: Callable, source: ESN, seed: int = 7) -> None:
    """Check ``student(W_fb, B, W_o, rng)`` against :func:`rnnlab.models.transfer.transfer`.

    Parameters
    ----------
    student : callable
        Returns ``(W_fb', B', W_o')`` for one more bit, drawing the new column of ``W_fb``
        and then that of ``B`` from ``rng`` with ``rng.uniform(-1, 1, size=(N, 1))``.
    source : ESN
        The network to transfer from.
    seed : int
        Seed of the generator handed to ``student`` and to ``transfer``.

    Raises
    ------
    AnswerError
        At the first matrix that differs, naming a swapped draw order, a random readout row
        or columns drawn from U(0, 1).
    """
    from rnnlab.models.transfer import transfer

    if not isinstance(source, ESN):
        raise TypeError(f"source must be an rnnlab.ESN, got {type(source).__name__}")
    answer = student(source.W_fb, source.B, source.W_o, np.random.default_rng(seed))
    if not isinstance(answer, tuple | list) or len(answer) != 3:
        raise AnswerError("transfer_by_hand should return a tuple (W_fb', B', W_o') of 3 arrays")
    ref = transfer(source, new_bits=1, seed=seed)
    N = source.N
    rng = np.random.default_rng(seed)
    first, second = rng.uniform(-1.0, 1.0, size=(N, 1)), rng.uniform(-1.0, 1.0, size=(N, 1))
    third = rng.uniform(-1.0, 1.0, size=(1, N))
    rng = np.random.default_rng(seed)
    unit_fb, unit_b = rng.random((N, 1)), rng.random((N, 1))
    order = (
        "The two new columns were drawn in the other order: draw the column of W_fb first, "
        "then that of B (the check's generator, like transfer's, draws them in this order)."
    )
    unit = (
        "The new columns should be uniform on (-1, 1) like the old ones: rng.random draws "
        "from (0, 1); use rng.uniform(-1, 1, size=(N, 1))."
    )
    check_array(
        answer[0],
        ref.W_fb,
        "W_fb'",
        misconceptions=[
            Misconception(np.hstack([source.W_fb, second]), order),
            Misconception(np.hstack([source.W_fb, unit_fb]), unit),
        ],
    )
    check_array(
        answer[1],
        ref.B,
        "B'",
        misconceptions=[
            Misconception(np.hstack([source.B, first]), order),
            Misconception(np.hstack([source.B, unit_b]), unit),
        ],
    )
    check_array(
        answer[2],
        ref.W_o,
        "W_o'",
        misconceptions=[
            Misconception(
                np.vstack([source.W_o, third]),
                "The new readout row must be zero: then z_4 = 0, nothing is fed back through "
                "the new column w_fb, and the transferred network is exactly the old one "
                "until retraining starts. A random row would feed noise into every unit.",
            )
        ],
    )


# -- 05-predict-head-start -------------------------------------------------------------------


def _lead_at(acc_transfer, acc_scratch, updates, n: int) -> float:
    k = list(updates).index(n)
    return float(np.asarray(acc_transfer)[k, 0] - np.asarray(acc_scratch)[k, 0])


def head_start(prediction: str, acc_transfer, acc_scratch, updates: Sequence[int]) -> None:
    """Check the predicted fate of the transferred network's head start on the old bits.

    The lead is the transferred network's accuracy on the old bits minus the scratch
    network's: it never existed when it is below 0.2 at 0 updates, and it is lost when it is
    below 0.1 after 300 updates.

    Parameters
    ----------
    prediction : str
        One of :data:`HEAD_START`.
    acc_transfer, acc_scratch : array_like, shape (len(updates), 2)
        Frozen-weight sign accuracy of the readout snapshots, old bits in column 0.
    updates : sequence of int
        The RLS update counts of the snapshots; must contain 0 and 300.

    Raises
    ------
    AnswerError
        For a wrong choice, saying what the measured accuracies show.
    """
    if 0 not in updates or 300 not in updates:
        raise ValueError(f"updates must contain 0 and 300, got {list(updates)}")
    lead0 = _lead_at(acc_transfer, acc_scratch, updates, 0)
    lead300 = _lead_at(acc_transfer, acc_scratch, updates, 300)
    if lead0 < 0.2:
        reference = HEAD_START[2]
    elif lead300 < 0.1:
        reference = HEAD_START[1]
    else:
        reference = HEAD_START[0]
    hints = {
        HEAD_START[0]: "The lead does not survive retraining: P restarts at I/alpha, so the "
        "first RLS updates make large corrections to every readout row, and as z_4 grows the "
        "new feedback w_fb z_4 moves every unit, so the old rows no longer read the old bits. "
        f"After 300 updates the lead on the old bits is {lead300:+.2f}.",
        HEAD_START[2]: "Before the first update the transferred network *is* the 3-bit network "
        "(zero readout row, nothing fed back through w_fb): it reads the old bits "
        f"{lead0:+.2f} better than the untrained network from scratch.",
    }
    check_choice(
        prediction,
        reference,
        HEAD_START,
        "prediction",
        misconceptions=[Misconception(w, h) for w, h in hints.items() if w != reference],
    )


# -- 05-edge-lengths -------------------------------------------------------------------------


def _edge_lengths(memories, patterns, *, one_bit: bool = True) -> np.ndarray:
    X, P = np.asarray(memories, dtype=float), np.asarray(patterns)
    sums, counts = np.zeros(P.shape[1]), np.zeros(P.shape[1])
    for a, b in itertools.combinations(range(len(P)), 2):
        differ = np.flatnonzero(P[a] != P[b])
        for i in differ if not one_bit else (differ if len(differ) == 1 else ()):
            sums[i] += np.linalg.norm(X[a] - X[b])
            counts[i] += 1
    return sums / counts


def edge_lengths(student: Callable, memories, patterns) -> None:
    """Check ``student(memories, patterns)``: mean Euclidean edge length for each bit.

    Parameters
    ----------
    student : callable
        Returns, for each bit i, the mean Euclidean distance between memories whose patterns
        differ in bit i only; shape ``(n_bits,)``.
    memories : array_like, shape (2**n, N)
    patterns : array_like, shape (2**n, n)

    Raises
    ------
    AnswerError
        Naming an RMS distance (divided by sqrt N) or pairs that differ in more bits.
    """
    memories = np.asarray(memories, dtype=float)
    reference = _edge_lengths(memories, patterns)
    check_array(
        student(memories, patterns),
        reference,
        "edge lengths",
        rtol=1e-10,
        misconceptions=[
            Misconception(
                reference / np.sqrt(memories.shape[1]),
                "That is the RMS distance per unit |x - y|/sqrt(N); the exercise asks for the "
                "Euclidean distance |x - y| (np.linalg.norm, not divided by sqrt N).",
            ),
            Misconception(
                _edge_lengths(memories, patterns, one_bit=False),
                "You averaged over every pair that differs in bit i, also pairs that differ in "
                "other bits too. An edge joins two memories that differ in bit i *only*: keep "
                "the pairs with exactly one differing bit.",
            ),
        ],
    )


# -- 05-predict-old-memories -----------------------------------------------------------------


def old_memories(prediction: str, distance_in_edges, n_unstable) -> None:
    """Check the predicted fate of the eight old memories after transfer.

    Parameters
    ----------
    prediction : str
        One of :data:`FATES`.
    distance_in_edges : array_like
        Distance of each old memory to the nearest fixed point of the transferred network,
        in old edges.
    n_unstable : array_like of int
        Unstable dimensions of those nearest points.

    The old memories vanish when one of them is more than 0.3 old edges from every fixed
    point; otherwise they stay memories (all nearest points stable) or became saddles (all
    with one unstable dimension).

    Raises
    ------
    AnswerError
        For a wrong choice, naming the misconception (memories kept in place; fixed points
        disappearing when a symmetric pair is born).
    """
    d, k = np.asarray(distance_in_edges, dtype=float), np.asarray(n_unstable)
    if d.shape != k.shape or d.ndim != 1 or len(d) == 0:
        raise ValueError(
            "distance_in_edges and n_unstable must be 1-D of the same nonzero length, got "
            f"shapes {d.shape} and {k.shape}"
        )
    if np.max(d) > 0.3:
        reference = FATES[2]
    elif np.all(k == 0):
        reference = FATES[0]
    elif np.all(k == 1):
        reference = FATES[1]
    else:
        raise ValueError(f"no single fate: unstable dimensions {sorted(k.tolist())}")
    hints = {
        FATES[0]: "Section 3 showed that none of the 16 new memories sits where an old one "
        "was: the two copies b_4 = +-1 lie half an edge on either side. Between two stable "
        "points one bit apart there must be a gate the state crosses when that bit flips, "
        "an edge saddle with one unstable direction, and the old memory is exactly there.",
        FATES[2]: "Fixed points do not vanish that easily: each old memory sits midway "
        "between the two new memories (b_1, b_2, b_3, +-1), and the point in the middle of a "
        "symmetric pair survives as the saddle between them (as in the pitchfork of chapter "
        "01: one stable point becomes two stable points and a saddle).",
    }
    check_choice(
        prediction,
        reference,
        FATES,
        "prediction",
        misconceptions=[Misconception(w, h) for w, h in hints.items() if w != reference],
    )


# -- 05-analyse-split ------------------------------------------------------------------------


def _rms(a, b) -> np.ndarray:
    return np.linalg.norm(a - b, axis=-1) / np.sqrt(a.shape[-1])


def _old_edge(source_x, source_p, *, all_pairs=False) -> float:
    d = _rms(source_x[:, None], source_x[None])
    i, j = np.triu_indices(len(source_x), 1)
    one = np.sum(source_p[i] != source_p[j], axis=1) == 1
    return float(d[i, j].mean() if all_pairs else d[i[one], j[one]].mean())


def _split(source_x, source_p, new_x, new_p, *, all_pairs=False, new_bit_first=False):
    edge = _old_edge(source_x, source_p, all_pairs=all_pairs)
    old = new_p[:, 1:] if new_bit_first else new_p[:, :-1]
    index = [int(np.flatnonzero(np.all(source_p == p, axis=1))[0]) for p in old]
    return _rms(new_x, source_x[index]) / edge


def reference_split(source: ESN, transferred: ESN) -> np.ndarray:
    """Distance of each new memory from the old memory with its first bits, in old edges.

    Both networks' memories come from :func:`rnnlab.find_memories`; distances are RMS per
    unit, and the old edge is the mean distance between old memories one bit apart.
    """
    old, new = find_memories(source), find_memories(transferred)
    if old.missing or new.missing:
        raise ValueError(f"memories missing: source {old.missing}, transferred {new.missing}")
    return _split(old.x, old.patterns, new.x, new.patterns)


def split(student: Callable, source: ESN, transferred: ESN) -> np.ndarray:
    """Check ``student(source, transferred)``: each new memory's shift, in old edges.

    Returns the reference, so the notebook can print what it shows.

    Raises
    ------
    AnswerError
        Naming a shift not divided by the old edge, an old edge averaged over all pairs,
        or the new bit taken as the first one.
    """
    old, new = find_memories(source), find_memories(transferred)
    if old.missing or new.missing:
        raise ValueError(f"memories missing: source {old.missing}, transferred {new.missing}")
    reference = _split(old.x, old.patterns, new.x, new.patterns)
    edge = _old_edge(old.x, old.patterns)
    check_array(
        student(source, transferred),
        reference,
        "shifts in old edges",
        rtol=1e-6,
        misconceptions=[
            Misconception(
                reference * edge,
                "Those are RMS distances per unit, not yet in old edges: divide by the old "
                "cube's edge, the mean distance between old memories one bit apart.",
            ),
            Misconception(
                _split(old.x, old.patterns, new.x, new.patterns, all_pairs=True),
                "Your old edge is the mean over all pairs of old memories; an edge joins two "
                "memories that differ in one bit only.",
            ),
            Misconception(
                _split(old.x, old.patterns, new.x, new.patterns, new_bit_first=True),
                "The new bit is the last one (transfer appends a column): the old "
                "counterpart of (b_1, b_2, b_3, b_4) is the old memory (b_1, b_2, b_3).",
            ),
        ],
    )
    return reference
