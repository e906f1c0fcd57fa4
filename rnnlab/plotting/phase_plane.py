r"""The phase plane of a 2-D system: vector field, speed and nullclines, updatable in place.

Everything here evaluates :math:`F = (F_0, F_1)` of a :class:`~rnnlab.DynamicalSystem`
with ``dim == 2`` on a regular grid and draws it. Each drawing function returns artists
that an ``update_*`` function refreshes for another system (a slider moved) without
re-creating the figure:

================  ===================================  ==========================
picture           drawn with                           updated by
================  ===================================  ==========================
vector field      ``quiver``, unit arrows              ``set_UVC``
speed             ``imshow`` of :math:`\log_{10} q`     ``set_data``
nullclines        two ``LineCollection`` s              ``set_segments``
================  ===================================  ==========================

The nullcline :math:`F_k = 0` is the zero contour of :math:`F_k` on the grid, traced by
``contourpy`` (the contouring library of matplotlib) with linear interpolation along the
grid edges, so a point on a returned segment lies on the true nullcline to within the
interpolation error of one grid cell. Where :math:`F_k` vanishes on a whole grid row
(:math:`\dot x = (a - x^2)\,y` on :math:`y = 0`), contourpy counts zero as "not above"
the level and traces the line as the border with the positive side, so it still appears,
exactly on the row. A zero at which :math:`F_k` touches 0 without changing sign (a double
root such as :math:`x = 0` in :math:`-x^2 y`) is invisible to any contour and is missed.
"""

from __future__ import annotations

from dataclasses import dataclass

import contourpy
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.contour import QuadContourSet
from matplotlib.image import AxesImage
from matplotlib.quiver import Quiver

from rnnlab._internal.validation import positive_int
from rnnlab.dynamics.systems import DynamicalSystem

__all__ = [
    "Nullclines",
    "nullcline_segments",
    "nullclines",
    "speed_contour",
    "speed_image",
    "update_nullclines",
    "update_speed_image",
    "update_vector_field",
    "vector_field",
]

NULLCLINE_COLORS = ("#d62728", "#1f77b4")
NULLCLINE_LABELS = (r"$\dot x = 0$", r"$\dot y = 0$")
# Grey-blue, dark where slow, but never black: fixed points (black, white, orange) and
# arrows stay visible on top of the slowest regions.
SPEED_CMAP = ListedColormap(plt.get_cmap("bone")(np.linspace(0.4, 1.0, 256)), name="speed")
# Speeds below this are drawn as this: log q of a fixed point is -inf.
_Q_FLOOR = 1e-300


def check_2d_system(system) -> DynamicalSystem:
    if not isinstance(system, DynamicalSystem):
        raise TypeError(f"system must be an rnnlab DynamicalSystem, got {type(system).__name__}")
    if system.dim != 2:
        raise ValueError(
            f"the phase plane needs a 2-D system, got dim = {system.dim}; project "
            "higher-dimensional states with rnnlab.analysis.projection.PCA instead"
        )
    return system


