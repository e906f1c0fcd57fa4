r"""The complex plane: eigenvalues of a linearisation against the stability boundary.

A fixed point of a flow is stable when every eigenvalue of :math:`J` has
:math:`\operatorname{Re}\lambda < 0`; of a map, when every eigenvalue of
:math:`\partial G/\partial x` has :math:`|\lambda| < 1` (:mod:`rnnlab.dynamics.stability`).
:func:`plot_spectrum` draws the eigenvalues with that boundary, the unstable ones in red,
and returns artists that :func:`update_spectrum` moves in place.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from rnnlab._internal.validation import positive_float

__all__ = ["SpectrumArtists", "plot_spectrum", "update_spectrum"]


@dataclass
class SpectrumArtists:
    """What :func:`plot_spectrum` drew: eigenvalue scatter, stability boundary, disk edge."""

    fig: Figure
    ax: Axes
    points: PathCollection
    boundary: Line2D
    circle: Line2D | None
    discrete: bool


_EIG_COLORS = {False: "#1f77b4", True: "#d62728"}  # stable side, unstable side


def _circle_xy(center: complex, radius: float) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0.0, 2 * np.pi, 200)
    return center.real + radius * np.cos(t), center.imag + radius * np.sin(t)


def plot_spectrum(
    eigenvalues,
    *,
    discrete: bool = False,
    ax: Axes | None = None,
    radius: float | None = None,
    center: complex = 0.0,
    circle_label: str = "circular law",
    s: float = 12.0,
) -> SpectrumArtists:
    r"""Eigenvalues in the complex plane with the stability boundary.

    The boundary is the line :math:`\operatorname{Re}\lambda = 0` for a flow (eigenvalues
    of :math:`J`) and the unit circle :math:`|\lambda| = 1` for a map (eigenvalues of
    :math:`\partial G`). Eigenvalues on the unstable side are red.

    Parameters
    ----------
    eigenvalues : array_like, complex, shape (n,)
    discrete : bool
        A map's spectrum (unit circle) instead of a flow's.
    ax : Axes, optional
    radius : float, optional
        Also draw the circle :math:`|\lambda - c| = r`. For a random network
        :math:`W_{ij} \sim \mathcal N(0, g^2/N)` the eigenvalues of :math:`W` fill the disk of
        radius :math:`g` (circular law), so those of :math:`J = -I + W` fill the disk of
        radius :math:`g` centred at :math:`c = -1`.
    center : complex
        :math:`c`.
    circle_label : str
        Legend label of that circle.
    s : float
        Marker size.

    Returns
    -------
    SpectrumArtists
        Update with :func:`update_spectrum`.
    """
    ax = plt.subplots()[1] if ax is None else ax
    if discrete:
        (boundary,) = ax.plot(*_circle_xy(0j, 1.0), color="k", lw=1.2, label=r"$|\lambda| = 1$")
    else:
        boundary = ax.axvline(0.0, color="k", lw=1.2, label=r"Re $\lambda = 0$")
    circle = None
    if radius is not None:
        (circle,) = ax.plot([], [], color="0.4", ls="--", lw=1.0, label=circle_label)
    pts = ax.scatter([], [], s=s, zorder=3, label="eigenvalues")
    art = SpectrumArtists(ax.figure, ax, pts, boundary, circle, bool(discrete))
    ax.set_aspect("equal", adjustable="box")
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.yaxis.set_major_locator(MaxNLocator(6))
    ax.set_xlabel(r"Re $\lambda$")
    ax.set_ylabel(r"Im $\lambda$")
    ax.axhline(0.0, color="0.8", lw=0.8, zorder=0)
    return update_spectrum(art, eigenvalues, radius=radius, center=center)


def update_spectrum(
    art: SpectrumArtists, eigenvalues, *, radius: float | None = None, center: complex = 0.0
) -> SpectrumArtists:
    """New eigenvalues (and circle) for :func:`plot_spectrum`'s artists; limits follow."""
    lam = np.atleast_1d(np.asarray(eigenvalues, dtype=complex))
    if lam.ndim != 1 or not np.all(np.isfinite(lam)):
        raise ValueError(f"eigenvalues must be a finite 1-D array, got shape {lam.shape}")
    if radius is not None:
        radius = positive_float(radius, "radius", allow_zero=True)
    art.points.set_offsets(np.column_stack([lam.real, lam.imag]))
    unstable = np.abs(lam) > 1.0 if art.discrete else lam.real > 0.0
    art.points.set_facecolor([_EIG_COLORS[bool(u)] for u in unstable])
    xs, ys = [lam.real, [0.0]], [lam.imag, [0.0]]
    if art.discrete:
        xs.append([-1.0, 1.0])
        ys.append([-1.0, 1.0])
    if art.circle is not None and radius is not None:
        cx, cy = _circle_xy(complex(center), float(radius))
        art.circle.set_data(cx, cy)
        xs.append(cx)
        ys.append(cy)
    xs, ys = np.concatenate(xs), np.concatenate(ys)
    # A square window in a square box keeps the aspect equal without the box jumping
    # as the spectrum changes.
    half = 0.54 * max(np.ptp(xs), np.ptp(ys), 1e-3)
    cx, cy = 0.5 * (xs.min() + xs.max()), 0.5 * (ys.min() + ys.max())
    art.ax.set_xlim(cx - half, cx + half)
    art.ax.set_ylim(cy - half, cy + half)
    return art
