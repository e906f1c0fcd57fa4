"""Chapter 01's checks: the right answers pass, and each common wrong answer gets its hint."""

import numpy as np
import pytest

import rnnlab
from rnnlab.course.check import AnswerError, ch01

TOY = rnnlab.ToySystem()


def family(a, b):
    return rnnlab.ToySystem(a, b).analytic_fixed_points()


def largest_step(system):
    """The right answer to 01-largest-stable-step, written independently of the check."""
    bounds = []
    for p in system.analytic_fixed_points():
        J = system.jacobian(p)
        if np.trace(J) < 0 and np.linalg.det(J) > 0:  # stable for the flow (2-D)
            lam = np.linalg.eigvals(J)
            bounds += [-2 * lam.real / np.abs(lam) ** 2]
    return float(np.min(bounds))


def hint_of(call, *args) -> str:
    with pytest.raises(AnswerError) as info:
        call(*args)
    return str(info.value)


# -- right answers -------------------------------------------------------------------------------


def test_right_answers_pass(capsys):
    ch01.family_fixed_points(family)
    ch01.grad_q(TOY.grad_q)
    ch01.fixed_point_types(("saddle", "stable node"), ["saddle (1 unstable)", "stable node"])
    ch01.fixed_point_types(("Saddle", " stable node "), ["saddle (1 unstable)", "stable node"])
    mu = 1 + 0.1 * TOY.eigenvalues([1.0, 0.5])
    ch01.unstable_dims((2, 0), mu)
    ch01.unstable_dims((np.int64(2), np.int64(0)), mu)
    ch01.largest_stable_step(largest_step)
    ch01.largest_stable_step(lambda system: np.float32(largest_step(system)))
    out = capsys.readouterr().out
    assert out.count("\N{CHECK MARK}") == 5 + 1 + 4 + 4 + 4 + 4
    assert "a = -0.50, b =  1.00: \N{CHECK MARK} all 1 fixed point found" in out
    assert "a =  1.00, b = -2.00: \N{CHECK MARK} your largest step is right: 0.5." in out
    assert "2/|lambda| = 1.414" in out and "= 0.500." in out


def test_not_implemented_passes_through():
    def stub(*args):
        raise NotImplementedError("Exercise")

    for check in (ch01.family_fixed_points, ch01.grad_q, ch01.largest_stable_step):
        with pytest.raises(NotImplementedError):
            check(stub)


# -- 01-family-fixed-points ----------------------------------------------------------------------


def only(case, wrong):
    """``family`` everywhere except at the (a, b) of ``case``, where it answers ``wrong``."""

    def answer(a, b):
        return np.asarray(wrong(a, b), dtype=float) if case(a, b) else family(a, b)

    return answer


def test_family_mirror_point_forgotten():
    def wrong(a, b):
        r = np.sqrt(max(a, 0.0))
        return [[0.0, 0.0], [r, b * r]] if a > 0 else [[0.0, 0.0]]

    message = hint_of(ch01.family_fixed_points, wrong)
    assert "at a = 1, b = 0.5" in message
    assert "the mirror point (-sqrt(a), -b sqrt(a)) is missing" in message


def test_family_other_point_forgotten():
    message = hint_of(
        ch01.family_fixed_points,
        only(lambda a, b: a > 0, lambda a, b: [[0.0, 0.0], [-np.sqrt(a), -b * np.sqrt(a)]]),
    )
    assert "the point (sqrt(a), b sqrt(a)) is missing" in message


def test_family_origin_forgotten():
    message = hint_of(
        ch01.family_fixed_points,
        only(lambda a, b: a > 0, lambda a, b: family(a, b)[[0, 2]]),
    )
    assert "The origin is missing" in message


def test_family_jang_nullcline_kept():
    def wrong(a, b):
        r = np.sqrt(a)
        return [[0.0, 0.0], [r, 0.5 * r], [-r, -0.5 * r]]

    message = hint_of(ch01.family_fixed_points, only(lambda a, b: a > 0, wrong))
    assert "at a = 2, b = -0.3" in message
    assert "the y-nullcline is y = b x" in message


@pytest.mark.parametrize("n", [2, 3])
def test_family_origin_repeated_at_a_zero(n):
    message = hint_of(
        ch01.family_fixed_points, only(lambda a, b: a == 0, lambda a, b: np.zeros((n, 2)))
    )
    assert "at a = 0, b = 0.5" in message
    assert "You listed the origin more than once" in message


