"""Model clients: what to ask each model family (one module per family)."""
