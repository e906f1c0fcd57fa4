r"""Snapshots of a gradient-training run, summarised once for scrubbing through them.

:func:`training_frames` summarises every saved snapshot :math:`W^{(k)}` of a training run
(eigenvalues of :math:`W^{(k)}`, singular values of :math:`W^{(k)} - W^{(0)}`, the
noise-free trajectories of a few test conditions projected onto the principal components
of the *trained* network's trajectories, and the loss); chapter 09's
:class:`rnnlab.widgets.training_changes.TrainingChangesApp` shows one frame at a time.
"""

from __future__ import annotations

import numpy as np

from rnnlab.analysis.projection import PCA
from rnnlab.models.leaky_relu import LeakyReLURNN
from rnnlab.tasks.decisions import Trials

__all__ = ["training_frames"]


def training_frames(
    net: LeakyReLURNN, steps, weights, trials: Trials, *, n_components: int = 2
) -> dict:
    r"""Summaries of training snapshots for :class:`TrainingChangesApp`.

    Parameters
    ----------
    net : LeakyReLURNN
        Supplies inputs, readout and slope (its own :math:`W` is not used).
    steps : array_like of int, shape (n_snap,)
        Training step of every snapshot; ``weights[0]`` must be the untrained :math:`W^{(0)}`.
    weights : array_like, shape (n_snap, N, N)
    trials : Trials
        Test conditions, run noise-free from rest (their input noise is kept as generated;
        pass trials made with ``input_noise=0`` for clean curves).
    n_components : int
        Dimensions of the latent view (PCA of the last snapshot's trajectories).

    Returns
    -------
    dict of ndarray
        ``step`` ``(n_snap,)``; ``eig`` ``(n_snap, N)`` complex; ``sv`` ``(n_snap, N)``;
        ``latent`` ``(n_snap, B, T, n_components)``; ``loss`` ``(n_snap,)`` (on ``trials``,
        noise-free); ``mean_w`` ``(n_snap,)`` (mean off-diagonal weight); ``condition``
        ``(B, n_in)``, the input levels; ``target`` ``(B,)``.
    """
    steps = np.asarray(steps, dtype=int)
    Ws = np.asarray(weights, dtype=np.float64)
    if Ws.ndim != 3 or Ws.shape[0] != steps.shape[0] or Ws.shape[1:] != (net.N, net.N):
        raise ValueError(
            f"weights must have shape ({steps.shape[0]}, {net.N}, {net.N}), got {Ws.shape}"
        )
    m = trials.mask
    rates, losses = [], []
    for W in Ws:
        R, Z = net.with_weights(W).run(trials.inputs, noise=False)
        rates.append(R)
        losses.append(
            float(np.sum(m[None, :, None] * (Z - trials.targets) ** 2) / (Z.shape[0] * m.sum()))
        )
    pca = PCA(n_components).fit(rates[-1].reshape(-1, net.N))
    off = ~np.eye(net.N, dtype=bool)
    eig = np.array([np.linalg.eigvals(W) for W in Ws])
    order = np.argsort(-np.abs(eig), axis=1)
    return {
        "step": steps,
        "eig": np.take_along_axis(eig, order, axis=1),
        "sv": np.array([np.linalg.svd(W - Ws[0], compute_uv=False) for W in Ws]),
        "latent": np.array([pca.transform(R) for R in rates]),
        "loss": np.array(losses),
        "mean_w": np.array([W[off].mean() for W in Ws]),
        "condition": trials.levels,
        "target": trials.targets[:, -1, 0],
    }
