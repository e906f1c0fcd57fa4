"""Train chapter 10's sine-wave generator (rnnlab/data/sine_wave.npz) by its recipe.

    python tools/make_sine_network.py

The recipe is ``rnnlab.course.sine_network.SINE_RECIPE`` (FORCE on a 500-unit ESN, 3 passes over the
51 input levels); the file holds the configuration, the seed and the readout (~5 kB).
"""

from __future__ import annotations

import time

from rnnlab.course.sine_network import _PATH, train_sine_network


def main() -> None:
    start = time.perf_counter()
    esn = train_sine_network()
    esn.save(_PATH)
    print(
        f"{esn}: {time.perf_counter() - start:.0f} s; wrote {_PATH} ({_PATH.stat().st_size} bytes)"
    )


if __name__ == "__main__":
    main()
