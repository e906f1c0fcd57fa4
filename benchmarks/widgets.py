"""How long the widget callbacks take, headless (Agg).

For each control of each app: set its value (as a slider move would) and time until the
artists are updated and ``fig.canvas.draw_idle()`` is requested. ``draw_idle`` is replaced
by a stub for that measure: under Agg it renders synchronously, while in the browser
(ipympl) the render happens afterwards, outside the Python callback. A second number adds a
full ``fig.canvas.draw()`` (the Agg render of the whole figure), an upper bound on what the
kernel spends per move.

Goal: the median callback of every ToySystemApp control within 50 ms. The RandomRNNApp
rebuilds, simulates and searches an N-unit network per move and is not in that class (its
sliders update on release).

Prints a table, and as its last line a JSON summary.

    python benchmarks/widgets.py [--reps 15]
"""

from __future__ import annotations

import argparse
import json
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from rnnlab.widgets import RandomRNNApp, ToySystemApp

GOAL_MS = 50.0


def _stub_draw_idle(app) -> list[float]:
    """Replace ``draw_idle`` by a stub that records when it was called."""
    calls: list[float] = []
    app.fig.canvas.draw_idle = lambda *a, **k: calls.append(time.perf_counter())
    return calls


def time_control(app, action, values, *, reps: int) -> dict:
    """Median and max of ``action(value)`` until draw_idle is requested, with and without a
    full draw afterwards."""
    calls = _stub_draw_idle(app)
    to_idle, with_draw = [], []
    for i in range(reps):
        value = values[i % len(values)]
        calls.clear()
        t0 = time.perf_counter()
        action(value)
        if not calls:
            raise RuntimeError(f"{action.__name__}({value!r}) did not request a redraw")
        t1 = calls[-1]
        app.fig.canvas.draw()
        t2 = time.perf_counter()
        to_idle.append(1e3 * (t1 - t0))
        with_draw.append(1e3 * (t2 - t0))
    return {
        "median_ms": round(float(np.median(to_idle)), 2),
        "max_ms": round(float(np.max(to_idle)), 2),
        "median_with_draw_ms": round(float(np.median(with_draw)), 2),
        "max_with_draw_ms": round(float(np.max(with_draw)), 2),
        "reps": reps,
    }


def bench_toy(reps: int) -> dict:
    app = ToySystemApp()
    app.fig.canvas.draw()  # first render (font caches) outside the measure
    # Three clicked trajectories: they are recomputed on every parameter change.
    for x, y in [(0.1, 0.0), (-1.5, 1.2), (1.9, -1.4)]:
        app.click(x, y)

    def set_a(v):
        app.a_slider.value = v

    def set_b(v):
        app.b_slider.value = v

    def set_step(v):
        app.path_slider.value = v

    def set_start(v):
        app.start_dropdown.value = v

    def click(v):
        app.click(*v)

    app.update(start=0)  # the timed values below then always change the control
    n_steps = app.path_slider.max
    results = {
        "a_slider": time_control(app, set_a, [0.25, 0.5, 1.0, 1.5, 2.0, -0.25], reps=reps),
        "b_slider": time_control(app, set_b, [0.25, -0.5, 0.75, 0.5, -0.25], reps=reps),
        "path_slider": time_control(
            app, set_step, [k % (n_steps + 1) for k in range(1, n_steps + 2)], reps=reps
        ),
        "start_dropdown": time_control(app, set_start, [10, 24, 40, 48, 0], reps=reps),
        "click": time_control(app, click, [(0.3, 0.2), (-0.4, -1.0), (1.5, 1.0)], reps=reps),
    }
    app.close()
    return results


def bench_rnn(reps: int) -> dict:
    app = RandomRNNApp()
    app.fig.canvas.draw()

    def set_g(v):
        app.g_slider.value = v

    def set_N(v):
        app.N_slider.value = v

    results = {
        "g_slider (N=200)": time_control(app, set_g, [0.8, 1.2, 1.5, 2.0], reps=reps),
        "N_slider": time_control(app, set_N, [50, 100, 200, 400], reps=reps),
    }
    app.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=15, help="repetitions per control")
    args = parser.parse_args()

    apps = {
        "ToySystemApp": bench_toy(args.reps),
        "RandomRNNApp": bench_rnn(max(4, args.reps // 3)),
    }
    plt.close("all")

    print(
        f"{'app':<14} {'control':<18} {'median':>8} {'max':>8} {'+draw med':>10} {'+draw max':>10}"
    )
    for app, controls in apps.items():
        for name, r in controls.items():
            print(
                f"{app:<14} {name:<18} {r['median_ms']:>6.1f}ms {r['max_ms']:>6.1f}ms "
                f"{r['median_with_draw_ms']:>8.1f}ms {r['max_with_draw_ms']:>8.1f}ms"
            )
    toy = apps["ToySystemApp"]
    worst = max(toy, key=lambda k: toy[k]["median_ms"])
    summary = {
        "benchmark": "widgets",
        "backend": matplotlib.get_backend(),
        "max_callback_ms": toy[worst]["median_ms"],
        "max_callback_app": "ToySystemApp",
        "max_callback_control": worst,
        "max_callback_is": "max over ToySystemApp controls of the median time to draw_idle",
        "goal_ms": GOAL_MS,
        "meets_goal": toy[worst]["median_ms"] <= GOAL_MS,
        "apps": apps,
    }
    print(f"goal: every ToySystemApp control's median <= {GOAL_MS:.0f} ms -> "
          f"{'met' if summary['meets_goal'] else 'NOT met'} (worst: {worst})")  # fmt: skip
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
