"""The projection app, driven headless: the controls pick axes and angles, artists move in place."""

import matplotlib

matplotlib.use("Agg")

import itertools

import numpy as np
import pytest

from rnnlab.analysis.projection import PCA
from rnnlab.widgets.projection import ProjectionApp

CORNERS = np.array(list(itertools.product((-1.0, 1.0), repeat=4)))


@pytest.fixture
def tesseract():
    """A 4-cube in 40 dimensions with unequal axes, plus its centre and a path."""
    rng = np.random.default_rng(0)
    embed = np.linalg.qr(rng.normal(size=(40, 4)))[0].T * np.array([[4.0], [3.0], [2.0], [1.0]])
    X = np.vstack([CORNERS, np.zeros((1, 4))]) @ embed
    nu = np.array([0] * 16 + [4])
    path = np.linspace(CORNERS[0], CORNERS[-1], 50) @ embed
    # Readout: the bits themselves (a left inverse of the embedding).
    readout = lambda S: S @ np.linalg.pinv(embed)  # noqa: E731
    edges = [
        (i, j)
        for i, j in itertools.combinations(range(16), 2)
        if np.sum(CORNERS[i] != CORNERS[j]) == 1
    ]
    app = ProjectionApp(X, nu, pca=PCA(4).fit(X), readout=readout, trajectory=path, edges=edges)
    yield app, X, embed
    app.close()


def _points(app):
    return np.asarray(app.fixed_points[0]._offsets3d).T


def test_starts_with_first_three_pcs(tesseract):
    app, X, _ = tesseract
    assert app.axes == (0, 1, 2) and app.basis_buttons.value == "pca"
    pcs = PCA(4).fit(X).transform(X)
    np.testing.assert_allclose(_points(app), pcs[:16, :3])
    assert [app.ax.get_xlabel(), app.ax.get_ylabel(), app.ax.get_zlabel()] == ["PC1", "PC2", "PC3"]
    assert "fraction of the variance" in app.table.value
    assert len(app.edge_lines) == 32


def test_axis_menu_moves_points_edges_and_path(tesseract):
    app, X, _ = tesseract
    draws = []
    app.fig.canvas.draw_idle = lambda *a, **k: draws.append(1)
    app.axis_menus[2].value = 3
    pcs = PCA(4).fit(X).transform(X)
    np.testing.assert_allclose(_points(app), pcs[:16][:, [0, 1, 3]])
    assert app.ax.get_zlabel() == "PC4"
    z = app.edge_lines[0].get_data_3d()[2]
    i, j = app.edges[0]
    np.testing.assert_allclose(z, pcs[[i, j], 3])
    assert len(draws) == 1


def test_readout_basis_shows_the_bits(tesseract):
    app, _, _ = tesseract
    app.update(basis="readout", axes=(0, 1, 3))
    P = _points(app)
    np.testing.assert_allclose(
        np.sort(P, axis=0), np.sort(CORNERS[:, [0, 1, 3]], axis=0), atol=1e-12
    )
    assert app.ax.get_zlabel() == "z4"
    assert "one axis per bit" in app.table.value
    # The centre (4 unstable dims) sits at the origin of the readout.
    centre = np.asarray(app.fixed_points[4]._offsets3d).T
    np.testing.assert_allclose(centre, [[0, 0, 0]], atol=1e-12)


def test_rotation_sliders(tesseract):
    app, _, _ = tesseract
    app.update(elev=45, azim=10)
    assert (app.ax.elev, app.ax.azim) == (45, 10)
    app.azim_slider.value = -120
    assert app.ax.azim == -120


def test_repeated_axis_is_refused_not_drawn(tesseract):
    app, _, _ = tesseract
    before = _points(app).copy()
    app.axis_menus[1].value = 0
    assert "three different axes" in app.table.value
    np.testing.assert_allclose(_points(app), before)


def test_static_fallback(tesseract):
    app, _, _ = tesseract
    bundle = app._repr_mimebundle_()
    assert bundle["text/html"].startswith('<img src="data:image/png;base64,')


def test_bad_inputs(tesseract):
    app, X, _ = tesseract
    with pytest.raises(ValueError, match="axes must be three different indices"):
        app.update(axes=(0, 1, 7))
    with pytest.raises(ValueError, match="basis must be one of"):
        app.update(basis="tsne")
    with pytest.raises(ValueError, match="give pca, readout or both"):
        ProjectionApp(X, np.zeros(len(X), int))
    with pytest.raises(ValueError, match="n_unstable must have shape"):
        ProjectionApp(X, np.zeros(3, int), pca=PCA(3).fit(X))
    with pytest.raises(TypeError, match="pca must be a fitted"):
        ProjectionApp(X, np.zeros(len(X), int), pca=PCA(3))
    with pytest.raises(ValueError, match="at least 3 axes"):
        ProjectionApp(X, np.zeros(len(X), int), readout=lambda S: S[..., :2])
