"""Train the networks that ship with rnnlab (rnnlab/data/) from their seeds.

    python tools/make_networks.py

Each file holds a configuration, a seed and a readout (see ``rnnlab.ESN.save``): a few
tens of kB. Later chapters and the book load them instantly with ``rnnlab.load_network``;
a student can always retrain one from its recipe (``rnnlab.train_recipe``).
"""

from __future__ import annotations

from pathlib import Path

import rnnlab
from rnnlab.networks import RECIPES, train_recipe

DATA = Path(rnnlab.__file__).parent / "data"


def main() -> None:
    for name in RECIPES:
        esn = train_recipe(name)
        path = DATA / f"{name}.npz"
        esn.save(path)
        print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
