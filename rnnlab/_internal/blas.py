"""How many BLAS threads rnnlab's numerical loops use: one setting, one thread by default.

On these 2-core machines two BLAS threads competing with other work made batched
solves and eigen-decompositions 30-60x slower (measured: a stack of 16 solves at
N = 300 took 1.8 s with two threads and 0.03 s with one). The loops here are many
small or medium matrix operations, which one thread does best, so every public
function marked with :func:`blas_limited` runs with the limit set here:

>>> import rnnlab
>>> rnnlab.get_blas_threads()
1
>>> with rnnlab.blas_threads(None):  # no limit: BLAS's own default inside
...     rnnlab.get_blas_threads() is None
True
>>> rnnlab.get_blas_threads()
1

:func:`set_blas_threads` changes it for the session (``None``: leave BLAS alone, for
example on a many-core machine running one large network).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

import numpy  # noqa: F401
import scipy.linalg  # noqa: F401  (scipy ships its own OpenBLAS: load it before the scan)
from threadpoolctl import ThreadpoolController

# The controller sees the BLAS libraries loaded when it is created, so numpy's and
# scipy's are imported above; a limit that missed scipy's made FORCE 6-80x slower.
_controller = ThreadpoolController()
_limit: int | None = 1


def _checked(n) -> int | None:
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int (threads) or None (no limit), got {n!r}")
    return n


def get_blas_threads() -> int | None:
    """The BLAS thread limit rnnlab's loops run under (``None``: no limit)."""
    return _limit


def set_blas_threads(n: int | None) -> None:
    """Set the BLAS thread limit for rnnlab's loops: a positive int, or ``None`` for none.

    The default, 1, is the fastest on small machines (see the module docstring).
    """
    global _limit
    _limit = _checked(n)


@contextlib.contextmanager
def blas_threads(n: int | None) -> Iterator[None]:
    """Context manager: the BLAS thread limit is ``n`` inside the ``with`` block."""
    global _limit
    old, _limit = _limit, _checked(n)
    try:
        yield
    finally:
        _limit = old


def blas_limited(func):
    """Decorator: run ``func`` with BLAS limited to :func:`get_blas_threads` threads."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        n = _limit
        if n is None:
            return func(*args, **kwargs)
        with _controller.limit(limits=n, user_api="blas"):
            return func(*args, **kwargs)

    return wrapper
