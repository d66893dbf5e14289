"""Jobs: dramatiq actors declared by the core from plugin specs, workers, relay and scheduler."""