def test_family_sqrt_of_negative_a():
    def wrong(a, b):
        with np.errstate(invalid="ignore"):
            r = np.sqrt(a)
        return [[0.0, 0.0], [r, b * r], [-r, -b * r]]

    message = hint_of(ch01.family_fixed_points, only(lambda a, b: a < 0, wrong))
    assert "at a = -0.5, b = 1" in message
    assert "x^2 = a has no real solution" in message


def test_family_other_wrong_answer_gets_no_hint():
    message = hint_of(
        ch01.family_fixed_points,
        only(lambda a, b: a == 1.0, lambda a, b: [[0.0, 0.0], [1.0, -0.5], [-1.0, -0.5]]),
    )
    assert "not fixed points of the reference: [1, -0.5]" in message
    assert "missing" in message and "mirror" not in message and "origin" not in message


# -- 01-predict-types ----------------------------------------------------------------------------

COMPUTED = ["saddle (1 unstable)", "stable node"]


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("stable node", "A negative trace"),
        ("unstable node", "Only one eigenvalue at the origin"),
        ("stable focus", "a focus needs complex eigenvalues"),
        ("unstable focus", "a focus needs complex eigenvalues"),
    ],
)
def test_types_origin_hints(origin, expected):
    message = hint_of(ch01.fixed_point_types, (origin, "stable node"), COMPUTED)
    assert "your type of the origin" in message
    assert expected in message


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ("stable focus", "A repeated eigenvalue is not a complex one"),
        ("unstable node", "Re lambda < 0 means a perturbation shrinks"),
        ("saddle", "A saddle needs eigenvalues of both signs"),
        ("unstable focus", "real and negative"),
    ],
)
def test_types_node_hints(node, expected):
    message = hint_of(ch01.fixed_point_types, ("saddle", node), COMPUTED)
    assert "your type of (1, 1/2)" in message
    assert expected in message


@pytest.mark.parametrize(
    ("prediction", "expected"),
    [
        ("saddle", "a tuple of two types"),
        (("saddle",), "should hold two types"),
        (("saddle", "degenerate node"), "is not one of the options"),
        (("saddle", None), "should be one of"),
    ],
)
def test_types_malformed_prediction(prediction, expected):
    assert expected in hint_of(ch01.fixed_point_types, prediction, COMPUTED)


# -- 01-unstable-dims ----------------------------------------------------------------------------

MU_NODE = 1 + 0.1 * TOY.eigenvalues([1.0, 0.5])  # 0.9 twice: flow rule 2, map rule 0


def test_unstable_dims_flow_rule_used_for_the_map():
    message = hint_of(ch01.unstable_dims, (2, 2), MU_NODE)
    assert "map-rule count is 2, expected 0" in message
    assert "For a map the rule is |mu| > 1, not Re mu > 0: you used the flow rule" in message


def test_unstable_dims_map_rule_given_for_the_flow_rule():
    message = hint_of(ch01.unstable_dims, (0, 0), MU_NODE)
    assert "flow-rule count is 0, expected 2" in message
    assert "That is the map rule |mu| > 1" in message


def test_unstable_dims_other_wrong_count_gets_no_hint():
    message = hint_of(ch01.unstable_dims, (2, 1), MU_NODE)
    assert "map-rule count is 1, expected 0" in message
    assert "flow rule" not in message


def test_unstable_dims_no_hint_when_the_rules_agree():
    ch01.unstable_dims((2, 1), np.array([1.5, 0.5]))  # the rules differ: flow 2, map 1
    mu_agree = np.array([1.5, -0.5])  # the rules agree: flow 1, map 1
    message = hint_of(ch01.unstable_dims, (1, 0), mu_agree)
    assert "map-rule count is 0, expected 1" in message
    assert "flow rule" not in message


@pytest.mark.parametrize(
    ("prediction", "expected"),
    [
        (2, "a tuple (flow_rule, map_rule)"),
        ((2,), "should hold two counts"),
        ((2.0, 0), "should be a whole number"),
        ((True, 0), "should be a whole number"),
    ],
)
def test_unstable_dims_malformed_prediction(prediction, expected):
    assert expected in hint_of(ch01.unstable_dims, prediction, MU_NODE)


# -- 01-grad-q -----------------------------------------------------------------------------------


def test_grad_q_without_transpose():
    message = hint_of(ch01.grad_q, lambda p: TOY.jacobian(p) @ TOY.rhs(p))
    assert "That is J F" in message


def test_grad_q_twice():
    message = hint_of(ch01.grad_q, lambda p: 2 * TOY.jacobian(p).T @ TOY.rhs(p))
    assert "It is twice the gradient" in message


def test_grad_q_descent_direction():
    message = hint_of(ch01.grad_q, lambda p: -TOY.jacobian(p).T @ TOY.rhs(p))
    assert "minus the gradient" in message


