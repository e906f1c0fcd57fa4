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

from ._validation import as_matrix, positive_float, positive_int

__all__ = ["centroids", "grid_2d", "midpoints", "mirror", "sample_states"]


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
