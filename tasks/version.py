"""The pipeline's version, recorded in every document's provenance and in each deployment."""

from __future__ import annotations

from importlib.metadata import version

# Read once: importlib.metadata.version() scans the installed distributions on every call.
PIPELINE_VERSION = version("sieve")
