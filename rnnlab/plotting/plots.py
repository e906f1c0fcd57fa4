r"""Figures of the course: fixed points by type, trajectories, spectra, PCA views, portraits.

Every function takes ``ax=None`` (a new figure then) and returns its artists, so that a
widget can update them in place (``set_offsets``, ``set_data``) instead of redrawing.
The phase-plane pieces (vector field, speed, nullclines) live in
:mod:`rnnlab.plotting.phase_plane`, the spectrum in :mod:`rnnlab.plotting.complex_plane`; both are
re-exported here, and :func:`phase_portrait` composes the phase-plane pieces.

Fixed points are drawn by type family (:data:`FIXED_POINT_STYLE`): stable filled,
saddles in another colour, unstable open, non-hyperbolic grey.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from rnnlab.analysis.projection import PCA
from rnnlab.fixedpoints.finder import find_fixed_points
from rnnlab.fixedpoints.result import FixedPoints
from rnnlab.fixedpoints.starts import grid_2d
from rnnlab.plotting.complex_plane import SpectrumArtists, plot_spectrum, update_spectrum
from rnnlab.plotting.phase_plane import (
    Nullclines,
    check_2d_system,
    check_lim,
    field_on_grid,
    nullcline_segments,
    nullclines,
    speed_contour,
    speed_image,
    update_nullclines,
    update_speed_image,
    update_vector_field,
    vector_field,
)

__all__ = [
    "FIXED_POINT_STYLE",
    "PCAArtists",
    "PortraitArtists",
    "SpectrumArtists",
    "fixed_point_family",
    "fixed_point_handles",
    "fixed_point_legend",
    "nullcline_segments",
    "nullclines",
    "phase_portrait",
    "plot_fixed_points",
    "plot_pca",
    "plot_spectrum",
    "plot_trajectories",
    "speed_contour",
    "speed_image",
    "update_fixed_points",
    "update_nullclines",
    "update_spectrum",
    "update_speed_image",
    "update_trajectories",
    "update_vector_field",
    "vector_field",
]

#: Marker style per type family (keyword arguments of ``ax.scatter``).
FIXED_POINT_STYLE: dict[str, dict] = {
    "stable": dict(marker="o", s=80, facecolors="black", edgecolors="white", linewidths=1.2),
    "saddle": dict(marker="D", s=70, facecolors="#f28e2b", edgecolors="black", linewidths=1.2),
    "unstable": dict(marker="o", s=80, facecolors="white", edgecolors="black", linewidths=1.8),
    "non-hyperbolic": dict(marker="s", s=70, facecolors="0.6", edgecolors="0.3", linewidths=1.2),
    # Points given as a bare array, type unknown.
    "unclassified": dict(marker="X", s=70, facecolors="#9467bd", edgecolors="white", linewidths=1),
}
_FAMILY_LABEL = {
    "stable": "stable",
    "saddle": "saddle",
    "unstable": "unstable",
    "non-hyperbolic": "non-hyperbolic",
    "unclassified": "point",
}
TRAJECTORY_COLOR = "#2ca02c"

Projection = PCA | Callable[[np.ndarray], np.ndarray] | None


def fixed_point_family(kind: str) -> str:
    """The family of a type string from :func:`rnnlab.classify`:
    ``'stable'``, ``'saddle'``, ``'unstable'`` or ``'non-hyperbolic'``."""
    for fam in ("stable", "saddle", "unstable"):
        if kind.startswith(fam):
            return fam
    return "non-hyperbolic"


def _ax(ax: Axes | None, dims: int = 2) -> Axes:
    if ax is not None:
        return ax
    if dims == 3:
        return plt.figure().add_subplot(projection="3d")
    return plt.subplots()[1]


def _ax_dims(ax: Axes) -> int:
    return 3 if ax.name == "3d" else 2


def _project(points: np.ndarray, projection: Projection, dims: int, name: str) -> np.ndarray:
    """Map ``(..., N)`` to ``(..., dims)`` with ``projection`` (a fitted PCA or a callable)."""
    if projection is not None:
        fn = projection.transform if hasattr(projection, "transform") else projection
        points = np.asarray(fn(points), dtype=float)
    if points.shape[-1] < dims:
        raise ValueError(
            f"{name} must have at least {dims} coordinates to draw in {dims}-D, got shape "
            f"{points.shape}; pass projection= (e.g. a fitted rnnlab.analysis.projection.PCA)"
        )
    if projection is None and points.shape[-1] > dims:
        raise ValueError(
            f"{name} has N = {points.shape[-1]} coordinates; pass projection= (e.g. a fitted "
            f"rnnlab.analysis.projection.PCA) to draw them in {dims}-D"
        )
    return points[..., :dims]


def set_points(col: PathCollection, P: np.ndarray) -> None:
    if P.shape[1] == 3:
        col._offsets3d = (P[:, 0], P[:, 1], P[:, 2])  # the 3-D scatter keeps its own copy
        col.stale = True
    else:
        col.set_offsets(P)


# -- fixed points ----------------------------------------------------------------------------
def _points_by_family(fps, kind) -> tuple[np.ndarray, list[str]]:
    if isinstance(fps, FixedPoints):
        return fps.x, [fixed_point_family(str(k)) for k in fps.kind]
    x = np.asarray(fps, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"fixed points must have shape (n_points, N), got {x.shape}")
    if kind is None:
        return x, ["unclassified"] * len(x)
    kind = [str(k) for k in np.atleast_1d(kind)]
    if len(kind) != len(x):
        raise ValueError(f"kind has {len(kind)} entries for {len(x)} points")
    return x, [fixed_point_family(k) for k in kind]


def plot_fixed_points(
    ax: Axes | None,
    fps,
    projection: Projection = None,
    *,
    kind=None,
    **kwargs,
) -> dict[str, PathCollection]:
    """Scatter fixed points coloured by type, one collection per family.

    Parameters
    ----------
    ax : Axes or None
        A 2-D or 3-D (``projection='3d'``) axes.
    fps : FixedPoints or array_like, shape (n_points, N)
    projection : PCA or callable, optional
        Maps ``(n, N)`` states to ``(n, >= 2)`` coordinates; needed when N exceeds the
        axes' dimension.
    kind : sequence of str, optional
        Types (as :func:`rnnlab.classify` names them) when ``fps`` is an array; without
        them the points are drawn as ``'unclassified'``.
    **kwargs
        Override :data:`FIXED_POINT_STYLE` for every family.

    Returns
    -------
    dict of str to PathCollection
        Keyed by family; every family is present (possibly empty) so
        :func:`update_fixed_points` can fill it later.
    """
    ax = _ax(ax)
    dims = _ax_dims(ax)
    x, fams = _points_by_family(fps, kind)
    P = _project(x, projection, dims, "fixed points") if len(x) else np.empty((0, dims))
    out = {}
    for fam, style in FIXED_POINT_STYLE.items():
        sel = P[[f == fam for f in fams]] if len(P) else np.empty((0, dims))
        st = {**style, "zorder": 5, "label": _FAMILY_LABEL[fam], **kwargs}
        if dims == 3:
            st.setdefault("depthshade", False)  # shading would fake a type by its colour
        out[fam] = ax.scatter(*sel.T, **st) if len(sel) else ax.scatter(*([[]] * dims), **st)
        if dims == 2:
            out[fam].set_offsets(sel)
    return out


def update_fixed_points(
    artists: dict[str, PathCollection], fps, projection: Projection = None, *, kind=None
) -> dict[str, PathCollection]:
    """Move the scatters of :func:`plot_fixed_points` to new points (``set_offsets``)."""
    dims = 3 if hasattr(artists["stable"], "_offsets3d") else 2
    x, fams = _points_by_family(fps, kind)
    P = _project(x, projection, dims, "fixed points") if len(x) else np.empty((0, dims))
    for fam, col in artists.items():
        set_points(col, P[[f == fam for f in fams]] if len(P) else np.empty((0, dims)))
    return artists


def fixed_point_handles(families=None) -> list[Line2D]:
    """Legend entries (marker proxies) for fixed-point families, the four main by default."""
    families = list(FIXED_POINT_STYLE)[:4] if families is None else list(families)
    handles = []
    for fam in families:
        st = FIXED_POINT_STYLE[fam]
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=st["marker"],
                markersize=np.sqrt(st["s"]),
                markerfacecolor=st["facecolors"],
                markeredgecolor=st["edgecolors"],
                markeredgewidth=st["linewidths"],
                label=_FAMILY_LABEL[fam],
            )
        )
    return handles


def fixed_point_legend(ax: Axes, families=None, *, extra=(), **kwargs) -> Legend:
    """A legend of the fixed-point types (the four families unless ``families`` is given).

    ``extra`` holds further handles (e.g. nullclines) to list first.
    """
    opts = dict(loc="best", fontsize="small", framealpha=0.9)
    opts.update(kwargs)
    return ax.legend(handles=[*extra, *fixed_point_handles(families)], **opts)


# -- trajectories ----------------------------------------------------------------------------
def _as_paths(x, projection, dims) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3:
        raise ValueError(f"x must have shape (T, N) or (B, T, N), got {np.shape(x)}")
    return _project(arr, projection, dims, "x")


def plot_trajectories(
    ax: Axes | None,
    x,
    *,
    projection: Projection = None,
    color=TRAJECTORY_COLOR,
    linewidth: float = 1.5,
    alpha: float = 0.9,
    mark_start: bool = True,
    **kwargs,
) -> list[Line2D]:
    """Draw trajectories ``(T, N)`` or ``(B, T, N)``, projected when N exceeds the axes' dims.

    With ``mark_start`` a dot marks where each trajectory begins (on the same line, via
    ``markevery``), so the direction of travel can be read.

    Returns
    -------
    list of Line2D
        One line per trajectory; update with :func:`update_trajectories`.
    """
    ax = _ax(ax)
    X = _as_paths(x, projection, _ax_dims(ax))
    lines = []
    if mark_start:
        kwargs = {"marker": "o", "markersize": 4, "markevery": [0], **kwargs}
    for path in X:
        lines.extend(ax.plot(*path.T, color=color, lw=linewidth, alpha=alpha, **kwargs))
    return lines


def update_trajectories(lines: list[Line2D], x, *, projection: Projection = None) -> list[Line2D]:
    """Give the lines of :func:`plot_trajectories` new data (same number of trajectories)."""
    dims = 3 if lines and hasattr(lines[0], "set_3d_properties") else 2
    X = _as_paths(x, projection, dims)
    if len(X) != len(lines):
        raise ValueError(f"x holds {len(X)} trajectories for {len(lines)} lines")
    for line, path in zip(lines, X, strict=True):
        line.set_data(path[:, 0], path[:, 1])
        if dims == 3:
            line.set_3d_properties(path[:, 2])
    return lines


# -- PCA view --------------------------------------------------------------------------------
@dataclass
class PCAArtists:
    """What :func:`plot_pca` drew, with the PCA that maps states to the picture."""

    fig: Figure
    ax: Axes
    pca: PCA
    trajectories: list[Line2D]
    fixed_points: dict[str, PathCollection] | None


def plot_pca(
    states,
    points=None,
    pca: PCA | None = None,
    ax: Axes | None = None,
    dims: int = 2,
    **kwargs,
) -> PCAArtists:
    """Trajectories and fixed points of an N-D system on their leading principal components.

    Parameters
    ----------
    states : array_like, shape (T, N) or (B, T, N)
        Trajectories; the PCA is fitted to them unless ``pca`` is given.
    points : FixedPoints or array_like (n, N), optional
        Projected with the same PCA; a FixedPoints result is coloured by type.
    pca : PCA, optional
        A fitted PCA with at least ``dims`` components.
    ax : Axes, optional
        2-D, or 3-D for ``dims=3``.
    dims : {2, 3}
    **kwargs
        Passed to :func:`plot_trajectories`.

    Returns
    -------
    PCAArtists
    """
    if dims not in (2, 3):
        raise ValueError(f"dims must be 2 or 3, got {dims!r}")
    arr = np.asarray(states, dtype=float)
    if arr.ndim not in (2, 3):
        raise ValueError(f"states must have shape (T, N) or (B, T, N), got {arr.shape}")
    if pca is None:
        pca = PCA(dims).fit(arr)
    elif not hasattr(pca, "components_"):
        raise ValueError("pca must be fitted (call pca.fit(states) first) or left out")
    elif pca.n_components < dims:
        raise ValueError(f"pca has {pca.n_components} components, dims={dims} needs {dims}")
    ax = _ax(ax, dims)
    if _ax_dims(ax) != dims:
        raise ValueError(f"dims={dims} needs a {dims}-D axes, got a {_ax_dims(ax)}-D one")
    lines = plot_trajectories(ax, arr, projection=pca, **kwargs)
    fp = None
    if points is not None:
        fp = plot_fixed_points(ax, points, projection=pca)
    ratio = pca.explained_variance_ratio_
    setters = (ax.set_xlabel, ax.set_ylabel) + ((ax.set_zlabel,) if dims == 3 else ())
    for i, set_label in enumerate(setters):
        set_label(f"PC{i + 1} ({100 * ratio[i]:.0f}%)")
    return PCAArtists(ax.figure, ax, pca, lines, fp)


# -- the phase portrait ----------------------------------------------------------------------
@dataclass
class PortraitArtists:
    """What :func:`phase_portrait` drew; ``None`` for the parts left out."""

    fig: Figure
    ax: Axes
    field: object | None = None
    speed: object | None = None
    nullclines: Nullclines | None = None
    fixed_points: dict[str, PathCollection] | None = None
    trajectories: list[Line2D] = dataclasses.field(default_factory=list)
    legend: Legend | None = None


def phase_portrait(
    system,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    *,
    ax: Axes | None = None,
    fixed_points=None,
    trajectories=None,
    field: str = "quiver",
    show_speed: bool = True,
    show_nullclines: bool = True,
    legend: bool = True,
    n_field: int = 21,
    n_speed: int = 200,
    n_nullclines: int = 300,
    colorbar: bool = True,
) -> PortraitArtists:
    """The phase portrait of a 2-D system: speed, flow, nullclines, fixed points, trajectories.

    Parameters
    ----------
    system : DynamicalSystem
        A 2-D system.
    xlim, ylim : (float, float)
    ax : Axes, optional
    fixed_points : FixedPoints or True, optional
        Points to mark; ``True`` finds them from a 9 x 9 grid over the window.
    trajectories : array_like, shape (T, 2) or (B, T, 2), optional
    field : {'quiver', 'stream', None}
        Arrows (updatable) or streamlines (static: ``streamplot`` cannot be updated).
    show_speed, show_nullclines, legend, colorbar : bool
    n_field, n_speed, n_nullclines : int
        Grid sizes of the arrows, the speed image and the nullcline tracing.

    Returns
    -------
    PortraitArtists
    """
    check_2d_system(system)
    xlim, ylim = check_lim(xlim, "xlim"), check_lim(ylim, "ylim")
    if field not in ("quiver", "stream", None):
        raise ValueError(f"field must be 'quiver', 'stream' or None, got {field!r}")
    ax = _ax(ax)
    art = PortraitArtists(ax.figure, ax)
    if show_speed:
        art.speed = speed_image(ax, system, xlim, ylim, n_speed, colorbar=colorbar)
    if field == "quiver":
        art.field = vector_field(
            ax, system, xlim, ylim, n_field, color_by_speed=not show_speed, alpha=0.8
        )
    elif field == "stream":
        xs, ys = np.linspace(*xlim, n_field), np.linspace(*ylim, n_field)
        F = field_on_grid(system, xs, ys)
        art.field = ax.streamplot(
            xs, ys, F[..., 0], F[..., 1], color="0.85" if show_speed else "0.3",
            density=1.2, linewidth=0.8, arrowsize=0.9, zorder=2,
        )  # fmt: skip
    if show_nullclines:
        art.nullclines = nullclines(ax, system, xlim, ylim, n_nullclines)
    if trajectories is not None:
        art.trajectories = plot_trajectories(ax, trajectories)
    if fixed_points is True:
        fixed_points = find_fixed_points(system, grid_2d(xlim, ylim, 9))
    if fixed_points is not None:
        art.fixed_points = plot_fixed_points(ax, fixed_points)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    if legend:
        extra = list(art.nullclines.lines) if art.nullclines is not None else []
        if art.trajectories:
            extra.append(
                Line2D(
                    [], [], color=TRAJECTORY_COLOR, lw=1.5, marker="o", markersize=4,
                    markevery=[0], label="trajectory",
                )
            )  # fmt: skip
        fams = None
        if isinstance(fixed_points, FixedPoints):
            present = {fixed_point_family(str(k)) for k in fixed_points.kind}
            fams = [f for f in FIXED_POINT_STYLE if f in present]
        elif fixed_points is not None:
            fams = ["unclassified"]
        art.legend = fixed_point_legend(
            ax, fams if fixed_points is not None else [], extra=extra, loc="upper left"
        )
    return art
