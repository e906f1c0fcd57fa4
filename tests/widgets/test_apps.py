"""The apps, driven headless: controls move the artists in place."""

import matplotlib

matplotlib.use("Agg")

import subprocess
import sys
from types import SimpleNamespace

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlab.widgets import RandomRNNApp, ToySystemApp


@pytest.fixture
def toy():
    app = ToySystemApp()
    yield app
    app.close()


@pytest.fixture
def rnn():
    app = RandomRNNApp(N=50, g=1.5, seed=0)
    yield app
    app.close()


def _by_x(P):
    P = np.asarray(P)
    return P[np.argsort(P[:, 0])]


def _count_draws(app):
    calls = []
    app.fig.canvas.draw_idle = lambda *a, **k: calls.append(1)
    return calls


def test_toy_app_shows_jangs_system(toy):
    fp = toy.portrait.fixed_points
    np.testing.assert_allclose(_by_x(fp["stable"].get_offsets()), [[-1, -0.5], [1, 0.5]], atol=1e-9)
    np.testing.assert_allclose(fp["saddle"].get_offsets(), [[0, 0]], atol=1e-9)
    assert "stable node" in toy.table.value and "saddle (1 unstable)" in toy.table.value
    assert "(1.000, 0.500)" in toy.table.value and "0.366, -1.366" in toy.table.value


def test_a_slider_moves_everything_in_place(toy):
    draws = _count_draws(toy)
    art = toy.portrait
    dx, image, quiver = art.nullclines.dx, art.speed, art.field
    old_image, old_U = image.get_array().copy(), quiver.U.copy()
    old_table = toy.table.value

    toy.a_slider.value = 0.25

    assert draws  # a redraw was requested ...
    assert art.nullclines.dx is dx and art.speed is image and art.field is quiver  # ... in place
    P = np.concatenate(dx.get_segments())
    vertical = P[np.abs(P[:, 1]) > 0.05]  # off the y = 0 branch: the lines x = ±sqrt(a)
    np.testing.assert_allclose(np.abs(vertical[:, 0]), 0.5, atol=0.02)
    stable = _by_x(art.fixed_points["stable"].get_offsets())
    np.testing.assert_allclose(stable, [[-0.5, -0.25], [0.5, 0.25]], atol=1e-9)
    assert not np.allclose(image.get_array(), old_image)
    assert not np.allclose(quiver.U, old_U)
    assert toy.table.value != old_table and "(0.500, 0.250)" in toy.table.value
    assert toy.system.a == 0.25


def test_b_slider_changes_types(toy):
    toy.b_slider.value = -0.5
    fp = toy.portrait.fixed_points
    np.testing.assert_allclose(fp["stable"].get_offsets(), [[0, 0]], atol=1e-9)  # a focus
    assert len(fp["saddle"].get_offsets()) == 2
    assert "stable focus" in toy.table.value
    P = np.concatenate(toy.portrait.nullclines.dy.get_segments())
    np.testing.assert_allclose(P[:, 1], -0.5 * P[:, 0], atol=1e-12)


def test_b_zero_is_explained_not_crashed(toy):
    before = toy.portrait.fixed_points["stable"].get_offsets().copy()
    toy.update(b=0.0)
    assert "b = 0" in toy.table.value
    np.testing.assert_array_equal(toy.portrait.fixed_points["stable"].get_offsets(), before)
    toy.update(b=0.5)
    assert "stable node" in toy.table.value


def test_click_launches_trajectory_to_a_stable_node(toy):
    draws = _count_draws(toy)
    path = toy.click(0.1, 0.0)
    assert len(toy.trajectory_lines) == 1 and draws
    np.testing.assert_allclose(path[0], [0.1, 0.0])
    np.testing.assert_allclose(path[-1], [1.0, 0.5], atol=1e-3)
    line_xy = np.column_stack(toy.trajectory_lines[0].get_data())
    np.testing.assert_allclose(line_xy, path)
    # The trajectory follows a parameter change (recomputed from the same start).
    toy.a_slider.value = 0.25
    end = np.column_stack(toy.trajectory_lines[0].get_data())[-1]
    np.testing.assert_allclose(end, [0.5, 0.25], atol=1e-3)
    toy.clear_trajectories()
    assert toy.trajectory_lines == [] and len(toy.ax.lines) == 2  # only the path and marker


