"""One BLAS thread inside the numerical loops.

On these 2-core machines two BLAS threads competing with other work made batched
solves and eigen-decompositions 30-60x slower (measured: a stack of 16 solves at
N = 300 took 1.8 s with two threads and 0.03 s with one). The loops here are many
small or medium matrix operations, which one thread does best.
"""

from __future__ import annotations

import functools

import numpy  # noqa: F401
import scipy.linalg  # noqa: F401  (scipy ships its own OpenBLAS: load it before the scan)
from threadpoolctl import ThreadpoolController

# The controller sees the BLAS libraries loaded when it is created, so numpy's and
# scipy's are imported above; a limit that missed scipy's made FORCE 6-80x slower.
_controller = ThreadpoolController()


def single_blas_thread(func):
    """Decorator: run ``func`` with BLAS limited to one thread."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with _controller.limit(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return wrapper
