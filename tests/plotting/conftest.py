"""Every plotting test closes its figures, so hundreds of them never pile up."""

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