def test_mouse_event_goes_through_click(toy):
    toy._on_press(SimpleNamespace(inaxes=toy.ax, xdata=-0.1, ydata=0.0, key=None))
    end = np.column_stack(toy.trajectory_lines[-1].get_data())[-1]
    np.testing.assert_allclose(end, [-1.0, -0.5], atol=1e-3)
    toy._on_press(SimpleNamespace(inaxes=toy.ax_q, xdata=1.0, ydata=1.0, key=None))
    assert len(toy.trajectory_lines) == 1  # clicks outside the portrait are ignored


def test_real_matplotlib_mouse_events(toy):
    from matplotlib.backend_bases import MouseEvent

    toy.fig.canvas.draw()  # final layout, so data -> pixel is what a user would click
    px, py = toy.ax.transData.transform((-0.1, 0.0))
    MouseEvent("button_press_event", toy.fig.canvas, px, py, button=1)._process()
    assert len(toy.trajectory_lines) == 1
    n = len(toy.fps.x0)
    px, py = toy.ax.transData.transform((1.5, 1.0))
    MouseEvent(
        "button_press_event", toy.fig.canvas, px, py, button=1, modifiers={"shift"}
    )._process()
    assert len(toy.fps.x0) == n + 1 and len(toy.trajectory_lines) == 1
    np.testing.assert_allclose(toy.fps.x0[-1], [1.5, 1.0], atol=1e-9)


def test_escaping_trajectory_is_cut_not_crashed(toy):
    toy.update(b=-0.5)  # outside |x| < 1 the flow blows up in finite time
    path = toy.click(1.9, 1.4)
    assert np.isnan(path[-1]).all() and np.isfinite(path[0]).all()


def test_path_slider_moves_marker_along_recorded_path(toy):
    draws = _count_draws(toy)
    toy.update(start=0)  # the corner (-2, -1.5)
    path = toy.fps.paths[0]
    assert len(path) > 3
    np.testing.assert_allclose(np.column_stack(toy.path_line.get_data()), path)
    assert toy.path_slider.max == len(path) - 1
    for k in (1, 3, len(path) - 1):
        toy.path_slider.value = k
        np.testing.assert_allclose(np.ravel(toy.path_marker.get_data()), path[k])
        assert toy.q_marker.get_ydata()[0] == pytest.approx(max(toy.system.q(path[k]), 1e-32))
    assert len(draws) >= 3
    np.testing.assert_allclose(path[-1], toy.fps.x_final[0])


def test_start_dropdown_and_shift_click(toy):
    toy.start_dropdown.value = 24  # the grid's centre, (0, 0): already at the saddle
    np.testing.assert_allclose(np.column_stack(toy.path_line.get_data()), toy.fps.paths[24])
    n = len(toy.fps.x0)
    toy._on_press(
        SimpleNamespace(inaxes=toy.ax, xdata=0.3, ydata=-1.0, key=None, modifiers={"shift"})
    )
    assert len(toy.fps.x0) == n + 1 and toy.start_dropdown.value == n
    np.testing.assert_allclose(toy.path_line.get_xydata()[0], [0.3, -1.0])


def test_update_rejects_bad_input(toy):
    with pytest.raises(ValueError, match="a must be between"):
        toy.update(a=5.0)
    with pytest.raises(ValueError, match="takes a, b"):
        toy.update(c=1.0)
    with pytest.raises(ValueError, match="start must be an index"):
        toy.update(start=1000)
    with pytest.raises(ValueError, match="finite"):
        toy.click(np.nan, 0.0)


