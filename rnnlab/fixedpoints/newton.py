r"""Chord Newton steps: Newton's method with the Jacobian frozen, for many starts at once.

Near a fixed point :math:`x^*` of :math:`\dot x = F(x)` the Jacobian changes little, so
Newton's step can reuse one LU factorisation of :math:`J(x_0)`:

.. math::

    x_{k+1} = x_k - J(x_0)^{-1} F(x_k).

Each step then costs one product with the weights instead of a factorisation. The steps
converge linearly, at a rate set by :math:`\|I - J(x_0)^{-1} J(x^*)\|`, as long as
:math:`x_0` is close enough; a start whose :math:`|F|` stops shrinking by the factor
``rate`` per step is given up (or, with ``refactor``, its Jacobian is factored anew where
it stands). The census, the memories of a flip-flop and the memories followed through
noise all polish points this way: this module is their one kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.linalg

__all__ = ["chord_newton", "lu_at"]


def lu_at(system, x: np.ndarray) -> tuple:
    """LU factors of the Jacobian :math:`J(x)` of ``system`` at one state ``x`` of shape ``(N,)``."""
    return scipy.linalg.lu_factor(
        system._jacobian(np.asarray(x, dtype=float)[None])[0], check_finite=False
    )


def chord_newton(
    system,
    X0: np.ndarray,
    lu: tuple | Sequence[tuple],
    *,
    max_iter: int,
    rate: float = 0.5,
    converged: Callable[[np.ndarray, np.ndarray], np.ndarray],
    refactor: int = 0,
    return_lu: bool = False,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, list]:
    r"""Chord steps :math:`x \leftarrow x - J_k^{-1} F(x)` from every row of ``X0``.

    Parameters
    ----------
    system : DynamicalSystem
        Supplies the batched :math:`F` and :math:`J` (its ``_rhs`` and ``_jacobian`` hooks: no
        validation inside the loop, and a state that turns non-finite is given up, not an error).
    X0 : ndarray, shape (B, N)
        Starts.
    lu : LU factors, or a sequence of B of them
        Factors of the frozen Jacobian :math:`J_k` (:func:`lu_at`): one shared by every
        start, or one per start.
    max_iter : int
        Steps at most.
    rate : float
        A step must shrink :math:`|F|` to at most ``rate`` times its value before the step;
        otherwise the start is given up (or refactored, see ``refactor``).
    converged : callable ``(X, F) -> bool array``
        Which of the states ``X`` (rows) with right-hand sides ``F`` count as converged:
        for example :math:`\tfrac12|F|^2 <` ``tol_fixed``, or "within a tolerance of a
        known point". It is asked once before the first step and after every step.
    refactor : int
        How many times a start may have its Jacobian factored anew at its current state
        when a step is too slow, before it is given up.
    return_lu : bool
        Also return the factors each start used last (a list of B), so that a caller that
        follows a point along a parameter can reuse them.

    Returns
    -------
    X : ndarray, shape (B, N)
        Where each start ended.
    done : ndarray of bool, shape (B,)
        Which ended converged. A start whose :math:`F` turns non-finite is given up.
    lus : list, only with ``return_lu``
    """
    X = np.array(X0, dtype=float, copy=True)
    B = len(X)
    shared = isinstance(lu, tuple)
    lus = None if shared else list(lu)
    if not shared and len(lus) != B:
        raise ValueError(f"lu must be one factorisation or {B}, one per start; got {len(lus)}")
    F = system._rhs(X) if B else np.empty_like(X)
    speed = np.linalg.norm(F, axis=1)
    done = np.asarray(converged(X, F), dtype=bool).copy() if B else np.zeros(0, dtype=bool)
    alive = ~done & np.isfinite(speed)
    left = np.full(B, int(refactor))
    for _ in range(max_iter):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        if shared:
            X[idx] -= scipy.linalg.lu_solve(lu, F[idx].T, check_finite=False).T
        else:
            for k in idx:
                X[k] -= scipy.linalg.lu_solve(lus[k], F[k], check_finite=False)
        F[idx] = system._rhs(X[idx])
        new = np.linalg.norm(F[idx], axis=1)
        now = np.asarray(converged(X[idx], F[idx]), dtype=bool)
        done[idx[now]] = True
        slow = ~now & ~(new <= rate * speed[idx])  # also catches NaN
        speed[idx] = new
        finite = np.isfinite(new)
        give_up = slow & ((left[idx] == 0) | ~finite)
        alive[idx[now | give_up]] = False
        redo = idx[slow & ~give_up]
        for k in redo:
            if shared:  # one start leaves the shared factors
                lus = [lu] * B
                shared = False
            lus[k] = lu_at(system, X[k])
            left[k] -= 1
    if return_lu:
        return X, done, ([lu] * B if shared else lus)
    return X, done
