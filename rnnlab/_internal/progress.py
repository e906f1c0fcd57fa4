"""Progress bars for the long loops (training, snapshots): one helper, tqdm's auto flavour.

In Jupyter ``tqdm.auto`` draws a notebook widget, elsewhere a text bar; it is imported only
when a caller asks for a bar.
"""

from __future__ import annotations


def progress_bar(total: int, desc: str, unit: str = "step"):
    """A ``tqdm`` bar over ``total`` items, refreshed at most twice a second."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, mininterval=0.5)