def test_static_display_without_ipympl(toy):
    # Under Agg the canvas is not a widget: the box holds a PNG of the figure instead.
    box = toy.widget
    assert isinstance(box, widgets.VBox)
    image = box.children[-2]
    assert isinstance(image, widgets.Image) and image.value[:4] == b"\x89PNG"
    png = image.value
    toy.a_slider.value = 0.5
    assert image.value != png  # re-rendered after the update
    assert toy.a_slider in box.children[0].children


def test_rnn_app_g_changes_spectrum(rnn):
    draws = _count_draws(rnn)
    spec = rnn.spectrum
    off = spec.points.get_offsets().copy()
    assert len(off) == 50
    np.testing.assert_allclose(
        np.hypot(spec.circle.get_xdata() + 1.0, spec.circle.get_ydata()), 1.5
    )
    rnn.g_slider.value = 0.5
    assert draws and rnn.spectrum.points is spec.points
    new = spec.points.get_offsets()
    # W scales with g (same draws), so the eigenvalues of -I + W scale about -1.
    np.testing.assert_allclose(np.sort(new[:, 0] + 1), np.sort((off[:, 0] + 1) / 3), atol=1e-9)
    cx, cy = spec.circle.get_data()
    np.testing.assert_allclose(np.hypot(cx + 1.0, cy), 0.5)
    assert "origin: stable" in rnn.table.value
    # g < 1: activity decays to the origin
    assert np.abs(rnn.trace_lines[0].get_ydata()[-1]) < 1e-3


def test_rnn_app_N_and_seed(rnn):
    rnn.update(N=100)
    assert len(rnn.spectrum.points.get_offsets()) == 100
    assert len(rnn.trace_lines[0].get_xdata()) == 601
    a = RandomRNNApp(N=50, g=1.5, seed=0)
    b = RandomRNNApp(N=50, g=1.5, seed=1)
    rnn.update(N=50)
    np.testing.assert_array_equal(
        a.spectrum.points.get_offsets(), rnn.spectrum.points.get_offsets()
    )
    assert not np.allclose(
        np.sort(a.spectrum.points.get_offsets()[:, 0]),
        np.sort(b.spectrum.points.get_offsets()[:, 0]),
    )
    assert "origin: saddle" in a.table.value
    with pytest.raises(ValueError, match="N must be between"):
        a.update(N=1000)
    a.close()
    b.close()


