"""Fetching over HTTP: address guard, politeness, robots, fetch, and the per-URL catalog."""
