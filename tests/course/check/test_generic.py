"""The exercise checks: right answers pass, wrong answers get specific feedback."""

import numpy as np
import pytest

from rnnlab import ToySystem, random_rnn
from rnnlab.course.check import (
    AnswerError,
    Misconception,
    check_array,
    check_choice,
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


# --- holes a wrong answer could slip through -------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf, [1.0, np.nan]])
def test_non_finite_reference_is_refused_not_passed(bad):
    with pytest.raises(ValueError, match="reference for the answer holds a non-finite value"):
        check_array(np.zeros(np.shape(bad)), bad)
    with pytest.raises(ValueError, match="non-finite"):
        check_function(lambda x: 0.0, lambda x: np.nan, [0.0], "value")


def test_non_finite_reference_of_fixed_points_and_eigenvalues_is_refused():
    with pytest.raises(ValueError, match="non-finite"):
        check_fixed_points([[0.0, 0.0]], [[np.nan, 0.0]])
    with pytest.raises(ValueError, match="non-finite"):
        check_eigenvalues([1.0], [np.inf])


def test_check_function_with_no_inputs_does_not_pass_vacuously():
    with pytest.raises(ValueError, match="inputs must hold at least one test point"):
        check_function(lambda x: x, lambda x: x, [])


@pytest.mark.parametrize("empty", [[], np.zeros((0, 2)), np.array([])])
def test_empty_fixed_points_get_the_checks_own_message(empty):
    with pytest.raises(AnswerError, match="you gave no fixed points; there are 2"):
        check_fixed_points(empty, [[0.0, 0.0], [1.0, 1.0]])


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (True, "should be a whole number"),
        (np.array([3]), "should be a whole number"),
        (3.0, "should be a whole number"),
        ("3", "should be a whole number"),
        (None, "forget to `return`"),
        (4, "is 4, expected 3"),
    ],
)
def test_a_count_takes_only_an_integer(answer, message):
    with pytest.raises(AnswerError, match=message):
        check_value(answer, 3, "count")


def test_a_count_accepts_numpy_integers(capsys):
    check_value(np.int64(3), 3, "count")
    assert "count is right: 3" in capsys.readouterr().out


def test_a_float_reference_refuses_bools_and_arrays():
    with pytest.raises(AnswerError, match="got a bool"):
        check_value(True, 1.0)
    with pytest.raises(AnswerError, match="single number"):
        check_value(np.array([1.0]), 1.0)


def test_bool_reference_takes_only_a_bool():
    with pytest.raises(AnswerError, match="True or False"):
        check_value(1, True)
    with pytest.raises(AnswerError, match="is False, expected True"):
        check_value(False, True)


# --- misconceptions ---------------------------------------------------------------------


def test_value_misconception_names_its_hint():
    hint = Misconception(2, "You counted the flow rule.")
    with pytest.raises(AnswerError, match=r"is 2, expected 1\. You counted the flow rule\."):
        check_value(2, 1, "count", misconceptions=[hint])
    # A wrong answer that matches no misconception gets the plain message only.
    with pytest.raises(AnswerError) as err:
        check_value(5, 1, "count", misconceptions=[hint])
    assert "flow rule" not in str(err.value)


def test_array_misconception_with_tolerance():
    hint = Misconception(np.array([1.0, -1.0]), "Sign flipped.")
    with pytest.raises(AnswerError, match="Sign flipped"):
        check_array(np.array([1.0, -1.0 + 1e-12]), np.array([-1.0, 1.0]), misconceptions=[hint])


def test_function_misconception_is_evaluated_at_the_failing_point():
    hint = Misconception(lambda x: 2 * x, "Doubled.")
    with pytest.raises(AnswerError, match=r"at x = \[0\.5\]\. Doubled\."):
        check_function(lambda x: 2 * x, lambda x: x, [np.array([0.5])], misconceptions=[hint])


def test_transposed_jacobian_is_recognised():
    toy = ToySystem()
    pts = np.array([[0.1, -0.3], [0.7, 0.2]])
    with pytest.raises(AnswerError, match="transpose of the Jacobian"):
        check_jacobian(lambda p: toy.jacobian(p).T, toy, pts)


def test_fixed_point_misconception_in_any_order():
    ref = [[1.0, 0.5], [-1.0, -0.5], [0.0, 0.0]]
    hint = Misconception([[0.0, 0.0], [1.0, 0.5]], "Mirror point forgotten.")
    with pytest.raises(AnswerError, match="Mirror point forgotten"):
        check_fixed_points([[1.0, 0.5], [0.0, 0.0]], ref, misconceptions=[hint])


def test_eigenvalue_misconception():
    hint = Misconception([2.0, 3.0], "Forgot the -I.")
    with pytest.raises(AnswerError, match="Forgot the -I"):
        check_eigenvalues([3.0, 2.0], [1.0, 2.0], misconceptions=[hint])


def test_choice_names_options_and_hints(capsys):
    opts = ["saddle", "node", "focus"]
    check_choice("Saddle ", "saddle", opts, "type")
    assert "type is right" in capsys.readouterr().out
    with pytest.raises(AnswerError, match="not one of the options"):
        check_choice("centre", "saddle", opts, "type")
    with pytest.raises(AnswerError, match="Look at the sign"):
        check_choice(
            "node", "saddle", opts, misconceptions=[Misconception("node", "Look at the sign.")]
        )
    with pytest.raises(ValueError, match="reference must be one of the options"):
        check_choice("node", "spiral", opts)


def test_misconceptions_must_be_misconception_items():
    with pytest.raises(TypeError, match="Misconception"):
        check_value(1, 1, misconceptions=[(2, "hint")])
    with pytest.raises(ValueError, match="hint must be a non-empty string"):
        Misconception(1, "")


def test_bool_misconceptions_match_only_bools():
    hint = Misconception(False, "The control does not remove the structure.")
    with pytest.raises(AnswerError, match="does not remove the structure"):
        check_value(False, True, "control works", misconceptions=[hint])
    hint_array = Misconception(np.array([True, False]), "Swapped.")
    with pytest.raises(AnswerError, match="Swapped"):
        check_array(np.array([True, False]), np.array([0.0, 1.0]), misconceptions=[hint_array])
    with pytest.raises(AnswerError) as err:
        check_array(np.array([1.0, 0.0]), np.array([0.0, 1.0]), misconceptions=[hint_array])
    assert "Swapped" not in str(err.value)
