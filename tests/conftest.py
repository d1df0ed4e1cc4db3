"""Shared helpers: pages as text through the whole pipeline, and an isolated Prefect home."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from pathlib import Path

import pytest

# Flow tests run Prefect in ephemeral mode; keep its database out of the user's home.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="sieve-test-prefect-"))
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# The ephemeral server logs its shutdown at interpreter exit, after pytest closed its streams.
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from config import Settings
from tasks.clean import HTML_RULE_NAMES
from tasks.record import Document, Source
from tasks.stages.document import process_document

# Settings of a source known for injected spam: every cleaning rule also runs on its HTML pages
# (by default only `clean.html_rules` do; README, "Cleaning rules").
SPAM_SOURCE = Settings(clean={"html_rules": HTML_RULE_NAMES})


def run_text(text: str, settings: Settings | None = None, media: str = "text") -> Document:
    """One page given as text through every stage."""
    raw = text.encode("utf-8")
    source = Source(uri=f"test://{hashlib.sha1(raw).hexdigest()[:8]}", kind="file", retrieved_at="now",
                    sha256=hashlib.sha256(raw).hexdigest(), size=len(raw))
    return process_document(Document(source=source, raw=raw, media=media), settings or Settings())


# Real pages with gold main text, copied from wcxb-dev (tests/fixtures/real/README.md says why each).
REAL = Path(__file__).parent / "fixtures" / "real"


def real_page(name: str) -> tuple[bytes, str]:
    """A real page of tests/fixtures/real, as fetched, and its gold main text."""
    raw = gzip.decompress((REAL / f"{name}.html.gz").read_bytes())
    return raw, json.loads((REAL / f"{name}.json").read_text(encoding="utf-8"))["ground_truth"]["main_content"]


def run_html(raw: bytes, settings: Settings | None = None) -> Document:
    """One HTML page, as fetched, through every stage."""
    doc = Document(source=Source(uri="file:///page.html", kind="file", retrieved_at="", sha256=""), media="html",
                   raw=raw)
    return process_document(doc, settings or Settings())


@pytest.fixture
def settings() -> Settings:
    return Settings()
