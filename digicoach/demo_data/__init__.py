"""Demo data too big or too special for a feature's own demo module."""
