"""rnnlab: recurrent neural networks as dynamical systems.

The package is laid out like the course (one subpackage a part):

============================  ==============================================================
``rnnlab.dynamics``           systems (flows and maps), nonlinearities, trajectories, stability
``rnnlab.fixedpoints``        the speed q, fixed and slow points, starts, periodic points, manifolds
``rnnlab.models``             ESN + FORCE + transfer, BPTT tanh RNN, leaky-ReLU RNN, Adam, training loop
``rnnlab.tasks``              the (delayed) n-bit flip-flop, perception and decision trials
``rnnlab.analysis``           PCA, DCA, what training changed in W, spectra
``rnnlab.flipflop``           a trained flip-flop opened: census, memories, evolution, noise, triggered averages
``rnnlab.theory``             mean-field theory of trained reservoirs, open loop, feedback-loop view
``rnnlab.plotting``           the course's figures
``rnnlab.course``             shipped trained networks and the exercise checks
``rnnlab.widgets``            the interactive apps (interface only)
============================  ==============================================================

The names below are the learning path the chapters use, in the order they meet them;
``rnnlab.plots`` and ``rnnlab.check`` are short names for :mod:`rnnlab.plotting.plots` and
:mod:`rnnlab.course.check`, loaded on first use.
"""

import importlib as _importlib

from rnnlab._internal.blas import blas_limited, blas_threads, get_blas_threads, set_blas_threads
from rnnlab.analysis.dca import DCA
from rnnlab.analysis.projection import PCA
from rnnlab.course.networks import (
    load_delayed_network,
    load_network,
    train_delayed_network,
    train_recipe,
)
from rnnlab.dynamics.callables import make_flow, make_map
from rnnlab.dynamics.nonlinearities import Nonlinearity, nonlinearity
from rnnlab.dynamics.simulate import simulate
from rnnlab.dynamics.stability import classify, n_unstable
from rnnlab.dynamics.systems import (
    DynamicalSystem,
    RateRNN,
    TanhMap,
    ToySystem,
    esn_closed_loop,
    random_rnn,
)
from rnnlab.fixedpoints.finder import find_fixed_points, minimize_q
from rnnlab.fixedpoints.periodic import (
    EulerMap,
    IteratedMap,
    PeriodicPoints,
    euler_map,
    find_periodic_points,
    minimal_period,
)
from rnnlab.fixedpoints.result import FixedPoints
from rnnlab.fixedpoints.starts import (
    centroids,
    grid_2d,
    grid_starts,
    midpoints,
    mirror,
    sample_states,
)
from rnnlab.flipflop.evolution import Evolution, fixed_point_pca, fixed_points_over_training
from rnnlab.flipflop.memories import Memories, find_memories, memory_distances
from rnnlab.flipflop.noise import (
    NoiseSweep,
    noise_levels,
    noise_matrices,
    noise_sweep,
    perturbed,
    run_perturbed,
)
from rnnlab.flipflop.noise_memories import (
    MemoryFate,
    linear_shift,
    perturbed_census,
    track_memories,
)
from rnnlab.flipflop.readout_search import readout_search
from rnnlab.flipflop.triggered import TriggeredAverage, triggered_average
from rnnlab.models.adam import Adam
from rnnlab.models.bptt import TanhRNN, bit_accuracy, flipflop_windows, train_flipflop
from rnnlab.models.esn import ESN
from rnnlab.models.force import ForceHistory, evaluate, fit_ridge, train_force
from rnnlab.models.leaky_relu import LeakyReLUMap, LeakyReLURNN
from rnnlab.models.training_loop import TrainingHistory, train
from rnnlab.models.transfer import TransferredESN, continue_force, transfer
from rnnlab.tasks.flipflop import FlipFlopTask
from rnnlab.theory.meanfield import MeanField, NoFadingMemory, mean_field
from rnnlab.theory.meanfield_targets import mean_field_targets
from rnnlab.theory.open_loop import random_reservoir, train_open_loop
from rnnlab.theory.trained_reservoir import TrainedReservoir

__version__ = "0.1.0"

_SHORT = {"plots": "rnnlab.plotting.plots", "check": "rnnlab.course.check"}


def __getattr__(name: str):
    # ``from rnnlab import plots`` / ``rnnlab.check``: the module, imported on first use.
    if name in _SHORT:
        module = _importlib.import_module(_SHORT[name])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'rnnlab' has no attribute {name!r}")


__all__ = [
    "DCA",
    "ESN",
    "PCA",
    "Adam",
    "DynamicalSystem",
    "EulerMap",
    "Evolution",
    "FixedPoints",
    "FlipFlopTask",
    "ForceHistory",
    "IteratedMap",
    "LeakyReLUMap",
    "LeakyReLURNN",
    "MeanField",
    "Memories",
    "MemoryFate",
    "NoFadingMemory",
    "NoiseSweep",
    "Nonlinearity",
    "PeriodicPoints",
    "RateRNN",
    "TanhMap",
    "TanhRNN",
    "ToySystem",
    "TrainedReservoir",
    "TrainingHistory",
    "TransferredESN",
    "TriggeredAverage",
    "bit_accuracy",
    "blas_limited",
    "blas_threads",
    "centroids",
    "classify",
    "continue_force",
    "esn_closed_loop",
    "euler_map",
    "evaluate",
    "find_fixed_points",
    "find_memories",
    "find_periodic_points",
    "fit_ridge",
    "fixed_point_pca",
    "fixed_points_over_training",
    "flipflop_windows",
    "get_blas_threads",
    "grid_2d",
    "grid_starts",
    "linear_shift",
    "load_delayed_network",
    "load_network",
    "make_flow",
    "make_map",
    "mean_field",
    "mean_field_targets",
    "memory_distances",
    "midpoints",
    "minimal_period",
    "minimize_q",
    "mirror",
    "n_unstable",
    "noise_levels",
    "noise_matrices",
    "noise_sweep",
    "nonlinearity",
    "perturbed",
    "perturbed_census",
    "random_reservoir",
    "random_rnn",
    "readout_search",
    "run_perturbed",
    "sample_states",
    "set_blas_threads",
    "simulate",
    "track_memories",
    "train",
    "train_delayed_network",
    "train_flipflop",
    "train_force",
    "train_open_loop",
    "train_recipe",
    "transfer",
    "triggered_average",
]
