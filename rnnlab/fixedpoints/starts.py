"""Initial states for the fixed-point finder.

The finder only finds what its initial states lead to. Good seeds: states the network
actually visits (sampled from trajectories, with a little noise to leave the attractors),
a grid for a 2-D system, and points *between* points already found: the midpoint of two
stable points is near the saddle that separates them, the centroid of a face of a cube of
memories near a higher-index saddle (Jang §6), and ``-x*`` of every point of an odd system.
"""

from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np

from rnnlab._internal.validation import as_matrix, positive_float, positive_int

__all__ = ["centroids", "grid_2d", "grid_starts", "midpoints", "mirror", "sample_states"]


def sample_states(
    trajectories, n: int, *, noise: float = 0.0, seed: int | np.random.Generator
) -> np.ndarray:
    """Pick ``n`` distinct states from trajectories and add Gaussian noise.

    Parameters
    ----------
    trajectories : array_like, shape (..., N)
        Any stack of states, e.g. ``(T, N)`` or ``(B, T, N)`` from :func:`rnnlab.simulate`.
    n : int
        Number of states (at most the number of states available).
    noise : float
        Standard deviation of the added noise.
    seed : int or Generator

    Returns
    -------
    ndarray, shape (n, N)
    """
    arr = np.asarray(trajectories, dtype=float)
    if arr.ndim < 2:
        raise ValueError(f"trajectories must have shape (..., N), got {arr.shape}")
    states = as_matrix(arr.reshape(-1, arr.shape[-1]), "trajectories")
    n = positive_int(n, "n")
    if n > len(states):
        raise ValueError(f"n ({n}) exceeds the number of states available ({len(states)})")
    noise = positive_float(noise, "noise", allow_zero=True)
    rng = np.random.default_rng(seed)
    picked = states[rng.choice(len(states), size=n, replace=False)]
    return picked + noise * rng.standard_normal(picked.shape)


def grid_2d(
    xlim: tuple[float, float], ylim: tuple[float, float], n: int | tuple[int, int]
) -> np.ndarray:
    """A regular grid of 2-D states, shape ``(nx * ny, 2)``."""
    nx, ny = (n, n) if np.isscalar(n) else n
    nx, ny = positive_int(nx, "n"), positive_int(ny, "n")
    for name, lim in (("xlim", xlim), ("ylim", ylim)):
        if len(lim) != 2 or not np.all(np.isfinite(lim)) or lim[0] >= lim[1]:
            raise ValueError(f"{name} must be (low, high) with low < high, got {lim}")
    gx, gy = np.meshgrid(np.linspace(*xlim, nx), np.linspace(*ylim, ny))
    return np.column_stack([gx.ravel(), gy.ravel()])


def midpoints(points) -> np.ndarray:
    """Midpoints of every pair of points, shape ``(n (n - 1) / 2, N)``."""
    P = as_matrix(points, "points")
    if len(P) < 2:
        return np.empty((0, P.shape[1]))
    i, j = np.triu_indices(len(P), k=1)
    return 0.5 * (P[i] + P[j])


def centroids(points, size: int | None = None, *, max_count: int = 100_000) -> np.ndarray:
    """Centroids of subsets of points.

    Parameters
    ----------
    points : array_like, shape (n, N)
    size : int, optional
        Subset size; all ``C(n, size)`` subsets. By default the one centroid of all points.
    max_count : int
        Refuse to make more centroids than this.

    Returns
    -------
    ndarray, shape (n_subsets, N)
    """
    P = as_matrix(points, "points")
    if size is None:
        return P.mean(axis=0, keepdims=True)
    size = positive_int(size, "size")
    if size > len(P):
        raise ValueError(f"size ({size}) exceeds the number of points ({len(P)})")
    if comb(len(P), size) > max_count:
        raise ValueError(f"C({len(P)}, {size}) subsets exceed max_count={max_count}")
    return np.array([P[list(c)].mean(axis=0) for c in combinations(range(len(P)), size)])


def mirror(points) -> np.ndarray:
    """``-x`` for every point: fixed points of an odd system come in pairs."""
    return -as_matrix(points, "points")


def grid_starts(
    *limits: tuple[float, float], n: int | tuple[int, ...], max_states: int = 100_000
) -> np.ndarray:
    r"""A regular grid of states in any dimension: one ``(low, high)`` pair per coordinate.

    .. math::

        x = (x_1, \dots, x_N), \qquad
        x_d \in \{\text{low}_d + k\,\tfrac{\text{high}_d - \text{low}_d}{n_d - 1}\}_{k=0}^{n_d - 1}.

    Parameters
    ----------
    *limits : (float, float)
        ``(low, high)`` for each coordinate, ``low < high``; their number is the dimension
        :math:`N`.
    n : int or tuple of int
        Points per coordinate: one number for all, or one per coordinate. With ``n = 1``
        a coordinate takes its ``low`` value.
    max_states : int
        Refuse a grid with more states than this: :math:`\prod_d n_d` grows fast
        (11 points per coordinate in 6 dimensions are 1.77 million states).

    Returns
    -------
    ndarray, shape (prod(n), N)
        The first coordinate varies fastest; in 2-D this is :func:`grid_2d`.

    Examples
    --------
    >>> grid_starts((-1, 1), (0, 2), (5, 6), n=2)[:3]
    array([[-1.,  0.,  5.],
           [ 1.,  0.,  5.],
           [-1.,  2.,  5.]])
    """
    if not limits:
        raise ValueError("grid_starts needs one (low, high) pair per coordinate, got none")
    dim = len(limits)
    counts = (n,) * dim if np.isscalar(n) else tuple(n)
    if len(counts) != dim:
        raise ValueError(f"n must be one int or one per coordinate ({dim}), got {n!r}")
    counts = tuple(positive_int(c, "n") for c in counts)
    for d, lim in enumerate(limits):
        arr = np.asarray(lim, dtype=float) if np.ndim(lim) == 1 else None
        if arr is None or arr.shape != (2,) or not np.all(np.isfinite(arr)) or arr[0] >= arr[1]:
            raise ValueError(f"limits[{d}] must be (low, high) with low < high, got {lim!r}")
    total = int(np.prod(counts, dtype=object))
    max_states = positive_int(max_states, "max_states")
    if total > max_states:
        raise ValueError(
            f"the grid would hold {total} states (n = {counts}), more than max_states = {max_states}"
        )
    axes = [np.linspace(lo, hi, c) for (lo, hi), c in zip(limits, counts, strict=True)]
    # 'ij' indexing over the reversed axes makes the first coordinate vary fastest
    mesh = np.meshgrid(*axes[::-1], indexing="ij")
    return np.column_stack([m.ravel() for m in mesh[::-1]])
