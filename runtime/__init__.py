"""Servers and processes sieve runs beside its flows (not flows themselves)."""
