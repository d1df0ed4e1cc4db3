"""Duplicate documents and repeated site lines (README, "Deduplication")."""
