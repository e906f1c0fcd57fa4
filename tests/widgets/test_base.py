"""The apps' shared plumbing: the PNG frames sent while a control moves."""

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from PIL import Image

from rnnlab.widgets._base import _png_frame


def _decode(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as im:
        assert im.format == "PNG" and im.mode == "RGBA"
        return np.asarray(im)


def test_png_frame_decodes_to_the_same_pixels():
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    flat = np.full((20, 30, 4), 255, dtype=np.uint8)
    flat[5:9, 3:25] = (10, 200, 30, 128)
    for pixels in (noise, flat, noise[::2, 1::3]):  # a view that is not contiguous, too
        np.testing.assert_array_equal(_decode(_png_frame(pixels)), pixels)


def test_png_frame_of_a_figure_is_compressed():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
    ax.plot([0, 1], [0, 1])
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.get_renderer().buffer_rgba())
    png = _png_frame(pixels)
    plt.close(fig)
    np.testing.assert_array_equal(_decode(png), pixels)
    assert len(png) < pixels.nbytes / 10  # mostly white: zlib shrinks it well


@pytest.mark.parametrize(
    "pixels",
    [np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4, 4), np.float64), np.zeros((4, 4), np.uint8)],
)
def test_png_frame_takes_rgba_bytes_only(pixels):
    with pytest.raises(ValueError, match="pixels"):
        _png_frame(pixels)
