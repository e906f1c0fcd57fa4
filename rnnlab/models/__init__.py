"""The trained networks: echo state networks with FORCE and transfer, BPTT-trained tanh and leaky-ReLU RNNs."""
