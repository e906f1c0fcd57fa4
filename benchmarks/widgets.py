"""How long the widget callbacks take, headless (Agg).

For each control of each app: set its value (as a slider move would) and time

* ``median_ms`` / ``max_ms``: until the callback has computed the new artists and asks for
  a frame -- ``fig.canvas.draw_idle()`` (replaced by a stub that records the time: under Agg
  it would render synchronously, while under ipympl the render happens afterwards, when the
  browser asks for it) or, for an app that blits (ToySystemApp), the start of its blit;
* ``median_frame_ms`` / ``max_frame_ms``: until the kernel holds the new frame -- the
  blit's end, or the request plus a full ``fig.canvas.draw()`` (the Agg render of the
  whole figure);
* ``png_ms``: the PNG encoding of that frame as the blitting apps send it under ipympl
  (whole, unfiltered rows, zlib level 1; ``rnnlab.widgets._base._png_frame``).

The ToySystemApp's ``a_slider`` is timed twice: jumping across its range (the q panel's
limits change, so its ticks are redrawn) and ``a_slider (steps)``, one slider step of 0.05
at a time as the arrow keys or a drag move it (the q panel's ticks mostly come from the
cached tick layer).

Goal: the median callback (first number) of every ToySystemApp control within 50 ms. The
RandomRNNApp rebuilds, simulates and searches an N-unit network per move and is not in that
class (its sliders update on release). What a user feels in the browser is measured by the
live JupyterLab test (tests/browser/test_lab.py, test-artifacts/slider-latency.json).

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
from rnnlab.widgets._base import _png_frame

GOAL_MS = 50.0


def _record_redraws(app) -> dict[str, list[float]]:
    """Replace ``draw_idle`` by a stub that records when it was called, and record when
    a blit starts and ends (an app that blits renders its frame inside the callback)."""
    calls: dict[str, list[float]] = {"draw_idle": [], "blit_start": [], "blit_end": []}
    app.fig.canvas.draw_idle = lambda *a, **k: calls["draw_idle"].append(time.perf_counter())
    blit = app._blit

    def timed_blit():
        calls["blit_start"].append(time.perf_counter())
        done = blit()
        if done:
            calls["blit_end"].append(time.perf_counter())
        else:
            calls["blit_start"].pop()
        return done

    app._blit = timed_blit
    return calls


def _png_ms(app) -> float:
    pixels = np.asarray(app.fig.canvas.get_renderer().buffer_rgba())
    t0 = time.perf_counter()
    _png_frame(pixels)
    return 1e3 * (time.perf_counter() - t0)


def time_control(app, action, values, *, reps: int) -> dict:
    """Median and max of ``action(value)`` until a frame is requested or rendered, and
    until the kernel holds the frame."""
    calls = _record_redraws(app)
    to_request, to_frame, png = [], [], []
    for i in range(reps):
        value = values[i % len(values)]
        for c in calls.values():
            c.clear()
        t0 = time.perf_counter()
        action(value)
        if calls["blit_end"]:
            t1, t2 = calls["blit_start"][0], calls["blit_end"][-1]
        elif calls["draw_idle"]:
            t1 = calls["draw_idle"][-1]
            app.fig.canvas.draw()
            t2 = time.perf_counter()
        else:
            raise RuntimeError(f"{action.__name__}({value!r}) did not redraw")
        to_request.append(1e3 * (t1 - t0))
        to_frame.append(1e3 * (t2 - t0))
        png.append(_png_ms(app))
    return {
        "median_ms": round(float(np.median(to_request)), 2),
        "max_ms": round(float(np.max(to_request)), 2),
        "median_frame_ms": round(float(np.median(to_frame)), 2),
        "max_frame_ms": round(float(np.max(to_frame)), 2),
        "png_ms": round(float(np.median(png)), 2),
        "blits": bool(calls["blit_end"]),
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

    # Each control's values below always change it, from the state the control before
    # left: a, b, start = 1, 0.5, 0 when the timing begins.
    app.update(start=0)
    results = {
        "a_slider": time_control(app, set_a, [0.25, 0.5, 1.0, 1.5, 2.0, -0.25], reps=reps),
    }
    app.update(a=0.15)
    results["a_slider (steps)"] = time_control(
        app, set_a, [0.2, 0.25, 0.3, 0.35, 0.3, 0.25, 0.2, 0.15], reps=reps
    )
    results["b_slider"] = time_control(app, set_b, [0.25, -0.5, 0.75, 0.5, -0.25], reps=reps)
    # The path and so the step slider's range follow a and b: read it now. (Values past
    # the end would be clipped to it by the slider, and a clipped value that equals the
    # current one changes nothing.)
    n_steps = app.path_slider.max
    steps = [k % (n_steps + 1) for k in range(1, n_steps + 2)]
    results["path_slider"] = time_control(app, set_step, steps, reps=reps)
    results["start_dropdown"] = time_control(app, set_start, [10, 24, 40, 48, 0], reps=reps)
    results["click"] = time_control(app, click, [(0.3, 0.2), (-0.4, -1.0), (1.5, 1.0)], reps=reps)
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
        f"{'app':<14} {'control':<18} {'median':>8} {'max':>8} {'frame med':>10} "
        f"{'frame max':>10} {'png':>7}  redraw"
    )
    for app, controls in apps.items():
        for name, r in controls.items():
            print(
                f"{app:<14} {name:<18} {r['median_ms']:>6.1f}ms {r['max_ms']:>6.1f}ms "
                f"{r['median_frame_ms']:>8.1f}ms {r['max_frame_ms']:>8.1f}ms "
                f"{r['png_ms']:>5.1f}ms  {'blit' if r['blits'] else 'full draw'}"
            )
    toy = apps["ToySystemApp"]
    worst = max(toy, key=lambda k: toy[k]["median_ms"])
    summary = {
        "benchmark": "widgets",
        "backend": matplotlib.get_backend(),
        "max_callback_ms": toy[worst]["median_ms"],
        "max_callback_app": "ToySystemApp",
        "max_callback_control": worst,
        "max_callback_is": "max over ToySystemApp controls of the median time until a frame "
        "is requested (draw_idle) or its blit starts",
        "goal_ms": GOAL_MS,
        "meets_goal": toy[worst]["median_ms"] <= GOAL_MS,
        "apps": apps,
    }
    print(f"goal: every ToySystemApp control's median <= {GOAL_MS:.0f} ms -> "
          f"{'met' if summary['meets_goal'] else 'NOT met'} (worst: {worst})")  # fmt: skip
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
