"""Shared plumbing of the apps: figure, layout, display with a static fallback."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np


def _is_live(fig) -> bool:
    """True when the figure is an ipympl canvas, i.e. a widget that redraws itself."""
    if isinstance(fig.canvas, widgets.DOMWidget):
        return True
    backend = matplotlib.get_backend().lower()
    return "ipympl" in backend or backend == "widget"


def _axis_objects(ax) -> list:
    """The XAxis, YAxis (and ZAxis) of ``ax``: ticks, tick labels and axis labels."""
    return [a for a in (ax.xaxis, ax.yaxis, getattr(ax, "zaxis", None)) if a is not None]


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(tag + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)


def _png_frame(pixels: np.ndarray) -> bytes:
    """An RGBA image, shape ``(H, W, 4)`` uint8, as a PNG: unfiltered rows, zlib level 1.

    The frames an app sends while a slider moves. For this course's 950 x 460 apps PIL's
    encoder takes about 16 ms at level 1 and 38 ms at ipympl's level 6 (it chooses a
    filter for each row); rows without a filter, compressed by zlib at level 1 in one
    call, take about 7 ms, for 4 % more bytes than PIL at level 1 (the white margins and
    flat colours compress as well unfiltered). Any PNG decoder reads it: the browser,
    PIL, matplotlib.
    """
    if pixels.ndim != 3 or pixels.shape[2] != 4 or pixels.dtype != np.uint8:
        raise ValueError(
            f"pixels must be an (H, W, 4) array of uint8 (RGBA), got shape {pixels.shape} "
            f"of {pixels.dtype}"
        )
    h, w, _ = pixels.shape
    rows = np.empty((h, 1 + 4 * w), np.uint8)
    rows[:, 0] = 0  # each row: its filter type (0, none), then its RGBA bytes
    rows[:, 1:] = pixels.reshape(h, 4 * w)
    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)  # 8 bits, RGBA, no interlace
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows.data, 1)),
            _png_chunk(b"IEND", b""),
        ]
    )


def _whole_frames(canvas) -> bool:
    """Let an ipympl canvas send a frame whole and fast when asked (``_force_full``).

    ipympl sends the pixels that changed since its last frame ("diff" images) as a PNG;
    the browser loads each into an image element, and a frame that arrives while the
    previous one still loads replaces it unseen. A lost diff leaves stale pixels behind
    (matplotlib#19116; why matplotlib reports ``supports_blit = False`` for webagg), so the
    blitted frames, and the frame after each, are sent whole: each repairs whatever a
    lost frame missed. They are encoded by :func:`_png_frame`: 7 ms instead of ipympl's
    38 ms, for about 20 % more bytes, which a local or LAN connection moves in well under
    a millisecond. Any other frame goes through ipympl unchanged. False (nothing
    installed) when the canvas is not an ipympl canvas of the known kind.
    """
    needed = ("_force_full", "_png_is_old", "_last_buff", "set_image_mode", "get_diff_image")
    if not all(hasattr(canvas, name) for name in needed):
        return False
    diff_image = canvas.get_diff_image

    def get_diff_image():
        if not (canvas._force_full and canvas._png_is_old):
            return diff_image()
        pixels = np.asarray(canvas.get_renderer().buffer_rgba())
        canvas.set_image_mode("full")
        canvas._last_buff = pixels.view(np.uint32).squeeze(2).copy()
        canvas._force_full = canvas._png_is_old = False
        return _png_frame(pixels)

    canvas.get_diff_image = get_diff_image
    return True


class App:
    """Shared plumbing: the figure, the widget layout, display, and observer hold."""

    fig: matplotlib.figure.Figure
    table: widgets.HTML
    _blit_axes: list | tuple = ()  # (axes, keeps its ticks) of the blitted axes; none: no blitting
    _background = None  # the pixels of everything else, from the last full draw
    _tick_layer = None  # (_tick_key(), the background with the moving axes' ticks drawn)

    def _new_figure(self, figsize):
        # ioff: under ipympl plt.figure() would display the canvas on its own, and
        # showing it again inside the app's box would duplicate it.
        with plt.ioff():
            fig = plt.figure(figsize=figsize, layout="constrained")
        if isinstance(fig.canvas, widgets.DOMWidget):
            fig.canvas.header_visible = False
            fig.canvas.toolbar_position = "left"
        self._freeze_cid = fig.canvas.mpl_connect("draw_event", self._freeze_layout)
        return fig

    def _freeze_layout(self, _event) -> None:
        # Constrained layout measures every text on every draw, about half of the render
        # time; once laid out, the panels keep their places while the data move.
        self.fig.set_layout_engine("none")
        self.fig.canvas.mpl_disconnect(self._freeze_cid)

    def _controls(self) -> list:
        raise NotImplementedError

    @property
    def widget(self) -> widgets.Box:
        """Controls, the live figure (or a PNG of it off ipympl) and the fixed-point table."""
        if getattr(self, "_widget", None) is None:
            if isinstance(self.fig.canvas, widgets.DOMWidget):
                view = self.fig.canvas
            else:
                # No live canvas: show a PNG and re-render it after every update.
                self._image = view = widgets.Image(format="png")
                self._refresh_image()
            self._widget = widgets.VBox([*self._controls(), view, self.table])
        return self._widget

    def _refresh_image(self) -> None:
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=80)
        self._image.value = buf.getvalue()

    def _draw(self) -> None:
        if not self._blit():
            self.fig.canvas.draw_idle()
        if getattr(self, "_image", None) is not None:
            self._refresh_image()

    # -- blitting ----------------------------------------------------------------------------
    # A full render of a figure with several panels, ticks, a colour bar and a legend takes
    # about 130 ms of CPU; most of it is text that a control never changes. With blitting on,
    # a full draw (the first one, a resize, zoom or pan) also stores the pixels of everything
    # that stays (the background), and a control's update then restores them and draws only
    # the artists that can change -- about a quarter of the work -- and pushes the frame to
    # the browser at once, without ipympl's round trip (``draw_idle`` asks the browser, which
    # asks the kernel back for a full draw). The ticks of the axes whose limits move are
    # drawn once per set of limits: the background with them is kept as a second layer.
    def _enable_blit(self, *, fixed=(), moving=()) -> None:
        """Redraw only what an update can change.

        ``fixed`` axes keep their limits: their data artists, titles and spines are redrawn
        on each update, their ticks and labels stay in the background. ``moving`` axes
        change their limits: everything in them is redrawn, their ticks and axis labels only
        when their limits (or scales, labels) changed since the last frame; otherwise the
        frame starts from the background with those ticks (the tick layer). The ticks are
        drawn under the data artists of their axes. Everything else in the figure (colour
        bars, figure legends) is background. The artists are marked ``animated``, so a full
        draw leaves them out of the background; saving the figure (the book's static PNG)
        draws them as usual.
        """
        self._blit_axes = [(ax, True) for ax in fixed] + [(ax, False) for ax in moving]
        self._background = self._tick_layer = None
        canvas = self.fig.canvas
        # ipympl (webagg) has the methods but reports supports_blit = False; blitted frames
        # are sent whole there (_whole_frames).
        if not (hasattr(canvas, "copy_from_bbox") and hasattr(canvas, "restore_region")):
            self._blit_axes = []
            return
        if isinstance(canvas, widgets.DOMWidget) and not _whole_frames(canvas):
            self._blit_axes = []  # an ipympl of another make: keep its own redraws
            return
        self._mark_animated()
        # Every update redraws through _draw(): a redraw request for each artist that goes
        # stale (hundreds per move under ipympl, each a message to the browser) is not needed.
        self.fig.stale_callback = None
        self.fig.canvas.mpl_connect("draw_event", self._on_full_draw)

    def _mark_animated(self) -> bool:
        """Mark the updatable artists ``animated``; True when some were not yet."""
        new = False
        for ax, keeps_ticks in self._blit_axes:
            static = {ax.patch, *_axis_objects(ax)} if keeps_ticks else {ax.patch}
            for artist in ax.get_children():
                if artist not in static and not artist.get_animated():
                    artist.set_animated(True)
                    new = True
        return new

    def _draw_ticks(self, renderer) -> None:
        """Draw the ticks and axis labels of the moving axes (the tick layer)."""
        for ax, keeps_ticks in self._blit_axes:
            if not keeps_ticks and ax.get_visible() and ax.axison:
                for axis in _axis_objects(ax):
                    axis.draw(renderer)

    def _tick_key(self) -> tuple:
        """What the tick layer shows: each moving axes' place, limits, scales and labels."""
        return tuple(
            (
                ax.get_visible(),
                ax.axison,
                tuple(ax.get_position().bounds),
                ax.get_xlim(),
                ax.get_ylim(),
                ax.get_xscale(),
                ax.get_yscale(),
                ax.get_xlabel(),
                ax.get_ylabel(),
            )
            for ax, keeps_ticks in self._blit_axes
            if not keeps_ticks
        )

    def _draw_animated(self, renderer) -> None:
        """Draw the animated artists but the tick layer's, in the order a full draw would
        (by zorder, per axes)."""
        for ax, _ in self._blit_axes:
            if not ax.get_visible():
                continue
            skip = set(_axis_objects(ax))  # in the background or the tick layer
            if not (ax.axison and ax.get_frame_on()):
                skip.update(ax.spines.values())
            artists = [a for a in ax.get_children() if a.get_animated() and a not in skip]
            for artist in sorted(artists, key=lambda a: a.get_zorder()):
                artist.draw(renderer)

    def _on_full_draw(self, event) -> None:
        canvas = self.fig.canvas
        if canvas.is_saving():  # savefig draws the animated artists itself
            return
        self._tick_layer = None
        # Artists added since the last update (e.g. from a notebook cell) are in this
        # frame already; they become animated and the next update redraws everything.
        if self._mark_animated():
            self._background = None
            self._draw_ticks(event.renderer)
        else:
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self._background_size = self._renderer_size(event.renderer)
            self._draw_ticks(event.renderer)
            self._tick_layer = (self._tick_key(), canvas.copy_from_bbox(self.fig.bbox))
        self._draw_animated(event.renderer)
        self._not_stale()

    def _not_stale(self) -> None:
        # Drawing the q panel's ticks marks it stale again, which would make the figure
        # stale although it is up to date; under ipympl the kernel redraws every stale
        # figure after each widget message, which would then redraw it over and over.
        self.fig.stale = False

    @staticmethod
    def _renderer_size(renderer) -> tuple[int, int]:
        return int(renderer.width), int(renderer.height)

    def _blit(self) -> bool:
        """Restore the background (with the moving axes' ticks when their limits stayed),
        draw the animated artists, send the frame; False when there is no valid background
        (before the first full draw, after a resize or an artist added from outside) and a
        full draw is needed instead."""
        if not self._blit_axes:
            return False
        # Artists added since the last full draw (a clicked trajectory) are not in the
        # background: they join the redrawn ones. (One drawn by a full draw before it was
        # marked has cleared the background in _on_full_draw.)
        self._mark_animated()
        if self._background is None:
            return False
        canvas = self.fig.canvas
        renderer = canvas.get_renderer()
        if self._renderer_size(renderer) != self._background_size:
            self._background = None
            return False
        key = self._tick_key()
        if self._tick_layer is not None and self._tick_layer[0] == key:
            canvas.restore_region(self._tick_layer[1])
        else:
            canvas.restore_region(self._background)
            self._draw_ticks(renderer)
            self._tick_layer = (key, canvas.copy_from_bbox(self.fig.bbox))
        self._draw_animated(renderer)
        ipympl = isinstance(canvas, widgets.DOMWidget)
        if ipympl:
            canvas._force_full = True  # this frame whole (_whole_frames)
        canvas.blit(self.fig.bbox)
        if ipympl:
            canvas._force_full = True  # and the next one, whatever draws it
        self._not_stale()
        return True

    def static_html(self, dpi: int = 100) -> str:
        """The figure as an embedded PNG followed by the fixed-point table: what a reader
        without a kernel (the book, a static export) sees in place of the live app."""
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", dpi=dpi)
        png = base64.b64encode(buf.getvalue()).decode("ascii")
        return (
            f'<img src="data:image/png;base64,{png}" alt="{type(self).__name__}" '
            f'style="max-width: 100%"/>\n{self.table.value}'
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        # Under ipympl: the live widget view, plus a static HTML fallback that front ends
        # without widget support (Jupyter Book, nbconvert) pick instead of "VBox(...)".
        # Elsewhere: only the static figure and table.
        bundle = {"text/plain": f"<{type(self).__name__}: interactive, needs a live kernel>"}
        bundle["text/html"] = self.static_html()
        if _is_live(self.fig):
            bundle.update(
                {k: v for k, v in self.widget._repr_mimebundle_().items() if k != "text/plain"}
            )
        return bundle

    def close(self) -> None:
        """Close the figure (free its memory)."""
        plt.close(self.fig)

    @staticmethod
    def _set_slider(slider, value, name: str) -> None:
        if not slider.min <= value <= slider.max:
            raise ValueError(
                f"{name} must be between {slider.min} and {slider.max} (the slider's range), "
                f"got {value}"
            )
        slider.value = value


# -- the 2-D toy system -----------------------------------------------------------------------
