r"""How the phase portrait of an echo state network forms during training (Jang §6.1, Fig. 7).

FORCE changes only the readout :math:`W_o`, so the closed loop
:math:`\dot x = -x + (W_r + W_{fb} W_o)\tanh x` changes by a rank-:math:`n_{out}` term as
training goes on. :func:`train_force` keeps snapshots of :math:`W_o`
(:attr:`ForceHistory.snapshots`); here the fixed points of the closed loop are found for each
snapshot, always from the *same* initial states (Jang: "a fixed set of initial states"),
so that what changes between two pictures is the network, not the search.

What to expect for a gain :math:`g < 1`: before the first update (:math:`W_o = 0`) the only
fixed point is the origin, and it is stable, because :math:`J(0) = -I + W_r` has its
eigenvalues in a disk of radius :math:`g` around :math:`-1`. Within the first few hundred
updates the origin turns into a saddle and a few points appear; later the full cube of
memories (8 stable corners, 12 edge saddles, 6 face saddles and the centre) takes shape.
For :math:`g > 1` (Jang's Table 1) the first picture is already different: the origin of the
untrained reservoir has dozens of unstable directions.

Each snapshot costs a fixed-point search of an :math:`N`-dimensional system, so the search
per snapshot is kept small (fewer starts and rounds than a full census).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from rnnlab._internal.progress import progress_bar
from rnnlab._internal.validation import positive_int
from rnnlab.analysis.projection import PCA
from rnnlab.dynamics.stability import n_unstable
from rnnlab.flipflop.census import Census, census
from rnnlab.models.esn import ESN
from rnnlab.models.force import ForceHistory

__all__ = ["Evolution", "fixed_point_pca", "fixed_points_over_training"]


@dataclass(repr=False)
class Evolution:
    """Fixed points of the closed loop at several readout snapshots of one training run.

    Attributes
    ----------
    updates : ndarray of int, shape (n_snapshots,)
        RLS updates each snapshot had seen (0: the untrained readout).
    readouts : ndarray, shape (n_snapshots, n_out, N)
        The snapshots :math:`W_o`.
    censuses : list of Census
        The fixed points of ``esn.closed_loop(W_o)`` for each snapshot.
    """

    updates: np.ndarray
    readouts: np.ndarray
    censuses: list[Census]
    _origin: np.ndarray | None = field(default=None, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.censuses)

    def __getitem__(self, i: int) -> Census:
        return self.censuses[i]

    def __iter__(self) -> Iterator[Census]:
        return iter(self.censuses)

    def counts(self) -> list[dict[int, int]]:
        """Per snapshot, the number of fixed points by number of unstable dimensions."""
        return [c.counts() for c in self.censuses]

    @property
    def n_points(self) -> np.ndarray:
        """Number of fixed points found at each snapshot, shape ``(n_snapshots,)``."""
        return np.array([c.points.n_fixed for c in self.censuses])

    @property
    def n_stable(self) -> np.ndarray:
        """Number of stable fixed points at each snapshot, shape ``(n_snapshots,)``."""
        return np.array([c.counts().get(0, 0) for c in self.censuses])

    def origin_unstable(self) -> np.ndarray:
        """Unstable dimensions of the origin (always a fixed point here) at each snapshot.

        Counts eigenvalues of :math:`J(0) = -I + W_r + W_{fb} W_o` with
        :math:`\\operatorname{Re}\\lambda > 0`, whether or not the search found the origin.
        """
        if self._origin is None:  # one eigen-decomposition of an N x N matrix per snapshot
            counts = []
            for c in self.censuses:
                system = c.points.system
                counts.append(int(n_unstable(system.eigenvalues(np.zeros(system.dim)))))
            self._origin = np.array(counts)
        return self._origin.copy()

    def table(self) -> str:
        """One line per snapshot: updates, points found, and points by unstable dimensions."""
        lines = [f"{'updates':>8}  {'points':>6}  by unstable dimensions"]
        for u, c in zip(self.updates, self.censuses, strict=True):
            lines.append(f"{int(u):>8}  {c.points.n_fixed:>6}  {c.counts()}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.table()


def _snapshot_indices(history: ForceHistory, every: int, updates) -> np.ndarray:
    available = np.asarray(history.snapshot_updates)
    if updates is None:
        idx = np.arange(0, len(available), every)
        if idx[-1] != len(available) - 1:
            idx = np.append(idx, len(available) - 1)  # always include the trained readout
        return idx
    idx = []
    if np.size(updates) == 0:
        raise ValueError("updates must name at least one snapshot, got an empty sequence")
    for u in np.atleast_1d(updates):
        hit = np.flatnonzero(available == u)
        if hit.size == 0:
            raise ValueError(
                f"no snapshot after {u} updates; the history has snapshots every "
                f"{available[1] - available[0] if len(available) > 1 else 0} updates, "
                f"from 0 to {available[-1]}"
            )
        idx.append(int(hit[0]))
    return np.array(idx)


def fixed_points_over_training(
    esn: ESN,
    history: ForceHistory,
    states,
    *,
    every: int = 1,
    updates: Sequence[int] | None = None,
    n_samples: int = 10,
    rounds: int = 2,
    scales: Sequence[float] = (1.0,),
    seed: int,
    progress: bool = False,
    **census_kwargs,
) -> Evolution:
    """The fixed points of the closed loop at readout snapshots taken during training.

    For each chosen snapshot :math:`W_o^{(k)}` of ``history``, :func:`rnnlab.flipflop.census.census`
    searches the fixed points of :math:`\\dot x = -x + (W_r + W_{fb} W_o^{(k)})\\tanh x`,
    starting from the same ``n_samples`` states drawn from ``states`` (same ``seed``) at
    every snapshot, then from the points' mirror images, midpoints and centroids for
    ``rounds`` rounds. ``esn`` itself is not changed.

    Parameters
    ----------
    esn : ESN
        The trained network (its :math:`W_r` and :math:`W_{fb}`; its readout is not used).
    history : ForceHistory
        From :func:`rnnlab.train_force` on ``esn``.
    states : array_like, shape (..., N)
        States to draw the starts from, e.g. a test run of the trained network.
    every : int
        Use every ``every``-th stored snapshot (the last one is always included).
    updates : sequence of int, optional
        Instead of ``every``: the update counts to analyse; each must be one of
        ``history.snapshot_updates``.
    n_samples, rounds : int
        Budget of each search: trajectory starts, and rounds of derived starts.
    scales : sequence of float
        Scales of the output-space starts (one scale, where a full census uses three).
        The defaults keep a snapshot of an N = 500 network to a few seconds; with
        :func:`rnnlab.flipflop.census.census`'s defaults it takes several times longer.
    seed : int
        Draws the starts (the same at every snapshot).
    progress : bool
        Show a progress bar over snapshots (tqdm).
    **census_kwargs
        Passed to :func:`rnnlab.flipflop.census.census` (``noise``, ``tol_fixed``, ``tol_slow``, ...).

    Returns
    -------
    Evolution

    Examples
    --------
    >>> from rnnlab import ESN, FlipFlopTask, train_force
    >>> esn = ESN(60, g=0.6, seed=0)
    >>> u, y = FlipFlopTask(3, pulse_rate=0.01, pulse_at_start=True).generate(2000, seed=0)
    >>> history = train_force(esn, u, y, snapshot_every=500)
    >>> states, _ = esn.run(u[:500])
    >>> evo = fixed_points_over_training(esn, history, states, updates=[0], n_samples=5, seed=0)
    >>> evo.counts()  # before training (g < 1): only the origin, stable
    [{0: 1}]
    """
    if not isinstance(esn, ESN):
        raise TypeError(f"esn must be an rnnlab.ESN, got {type(esn).__name__}")
    if not isinstance(history, ForceHistory):
        raise TypeError(
            f"history must be a ForceHistory from train_force, got {type(history).__name__}"
        )
    if history.snapshots.shape[1:] != (esn.n_out, esn.N):
        raise ValueError(
            f"history holds readouts of shape {history.snapshots.shape[1:]}, but esn needs "
            f"{(esn.n_out, esn.N)}: was it trained on this network?"
        )
    every = positive_int(every, "every")
    idx = _snapshot_indices(history, every, updates)
    bar = progress_bar(len(idx), "snapshots", unit="snapshot") if progress else None
    censuses = []
    for i in idx:
        censuses.append(
            census(
                esn,
                states,
                W_o=history.snapshots[i],
                n_samples=n_samples,
                rounds=rounds,
                scales=scales,
                seed=seed,
                **census_kwargs,
            )
        )
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return Evolution(
        updates=np.asarray(history.snapshot_updates)[idx].copy(),
        readouts=history.snapshots[idx].copy(),
        censuses=censuses,
    )


def fixed_point_pca(points, n_components: int = 3, *, correlation: bool = True) -> PCA:
    """Jang's view (§6, Fig. 6): principal components fitted on the fixed points themselves.

    Parameters
    ----------
    points : Census, FixedPoints or array_like, shape (n_points, N)
        At least two points; with the ideal 3-bit census, 27.
    n_components : int
    correlation : bool
        Standardise every unit over the points first (Jang's correlation-matrix PCA).

    Returns
    -------
    PCA
        Fitted; project trajectories and other points with ``.transform``.
    """
    if isinstance(points, Census):
        points = points.points
    x = getattr(points, "x", points)
    return PCA(n_components, correlation=correlation).fit(x)
