"""User tools over a published corpus: inspect, evaluate."""
