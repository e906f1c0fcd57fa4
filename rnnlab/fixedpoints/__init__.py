"""Fixed, slow and periodic points: the speed q, its minimisation, results, starts, manifolds."""