def test_grad_q_other_error_gets_no_hint():
    message = hint_of(ch01.grad_q, lambda p: TOY.rhs(p))
    assert "gradient of q differs" in message
    assert "J F" not in message and "twice" not in message and "minus" not in message


# -- 01-largest-stable-step ----------------------------------------------------------------------


def stable_eigenvalues(system):
    spectra = [system.eigenvalues(p) for p in system.analytic_fixed_points()]
    return np.concatenate([lam for lam in spectra if np.all(lam.real < 0)])


def every_eigenvalue(system):
    return np.concatenate([system.eigenvalues(p) for p in system.analytic_fixed_points()])


def test_step_references():
    """The bounds by hand: lambda = -1 twice; -1, -2; and -1/2 +- i sqrt(7)/2, |lambda|^2 = 2."""
    ch01.largest_stable_step(lambda s: 2.0, parameters=[(1.0, 0.5)])
    ch01.largest_stable_step(lambda s: 1.0, parameters=[(2.0, 0.5)])
    ch01.largest_stable_step(lambda s: 0.5, parameters=[(1.0, -2.0)])
    ch01.largest_stable_step(lambda s: 1.0, parameters=[(-1.0, 1.0)])


def test_step_flow_rule_gives_no_bound():
    message = hint_of(ch01.largest_stable_step, lambda s: np.inf)
    assert "at a = 1, b = 0.5" in message
    assert "your step is infinite: that is the flow's view" in message


def test_step_imaginary_part_forgotten():
    message = hint_of(
        ch01.largest_stable_step, lambda s: float(np.min(2 / np.abs(stable_eigenvalues(s).real)))
    )
    assert "at a = 1, b = -2" in message
    assert "You kept only the real part of lambda" in message


def test_step_two_over_modulus():
    message = hint_of(
        ch01.largest_stable_step, lambda s: float(np.min(2 / np.abs(stable_eigenvalues(s))))
    )
    assert "at a = 1, b = -2" in message
    assert "2/|lambda| is the bound for a real lambda only" in message


def test_step_mu_kept_positive():
    message = hint_of(ch01.largest_stable_step, lambda s: largest_step(s) / 2)
    assert "at a = 1, b = 0.5" in message
    assert "mu = 1 + dt lambda only reaches 0" in message


def test_step_largest_bound_taken():
    def wrong(s):
        lam = stable_eigenvalues(s)
        return float(np.max(-2 * lam.real / np.abs(lam) ** 2))

    message = hint_of(ch01.largest_stable_step, wrong)
    assert "at a = 2, b = 0.5" in message
    assert "the smallest bound (the fastest eigenvalue) decides" in message


def test_step_saddle_included():
    def wrong(s):
        lam = every_eigenvalue(s)
        lam = lam[lam.real < 0]
        return float(np.min(-2 * lam.real / np.abs(lam) ** 2))

    message = hint_of(ch01.largest_stable_step, wrong)
    assert "at a = 1, b = 0.5" in message
    assert "You included the saddle" in message


def test_step_unstable_eigenvalue_included():
    def wrong(s):
        lam = every_eigenvalue(s)
        return float(np.min(-2 * lam.real / np.abs(lam) ** 2))

    message = hint_of(ch01.largest_stable_step, wrong)
    assert "at a = 1, b = 0.5" in message
    assert "A negative step: you included an unstable eigenvalue" in message


def test_step_other_wrong_answer_gets_no_hint():
    message = hint_of(ch01.largest_stable_step, lambda s: 1.9)
    assert "at a = 1, b = 0.5: your largest step differs" in message
    for word in ("real part", "2/|lambda|", "reaches 0", "smallest", "saddle", "negative"):
        assert word not in message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (None, "did the function forget to `return` it?"),
        (np.array([2.0, 2.0]), "should be a single number"),
        ("2", "should be numeric"),
    ],
)
def test_step_malformed_answer(answer, expected):
    assert expected in hint_of(ch01.largest_stable_step, lambda s: answer)


def test_step_bad_parameters():
    with pytest.raises(ValueError, match="at least one"):
        ch01.largest_stable_step(largest_step, parameters=[])
    with pytest.raises(ValueError, match="no fixed point with every Re lambda < 0"):
        ch01.largest_stable_step(largest_step, parameters=[(-1.0, -1.0)])
    with pytest.raises(ValueError, match="no fixed point with every Re lambda < 0"):
        ch01.largest_stable_step(largest_step, parameters=[(0.0, 0.5)])  # non-hyperbolic origin
