"""A hand-written system shared by the tests: a user subclass of DynamicalSystem."""

import numpy as np

from rnnlab import DynamicalSystem


class SlowSystem(DynamicalSystem):
    """dx/dt = x^2 + eps, dy/dt = -y: no root, but q has a minimum eps^2/2 at the origin."""

    dim = 2

    def __init__(self, eps):
        self.eps = eps

    def _rhs(self, X):
        return np.stack([X[:, 0] ** 2 + self.eps, -X[:, 1]], axis=1)

    def _jacobian(self, X):
        J = np.zeros((len(X), 2, 2))
        J[:, 0, 0] = 2.0 * X[:, 0]
        J[:, 1, 1] = -1.0
        return J

    def _curvature(self, X, V):
        C = np.zeros((len(X), 2, 2))
        C[:, 0, 0] = 2.0 * V[:, 0]
        return C
