"""Settings for sieve: pydantic models for `config/*.yaml`, the one source of defaults.

Every threshold sits here with a comment on what it trades off; stages receive
the part of the settings they need and never read globals.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "pipeline.yaml"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReadSettings(Strict):
    # Files larger than this are rejected ("too_large") without being read whole:
    # a real article is rarely above 2 MB of HTML; raising it costs memory per worker.
    max_bytes: int = 8_000_000
    extensions: list[str] = [".txt", ".text", ".html", ".htm", ".xhtml", ".warc", ".warc.gz"]


class ExtractSettings(Strict):
    # HTML elements hidden by markup (hidden attribute, inline display:none, classes
    # that a <style> block hides) are removed before trafilatura sees the page.
    drop_hidden_markup: bool = True
    include_tables: bool = True


class LanguageSettings(Strict):
    # langdetect reads at most this many characters per document (sampled from the
    # start, middle and end); more costs time linearly and rarely changes the answer.
    sample_chars: int = 1500
    seed: int = 0
    # A paragraph whose script alone says it is in a language not in `languages`
    # (e.g. Cyrillic spam in an English page) is removed when this is on.
    drop_foreign_script_paragraphs: bool = True


class CleanSettings(Strict):
    """Thresholds of the cleaning rules (README, "Cleaning rules")."""

    # Rules switched off by name (see README for the list).
    disabled_rules: list[str] = []
    # A paragraph counts as body text ("good") from this many letters
    # (a Han character counts as two: it carries about a word's worth).
    good_min_letters: int = 70
    # Injected strings: a substring of at least this many characters found in at
    # least `injection_min_paragraphs` paragraphs and `injection_min_share` of them.
    injection_min_chars: int = 10
    injection_min_paragraphs: int = 3
    injection_min_share: float = 0.2
    # Injected words: a token seen at least this many times, most of whose
    # occurrences read better without it.
    injected_word_min_count: int = 4
    injected_word_min_share: float = 0.6
    # Off-topic paragraphs: a paragraph of at least `topic_min_tokens` content words
    # is dropped when its use of the document's topic terms is this improbable
    # (one-sided binomial p-value). Lower: fewer, surer drops.
    topic_alpha: float = 0.05
    topic_min_tokens: int = 10
    topic_window: int = 2
    # Keyword stuffing: at least this many separator-delimited phrases averaging at
    # most this many words (a third of it for comma lists), with hardly any sentence.
    stuffing_min_segments: int = 6
    stuffing_max_segment_words: float = 8.0
    # Documents: fewer published words than this (a Han character counts as 2/3
    # of a word) are rejected as too short; a document whose removed spam (keyword
    # blocks, injected strings, hidden text, link lines) is at least
    # `max_spam_share` of its extracted text is rejected as mostly spam.
    min_doc_words: int = 40
    max_spam_share: float = 0.6


class NormalizeSettings(Strict):
    # OpenCC conversion per language: t2s (characters), tw2sp / hk2s (regional
    # vocabulary too), s2t, or "none".
    opencc: dict[str, str] = {"zh": "t2s"}
    unicode_form: str = "NFC"


class PublishSettings(Strict):
    shard_size: int = 500
    # How many previous run snapshots stay on disk under OUT/runs/.
    keep_runs: int = 3
    examples_per_reason: int = 3


class DedupSettings(Strict):
    """Duplicate documents and repeated site lines (tasks/dedup/, README "Deduplication")."""

    enabled: bool = True
    # Near duplicates: estimated Jaccard similarity of the documents' shingle sets (MinHash) at or above
    # this. Lower catches heavier edits and risks merging distinct pages on one topic (see README for the
    # measured precision and recall). Candidates come from datasketch's LSH banded for 0.8 x this
    # threshold (a pair at the threshold is a candidate ~98 % of the time), then checked on the estimate.
    threshold: float = Field(0.4, gt=0.0, le=1.0)
    # MinHash permutations: more gives a closer estimate (error ~ 1/sqrt(num_perm)), costing CPU and
    # 4 bytes per permutation per document in the flow's memory and in OUT/dedup.sqlite.
    num_perm: int = Field(128, ge=16, le=1024)
    # Shingles: word n-grams for space-separated languages, character n-grams for Chinese and Japanese.
    # Longer shingles separate distinct texts better and lose recall on edited copies faster.
    word_ngram: int = Field(2, ge=1, le=10)
    char_ngram: int = Field(4, ge=1, le=20)
    # Remember the signatures of published documents in OUT/dedup.sqlite (written when a run commits) and
    # reject copies of them in later runs. Off: each run is deduplicated on its own.
    across_runs: bool = True
    # A page at a URL published earlier that is now a near duplicate of its older self (changed a little):
    # "replace" publishes the new version, which takes the old one's place in the store;
    # "keep" rejects it as a near duplicate of the published version.
    on_changed: Literal["replace", "keep"] = "replace"
    # Site boilerplate: a line of at most `boilerplate_max_line_chars` characters found on at least
    # `boilerplate_min_pages` published pages of one host in a run is removed from all of them
    # (reason site_boilerplate). Never on fewer than 2 pages; 0 switches it off.
    boilerplate_min_pages: int = Field(4, ge=0)
    boilerplate_max_line_chars: int = Field(80, ge=1)

    @field_validator("boilerplate_min_pages")
    @classmethod
    def _several_pages(cls, value: int) -> int:
        if value == 1:
            raise ValueError("a line on a single page is never site boilerplate: use 0 (off) or at least 2")
        return value


class RunSettings(Strict):
    # Worker processes for the CPU-bound stages; None means the number of cores.
    workers: int | None = None
    dask_address: str | None = None
    # Shards in flight per worker: bounds memory while keeping workers busy.
    inflight_per_worker: int = 2


class FetchSettings(Strict):
    """How sieve fetches from the web (tasks/web/fetch.py): polite by default."""

    # Sent with every request, robots.txt included; sites and operators read it to
    # know who is crawling. The first word (before "/") is the robots.txt agent token.
    # Put a contact (URL or e-mail) in it for a real crawl.
    user_agent: str = "sieve/0.1 (web-corpus research crawler)"
    connect_timeout: float = 10.0
    # Seconds without a byte before giving up; `total_timeout` caps a whole response
    # (a server trickling bytes never hits the read timeout).
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    # Body cap after decompression (a gzip bomb stops here); a page above it is
    # rejected "too_large". Error and redirect bodies are kept to `error_body_bytes`.
    max_bytes: int = 8_000_000
    error_body_bytes: int = 65_536
    max_redirects: int = 5
    # Retries on timeouts, connection errors, 429 and 5xx (never on other 4xx), with
    # exponential backoff base * 2**attempt; Retry-After is honoured up to `backoff_max`.
    retries: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    # Politeness: requests in flight per host, and seconds between request starts to
    # one host (a robots.txt Crawl-delay raises it, up to `max_crawl_delay`).
    per_host_concurrency: int = 1
    per_host_delay: float = 1.0
    max_crawl_delay: float = 30.0
    # Hosts fetched at the same time (threads).
    max_workers: int = 16
    respect_robots: bool = True
    robots_max_bytes: int = 512_000
    # Content types taken as pages; any other type is skipped without reading the body.
    html_types: list[str] = ["text/html", "application/xhtml+xml"]
    text_types: list[str] = ["text/plain"]


class SourceConfig(Strict):
    name: str
    paths: list[str] = []
    urls: list[str] = []
    seed_file: str | None = None
    schedule: str | None = None
    languages: list[str] | None = None
    max_pages: int | None = None
    allow_private_addresses: bool = False
    clean: dict[str, Any] = {}


class Settings(Strict):
    # Languages published; documents in others are rejected. Empty: any language.
    languages: list[str] = ["en", "zh"]
    sources: list[SourceConfig] = Field(default_factory=list)
    read: ReadSettings = ReadSettings()
    extract: ExtractSettings = ExtractSettings()
    language: LanguageSettings = LanguageSettings()
    clean: CleanSettings = CleanSettings()
    normalize: NormalizeSettings = NormalizeSettings()
    publish: PublishSettings = PublishSettings()
    dedup: DedupSettings = DedupSettings()
    run: RunSettings = RunSettings()
    fetch: FetchSettings = FetchSettings()

    def sha256(self) -> str:
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()


def load_settings(path: str | Path | None = None) -> Settings:
    """Read a YAML config; relative source paths resolve against the config's project."""
    path = Path(path) if path else DEFAULT_CONFIG
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Settings.model_validate(data)
