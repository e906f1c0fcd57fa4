"""Dynamical systems: flows and maps with analytic Jacobians, rate nonlinearities, trajectories, stability."""
