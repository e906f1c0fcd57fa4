"""The exercise checks: right answers pass, wrong answers get specific feedback."""

import numpy as np
import pytest

from rnnlab import ToySystem, random_rnn
from rnnlab.check import (
    AnswerError,
    check_array,
    check_eigenvalues,
    check_fixed_points,
    check_function,
    check_jacobian,
    check_value,
)


def test_array_pass_prints_confirmation(capsys):
    check_array(np.eye(2), np.eye(2), "matrix")
    assert "matrix matches the reference" in capsys.readouterr().out


def test_array_names_the_worst_entry():
    ref = np.zeros((3, 2))
    ans = ref.copy()
    ans[2, 0] = 0.5
    ans[1, 1] = 1e-3
    with pytest.raises(
        AnswerError, match=r"Jacobian differs from the reference at entry \(2, 0\) by 0.5"
    ):
        check_array(ans, ref, "Jacobian")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (None, "forget to `return`"),
        (np.zeros(3), r"shape \(3,\), the reference has shape \(2, 2\)"),
        (np.array([[np.nan, 0], [0, 0]]), r"non-finite value at entry \(0, 0\)"),
        ("abc", "should be numeric"),
    ],
)
def test_array_bad_answers(answer, message):
    with pytest.raises(AnswerError, match=message):
        check_array(answer, np.zeros((2, 2)))


def test_jacobian_check_finds_a_wrong_entry_and_the_point():
    toy = ToySystem()

    def right(p):
        x, y = p
        return np.array([[-2 * x * y, 1 - x**2], [0.5, -1.0]])

    def wrong(p):  # forgot the factor 1/2 in dy/dx
        J = right(p)
        J[1, 0] = 1.0
        return J

    pts = np.array([[0.1, -0.3], [0.7, 0.2]])
    check_jacobian(right, toy, pts)
    with pytest.raises(AnswerError, match=r"entry \(1, 0\) by 0.5 .* at x = \[0.1, -0.3\]"):
        check_jacobian(wrong, toy, pts)


def test_jacobian_check_rnn():
    net = random_rnn(5, 0.9, seed=1)

    def mine(x):
        return -np.eye(5) + net.W * (1 - np.tanh(x) ** 2)

    def transposed(x):
        return mine(x).T

    pts = np.random.default_rng(0).normal(size=(3, 5))
    check_jacobian(mine, net, pts)
    with pytest.raises(AnswerError, match="Jacobian differs"):
        check_jacobian(transposed, net, pts)


def test_not_implemented_passes_through():
    def stub(x):
        raise NotImplementedError("exercise 1")

    with pytest.raises(NotImplementedError, match="exercise 1"):
        check_function(stub, np.sin, [0.0])


def test_function_reports_first_bad_input():
    with pytest.raises(AnswerError, match=r"at x = \[2\]"):
        check_function(
            lambda x: x**2, lambda x: x**2 + (x > 1.5), [np.array([1.0]), np.array([2.0])]
        )


def test_fixed_point_message_counts(capsys):
    check_fixed_points([[0.0, 0.0]], [[0.0, 0.0]])
    assert "all 1 fixed point found" in capsys.readouterr().out


def test_fixed_points_any_order_missing_and_extra():
    ref = ToySystem().analytic_fixed_points()
    check_fixed_points(ref[::-1], ref)
    with pytest.raises(AnswerError, match=r"missing \[1, 0.5\]"):
        check_fixed_points(ref[:2], ref)
    wrong = ref.copy()
    wrong[2] = [1.0, -0.5]  # the paper's typo
    with pytest.raises(
        AnswerError, match=r"missing \[1, 0.5\].*not fixed points of the reference: \[1, -0.5\]"
    ):
        check_fixed_points(wrong, ref)


def test_eigenvalues_multiset():
    ref = np.array([(-1 + np.sqrt(3)) / 2, (-1 - np.sqrt(3)) / 2])
    check_eigenvalues(ref[::-1], ref)
    with pytest.raises(AnswerError, match="not an eigenvalue"):
        check_eigenvalues([0.5, ref[1]], ref)
    with pytest.raises(AnswerError, match="you gave 1 eigenvalues, expected 2"):
        check_eigenvalues([0.5], ref)


def test_value():
    check_value(3, 3, "count")
    with pytest.raises(AnswerError, match="your count is 2, expected 3"):
        check_value(2, 3, "count")
    check_value("saddle (1 unstable)", "saddle (1 unstable)", "type")
    check_value(0.5 + 1e-12, 0.5, "eigenvalue")
    with pytest.raises(AnswerError, match="differs from the reference"):
        check_value(0.6, 0.5, "eigenvalue")
