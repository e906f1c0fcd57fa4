"""The training-changes app: frames from snapshots, slider moves artists, static fallback."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from rnnlab.analysis.training_frames import training_frames
from rnnlab.models.leaky_relu import LeakyReLURNN, train_on_task
from rnnlab.tasks.decisions import perception_trials
from rnnlab.widgets.training_changes import TrainingChangesApp


@pytest.fixture(scope="module")
def frames():
    net = LeakyReLURNN.random(12, 1, seed=0, input_scale=0.5)
    _, snaps = train_on_task(
        net,
        lambda n, seed: perception_trials(n, 30, seed=seed, grace=5),
        n_steps=6,
        seed=0,
        snapshot_every=2,
        lr=1e-2,
    )
    trials = perception_trials(2, 30, seed=0, input_noise=0.0, levels=[0.5, 0.8], grace=5)
    return training_frames(net, snaps["step"], snaps["W"], trials)


def test_frames_hold_the_snapshots(frames):
    np.testing.assert_array_equal(frames["step"], [0, 2, 4, 6])
    assert frames["eig"].shape == (4, 12) and frames["sv"].shape == (4, 12)
    assert frames["latent"].shape == (4, 2, 30, 2)
    np.testing.assert_allclose(frames["sv"][0], 0.0, atol=1e-14)  # no change at step 0
    assert np.all(frames["sv"][-1, 0] > 0)
    assert np.all(np.diff(np.abs(frames["eig"]), axis=1) <= 1e-12)  # sorted by modulus


def test_slider_moves_the_artists_in_place(frames):
    app = TrainingChangesApp(frames, snapshot=0)
    scatter, line = app._eig, app._lines[0]
    before = line.get_xydata().copy()
    app.snapshot_slider.value = 3
    assert app._eig is scatter and app._lines[0] is line
    assert not np.allclose(line.get_xydata(), before)
    np.testing.assert_allclose(line.get_xydata(), frames["latent"][3, 0])
    np.testing.assert_allclose(app._eig.get_offsets()[:, 0], frames["eig"][3].real)
    assert "step 6" in app.table.value
    assert "<img" in app.static_html()
    app.close()


def test_bad_inputs(frames):
    with pytest.raises(ValueError, match="snapshot must be between"):
        TrainingChangesApp(frames, snapshot=9)
    with pytest.raises(ValueError, match="frames must hold"):
        TrainingChangesApp({"step": [0]})
    net = LeakyReLURNN.random(12, 1, seed=0, input_scale=0.5)
    with pytest.raises(ValueError, match="weights must have shape"):
        training_frames(net, [0], np.zeros((2, 12, 12)), perception_trials(1, 10, seed=0, grace=2))
