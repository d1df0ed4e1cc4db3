"""Shards, publishing (atomic), and the run summary."""
