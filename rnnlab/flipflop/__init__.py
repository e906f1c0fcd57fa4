"""Opening a trained flip-flop: census of its fixed points, memories, training evolution, noise, switch-triggered averages."""
