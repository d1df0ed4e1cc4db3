"""One document through every stage: decode, extract, language, clean,
normalize, verdict. Plain functions; Prefect wraps batches of them in flows/.
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from importlib.metadata import version

from config import ExtractSettings, Settings
from tasks.clean import HIDDEN_ELEMENT, Context, clean
from tasks.record import Document, Paragraph
from tasks.stages.budget import CpuBudget, OverBudget
from tasks.stages.decode import DecodeError, decode
from tasks.stages.extract import ExtractError, extract
from tasks.stages.language import chinese_script, detect, dominant_script, script_units, total_units
from tasks.stages.normalize import normalize
from tasks.stages.verdict import spam_share, verdict
from tasks.stages.warmup import warm_documents
from tasks.text.measures import weight

# Read once: importlib.metadata.version() scans the installed distributions on every call.
DECODE_LIBRARY = "charset-normalizer " + version("charset-normalizer")
STAGES = ("decode", "extract", "language", "clean", "normalize")


class StageTimer:
    """CPU seconds spent per stage, summed over documents (for the run report).

    The calling thread's CPU time, not the wall clock: shards processed at once in
    threads (fetched sources, in-process runs) or on a busy machine would otherwise
    count each other's time and the stages would add up to more than the run."""

    clock = staticmethod(time.thread_time)

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(STAGES, 0.0)

    def add(self, stage: str, since: float) -> float:
        now = self.clock()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - since
        return now


def _language(doc: Document, settings: Settings) -> list[Counter[str]]:
    """Decide the document's language (and Chinese script); returns each paragraph's script units."""
    units = [script_units(p.text) for p in doc.paragraphs]
    text = "\n".join(p.text for p in doc.paragraphs)
    guess = detect(text, settings.language.sample_chars, settings.language.seed, total_units(units))
    doc.lang, doc.lang_scores = guess.lang, guess.scores
    if doc.lang == "zh":
        doc.source_script = chinese_script(text)
        doc.script = doc.source_script
    doc.steps.append({"name": "language", "library": "sieve script evidence + langdetect 1.0.9",
                      "parameters": {"sample_chars": settings.language.sample_chars,
                                     "seed": settings.language.seed}})
    return units


def _recheck_language(doc: Document, settings: Settings, original: list[Counter[str]]) -> None:
    """Cleaning can remove a menu in another script; re-decide only if the script changed.

    `original`: the paragraphs' script units as the language stage counted them; a paragraph is
    scanned again only if cleaning cut it (a document's script units are its paragraphs' added up)."""
    kept = [units if p.text == p.original else script_units(p.text)
            for p, units in zip(doc.paragraphs, original, strict=True) if not p.dropped]
    if kept and dominant_script(total_units(kept)) != dominant_script(total_units(original)):
        _language(doc, settings)
    doc.paragraph_langs = [paragraph_language(units, doc.lang) for units in kept]


def paragraph_language(units: Counter[str], doc_lang: str | None) -> str:
    """A paragraph's language by its script units; Latin paragraphs take the document's Latin language."""
    script = dominant_script(units)
    if script is None:
        return "und"
    if script == "latin":
        return doc_lang if doc_lang and doc_lang not in ("zh", "ja", "ko") else "latin"
    return {"han": "zh", "kana": "ja", "hangul": "ko"}.get(script, script)


def declared_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    return m.group(1) if m else None


def extract_settings(settings: Settings, media: str) -> ExtractSettings:
    """The extract stage's settings for one document: hidden HTML elements are dropped before
    trafilatura only where `clean.html_rules` names `hidden_element` (on real pages the pass cost
    more content than it removed noise: README, "Cleaning rules"); the step records what ran."""
    wanted = media != "html" or HIDDEN_ELEMENT in settings.clean.html_rules
    if settings.extract.drop_hidden_markup and not wanted:
        return settings.extract.model_copy(update={"drop_hidden_markup": False})
    return settings.extract


