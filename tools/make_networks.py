"""Train the networks that ship with rnnlab (rnnlab/data/) from their recipes.

    python tools/make_networks.py                       # all of them
    python tools/make_networks.py flipflop4_tanh_seed0  # only these

Each file holds a configuration, a seed and a readout (see ``rnnlab.ESN.save`` and
``rnnlab.models.transfer.TransferredESN.save``): a few tens of kB. Later chapters and the book load
them instantly with ``rnnlab.load_network``; a student can always retrain one from its recipe
(``rnnlab.train_recipe``). Transferred networks start from the shipped "flipflop3_g06": when that
changes, remake them too (the default order does).
"""

from __future__ import annotations

import sys
from pathlib import Path

from threadpoolctl import threadpool_limits

import rnnlab
from rnnlab.course.networks import RECIPES, train_recipe

DATA = Path(rnnlab.__file__).parent / "data"


def main(names=()) -> None:
    for name in names or list(RECIPES):
        with threadpool_limits(1):
            esn = train_recipe(name)
        path = DATA / f"{name}.npz"
        esn.save(path)
        print(f"wrote {path} ({path.stat().st_size} bytes)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
