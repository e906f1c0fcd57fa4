"""Checks for chapter 07's exercises, with the wrong answers students commonly give.

One function per exercise, named after it; each wraps a check of :mod:`rnnlab.check` with
the exercise's reference and its :class:`~rnnlab.check.Misconception` hints.
"""

from __future__ import annotations
