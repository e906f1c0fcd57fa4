"""Train the networks that ship with rnnlab (rnnlab/data/) from their seeds.

    python tools/make_networks.py                       # all of them
    python tools/make_networks.py flipflop4_tanh_seed0  # only these (recipe or transfer names)

Each file holds a configuration, a seed and a readout (see ``rnnlab.ESN.save``): a few
tens of kB. Later chapters and the book load them instantly with ``rnnlab.load_network``;
a student can always retrain one from its recipe (``rnnlab.train_recipe``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import rnnlab
from rnnlab.networks import RECIPES, load_network, train_recipe
from rnnlab.transfer import continue_force, transfer

DATA = Path(rnnlab.__file__).parent / "data"

#: Chapter 06: "flipflop3" plus one bit (new columns drawn from the seed), FORCE continued
#: on the 4-bit task with the settings of the 4-bit recipes (rnnlab.transfer).
TRANSFERS = {f"flipflop4_transfer_seed{s}": s for s in (0, 1, 2)}


def train_transfer(name: str):
    esn = transfer(load_network("flipflop3"), new_bits=1, seed=TRANSFERS[name])
    u, y = rnnlab.FlipFlopTask(4, pulse_rate=0.01, pulse_at_start=True).generate(30_000, seed=0)
    continue_force(esn, u, y, alpha=1.0, update_every=2)
    return esn


def main(names=()) -> None:
    for name in names or [*RECIPES, *TRANSFERS]:
        esn = train_transfer(name) if name in TRANSFERS else train_recipe(name)
        path = DATA / f"{name}.npz"
        esn.save(path)
        print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv[1:])