def check_lim(lim, name: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be (low, high), got {lim!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must be (low, high) with finite low < high, got {lim!r}")
    return lo, hi


def _grid_n(n, name: str = "n") -> int:
    n = positive_int(n, name)
    if n < 2:
        raise ValueError(f"{name} must be at least 2 grid points per axis, got {n}")
    return n


def _ax(ax: Axes | None) -> Axes:
    return plt.subplots()[1] if ax is None else ax


def field_on_grid(system, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """:math:`F` on the grid ``xs x ys``, shape ``(len(ys), len(xs), 2)`` (rows are y)."""
    gx, gy = np.meshgrid(xs, ys)
    F = system._rhs(np.column_stack([gx.ravel(), gy.ravel()]))
    return F.reshape(len(ys), len(xs), 2)


# -- vector field --------------------------------------------------------------------------
def _unit_arrows(F: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    speed = np.hypot(F[..., 0], F[..., 1])
    # Where F = 0 there is no direction: draw nothing rather than divide by zero.
    safe = np.where(speed > 0, speed, 1.0)
    U, V = F[..., 0] / safe, F[..., 1] / safe
    return U, V, np.log10(np.maximum(speed, _Q_FLOOR))


def vector_field(
    ax: Axes | None,
    system: DynamicalSystem,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    n: int = 21,
    *,
    color_by_speed: bool = True,
    color: str = "0.25",
    cmap: str = "viridis",
    **kwargs,
) -> Quiver:
    r"""Arrows of unit length along :math:`F(x)` on an ``n x n`` grid.

    The direction is :math:`F/|F|`; the speed :math:`|F|` would make arrows near the fixed
    points invisible, so it is shown as colour (:math:`\log_{10}|F|`) instead.

    Parameters
    ----------
    ax : Axes or None
        Where to draw; a new figure when None.
    system : DynamicalSystem
        A 2-D system.
    xlim, ylim : (float, float)
    n : int
        Arrows per axis.
    color_by_speed : bool
        Colour by :math:`\log_{10}|F|` with ``cmap``; else every arrow is ``color``.
    **kwargs
        Passed to ``ax.quiver``.

    Returns
    -------
    matplotlib.quiver.Quiver
        Update it for another system with :func:`update_vector_field`.
    """
    check_2d_system(system)
    xlim, ylim = check_lim(xlim, "xlim"), check_lim(ylim, "ylim")
    n = _grid_n(n)
    ax = _ax(ax)
    xs, ys = np.linspace(*xlim, n), np.linspace(*ylim, n)
    U, V, C = _unit_arrows(field_on_grid(system, xs, ys))
    gx, gy = np.meshgrid(xs, ys)
    h = min(xs[1] - xs[0], ys[1] - ys[0])
    style = dict(
        angles="xy", scale_units="xy", scale=1.0 / (0.7 * h), pivot="mid", width=0.004, zorder=2
    )
    style.update(kwargs)
    if color_by_speed:
        q = ax.quiver(gx, gy, U, V, C, cmap=cmap, **style)
        q.set_clim(C.min(), C.max())  # fixed, so colours compare across updates
    else:
        q = ax.quiver(gx, gy, U, V, color=color, **style)
    return q


def update_vector_field(quiver: Quiver, system: DynamicalSystem) -> Quiver:
    """Recompute the arrows of :func:`vector_field` for ``system`` (``set_UVC``, same grid)."""
    check_2d_system(system)
    XY = np.asarray(quiver.get_offsets())
    U, V, C = _unit_arrows(system._rhs(XY))
    if quiver.get_array() is not None:
        quiver.set_UVC(U, V, C)
    else:
        quiver.set_UVC(U, V)
    return quiver


# -- speed -----------------------------------------------------------------------------------
def _log_q_image(system, extent: tuple[float, float, float, float], shape: tuple[int, int]):
    x0, x1, y0, y1 = extent
    ny, nx = shape
    # Pixel centres, so that the image covers exactly xlim x ylim.
    xs = x0 + (np.arange(nx) + 0.5) * (x1 - x0) / nx
    ys = y0 + (np.arange(ny) + 0.5) * (y1 - y0) / ny
    F = field_on_grid(system, xs, ys)
    q = 0.5 * (F[..., 0] ** 2 + F[..., 1] ** 2)
    return np.log10(np.maximum(q, _Q_FLOOR))


def speed_image(
    ax: Axes | None,
    system: DynamicalSystem,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    n: int = 200,
    *,
    decades: float = 5.0,
    colorbar: bool = False,
    cmap=SPEED_CMAP,
    **kwargs,
) -> AxesImage:
    r"""The speed :math:`q(x) = \frac12|F(x)|^2` as an image of :math:`\log_{10} q`.

    Slow regions (dark) are where fixed and slow points live. The colour range spans
    ``decades`` orders of magnitude below the largest :math:`q` on the grid and is kept
    when the image is updated, so colours stay comparable while a parameter moves.

    Parameters
    ----------
    ax : Axes or None
    system : DynamicalSystem
        A 2-D system.
    xlim, ylim : (float, float)
    n : int
        Pixels per axis.
    decades : float
        Orders of magnitude shown; slower regions saturate at the darkest colour.
    colorbar : bool
        Add a colour bar labelled :math:`\log_{10} q`.
    **kwargs
        Passed to ``ax.imshow``.

    Returns
    -------
    matplotlib.image.AxesImage
        Update it for another system with :func:`update_speed_image`.
    """
    check_2d_system(system)
    xlim, ylim = check_lim(xlim, "xlim"), check_lim(ylim, "ylim")
    n = _grid_n(n)
    ax = _ax(ax)
    extent = (*xlim, *ylim)
    logq = _log_q_image(system, extent, (n, n))
    vmax = float(np.max(logq))
    style = dict(
        origin="lower",
        extent=extent,
        aspect="auto",
        cmap=cmap,
        vmin=vmax - decades,
        vmax=vmax,
        interpolation="bilinear",
        zorder=0,
    )
    style.update(kwargs)
    im = ax.imshow(logq, **style)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, label=r"$\log_{10} q$", shrink=0.85)
    return im


def update_speed_image(image: AxesImage, system: DynamicalSystem) -> AxesImage:
    """Recompute the image of :func:`speed_image` for ``system`` (``set_data``, same grid)."""
    check_2d_system(system)
    image.set_data(_log_q_image(system, tuple(image.get_extent()), image.get_array().shape))
    return image


def speed_contour(
    ax: Axes | None,
    system: DynamicalSystem,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    n: int = 200,
    *,
    levels_per_decade: int = 1,
    decades: float = 8.0,
    colorbar: bool = True,
    cmap=SPEED_CMAP,
) -> QuadContourSet:
    r"""Filled contours of the speed :math:`q` at log-spaced levels (as Jang, Fig. 2).

    Levels are :math:`10^{k/m}`, :math:`m` = ``levels_per_decade``, from ``decades`` below
    the largest :math:`q` up to it. A static picture: contour sets cannot be updated in
    place, use :func:`speed_image` for a live one.

    Returns
    -------
    matplotlib.contour.QuadContourSet
    """
    check_2d_system(system)
    xlim, ylim = check_lim(xlim, "xlim"), check_lim(ylim, "ylim")
    n = _grid_n(n)
    m = positive_int(levels_per_decade, "levels_per_decade")
    ax = _ax(ax)
    xs, ys = np.linspace(*xlim, n), np.linspace(*ylim, n)
    F = field_on_grid(system, xs, ys)
    q = 0.5 * (F[..., 0] ** 2 + F[..., 1] ** 2)
    top = np.ceil(np.log10(max(float(q.max()), _Q_FLOOR)) * m) / m
    levels = 10.0 ** np.arange(top - decades, top + 0.5 / m, 1.0 / m)
    # Anything slower than the lowest level (the fixed points themselves) joins it.
    q = np.maximum(q, levels[0])
    cs = ax.contourf(xs, ys, q, levels=levels, norm=LogNorm(), cmap=cmap, zorder=0)
    ax.contour(xs, ys, q, levels=levels, colors="k", linewidths=0.3, alpha=0.5, zorder=0)
    if colorbar:
        ax.figure.colorbar(cs, ax=ax, label=r"$q = \frac{1}{2}|F|^2$", shrink=0.85)
    return cs


# -- nullclines ------------------------------------------------------------------------------
def _zero_lines(xs, ys, Z) -> list[np.ndarray]:
    gen = contourpy.contour_generator(xs, ys, Z, line_type=contourpy.LineType.Separate)
    return [seg for seg in gen.lines(0.0) if len(seg) >= 2]


def nullcline_segments(
    system: DynamicalSystem,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    n: int = 300,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    r"""The nullclines :math:`F_0 = 0` and :math:`F_1 = 0` as polylines.

    Parameters
    ----------
    system : DynamicalSystem
        Any 2-D system.
    xlim, ylim : (float, float)
    n : int
        Grid points per axis; the lines are exact to within one grid cell.

    Returns
    -------
    x_nullcline, y_nullcline : list of ndarray, each of shape (n_vertices, 2)
        Segments of :math:`\{F_0 = 0\}` (:math:`\dot x = 0`) and :math:`\{F_1 = 0\}`.

    Examples
    --------
    >>> from rnnlab import ToySystem
    >>> sx, sy = nullcline_segments(ToySystem(), (-2, 2), (-1.5, 1.5))
    >>> pts = np.concatenate(sy)
    >>> bool(np.allclose(pts[:, 1], 0.5 * pts[:, 0]))
    True
    """
    check_2d_system(system)
    xlim, ylim = check_lim(xlim, "xlim"), check_lim(ylim, "ylim")
    n = _grid_n(n)
    xs, ys = np.linspace(*xlim, n), np.linspace(*ylim, n)
    return _segments_on_grid(system, xs, ys)


def _segments_on_grid(system, xs, ys):
    F = field_on_grid(system, xs, ys)
    return _zero_lines(xs, ys, F[..., 0]), _zero_lines(xs, ys, F[..., 1])


@dataclass
class Nullclines:
    """The two nullclines as line collections, with the grid they are computed on.

    Attributes
    ----------
    dx, dy : LineCollection
        :math:`\\dot x = 0` and :math:`\\dot y = 0`.
    xs, ys : ndarray
        Grid coordinates.
    """

    dx: LineCollection
    dy: LineCollection
    xs: np.ndarray
    ys: np.ndarray

    @property
    def lines(self) -> tuple[LineCollection, LineCollection]:
        """``(dx, dy)``."""
        return self.dx, self.dy


def nullclines(
    ax: Axes | None,
    system: DynamicalSystem,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    n: int = 300,
    *,
    colors: tuple[str, str] = NULLCLINE_COLORS,
    labels: tuple[str, str] = NULLCLINE_LABELS,
    linewidth: float = 2.0,
) -> Nullclines:
    r"""Draw the nullclines :math:`\dot x = 0` and :math:`\dot y = 0` of any 2-D system.

    Fixed points are where they cross. See :func:`nullcline_segments` for how they are
    traced and the module docstring for the edge cases.

    Parameters
    ----------
    ax : Axes or None
    system : DynamicalSystem
    xlim, ylim : (float, float)
    n : int
        Grid points per axis.
    colors, labels : (str, str)
        For :math:`\dot x = 0` and :math:`\dot y = 0`.
    linewidth : float

    Returns
    -------
    Nullclines
        Update with :func:`update_nullclines`.
    """
    check_2d_system(system)
    xlim, ylim = check_lim(xlim, "xlim"), check_lim(ylim, "ylim")
    n = _grid_n(n)
    ax = _ax(ax)
    xs, ys = np.linspace(*xlim, n), np.linspace(*ylim, n)
    segs = _segments_on_grid(system, xs, ys)
    lcs = []
    for s, c, lab in zip(segs, colors, labels, strict=True):
        lc = LineCollection(s, colors=c, linewidths=linewidth, label=lab, zorder=3)
        lc.set_capstyle("round")
        ax.add_collection(lc, autolim=False)
        lcs.append(lc)
    return Nullclines(lcs[0], lcs[1], xs, ys)


def update_nullclines(nc: Nullclines, system: DynamicalSystem) -> Nullclines:
    """Retrace the nullclines of :func:`nullclines` for ``system`` (``set_segments``)."""
    check_2d_system(system)
    sx, sy = _segments_on_grid(system, nc.xs, nc.ys)
    nc.dx.set_segments(sx)
    nc.dy.set_segments(sy)
    return nc
