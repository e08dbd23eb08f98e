"""Providers: how to reach each host (one module per host)."""
