"""Views of high-dimensional activity and weights: PCA, DCA, what training changed in W."""
