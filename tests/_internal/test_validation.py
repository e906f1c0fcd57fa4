"""Bad inputs fail early with a message that names the offending argument."""

import numpy as np
import pytest

from rnnlab import (
    RateRNN,
    TanhMap,
    ToySystem,
    esn_closed_loop,
    find_fixed_points,
    minimize_q,
    nonlinearity,
    random_rnn,
    simulate,
)

W3 = np.random.default_rng(0).normal(size=(3, 3))
NET = RateRNN(W3)
TOY = ToySystem()


# -- weights and inputs ------------------------------------------------------------------


@pytest.mark.parametrize(
    "make,exc,match",
    [
        (lambda: RateRNN(np.zeros((3, 4))), ValueError, r"W must be square, got shape \(3, 4\)"),
        (lambda: RateRNN(np.zeros(3)), ValueError, "W must be a 2-D matrix"),
        (lambda: RateRNN(np.zeros((2, 3, 3))), ValueError, "W must be a 2-D matrix"),
        (lambda: TanhMap(np.zeros((2, 5))), ValueError, "W must be square"),
        (lambda: RateRNN([[1.0, np.nan], [0.0, 1.0]]), ValueError, "W contains NaN or inf"),
        (lambda: RateRNN([[1.0, np.inf], [0.0, 1.0]]), ValueError, "W contains NaN or inf"),
        (lambda: TanhMap([[-np.inf, 0.0], [0.0, 1.0]]), ValueError, "W contains NaN or inf"),
        (lambda: RateRNN(W3 + 1j), TypeError, "W must be real"),
        (lambda: RateRNN([["a", "b"], ["c", "d"]]), TypeError, "W must be a numeric array"),
        (lambda: RateRNN(np.array([[1, None], [0, 1]])), TypeError, "W must be a numeric array"),
        (lambda: RateRNN(W3, B=np.zeros((4, 2)), u=np.zeros(2)), ValueError, "B must have shape"),
        (lambda: RateRNN(W3, B=np.zeros(3), u=np.zeros(1)), ValueError, "B must be a 2-D"),
        (
            lambda: RateRNN(W3, B=np.zeros((3, 2)), u=np.zeros(3)),
            ValueError,
            "u must have length 2",
        ),
        (
            lambda: RateRNN(W3, B=np.zeros((3, 2)), u=np.zeros((2, 1))),
            ValueError,
            "u must be a 1-D",
        ),
        (lambda: RateRNN(W3, B=np.zeros((3, 2))), ValueError, "B and u go together"),
        (lambda: RateRNN(W3, u=np.zeros(2)), ValueError, "B and u go together"),
        (
            lambda: RateRNN(W3, B=np.zeros((3, 2)), u=[np.nan, 0.0]),
            ValueError,
            "u contains NaN or inf",
        ),
        (lambda: RateRNN(W3, b=np.zeros(4)), ValueError, "b must have length 3"),
        (lambda: RateRNN(W3, b=np.zeros((3, 1))), ValueError, "b must be a 1-D"),
        (lambda: RateRNN(W3, b=[0.0, np.inf, 0.0]), ValueError, "b contains NaN or inf"),
        (lambda: RateRNN(W3, b=np.zeros(3) + 1j), TypeError, "b must be real"),
        (lambda: TanhMap(W3, W_in=np.zeros((2, 2)), u=np.zeros(2)), ValueError, "W_in must have"),
        (lambda: TanhMap(W3, W_in=np.zeros((3, 2))), ValueError, "W_in and u go together"),
        (
            lambda: TanhMap(W3, W_in=np.zeros((3, 2)), u=np.zeros(5)),
            ValueError,
            "u must have length 2",
        ),
        (
            lambda: esn_closed_loop(np.zeros((3, 4)), np.zeros((3, 1)), np.zeros((1, 3))),
            ValueError,
            "W_r must be square",
        ),
        (
            lambda: esn_closed_loop(W3, np.zeros((4, 1)), np.zeros((1, 3))),
            ValueError,
            "W_fb must have shape",
        ),
        (
            lambda: esn_closed_loop(W3, np.zeros((3, 2)), np.zeros((1, 3))),
            ValueError,
            "W_o must have shape",
        ),
        (
            lambda: esn_closed_loop(W3, np.zeros((3, 1)), np.zeros((1, 4))),
            ValueError,
            "W_o must have shape",
        ),
    ],
)
def test_bad_weights_and_inputs(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


# -- nonlinearities -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sigmoid", "Tanh", "", None, 3])
def test_unknown_nonlinearity(name):
    with pytest.raises(ValueError, match="phi must be one of"):
        nonlinearity(name)
    with pytest.raises(ValueError, match="phi must be one of"):
        RateRNN(W3, phi=name)


@pytest.mark.parametrize("name", ["tanh", "logistic", "linear"])
def test_threshold_only_for_relu(name):
    with pytest.raises(ValueError, match="threshold is only defined for 'relu'"):
        nonlinearity(name, threshold=0.5)
    with pytest.raises(ValueError, match="threshold"):
        RateRNN(W3, phi=name, threshold=0.5)


def test_threshold_must_be_finite_and_not_with_object():
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        nonlinearity("relu", threshold=np.inf)
    with pytest.raises(ValueError, match="threshold"):
        nonlinearity(nonlinearity("relu"), threshold=0.5)


# -- random networks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "N,g,exc,match",
    [
        (0, 1.0, ValueError, "N must be a positive integer"),
        (-3, 1.0, ValueError, "N must be a positive integer"),
        (True, 1.0, TypeError, "N must be a positive integer"),
        (3.0, 1.0, TypeError, "N must be a positive integer"),
        ("10", 1.0, TypeError, "N must be a positive integer"),
        (5, -1.0, ValueError, "g must be a finite number >= 0"),
        (5, np.nan, ValueError, "g must be a finite number"),
        (5, np.inf, ValueError, "g must be a finite number"),
        (5, True, TypeError, "g must be a number"),
        (5, "1.5", TypeError, "g must be a number"),
    ],
)
def test_random_rnn_arguments(N, g, exc, match):
    with pytest.raises(exc, match=match):
        random_rnn(N, g, seed=0)


