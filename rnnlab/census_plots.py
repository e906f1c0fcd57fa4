"""Fixed points drawn by their number of unstable dimensions (a census at a glance).

Stable corners, edge saddles (1 unstable dimension), face saddles (2), the centre (3) and
anything with more each get a marker of their own, in 2-D or 3-D axes, updatable in place.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D

from .plots import FIXED_POINT_STYLE, _set_points

__all__ = [
    "INDEX_STYLE",
    "index_handles",
    "plot_fixed_points_by_index",
    "update_fixed_points_by_index",
]


#: Marker style by number of unstable dimensions, i.e. by place on the cube of memories:
#: corner (0, the memories), edge (1), face (2), centre (3); 4 collects anything higher.
INDEX_STYLE: dict[int, dict] = {
    0: FIXED_POINT_STYLE["stable"],
    1: dict(marker="D", s=60, facecolors="#f28e2b", edgecolors="black", linewidths=1.0),
    2: dict(marker="s", s=60, facecolors="#d62728", edgecolors="black", linewidths=1.0),
    3: dict(marker="^", s=110, facecolors="#7b3294", edgecolors="black", linewidths=1.0),
    4: dict(marker="X", s=70, facecolors="0.6", edgecolors="0.2", linewidths=1.0),
}
_INDEX_LABEL = {0: "stable", 1: "1 unstable", 2: "2 unstable", 3: "3 unstable", 4: "4+ unstable"}


def _index_key(n_unstable) -> np.ndarray:
    return np.minimum(np.asarray(n_unstable, dtype=int), max(INDEX_STYLE))


def plot_fixed_points_by_index(
    ax: Axes, points, n_unstable, *, scale: float = 1.0
) -> dict[int, PathCollection]:
    """Scatter projected fixed points styled by their number of unstable dimensions.

    Parameters
    ----------
    ax : Axes
        2-D, or 3-D (``projection='3d'``).
    points : array_like, shape (n_points, 2 or 3)
        Already projected coordinates, as many as the axes has dimensions.
    n_unstable : array_like of int, shape (n_points,)
    scale : float
        Multiplies the marker areas.

    Returns
    -------
    dict of int to PathCollection
        Keyed 0-4 (4: four or more); every key is present, possibly empty, so
        :func:`update_fixed_points_by_index` can fill it later.
    """
    dims = 3 if ax.name == "3d" else 2
    P = np.asarray(points, dtype=float).reshape(-1, dims)
    key = _index_key(n_unstable)
    if len(key) != len(P):
        raise ValueError(f"n_unstable has {len(key)} entries for {len(P)} points")
    out = {}
    for k, style in INDEX_STYLE.items():
        st = {**style, "s": style["s"] * scale, "zorder": 5, "label": _INDEX_LABEL[k]}
        if dims == 3:
            st["depthshade"] = False  # shading would fake a type by its colour
        out[k] = ax.scatter(*([[]] * dims), **st)
        _set_points(out[k], P[key == k])
    return out


def update_fixed_points_by_index(
    artists: dict[int, PathCollection], points, n_unstable
) -> dict[int, PathCollection]:
    """Move the scatters of :func:`plot_fixed_points_by_index` to new points, in place."""
    dims = 3 if hasattr(artists[0], "_offsets3d") else 2
    P = np.asarray(points, dtype=float).reshape(-1, dims)
    key = _index_key(n_unstable)
    for k, col in artists.items():
        _set_points(col, P[key == k])
    return artists


def index_handles(indices=(0, 1, 2, 3)) -> list[Line2D]:
    """Legend entries for :data:`INDEX_STYLE`."""
    handles = []
    for k in indices:
        st = INDEX_STYLE[k]
        handles.append(
            Line2D(
                [], [], linestyle="none", marker=st["marker"],
                markersize=np.sqrt(st["s"]) * 0.9, markerfacecolor=st["facecolors"],
                markeredgecolor=st["edgecolors"], label=_INDEX_LABEL[k],
            )
        )  # fmt: skip
    return handles
