"""Figures of the course: fixed points by type, phase planes, spectra, census views, mean-field figures."""
