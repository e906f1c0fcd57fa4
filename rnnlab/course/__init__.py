"""What the chapters need beyond the library: shipped trained networks and the exercise checks."""