def test_random_rnn_accepts_numpy_ints_and_zero_gain():
    net = random_rnn(np.int64(4), 0, seed=0)
    assert net.dim == 4
    np.testing.assert_array_equal(net.W, 0.0)


def test_random_rnn_needs_seed():
    with pytest.raises(TypeError, match="seed"):
        random_rnn(5, 1.0)


# -- states ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["rhs", "jacobian", "q", "grad_q", "hessian_q", "eigenvalues"])
@pytest.mark.parametrize(
    "x,exc,match",
    [
        (np.zeros((2, 2, 3)), ValueError, r"x must have shape \(3,\) or \(n_states, 3\)"),
        (np.zeros(4), ValueError, r"x must have shape \(3,\) or \(n_states, 3\)"),
        (np.zeros((5, 2)), ValueError, "x must have shape"),
        (np.float64(1.0), ValueError, "x must have shape"),
        ([0.0, np.nan, 0.0], ValueError, "x contains NaN or inf"),
        (np.array([[0.0, 0.0, np.inf]]), ValueError, "x contains NaN or inf"),
        (np.zeros(3, dtype=complex), TypeError, "x must be real"),
        ("abc", TypeError, "x must be a numeric array"),
        (["a", "b", "c"], TypeError, "x must be a numeric array"),
        ([None, 1.0, 2.0], TypeError, "x must be a numeric array"),
    ],
)
def test_bad_states(method, x, exc, match):
    with pytest.raises(exc, match=match):
        getattr(NET, method)(x)


def test_bad_states_toy_names_dimension():
    with pytest.raises(ValueError, match="2-dimensional"):
        TOY.rhs([1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    "x0,exc,match",
    [
        (np.zeros((2, 2, 2)), ValueError, "x0 must have shape"),
        (np.zeros(3), ValueError, "x0 must have shape"),
        ([np.nan, 0.0], ValueError, "x0 contains NaN or inf"),
        (np.zeros(2, dtype=complex), TypeError, "x0 must be real"),
        ("xy", TypeError, "x0 must be a numeric array"),
    ],
)
def test_bad_initial_states(x0, exc, match):
    with pytest.raises(exc, match=match):
        find_fixed_points(TOY, x0)
    with pytest.raises(exc, match=match):
        minimize_q(TOY, x0)
    with pytest.raises(exc, match=match):
        simulate(TOY, x0, 1.0)


# -- finder options -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (
            {"tol_fixed": 1e-6, "tol_slow": 1e-8},
            ValueError,
            r"tol_slow \(1e-08\) must be >= tol_fixed",
        ),
        ({"tol_fixed": 0.0}, ValueError, "tol_fixed"),
        ({"tol_fixed": -1e-20}, ValueError, "tol_fixed"),
        ({"tol_slow": np.nan}, ValueError, "tol_slow"),
        ({"max_iter": 0}, ValueError, "max_iter must be a positive integer"),
        ({"max_iter": -5}, ValueError, "max_iter"),
        ({"max_iter": 10.0}, TypeError, "max_iter"),
        ({"max_iter": True}, TypeError, "max_iter"),
        ({"dedup_tol": 0.0}, ValueError, "dedup_tol"),
        ({"dedup_tol": "1e-5"}, TypeError, "dedup_tol"),
    ],
)
@pytest.mark.parametrize("finder", [find_fixed_points, minimize_q])
def test_bad_finder_options(finder, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        finder(TOY, [[0.1, 0.1]], **kwargs)


@pytest.mark.parametrize(
    "kwargs,match",
    [({"chunk_size": 0}, "chunk_size"), ({"polish_q": -1.0}, "polish_q")],
)
def test_bad_lm_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        find_fixed_points(TOY, [[0.1, 0.1]], **kwargs)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"method": "Nelder-Mead"}, "method must be one of"),
        ({"method": "cg"}, "method must be one of"),
        ({"hessian": "bfgs"}, "hessian must be"),
        ({"gtol": 0.0}, "gtol"),
    ],
)
def test_bad_minimize_q_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        minimize_q(TOY, [[0.1, 0.1]], **kwargs)


@pytest.mark.parametrize("finder", [find_fixed_points, minimize_q])
def test_finder_needs_a_system(finder):
    with pytest.raises(TypeError, match="system must be an rnnlab DynamicalSystem"):
        finder(lambda x: -x, [[0.1, 0.1]])
    with pytest.raises(TypeError, match="system"):
        finder(W3, np.zeros((1, 3)))


# -- the toy system -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a,b,match",
    [
        (1.0, 0.0, "b must be a finite nonzero number"),
        (1.0, -0.0, "b must be a finite nonzero number"),
        (1.0, np.inf, "b must be"),
        (np.nan, 0.5, "a must be a finite number"),
    ],
)
def test_toy_parameters(a, b, match):
    with pytest.raises(ValueError, match=match):
        ToySystem(a, b)
