"""Score sieve on real HTML pages with gold main text (the layout of WCXB: `html/NNNN.html.gz`,
`gold/NNNN.json`, `index.jsonl` with page types), beside trafilatura alone on the same pages.

The metric is WCXB's own: word-level F1 of bags of lower-cased `\\w+` tokens, the published text
against the gold `main_content`, averaged over pages; a page sieve rejects scores 0 (1 where the
gold is empty: the page has no main content).

The per-rule audit says what each rule's cuts were: for every removed span, its words that the
gold keeps and that neither the published text nor an earlier cut already accounts for count as
content, the rest as noise. Counting occurrences this way, dropping the second copy of a line the
gold has once costs a rule nothing. A rule is worth keeping when most of what it cuts is noise.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from config import Settings
from tasks.record import Document, Source
from tasks.stages.language import converter

# WCXB's tokens are runs of \w; a run of Han characters would be one "word" a sentence long, so Han
# characters are tokens one by one (as ../shared/tools/score_seeds.py counts them), and Traditional is
# compared as Simplified (sieve publishes Simplified; a gold text may be in either).
HAN_CHARS = "\u3400-\u9fff\uf900-\ufaff"
WORD = re.compile(rf"[{HAN_CHARS}]|[^\W{HAN_CHARS}]+")
HAS_HAN = re.compile(f"[{HAN_CHARS}]")
EXAMPLES = 3


@dataclass(frozen=True)
class GoldPage:
    id: str
    page_type: str
    html: Path
    gold: str


@dataclass
class Cut:
    """One removed span: its reason/rule and text (for hidden elements: the recorded snippet,
    scaled to the recorded length)."""

    rule: str
    text: str
    chars: int


@dataclass
class PageResult:
    id: str
    page_type: str
    gold: str
    sieve: str  # as published: empty when the document is rejected
    trafilatura: str
    reject_reason: str | None
    cuts: list[Cut] = field(default_factory=list)
    # The text before the document verdicts (language, too short, mostly spam): the same as `sieve` for a
    # published document, its cleaned text for one those verdicts reject, empty for one that had no text.
    unfiltered: str = ""


def verdict_rejected(reason: str | None) -> bool:
    """Whether a reject reason is a document verdict (a publishing policy) rather than a failure to get text."""
    return reason is not None and (reason.startswith("language_") or reason in ("too_short", "mostly_spam"))


def words(text: str) -> Counter[str]:
    if HAS_HAN.search(text):
        text = converter("t2s").convert(text)
    return Counter(WORD.findall(text.lower()))


def prf(predicted: Counter[str], gold: Counter[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of two bags of words, as WCXB's evaluate.py scores them: an empty
    output scores 0, except on a page whose gold is empty (no main content), where publishing
    nothing is right (1) and anything else is wrong (0)."""
    if not gold:
        return (0.0, 0.0, 0.0) if predicted else (1.0, 1.0, 1.0)
    overlap = sum((predicted & gold).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    p, r = overlap / sum(predicted.values()), overlap / sum(gold.values())
    return p, r, 2 * p * r / (p + r)


def gold_pages(root: Path, types: Iterable[str] | None = None, limit: int | None = None) -> list[GoldPage]:
    """The pages of a gold set, in index order (only `types`, at most `limit`)."""
    wanted = set(types or ())
    pages = []
    for line in (root / "index.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if wanted and entry["page_type"] not in wanted:
            continue
        gold = json.loads((root / "gold" / f"{entry['id']}.json").read_text(encoding="utf-8"))
        pages.append(GoldPage(entry["id"], entry["page_type"], root / "html" / f"{entry['id']}.html.gz",
                              gold["ground_truth"]["main_content"] or ""))
    return pages[:limit] if limit else pages


def _page_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.name.endswith(".gz") else raw


def _cuts(doc: Document) -> list[Cut]:
    cuts = []
    for r in doc.removed:
        if r.paragraph is None:
            cuts.append(Cut(r.rule, r.snippet, r.chars))
        else:
            text = doc.paragraphs[r.paragraph].original[r.start:r.end]
            cuts.append(Cut(r.rule, text, len(text)))
    return cuts


def evaluate_page(page: GoldPage, settings: Settings) -> PageResult:
    """sieve's per-document work (the function the flow's shards run) and trafilatura alone, on one page."""
    import trafilatura  # noqa: PLC0415 - workers import the stages, the parent needs none of them

    from tasks.stages.document import process_document  # noqa: PLC0415

    raw = _page_bytes(page.html)
    doc = Document(source=Source(uri=page.html.resolve().as_uri(), kind="file", retrieved_at="", sha256="",
                                 content_type="text/html", size=len(raw)), media="html", raw=raw)
    doc = process_document(doc, settings)
    alone = trafilatura.extract(raw) or ""
    published = "" if doc.reject_reason else doc.published_text
    unfiltered = doc.published_text if verdict_rejected(doc.reject_reason) else published
    return PageResult(page.id, page.page_type, page.gold, published, alone, doc.reject_reason, _cuts(doc), unfiltered)


def _evaluate_star(args: tuple[GoldPage, Settings]) -> PageResult:
    return evaluate_page(*args)


def evaluate_pages(pages: list[GoldPage], settings: Settings, workers: int = 1) -> Iterator[PageResult]:
    """`evaluate_page` over `pages`, in `workers` processes, in order."""
    jobs = [(page, settings) for page in pages]
    if workers <= 1:
        yield from map(_evaluate_star, jobs)
        return
    with get_context("forkserver").Pool(workers) as pool:
        yield from pool.imap(_evaluate_star, jobs, chunksize=4)


@dataclass
class Scores:
    pages: int = 0
    p: float = 0.0
    r: float = 0.0
    f1: float = 0.0

    def add(self, scores: tuple[float, float, float]) -> None:
        self.pages += 1
        self.p, self.r, self.f1 = self.p + scores[0], self.r + scores[1], self.f1 + scores[2]

    def mean(self) -> tuple[float, float, float]:
        n = self.pages or 1
        return self.p / n, self.r / n, self.f1 / n


@dataclass
class RuleAudit:
    content_chars: float = 0.0
    noise_chars: float = 0.0
    cuts: int = 0
    content_examples: list[str] = field(default_factory=list)
    noise_examples: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        total = self.content_chars + self.noise_chars
        return self.noise_chars / total if total else 1.0


def audit_page(result: PageResult, audits: dict[str, RuleAudit]) -> None:
    """Add one page's cuts to the per-rule audit (see the module's docstring)."""
    left = words(result.gold) - words(result.sieve)  # gold words the published text does not account for
    for cut in result.cuts:
        toks = WORD.findall(cut.text.lower())
        if not toks:
            continue
        content = 0
        for tok in toks:
            if left[tok] > 0:
                left[tok] -= 1
                content += 1
        share = content / len(toks)
        a = audits[cut.rule]
        a.cuts += 1
        a.content_chars += cut.chars * share
        a.noise_chars += cut.chars * (1 - share)
        examples = a.content_examples if share > 0.5 else a.noise_examples
        if len(examples) < EXAMPLES and len(cut.text) >= 20:
            examples.append(f"{result.id}: {cut.text[:100]}")


@dataclass
class Report:
    sieve: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))
    unfiltered: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))
    trafilatura: dict[str, Scores] = field(default_factory=lambda: defaultdict(Scores))
    rules: dict[str, RuleAudit] = field(default_factory=lambda: defaultdict(RuleAudit))
    rejected: Counter[str] = field(default_factory=Counter)

    def add(self, result: PageResult) -> None:
        gold = words(result.gold)
        for kind in (result.page_type, "all"):
            self.sieve[kind].add(prf(words(result.sieve), gold))
            self.unfiltered[kind].add(prf(words(result.unfiltered), gold))
            self.trafilatura[kind].add(prf(words(result.trafilatura), gold))
        if result.reject_reason:
            self.rejected[result.reject_reason] += 1
        audit_page(result, self.rules)

    def types(self) -> list[str]:
        return ["all", *sorted((k for k in self.sieve if k != "all"), key=lambda k: -self.sieve[k].pages)]


def page_record(result: PageResult) -> dict[str, object]:
    """One page's outcome as JSON (for `--json`): scores, both outputs, the cuts."""
    gold = words(result.gold)
    return {"id": result.id, "page_type": result.page_type, "reject_reason": result.reject_reason,
            "sieve": prf(words(result.sieve), gold), "trafilatura": prf(words(result.trafilatura), gold),
            "unfiltered": prf(words(result.unfiltered), gold),
            "sieve_text": result.sieve, "trafilatura_text": result.trafilatura,
            "cuts": [[c.rule, c.chars, c.text[:300]] for c in result.cuts]}
