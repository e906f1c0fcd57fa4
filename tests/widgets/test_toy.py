"""The toy app's trajectories, the q panel's limits and the tick layer."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from rnnlab import ToySystem, simulate
from rnnlab.widgets import ToySystemApp


@pytest.fixture
def toy():
    app = ToySystemApp()
    yield app
    app.close()


def _pixels(app):
    return np.asarray(app.fig.canvas.get_renderer().buffer_rgba()).copy()


def _count_tick_draws(app):
    """Count the draws of the q panel's x axis (the tick layer is drawn when it is built)."""
    calls = []
    axis = app.ax_q.xaxis
    draw = axis.draw
    axis.draw = lambda renderer: (calls.append(1), draw(renderer))[1]
    return calls


def _cut_outside(X, box):
    """NaN after each path's first point outside ``box`` (``[[x_lo, y_lo], [x_hi, y_hi]]``)."""
    (x_lo, y_lo), (x_hi, y_hi) = box
    x, y = X[..., 0], X[..., 1]
    outside = (x < x_lo) | (x > x_hi) | (y < y_lo) | (y > y_hi)
    out = X.copy()
    for b in np.flatnonzero(outside.any(axis=1)):
        out[b, np.argmax(outside[b]) + 1 :] = np.nan
    return out


def test_trajectories_are_the_numbers_simulate_gives(toy):
    starts = np.array([[0.1, 0.0], [-1.5, 1.2], [1.9, -1.4], [-0.3, -1.0]])
    cut = 0
    for a, b in [(1.0, 0.5), (0.25, 0.75), (-0.5, 0.5)]:
        toy.update(a=a, b=b)
        _, X = simulate(ToySystem(a, b), starts, toy.duration, dt=toy.dt)
        expected = _cut_outside(X, toy._box())
        np.testing.assert_array_equal(toy._simulate(starts), expected)
        cut += int(np.isnan(expected).any())
    assert cut == 1  # at a = -0.5 the start (1.9, -1.4) leaves the box (x reaches 7)


def test_escaping_trajectory_stops_at_its_first_point_outside_the_box(toy):
    # b < 0: outside |x| < sqrt(a) the flow blows up in finite time.
    toy.update(b=-0.5)
    path = toy._simulate(np.array([[1.9, 1.4]]))[0]
    kept = np.flatnonzero(np.isfinite(path[:, 0]))
    k = kept[-1]
    np.testing.assert_array_equal(kept, np.arange(k + 1))  # a prefix, then NaN
    (x_lo, y_lo), (x_hi, y_hi) = toy._box()
    inside = (x_lo <= path[:, 0]) & (path[:, 0] <= x_hi) & (y_lo <= path[:, 1])
    inside &= path[:, 1] <= y_hi
    assert inside[:k].all() and not inside[k]  # the first point outside is the last one
    # Up to there, the numbers are simulate's (which overflows if run for the whole time).
    _, expected = simulate(ToySystem(1.0, -0.5), [1.9, 1.4], k * toy.dt, dt=toy.dt)
    np.testing.assert_array_equal(path[: k + 1], expected)


def test_q_panel_spans_whole_decades_from_the_floor(toy):
    for start in (0, 24, 40):
        toy.update(start=start)
        q = toy.q_line.get_ydata()
        lo, hi = toy.ax_q.get_ylim()
        assert lo == pytest.approx(1e-33)
        top = np.log10(hi)
        assert top == pytest.approx(round(top))  # a whole decade ...
        assert 10 * q.max() <= hi < 100 * q.max()  # ... one to two above the largest q


def test_path_slider_follows_the_path_when_a_parameter_changes(toy):
    # The path slider's range is the path's; a step past the new end is clipped to it.
    toy.update(start=0)
    toy.path_slider.value = toy.path_slider.max
    long = len(toy.fps.paths[0])
    toy.update(a=1.5, b=-0.25)
    path = toy.fps.paths[0]
    assert len(path) < long
    assert toy.path_slider.max == len(path) - 1 == toy.path_slider.value
    np.testing.assert_array_equal(np.ravel(toy.path_marker.get_data()), path[-1])


def test_tick_layer_is_reused_while_limits_stay_and_frames_equal_full_draws(toy):
    toy.click(0.1, 0.0)
    toy.update(start=0, a=0.15)
    toy.fig.canvas.draw()
    ticks = _count_tick_draws(toy)
    limits = toy.ax_q.get_xlim(), toy.ax_q.get_ylim()
    # One slider step at a time, as the arrow keys move it: the q panel keeps its limits.
    for a in (0.2, 0.15, 0.2):
        before = _pixels(toy)
        toy.a_slider.value = a
        assert (toy.ax_q.get_xlim(), toy.ax_q.get_ylim()) == limits
        assert not np.array_equal(_pixels(toy), before)
    assert not ticks, "the q panel's ticks were redrawn although its limits stayed"
    blitted = _pixels(toy)
    toy.fig.canvas.draw()
    np.testing.assert_array_equal(blitted, _pixels(toy))
    # Another start: new limits, the ticks are drawn again, and the frame is still right.
    ticks.clear()
    toy.update(start=24)
    assert (toy.ax_q.get_xlim(), toy.ax_q.get_ylim()) != limits
    assert len(ticks) == 1
    blitted = _pixels(toy)
    toy.fig.canvas.draw()
    np.testing.assert_array_equal(blitted, _pixels(toy))
    # And the static figure (the book's) draws every artist, the ticks included.
    assert "data:image/png;base64," in toy.static_html()
