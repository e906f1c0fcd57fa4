"""The noise app, driven headless: the eta slider perturbs the network and moves the artists."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlab.analysis.projection import PCA
from rnnlab.flipflop.memories import find_memories
from rnnlab.flipflop.noise import perturbed
from rnnlab.models.force import evaluate
from rnnlab.tasks.flipflop import FlipFlopTask
from rnnlab.widgets.noise import NoiseApp


@pytest.fixture(scope="module")
def trained(two_bit_esn):
    esn = two_bit_esn
    u, y = FlipFlopTask(2, pulse_rate=0.02, pulse_at_start=True).generate(300, seed=5)
    return esn, u, y, find_memories(esn)


@pytest.fixture
def app(trained):
    esn, u, y, mem = trained
    a = NoiseApp(esn, u, y, PCA(3).fit(mem.x), memories=mem.x, eta=1e-4, n_draws=3, seed=0)
    yield a
    a.close()


def test_eta_slider_moves_the_artists_in_place(app, trained):
    esn, u, y, _ = trained
    draws = []
    app.fig.canvas.draw_idle = lambda *a, **k: draws.append(1)
    line, outs = app.trajectory_line, app.output_lines
    old_path = np.array(line.get_data_3d()).copy()
    old_z = outs[0].get_ydata().copy()
    old_table, old_title = app.table.value, app.title.get_text()

    app.eta_slider.value = 0.5  # eta sqrt(N) = 5: the memories are gone

    assert draws
    assert app.trajectory_line is line and app.output_lines[0] is outs[0]
    assert not np.allclose(np.array(line.get_data_3d()), old_path)
    assert not np.allclose(outs[0].get_ydata(), old_z)
    assert app.table.value != old_table and "5.000" in app.table.value
    assert app.title.get_text() != old_title
    # the artists show the perturbed network: its own run, scored as evaluate scores it
    ref = evaluate(perturbed(esn, 0.5 * app.Z[0]), u, y)
    assert app.scores["accuracy"] == pytest.approx(ref["accuracy"])
    assert app.scores["accuracy"] < 0.9


def test_small_eta_is_the_trained_network(app, trained):
    esn, u, _, _ = trained
    _, z = esn.run(u)
    np.testing.assert_allclose(app.output_lines[1].get_ydata() - app.offsets[1], z[:, 1], atol=1e-2)
    assert app.scores["settled_accuracy"] > 0.95


def test_draw_slider_and_update(app):
    app.update(eta=0.05)
    a = app.output_lines[0].get_ydata().copy()
    app.update(draw=2)
    assert app.draw_slider.value == 2
    assert not np.allclose(app.output_lines[0].get_ydata(), a)
    with pytest.raises(ValueError, match="eta must be between"):
        app.update(eta=2.0)
    with pytest.raises(ValueError, match="draw must be between"):
        app.update(draw=7)


def test_static_fallback_and_bad_inputs(app, trained):
    bundle = app._repr_mimebundle_()
    assert (
        "data:image/png;base64" in bundle["text/html"] and "settled accuracy" in bundle["text/html"]
    )
    esn, u, y, mem = trained
    with pytest.raises(TypeError, match="esn must be"):
        NoiseApp("net", u, y, PCA(3).fit(mem.x))
    with pytest.raises(TypeError, match="projection must be"):
        NoiseApp(esn, u, y, 3)
    with pytest.raises(ValueError, match="targets must have shape"):
        NoiseApp(esn, u, y[:10], PCA(3).fit(mem.x))
    figures = plt.get_fignums()
    with pytest.raises(ValueError, match="eta must be between"):
        NoiseApp(esn, u, y, PCA(3).fit(mem.x), eta=2.0)
    with pytest.raises(TypeError, match="eta"):
        NoiseApp(esn, u, y, PCA(3).fit(mem.x), eta="0.01")
    assert plt.get_fignums() == figures  # refused before any figure was made
