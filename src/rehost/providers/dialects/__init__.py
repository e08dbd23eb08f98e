"""Dialect codecs: pure functions between neutral types and each wire format."""
