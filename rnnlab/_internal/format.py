"""Numbers as the result tables print them: rounded, and never as -0.000."""

from __future__ import annotations


def fmt_real(v: float, digits: int = 3) -> str:
    # round, then add 0.0 so that -0.000 prints as 0.000
    return f"{round(float(v), digits) + 0.0:.{digits}f}"


def fmt_complex(lam: complex, digits: int = 3) -> str:
    re = fmt_real(lam.real, digits)
    im = round(float(lam.imag), digits) + 0.0
    if im == 0.0:
        return re
    return f"{re}{'+' if im > 0 else '-'}{abs(im):.{digits}f}j"
