"""Settings for sieve: pydantic models for `config/*.yaml`, the one source of defaults.

Every threshold sits here with a comment on what it trades off; stages receive
the part of the settings they need and never read globals.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from config.errors import ConfigError, check_name, describe

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "pipeline.yaml"

SafeName = Annotated[str, AfterValidator(check_name)]
# OpenCC's conversions (its README), and "none" for no conversion.
OpenCCConfig = Literal["none", "t2s", "s2t", "tw2s", "tw2sp", "hk2s", "s2tw", "s2twp", "s2hk", "t2tw", "t2hk",
                       "tw2t", "hk2t", "t2jp", "jp2t"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReadSettings(Strict):
    # Files larger than this are rejected ("too_large") without being read whole:
    # a real article is rarely above 2 MB of HTML; raising it costs memory per worker.
    max_bytes: int = Field(8_000_000, ge=1)
    extensions: list[str] = [".txt", ".text", ".html", ".htm", ".xhtml", ".warc", ".warc.gz"]


class ExtractSettings(Strict):
    # HTML elements hidden by markup (hidden attribute, inline display:none, classes
    # that a <style> block hides) may be removed before trafilatura sees the page: where this
    # is on and `clean.html_rules` names `hidden_element` (off by default: on real pages, tabs,
    # accordions and FAQ answers a script reveals are hidden too, and the pass lowered word F1).
    drop_hidden_markup: bool = True
    # ...except an element holding more than this share of the page's text: a body, tab or
    # accordion a script reveals is content (on the 1,308 real pages of wcxb-dev, dropping such
    # elements emptied 9 pages whose text trafilatura alone extracts with F1 0.9-1.0).
    max_hidden_share: float = Field(0.3, gt=0.0, le=1.0)
    # Consent dialogs (cookie banners, preference centres: an element whose class or id has the word
    # cookie, consent or GDPR, holding under half of the page's text) are removed before trafilatura
    # and recorded (rule `consent_dialog`; tasks/stages/consent.py). On wcxb-dev: 18 pages changed,
    # 17 for the better (forum threads under a preference centre from 0.15 to 0.97), word F1 +0.0026;
    # 0.966 of the 182k characters it took are not in the gold. It costs at most 4 % of extraction.
    drop_consent_dialogs: bool = True
    include_tables: bool = True
    # Where a page's title, author, date, site name and description come from: "markup" reads its
    # <meta>, JSON-LD, bylines, <title>, <h1> and canonical link, and htmldate its date from the
    # markup that declares dates (tasks/stages/metadata.py); "trafilatura" asks trafilatura's own
    # metadata extraction, which also searches the body's text for dates and bylines and costs about
    # half as much again as the text extraction (README, "Speed").
    metadata: Literal["markup", "trafilatura"] = "markup"
    # The headline stays in the text where the page first has it (and is in `title` too); its repeats
    # are cut (rule `repeated_title`). Off, every copy is cut (rule `title_in_metadata`) unless it is
    # all the text: on wcxb-dev that cut 13.3k characters at 0.79 precision (the gold keeps the
    # headline on some pages, not on others), for a word F1 0.0003 higher.
    title_in_text: bool = True
    # A page whose text has fewer words than this, and whose comment section more than doubles it, is a
    # discussion (a forum thread, a link aggregator's page): its comments are published as its text
    # (tasks/stages/extract.py, `_discussion_text`; 0: comments never). Longer texts are articles
    # whose comments are readers', not content, unless the page declares itself a discussion
    # (schema.org DiscussionForumPosting or QAPage).
    discussion_max_words: int = Field(200, ge=0)
    # Where the page declares its main content (`<main>`, role="main"; without them an id such as
    # "content", or the parent of 3+ `<article>`s) and trafilatura's text covers
    # less than this share of that region's words, trafilatura kept one card or section of a listing,
    # grid or many-sectioned page: the region's text is published instead, without its navigation,
    # banners, forms and asides (tasks/stages/landmark.py; 0: never). A page that declares none is
    # read from its body, where trafilatura's text is shorter than an article (`discussion_max_words`)
    # and the page is not a discussion, or, under a longer text, where the page does not declare itself
    # an article or a post and that text holds at least 0.3 of the body (extract.BODY_MIN_COVERAGE).
    # Not on pages that declare themselves products, whose main region holds reviews and other products.
    landmark_max_coverage: float = Field(0.5, ge=0.0, le=1.0)
    # Headings trafilatura left out are put back above the line their section starts with, where
    # the first text after the heading in the page starts a line trafilatura kept (a sidebar's
    # heading over links it dropped stays out; tasks/stages/headings.py). Recorded in the extract
    # step's `headings_restored`. Not where a main region's text is published (it has its headings).
    restore_headings: bool = True
    # On a page that declares itself an article or a post (not a discussion), trafilatura's text of
    # under 800 words is read again with `favor_recall`, and that text taken where it keeps the
    # first one's lines and adds to them (tasks/stages/extract.py). Recorded in `recall`.
    recall_on_articles: bool = True
    # A page where libxml2 ignored the end tag of an `aside`, `header`, `nav` (or another HTML5
    # section) over an element left open, nesting the rest of the page in it, or where such an
    # element holds nearly all the page after an end tag libxml2 could not place, is parsed again as
    # a browser does, by html5lib (tasks/stages/misnest.py). Recorded in the extract step's `misnested`.
    reparse_misnested: bool = True


class LanguageSettings(Strict):
    # langdetect reads at most this many characters per document (sampled from the
    # start, middle and end); more costs time linearly and rarely changes the answer.
    sample_chars: int = Field(1500, ge=1)
    seed: int = Field(0, ge=0)
    # A paragraph whose script alone says it is in a language not in `languages`
    # (e.g. Cyrillic spam in an English page) is removed when this is on.
    drop_foreign_script_paragraphs: bool = True


class CleanSettings(Strict):
    """Thresholds of the cleaning rules (README, "Cleaning rules")."""

    # Rules switched off by name (see README for the list).
    disabled_rules: list[str] = []
    # The rules that also run on HTML documents (after trafilatura), and `hidden_element` (hidden
    # elements dropped before it). The others were written for scraped plain text and, on
    # trafilatura's output of 1,308 real pages (wcxb-dev), cut more content than noise: their
    # precision by characters there was 0.24-0.64 (README, "Cleaning rules"). A source of spam-farm
    # pages names them here (in its own `clean:` entry) to run them on its HTML. `doubled_block` (a block
    # printed twice in a row: markup repeated for phones, a carousel's clones) was written for HTML, and
    # raised word F1 there (+0.0013), but the gold of some pages keeps both copies: precision 0.87.
    html_rules: list[str] = ["foreign_script"]
    # Rules that also run on HTML documents in a language. On 21 real Chinese pages (bench/zh-real,
    # news) these three cut 854 characters, none of them gold text (breadcrumbs, dated lists of
    # other articles, copyright and contact lines), and raised token F1 from 0.905 to 0.918; on the
    # English pages of wcxb-dev they cut more content than noise (listings' and products' short
    # lines). `hidden_element` cannot be named here: it runs before the language is known.
    html_rules_by_language: dict[str, list[str]] = {"zh": ["related_list", "boilerplate_shape", "main_region"]}
    # A paragraph counts as body text ("good") from this many letters
    # (a Han character counts as two: it carries about a word's worth).
    good_min_letters: int = Field(70, ge=0)
    # Injected strings: a substring of at least this many characters found in at
    # least `injection_min_paragraphs` paragraphs and `injection_min_share` of them.
    injection_min_chars: int = Field(10, ge=1)
    injection_min_paragraphs: int = Field(3, ge=1)
    injection_min_share: float = Field(0.2, ge=0, le=1)
    # Injected words: a token seen at least this many times, most of whose
    # occurrences read better without it.
    injected_word_min_count: int = Field(4, ge=1)
    injected_word_min_share: float = Field(0.6, ge=0, le=1)
    # Off-topic paragraphs: a paragraph of at least `topic_min_tokens` content words
    # is dropped when its use of the document's topic terms is this improbable
    # (one-sided binomial p-value). Lower: fewer, surer drops.
    topic_alpha: float = Field(0.05, gt=0, lt=1)
    topic_min_tokens: int = Field(10, ge=1)
    topic_window: int = Field(2, ge=0)
    # Keyword stuffing: at least this many separator-delimited phrases averaging at
    # most this many words (a third of it for comma lists), with hardly any sentence.
    stuffing_min_segments: int = Field(6, ge=1)
    stuffing_max_segment_words: float = Field(8.0, gt=0)
    # Documents: fewer published words than this (a Han character counts as 2/3
    # of a word) are rejected as too short; a document whose removed spam (keyword
    # blocks, injected strings, hidden text, link lines, related lists and teasers) is at least
    # `max_spam_share` of its extracted text is rejected as mostly spam.
    min_doc_words: int = Field(40, ge=0)
    max_spam_share: float = Field(0.6, gt=0, le=1)

    @field_validator("disabled_rules", "html_rules")
    @classmethod
    def _known_rules(cls, names: list[str]) -> list[str]:
        """A misspelt rule name would switch nothing on or off, silently."""
        from tasks.clean import HTML_RULE_NAMES  # noqa: PLC0415 - config stays importable on its own

        if unknown := [n for n in names if n not in HTML_RULE_NAMES]:
            raise ValueError(f"unknown rule(s) {unknown}; the rules are {HTML_RULE_NAMES}")
        return names

    @field_validator("html_rules_by_language")
    @classmethod
    def _known_rules_after_extraction(cls, rules: dict[str, list[str]]) -> dict[str, list[str]]:
        from tasks.clean import RULE_NAMES  # noqa: PLC0415

        if unknown := sorted({n for names in rules.values() for n in names if n not in RULE_NAMES}):
            raise ValueError(f"unknown rule(s) {unknown} (hidden_element runs before the language is known); "
                             f"the rules are {RULE_NAMES}")
        return rules


class NormalizeSettings(Strict):
    # OpenCC conversion per language: t2s (characters), tw2sp / hk2s (regional
    # vocabulary too), s2t, or "none".
    opencc: dict[str, OpenCCConfig] = {"zh": "t2s"}
    unicode_form: Literal["NFC", "NFD", "NFKC", "NFKD"] = "NFC"


class PublishSettings(Strict):
    shard_size: int = Field(250, ge=1)
    # How many committed runs stay on disk under OUT/runs/ (the current one included); 0 keeps them all.
    # Runs that never committed (killed) do not count and are removed by the next commit.
    keep_runs: int = Field(3, ge=0)
    examples_per_reason: int = Field(3, ge=0)
    # A run finding nothing to read (a path that does not exist, an empty folder) fails and leaves the
    # current corpus as it was; on, it publishes an empty corpus instead (with a warning).
    allow_empty: bool = False
    # Seconds a run waits for another run holding OUT/ (its lock) before refusing; 0 refuses at once.
    lock_wait_seconds: float = Field(0.0, ge=0)


class LimitsSettings(Strict):
    """What one input may cost, so that no page can hold a worker (tasks/stages/budget.py)."""

    # CPU seconds for one document's stages (decode to normalize); over it the document
    # is rejected "timeout", naming the stage it was in, and the run goes on. Pages take
    # about 0.01 s each (the largest a second or so); lower risks rejecting big real pages.
    document_cpu_seconds: float = Field(default=5.0, gt=0)


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
    workers: int | None = Field(None, ge=1)
    dask_address: str | None = None
    # Shards in flight per worker: bounds memory while keeping workers busy.
    inflight_per_worker: int = Field(2, ge=1)


class FetchSettings(Strict):
    """How sieve fetches from the web (tasks/web/fetch.py): polite by default."""

    # Sent with every request, robots.txt included; sites and operators read it to
    # know who is crawling. The first word (before "/") is the robots.txt agent token.
    # Put a contact (URL or e-mail) in it for a real crawl.
    user_agent: str = "sieve/0.1 (web-corpus research crawler)"
    connect_timeout: float = Field(10.0, gt=0)
    # Seconds without a byte before giving up; `total_timeout` caps a whole response
    # (a server trickling bytes never hits the read timeout).
    read_timeout: float = Field(20.0, gt=0)
    total_timeout: float = Field(60.0, gt=0)
    # Body cap after decompression (a gzip bomb stops here); a page above it is
    # rejected "too_large". Error and redirect bodies are kept to `error_body_bytes`.
    max_bytes: int = Field(8_000_000, ge=1)
    error_body_bytes: int = Field(65_536, ge=0)
    max_redirects: int = Field(5, ge=0)
    # Retries on timeouts, connection errors, 429 and 5xx (never on other 4xx), with
    # exponential backoff base * 2**attempt; Retry-After is honoured up to `backoff_max`.
    retries: int = Field(3, ge=0)
    backoff_base: float = Field(1.0, ge=0)
    backoff_max: float = Field(60.0, ge=0)
    # Politeness: requests in flight per host, and seconds between request starts to
    # one host (a robots.txt Crawl-delay raises it, up to `max_crawl_delay`).
    per_host_concurrency: int = Field(1, ge=1)
    per_host_delay: float = Field(1.0, ge=0)
    max_crawl_delay: float = Field(30.0, ge=0)
    # Hosts fetched at the same time (threads).
    max_workers: int = Field(16, ge=1)
    # A run in which more than this share of the fetched pages failed to arrive (DNS,
    # connection, timeout, HTTP errors, robots) ends Failed; any failed page makes it
    # end with warnings. Lower: a flaky site fails runs sooner.
    max_failed_share: float = Field(0.5, ge=0.0, le=1.0)
    respect_robots: bool = True
    robots_max_bytes: int = Field(512_000, ge=1)
    # Content types taken as pages; any other type is skipped without reading the body.
    html_types: list[str] = ["text/html", "application/xhtml+xml"]
    text_types: list[str] = ["text/plain"]


class SourceConfig(Strict):
    # Part of file names (OUT/raw/<run>-<name>.warc.gz, parts): one plain path component.
    name: SafeName
    paths: list[str] = []
    urls: list[str] = []
    seed_file: str | None = None
    schedule: str | None = None
    languages: list[str] | None = None
    max_pages: int | None = Field(None, ge=1)
    # Non-public addresses this source may reach: false (none), true (loopback and
    # private ranges, never link-local such as 169.254.169.254), or a list of CIDR
    # ranges and host names ([10.0.0.0/8, wiki.corp]); tasks/web/address.py.
    allow_private_addresses: bool | list[str] = False
    clean: dict[str, Any] = {}

    @field_validator("allow_private_addresses")
    @classmethod
    def _allow_list(cls, value: bool | list[str]) -> bool | list[str]:
        from tasks.web.address import AddressPolicy  # noqa: PLC0415 - config stays importable on its own

        AddressPolicy.parse(value)  # ValueError names the item
        return value

    @field_validator("clean")
    @classmethod
    def _clean_overrides_are_clean_settings(cls, clean: dict[str, Any]) -> dict[str, Any]:
        """Checked at load like the pipeline's own `clean:` (not when the source's run starts)."""
        try:
            CleanSettings.model_validate({**CleanSettings().model_dump(), **clean})
        except ValidationError as exc:
            raise ValueError("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']} (got {e.get('input')!r})"
                                       for e in exc.errors())) from None
        return clean


class SourcesFile(Strict):
    """config/sources.yaml (`sieve sources`): the web sources, each name once."""

    sources: list[SourceConfig] = Field(default_factory=list)

    @field_validator("sources")
    @classmethod
    def _names_are_unique(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        names = [s.name for s in sources]
        if dupes := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"several sources are named {', '.join(map(repr, dupes))}: names must be unique")
        return sources


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
    limits: LimitsSettings = LimitsSettings()
    run: RunSettings = RunSettings()
    fetch: FetchSettings = FetchSettings()

    def sha256(self) -> str:
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()


def load_settings(path: str | Path | None = None) -> Settings:
    """Read a YAML config; ConfigError (file, key, what is expected) when it cannot be read or does not validate."""
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        text = path.read_text(encoding="utf-8")
    except IsADirectoryError as exc:
        raise ConfigError(f"config {path}: is a directory, not a YAML file") from exc
    except FileNotFoundError as exc:
        raise ConfigError(f"config {path}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config {path}: cannot be read ({exc})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(f"config {path}: not valid YAML ({at}{getattr(exc, 'problem', None) or exc})") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"config {path}: expected a mapping of settings (key: value), got {type(data).__name__}")
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"invalid configuration:\n{describe(exc, Settings, path)}") from exc