def test_no_figures_leak(toy):
    n = len(plt.get_fignums())
    app = ToySystemApp()
    app.close()
    assert len(plt.get_fignums()) == n


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: ToySystemApp(a=5.0), "a must be between"),
        (lambda: ToySystemApp(b=0.0), "b must be a finite nonzero"),
        (lambda: ToySystemApp(xlim=(2, -2)), "xlim"),
        (lambda: RandomRNNApp(N=10), "N must be between"),
        (lambda: RandomRNNApp(g=3.0), "g must be between"),
        (lambda: RandomRNNApp(seed=-1), "seed"),
    ],
)
def test_constructors_reject_bad_input(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_static_mimebundle_without_ipympl(toy):
    # Off ipympl the app displays as its figure (embedded PNG) and table, nothing live.
    bundle = toy._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" not in bundle
    assert '<img src="data:image/png;base64,' in bundle["text/html"]
    assert toy.table.value in bundle["text/html"]


def test_live_mimebundle_has_a_static_fallback():
    # Under the real ipympl backend (in a fresh interpreter, so this process keeps Agg) the
    # bundle carries the widget view for JupyterLab AND the static HTML that the book, whose
    # configuration disables widget views, shows instead of "VBox(...)".
    code = (
        "import matplotlib; matplotlib.use('module://ipympl.backend_nbagg')\n"
        "from rnnlab.widgets import RandomRNNApp, ToySystemApp\n"
        "for app in (ToySystemApp(), RandomRNNApp(N=50, g=1.5, seed=0)):\n"
        "    b = app._repr_mimebundle_()\n"
        "    assert type(app.fig.canvas).__name__ == 'Canvas', type(app.fig.canvas)\n"
        "    assert 'application/vnd.jupyter.widget-view+json' in b, sorted(b)\n"
        "    assert 'data:image/png;base64,' in b['text/html']\n"
        "    assert 'VBox' not in b['text/plain']\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


def _pixels(app):
    return np.asarray(app.fig.canvas.get_renderer().buffer_rgba()).copy()


def test_toy_blitted_frames_equal_full_draws(toy):
    # After a full draw the app redraws only what changes, over the cached background; the
    # frame must be the one a full draw gives, pixel for pixel, and saving the figure (the
    # book's static PNG) must still show every artist.
    draws = _count_draws(toy)
    toy.click(0.1, 0.0)
    toy.fig.canvas.draw()
    full_before = _pixels(toy)
    actions = [
        lambda: setattr(toy.a_slider, "value", 0.25),
        lambda: toy.click(-1.5, 1.2),  # a new artist joins the redrawn ones
        lambda: setattr(toy.path_slider, "value", 2),
        lambda: toy.update(start=3),
        lambda: toy.update(b=0.0),  # only the title and the table change
        lambda: toy.update(a=1.5, b=-0.5),
        toy.clear_trajectories,
    ]
    for act in actions:
        draws.clear()
        act()
        assert not draws, "an update asked for a full redraw although it could blit"
        blitted = _pixels(toy)
        assert not np.array_equal(blitted, full_before)
        toy.fig.canvas.draw()
        full_before = _pixels(toy)
        np.testing.assert_array_equal(blitted, full_before)
    assert not toy.fig.stale  # nothing left for pyplot to redraw after each widget message
    saved = toy.static_html()
    toy.fig.canvas.draw()
    assert saved == toy.static_html()  # drawing and saving do not disturb each other


def test_toy_blit_needs_a_full_draw_first_and_after_foreign_artists(toy):
    draws = _count_draws(toy)
    toy.a_slider.value = 0.25
    assert draws  # no background yet: a full draw is requested
    toy.fig.canvas.draw()
    (line,) = toy.ax.plot([-1, 1], [-1, 1], "r-", lw=5)  # from a notebook cell
    toy.fig.canvas.draw()  # drawn into the frame before the app knew it
    draws.clear()
    toy.a_slider.value = 0.5
    assert draws  # the background holds the line: redraw fully once
    toy.fig.canvas.draw()
    line.remove()
    draws.clear()
    toy.a_slider.value = 0.55
    assert not draws
    blitted = _pixels(toy)
    toy.fig.canvas.draw()
    np.testing.assert_array_equal(blitted, _pixels(toy))  # no ghost of the removed line


def test_toy_sends_whole_blitted_frames_under_ipympl():
    # Under the real ipympl backend (a fresh interpreter): after the first full draw a
    # slider move sends one whole PNG frame straight away, equal to the rendered pixels, and
    # asks the browser for no redraw (no draw_idle round trip, no redraw per stale artist).
    code = (
        "import io, json\n"
        "import numpy as np, matplotlib\n"
        "matplotlib.use('module://ipympl.backend_nbagg')\n"
        "import matplotlib.pyplot as plt\n"
        "from PIL import Image\n"
        "from rnnlab.widgets import ToySystemApp\n"
        "plt.ion()\n"
        "app = ToySystemApp(a=-0.25); c = app.fig.canvas\n"
        "c.syncing_data_url = False  # as once the browser has said 'initialized'\n"
        "sent = []\n"
        "c.send = lambda content, buffers=None: sent.append((json.loads(content['data']), buffers))\n"
        "c.draw(); sent.clear()\n"
        "app.a_slider.value = 0.25\n"
        "frames = [b for m, b in sent if m['type'] == 'binary']\n"
        "assert [m['type'] for m, b in sent] == ['binary'], [m for m, b in sent]\n"
        "assert c._current_image_mode == 'full', c._current_image_mode\n"
        "png = np.asarray(Image.open(io.BytesIO(frames[0][0])))\n"
        "assert np.array_equal(png, np.asarray(c.get_renderer().buffer_rgba()))\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"
