"""Train chapter 08's delayed flip-flop networks (rnnlab/data/delayed_flipflop_d*.npz).

    python tools/make_delayed_networks.py          # delays 0, 2, 4, 8
    python tools/make_delayed_networks.py 0 8      # only these

Each network follows ``rnnlab.course.networks.DELAYED_RECIPE`` (N = 100 tanh units, truncated
BPTT with unroll 10, Adam lr 3e-4, stop at 99.5 % validation bit accuracy); the file holds
its configuration, W_in, W, W_out and a training summary (~200 kB). The chapter loads them
with ``load_delayed_network(delay)`` and retrains delays 0 and 8 itself.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import rnnlab
from rnnlab.course.networks import DELAYS, delayed_task, train_delayed_network
from rnnlab.models.bptt import bit_accuracy

DATA = Path(rnnlab.__file__).parent / "data"


def main(delays=()) -> None:
    for delay in [int(d) for d in delays] or DELAYS:
        start = time.perf_counter()
        cpu = time.process_time()
        model, history = train_delayed_network(delay)
        u, y = delayed_task(delay).generate(20_000, seed=123)
        acc = bit_accuracy(model.run(u)[1], y)
        path = DATA / f"delayed_flipflop_d{delay}.npz"
        model.save(path)
        print(
            f"delay {delay}: {history}, fresh-stream accuracy {acc:.4f}, "
            f"{time.perf_counter() - start:.0f} s wall / {time.process_time() - cpu:.0f} s CPU; "
            f"wrote {path} ({path.stat().st_size} bytes)",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
