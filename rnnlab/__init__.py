"""rnnlab: recurrent neural networks as dynamical systems.

The names below follow the course: systems, simulation, fixed and slow points,
stability, seeds for the search, PCA; plots, widgets and exercise checks live in the
submodules ``rnnlab.plotting.plots``, ``rnnlab.widgets`` and ``rnnlab.course.check``, and the fixed-point
census of a trained flip-flop network in ``rnnlab.flipflop.census``.
"""

from rnnlab.models.adam import Adam
from rnnlab.models.bptt import TanhRNN, bit_accuracy, flipflop_windows, train_flipflop
from rnnlab.analysis.dca import DCA
from rnnlab.models.esn import ESN
from rnnlab.flipflop.evolution import Evolution, fixed_point_pca, fixed_points_over_training
from rnnlab.fixedpoints.result import FixedPoints
from rnnlab.fixedpoints.finder import find_fixed_points, minimize_q
from rnnlab.models.force import ForceHistory, evaluate, fit_ridge, train_force
from rnnlab.fixedpoints.periodic import (
    EulerMap,
    IteratedMap,
    PeriodicPoints,
    euler_map,
    find_periodic_points,
    minimal_period,
)
from rnnlab.models.leaky_relu import LeakyReLUMap, LeakyReLURNN
from rnnlab.theory.meanfield import MeanField, NoFadingMemory, mean_field
from rnnlab.theory.meanfield_targets import mean_field_targets
from rnnlab.flipflop.memories import Memories, find_memories, memory_distances
from rnnlab.course.networks import load_delayed_network, load_network, train_delayed_network, train_recipe
from rnnlab.flipflop.noise import NoiseSweep, noise_levels, noise_matrices, noise_sweep, perturbed, run_perturbed
from rnnlab.flipflop.noise_memories import MemoryFate, linear_shift, perturbed_census, track_memories
from rnnlab.dynamics.nonlinearities import Nonlinearity, nonlinearity
from rnnlab.theory.open_loop import random_reservoir, train_open_loop
from rnnlab.analysis.projection import PCA
from rnnlab.flipflop.readout_search import readout_search
from rnnlab.fixedpoints.starts import centroids, grid_2d, grid_starts, midpoints, mirror, sample_states
from rnnlab.dynamics.simulate import simulate
from rnnlab.dynamics.stability import classify, n_unstable
from rnnlab.dynamics.systems import (
    DynamicalSystem,
    RateRNN,
    TanhMap,
    ToySystem,
    esn_closed_loop,
    make_flow,
    make_map,
    random_rnn,
)
from rnnlab.tasks.flipflop import FlipFlopTask
from rnnlab.theory.trained_reservoir import TrainedReservoir
from rnnlab.models.training_loop import TrainingHistory, train
from rnnlab.models.transfer import TransferredESN, continue_force, transfer
from rnnlab.flipflop.triggered import TriggeredAverage, triggered_average

__version__ = "0.1.0"

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
