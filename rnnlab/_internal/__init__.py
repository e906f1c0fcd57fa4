"""Plumbing shared by the library: argument checks, BLAS threads. Not public."""
