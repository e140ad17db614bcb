"""Digicoaches: application, screening, the review queue, the coach's own space, the directory."""
