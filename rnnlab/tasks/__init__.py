"""The tasks the networks learn: the (delayed) n-bit flip-flop, perception and decision trials."""