def process_document(doc: Document, settings: Settings, timer: StageTimer | None = None) -> Document:
    """Run every stage on one document within its CPU-time budget (`limits.document_cpu_seconds`);
    failures, the budget's included, become a reject reason, never an exception."""
    if doc.reject_reason:
        return doc
    warm_up(settings)
    budget = CpuBudget(settings.limits.document_cpu_seconds)
    try:
        with budget:
            _stages(doc, settings, timer or StageTimer(), budget)
    except OverBudget as exc:
        timed_out(doc, exc)
    # Not how the budget was enforced (budget.enforced): records do not depend on where they were made.
    doc.steps.append({"name": "budget", "library": "sieve", "parameters": {"document_cpu_seconds": budget.seconds}})
    return doc


_warmed: list[bool] = []  # once per process


def warm_up(settings: Settings) -> None:
    """Run tasks/stages/warmup.py's pages through every stage, without a budget, once per process:
    what a stage loads on first use is then loaded whole before any budget can interrupt it."""
    if not _warmed:
        _warmed.append(True)
        unlimited = CpuBudget(math.inf)  # never entered: its checks do nothing
        for doc in warm_documents():
            _stages(doc, settings, StageTimer(), unlimited)


def _stages(doc: Document, settings: Settings, timer: StageTimer, budget: CpuBudget) -> Document:
    t = timer.clock()
    budget.stage("decode")
    if doc.text is None:
        try:
            decoded = decode(doc.raw or b"", declared_charset(doc.source.content_type), html=doc.media == "html")
        except DecodeError as exc:
            return doc.reject(exc.reason, exc.detail)
        doc.text = decoded.text
        doc.source = dataclasses.replace(doc.source, encoding=decoded.encoding)
        doc.steps.append({"name": "decode", "library": DECODE_LIBRARY,
                          "parameters": {"how": decoded.how}})
    doc.raw = None
    t = timer.add("decode", t)
    budget.stage("extract")
    try:
        extract(doc, extract_settings(settings, doc.media))
    except (ExtractError, ValueError) as exc:
        return doc.reject("unparsable", str(exc))
    t = timer.add("extract", t)
    if not doc.paragraphs:
        return doc.reject("no_text", "extraction found no text")
    budget.stage("language")
    units = _language(doc, settings)
    t = timer.add("language", t)
    budget.stage("clean")
    clean(doc, Context(settings.clean, doc.lang or "und", settings.languages))
    _recheck_language(doc, settings, units)
    t = timer.add("clean", t)
    budget.stage("normalize")
    normalize(doc, settings.normalize)
    timer.add("normalize", t)
    budget.check()
    if reason := verdict(doc, settings.clean, settings.languages):
        doc.reject(reason, verdict_detail(reason, doc, settings))
    return doc


def timed_out(doc: Document, exc: OverBudget) -> Document:
    """`doc` rejected "timeout": its paragraphs as extracted, without the cuts of an unfinished cleaning
    (the interruption may fall between a cut and its record), so extracted == kept + removed holds."""
    doc.raw = None
    doc.paragraphs = [Paragraph(p.original) for p in doc.paragraphs]
    doc.removed = [r for r in doc.removed if r.paragraph is None]
    doc.published_text = ""
    return doc.reject("timeout", str(exc))


def verdict_detail(reason: str, doc: Document, settings: Settings) -> str:
    """Why a whole document was rejected, in words and numbers, for `error` in rejected/."""
    if reason.startswith("language_"):
        return f"language {doc.lang or 'und'} not in allowed [{', '.join(settings.languages)}]"
    words = f"{weight(doc.published_text):.1f} words ({len(doc.published_text)} chars) after cleaning"
    if reason == "too_short":
        return f"{words} < clean.min_doc_words={settings.clean.min_doc_words}"
    share = spam_share(doc)
    spam = f"spam removals {share:.0%} of the extracted text"
    if share >= settings.clean.max_spam_share:
        return f"{spam} >= clean.max_spam_share={settings.clean.max_spam_share:.0%}"
    return (f"{words} < clean.min_doc_words={settings.clean.min_doc_words} and {spam} "
            f">= half of clean.max_spam_share={settings.clean.max_spam_share:.0%}")


def process_documents(docs: Iterable[Document], settings: Settings,
                      timer: StageTimer | None = None) -> Iterator[Document]:
    for doc in docs:
        yield process_document(doc, settings, timer)
