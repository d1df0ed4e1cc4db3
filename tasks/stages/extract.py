"""Decoded page to paragraphs: trafilatura for HTML, lines for plain text.

An HTML page is parsed once; its metadata is read from that tree (tasks/stages/metadata.py)
and trafilatura extracts its text from it, with the comments where the page is a discussion;
where that text is a fragment of the page's declared main region (one card of a listing, one
section of a service page), the region's text is taken instead (tasks/stages/landmark.py).
Headings trafilatura left out are put back above the sections they head (tasks/stages/headings.py).
A page libxml2 nests otherwise than a browser is parsed again by the HTML standard (misnest.py); a
declared article trafilatura cut short is read again with its `favor_recall` (`_fuller_article`).
Where a source asks for it (`clean.html_rules: [hidden_element]`), elements that a browser
would not show (the `hidden` attribute, inline `display:none`/`visibility:hidden`, classes or
ids that the page's own `<style>` hides, conventional hiding classes) are taken out first and
recorded, because trafilatura keeps their text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import lxml.html
import trafilatura
from trafilatura.settings import Extractor

from config import ExtractSettings
from tasks.record import Document, Paragraph, Removal, snip
from tasks.stages.consent import drop_consent_dialogs
from tasks.stages.headings import restore_headings
from tasks.stages.hiding import HIDING_DECLARATION, HIDING_STYLE_RE
from tasks.stages.landmark import body_lines, covered_share, declared_main, fragment_of_landmark, main_landmark_lines
from tasks.stages.metadata import DATE_PARAMS, declares_discussion, declares_post, declares_product, page_metadata
from tasks.stages.parse import parse_html
from tasks.text.measures import squash, weight

_HIDDEN_STYLE = re.compile(rf"({HIDING_DECLARATION})", re.I)
# A rule: a brace-free run, "{", a brace-free body, "}". Tried only where a run starts (after a brace
# or at the start): a match found inside a run extends to its start, and trying every position of a
# long brace-free run would scan the rest of it each time (quadratic).
_CSS_RULE = re.compile(r"(?<![^{}])([^{}]++)\{([^{}]*+)\}")
_WITH_ATTRIBUTES = lxml.etree.XPath("//*[@hidden or @style or @id or @class]")
_SIMPLE_SELECTOR = re.compile(r"^\s*(?:[a-z0-9]*)([.#])([\w-]+)\s*$", re.I)
_CONDITIONAL_AT_RULE = re.compile(r"@(?:media|supports|container)\b[^{;]*(?=\{)", re.I)
_BRACE = re.compile(r"[{}]")
# The text a reader sees below a node: not the scripts' and styles' (a page may carry a megabyte of JSON).
_VISIBLE_TEXT = lxml.etree.XPath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
                                 " or ancestor::template)]")
# Responsive utilities that show an element from some screen width on ("d-none d-lg-block",
# "hidden md:block", "visible-lg"): with one, a hiding class hides it only on small screens.
_SHOWN_AT_BREAKPOINT = re.compile(r"^(?:d-(?:sm|md|lg|xl|xxl)-(?!none)[a-z-]+|(?:sm|md|lg|xl|2xl):(?!hidden)[a-z-]+"
                                  r"|visible-(?:xs|sm|md|lg|xl)(?:-[a-z]+)?|show-for-[a-z-]+)$")
# Utility classes that common CSS frameworks define as invisible.
CONVENTIONAL_HIDDEN_CLASSES = frozenset(
    {"hidden", "d-none", "sr-only", "visually-hidden", "screen-reader-text", "invisible", "hide"})


class ExtractError(ValueError):
    pass


@dataclass
class Extracted:
    paragraphs: list[str]
    title: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)
    consent: list[str] = field(default_factory=list)  # the consent dialogs' texts (tasks/stages/consent.py)
    nesting: str | None = None  # what parsing a too deeply nested page gave up (parse_html)
    discussion: bool = False  # the text holds what trafilatura calls comments: the page is a discussion
    # The text is the page's main region's ("declared": its `<main>` or the like; "body": a page that
    # declares none, read whole): trafilatura's was a fragment of it.
    landmark: str | None = None
    headings: list[str] = field(default_factory=list)  # headings put back above their sections (headings.py)
    # Where libxml2 nested the page otherwise than a browser: what it did, and what sieve did (misnest.py).
    misnested: str | None = None
    recall: bool = False  # the text is trafilatura's `favor_recall` text, holding its default text and more


def text_paragraphs(text: str) -> list[str]:
    """One paragraph per non-blank line, whitespace trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _hiding_rules(css: str) -> Iterator[tuple[str, str]]:
    """The (selectors, body) pairs of `_CSS_RULE.findall(css)` whose body hides, found from where the
    words "none" and "visibility" occur rather than by parsing every rule: pages carry large inline styles
    and a case-insensitive regex over all of it costs more than the rest of this step.

    findall's pairs are: for each "{" whose next brace is "}", the brace-free run before it (when not
    empty) and the one after it. A hiding declaration holds no brace, so it sits inside one body, and
    it reads "none" or "visibility" once lower-cased (with the two letters that re.I also takes for i
    and s, dotless ı and long ſ, mapped to them)."""
    low = css.lower().replace("ı", "i").replace("ſ", "s")
    if len(low) != len(css):  # lower() lengthened a character (İ): offsets would not match
        yield from ((s, b) for s, b in _CSS_RULE.findall(css) if _HIDDEN_STYLE.search(b))
        return
    seen = set()
    for needle in ("none", "visibility"):
        at = low.find(needle)
        while at >= 0:
            start = max(css.rfind("{", 0, at), css.rfind("}", 0, at))
            end = min((i for i in (css.find("{", at), css.find("}", at)) if i >= 0), default=len(css))
            at = low.find(needle, end)  # the rest of this run is decided with it
            if start < 0 or css[start] != "{" or end == len(css) or css[end] != "}" or start in seen:
                continue
            seen.add(start)
            before = max(css.rfind("{", 0, start), css.rfind("}", 0, start)) + 1
            body = css[start + 1:end]
            if before < start and _HIDDEN_STYLE.search(body):
                yield css[before:start], body


def _unconditional(css: str) -> str:
    """The style sheet without its conditional blocks (@media, @supports, @container): a rule that
    hides only on some screens or in print does not hide on the desktop page trafilatura reads."""
    out, pos = [], 0
    for m in _CONDITIONAL_AT_RULE.finditer(css):
        if m.start() < pos:
            continue  # nested inside a block already skipped
        depth, end = 0, len(css)
        for brace in _BRACE.finditer(css, m.end()):
            depth += 1 if brace.group() == "{" else -1
            if depth == 0:
                end = brace.end()
                break
        out.append(css[pos:m.start()])
        pos = end
    out.append(css[pos:])
    return "".join(out)


def _hidden_selectors(tree: lxml.html.HtmlElement) -> tuple[set[str], set[str]]:
    classes, ids = set(CONVENTIONAL_HIDDEN_CLASSES), set()
    for style in tree.iter("style"):
        css = style.text_content() or ""
        if "@" in css:
            css = _unconditional(css)
        for selectors, _body in _hiding_rules(css):
            for sel in selectors.split(","):
                if m := _SIMPLE_SELECTOR.match(sel):
                    (classes if m.group(1) == "." else ids).add(m.group(2))
    return classes, ids


def _visible_length(el: lxml.html.HtmlElement) -> int:
    return sum(len(s.strip()) for s in _VISIBLE_TEXT(el))


def drop_hidden_elements(tree: lxml.html.HtmlElement, max_share: float = 1.0) -> list[str]:
    """Remove elements a browser would not display; returns their texts.

    An element holding more than `max_share` of the page's text is kept: pages hide their whole
    body, a tab or an accordion until a script shows it (anti-flicker wrappers, "read more"), and
    such an element is the content, not something slipped in out of sight."""
    classes, ids = _hidden_selectors(tree)
    doomed = []
    for el in _WITH_ATTRIBUTES(tree):  # the only elements the test below can select
        if not isinstance(el.tag, str) or el.tag in ("html", "body", "head"):
            continue
        attrs = el.attrib
        names = attrs.get("class", "").split()
        if ("hidden" in attrs and el.tag != "input") or HIDING_STYLE_RE.search(attrs.get("style", "")) \
                or attrs.get("id") in ids or (classes.intersection(names)
                                              and not any(map(_SHOWN_AT_BREAKPOINT.match, names))):
            doomed.append(el)
    texts = []
    limit = max_share * _visible_length(tree) if doomed and max_share < 1.0 else None
    dropped: set[lxml.html.HtmlElement] = set()
    for el in doomed:
        # An element inside one already dropped went with it: its text is counted once, there.
        if el.getparent() is None or not dropped.isdisjoint(el.iterancestors()):
            continue
        if limit is not None and _visible_length(el) > limit:
            continue
        if text := " ".join(el.text_content().split()):
            texts.append(text)
        el.drop_tree()
        dropped.add(el)
    return texts


METADATA_FIELDS = ("author", "date", "sitename", "hostname", "description")


@lru_cache(maxsize=8)
def _extractor(include_tables: bool, with_metadata: bool, comments: bool = False, recall: bool = False) -> Extractor:
    """trafilatura's options, built once: building them reads its config file's values every time."""
    return Extractor(output_format="python", comments=comments, tables=include_tables, dedup=False, recall=recall,
                     with_metadata=with_metadata, date_params=DATE_PARAMS if with_metadata else None)


# Markup a comment section or a thread of posts carries (trafilatura's own test is not public).
_COMMENT_MARKUP = lxml.etree.XPath("(//*[contains(@class, 'comment') or contains(@id, 'comment')"
                                   " or contains(@class, 'Comment') or contains(@id, 'Comment')])[1]")
# With its comments, a discussion's text is at least this many times its text without them.
DISCUSSION_GROWTH = 2.0


def _discussion_text(tree: lxml.html.HtmlElement, text: str, words: float, settings: ExtractSettings) -> str | None:
    """The page's text with what trafilatura calls comments, when the page reads as a discussion: its
    text without them is short (`extract.discussion_max_words`) or the page declares itself a
    discussion (schema.org `DiscussionForumPosting` or `QAPage`: a thread whose first post is an
    article's length), it has comment markup, and with them the text is more than twice as long; and
    it does not declare itself a product (whose comments are reviews). On a forum thread or a link
    aggregator (one link or a short post, then the replies) the replies are the content; under an
    article of any length they are not (on wcxb-dev, keeping comments everywhere: forums +0.010,
    articles -0.007, listings -0.006)."""
    long_text = words >= settings.discussion_max_words and not declares_discussion(tree)
    if long_text or not _COMMENT_MARKUP(tree) or declares_product(tree):
        return None
    result = trafilatura.bare_extraction(tree, options=_extractor(settings.include_tables, False, comments=True))
    if result is None:
        return None
    with_comments = "\n".join(t for t in (result.text, result.comments) if t and t.strip())
    return with_comments if weight(with_comments) > DISCUSSION_GROWTH * words else None


MAIN_REGION_NOTES = {
    "declared": "the page's declared main content: trafilatura's text was a fragment of it",
    "body": "the page's body (it declares no main content): trafilatura's text, shorter than an article"
            " or on a page that is not an article, was a fragment of it",
}
# A declared main region with fewer words than this is not evidence of more content than trafilatura's.
LANDMARK_MIN_WORDS = 50
# A region whose whole text is under this many times trafilatura's text is not read further: trafilatura's
# text would cover more than `extract.landmark_max_coverage` of it (on wcxb-dev no page's text changed;
# at 1.5, one did).
LANDMARK_MIN_GROWTH = 1.2
# A text under an article's length that holds a paragraph of this many words (a Han character 2/3) is a
# short article (a news brief), not one card or section of a page of many: its page's body is not read
# (a Chinese portal's brief of 250 characters came with the portal's menus and other briefs' teasers; on
# wcxb-dev no page changed, at 60 words a listing whose intro trafilatura kept lost its cards).
PROSE_WORDS = 100
# Where trafilatura's text is an article's length, the body is read only if that text holds at least this
# share of the body's words: a body many times the text is an article amid other pages' content (a long
# sidebar, comments, other articles), not a page of sections trafilatura cut short (on wcxb-dev 0.2, 0.3
# and 0.4 changed 12, 8 and 3 pages, for +0.0012, +0.0015 and +0.0005).
BODY_MIN_COVERAGE = 0.3


def _region_instead(tree: lxml.html.HtmlElement, text: str, lines: list[str], settings: ExtractSettings,
                    min_coverage: float = 0.0) -> bool:
    """Whether a main region's `lines` are published instead of trafilatura's `text`: the text is a
    fragment of them (`extract.landmark_max_coverage`, and at least `min_coverage`; see
    tasks/stages/landmark.py), and the page does not declare itself a product (whose main region holds
    reviews and other products)."""
    # Lines holding no more characters than trafilatura kept are not tokenised (on wcxb-dev this changed
    # one page's text, for the better, beside counting its words).
    return (sum(map(len, lines)) > len(text)
            and fragment_of_landmark(text, lines, settings.landmark_max_coverage, LANDMARK_MIN_WORDS, min_coverage)
            and not declares_product(tree))


# An article's text under this many words is read again by trafilatura with `favor_recall`.
RECALL_MAX_WORDS = 1200
# ...and that text is taken where it holds at least this share of the first text's words.
RECALL_MIN_KEPT = 0.95


def _fuller_article(tree: lxml.html.HtmlElement, text: str, settings: ExtractSettings) -> str | None:
    """trafilatura's `favor_recall` text of a page that declares itself an article or a post (not a
    discussion), where that text is its default text and more: trafilatura's precision prunes
    sections of such an article (a list of steps, a table, a closing section). Only from an
    article's length (`extract.discussion_max_words`: a shorter text may be a thread's first post,
    read with its replies) and under RECALL_MAX_WORDS words (a second call costs a second
    extraction), and only where the fuller text holds RECALL_MIN_KEPT of the default text's words:
    a recall text without them chose another block of the page."""
    if not settings.discussion_max_words <= weight(text) < RECALL_MAX_WORDS or declares_discussion(tree):
        return None
    result = trafilatura.bare_extraction(tree, options=_extractor(settings.include_tables, False, recall=True))
    fuller = (result.text or "") if result is not None else ""
    return fuller if len(fuller) > len(text) and covered_share(fuller, [text]) >= RECALL_MIN_KEPT else None


def html_paragraphs(html: str, settings: ExtractSettings, url: str | None = None) -> Extracted:
    """The page parsed once (twice where libxml2 nests it otherwise than a browser): hidden elements out,
    the metadata read from that tree, then a `trafilatura.bare_extraction` call on it for the text
    (trafilatura works on its own copy), and a second one with `favor_recall` on an article it may
    have cut short (`_fuller_article`)."""
    try:
        tree, nesting, misnested = parse_html(html, settings.reparse_misnested)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ExtractError(f"HTML does not parse: {exc}") from exc
    hidden = drop_hidden_elements(tree, settings.max_hidden_share) if settings.drop_hidden_markup else []
    consent = drop_consent_dialogs(tree) if settings.drop_consent_dialogs else []
    from_markup = settings.metadata == "markup"
    result = trafilatura.bare_extraction(tree, options=_extractor(settings.include_tables, not from_markup))
    text = (result.text or "") if result is not None else ""
    post = declares_post(tree)
    fuller = _fuller_article(tree, text, settings) if settings.recall_on_articles and post else None
    text = fuller or text  # before the headings and the regions: they work on the text published
    # trafilatura's text with the headings it left out put back (tasks/stages/headings.py): the
    # candidate the main region competes with below (with them, on wcxb-dev 6 pages keep trafilatura's
    # text instead of a region, +0.7 page-units; put back only into what is published, -0.0005).
    restored: list[str] = []
    if settings.restore_headings:
        text, restored = restore_headings(tree, text)
    words = weight(text)
    # Under an article (a text of discussion length or more), the comments are readers', not content.
    short = words < settings.discussion_max_words
    longer_than = int(LANDMARK_MIN_GROWTH * len(text))
    region: list[str] = []
    region_kind = None
    declared = declared_main(tree) if settings.landmark_max_coverage else []
    if declared:
        lines = main_landmark_lines(tree, comments=short, longer_than=longer_than, declared=declared)
        if _region_instead(tree, text, lines, settings):
            region, region_kind = lines, "declared"
    discussion = (_discussion_text(tree, text, words, settings)
                  if settings.discussion_max_words and not region else None)
    # A short text holding a paragraph of PROSE_WORDS is a short article, not one block of many.
    prose = short and max(map(weight, text.split("\n")), default=0) >= PROSE_WORDS
    # A page that declares no main region is read whole where trafilatura's text is shorter than an
    # article and the page is not a discussion (trafilatura's comments come first: they leave the
    # page's chrome out): there the page is one of many blocks (sections, cards) and trafilatura kept
    # one (on wcxb-dev +0.003 over all pages, 14 pages up and 5 down, articles unchanged). Under a
    # longer text, only on a page that does not declare itself an article or a post, and where that
    # text holds a good part of the body (BODY_MIN_COVERAGE): a service page of many sections (on
    # wcxb-dev 7 service pages up, from 0.53-0.76 to 0.74-0.98, none down; read under any longer text,
    # the body brought articles' sidebars along: 9 pages down, 3 of them articles from 0.98 to 0.64).
    if settings.landmark_max_coverage and not (declared or discussion or prose) and (short or not post):
        lines = body_lines(tree, text, longer_than=longer_than)
        if _region_instead(tree, text, lines, settings, 0.0 if short else BODY_MIN_COVERAGE):
            region, region_kind = lines, "body"
    if not (region or discussion or text.strip()):
        return Extracted([], hidden=hidden, consent=consent, nesting=nesting, misnested=misnested)
    if from_markup:
        page = page_metadata(tree, url)
        title, meta = page.title, page.fields()
    else:
        title = result.title if result is not None else None
        meta = {k: str(v) for k in METADATA_FIELDS if (v := getattr(result, k, None))}
    if region:
        restored = []
    elif discussion and settings.restore_headings:
        discussion, restored = restore_headings(tree, discussion)
    return Extracted(region or text_paragraphs(discussion or text), title=title, metadata=meta, hidden=hidden,
                     consent=consent, nesting=nesting, discussion=discussion is not None, landmark=region_kind,
                     headings=restored, misnested=misnested, recall=fuller is not None and not region)


def extract(doc: Document, settings: ExtractSettings) -> Document:
    """Fill `doc.paragraphs` (and title/metadata for HTML) from `doc.text`."""
    assert doc.text is not None
    if doc.media == "html":
        url = doc.source.uri if doc.source.kind in ("http", "warc") else None
        ext = html_paragraphs(doc.text, settings, url)
        doc.title, doc.metadata = ext.title, {**doc.metadata, **ext.metadata}
        doc.removed.extend(Removal("hidden_markup", "hidden_element", None, 0, 0, len(t), snip(t))
                           for t in ext.hidden)
        doc.removed.extend(Removal("boilerplate", "consent_dialog", None, 0, 0, len(t), snip(t)) for t in ext.consent)
        paragraphs = ext.paragraphs
        parameters = {"include_tables": settings.include_tables, "deduplicate": False,
                      "drop_hidden_markup": settings.drop_hidden_markup,
                      "drop_consent_dialogs": settings.drop_consent_dialogs, "metadata": settings.metadata,
                      "title_in_text": settings.title_in_text, "restore_headings": settings.restore_headings,
                      "reparse_misnested": settings.reparse_misnested,
                      "recall_on_articles": settings.recall_on_articles}
        if ext.nesting:
            parameters["nesting"] = ext.nesting
        if ext.misnested:
            parameters["misnested"] = ext.misnested
        if ext.recall:
            parameters["recall"] = "trafilatura's favor_recall text: it holds the default text and more"
        if ext.discussion:
            parameters["comments"] = "kept: a short or declared discussion, its replies more than doubling it"
        if ext.landmark:
            parameters["main_region"] = MAIN_REGION_NOTES[ext.landmark]
        if ext.headings:  # text sieve added to trafilatura's: said, as what it cuts is
            parameters["headings_restored"] = ext.headings
        doc.steps.append({"name": "extract", "library": f"trafilatura {trafilatura.__version__}",
                          "parameters": parameters})
    else:
        paragraphs = text_paragraphs(doc.text)
        doc.steps.append({"name": "extract", "library": "sieve (lines)", "parameters": {}})
    doc.paragraphs = [Paragraph(p) for p in paragraphs]
    if doc.title:
        title = squash(doc.title)
        copies = [i for i, para in enumerate(doc.paragraphs) if squash(para.text) == title]
        if settings.title_in_text:  # the headline where the page has it, not its repeats
            for i in copies[1:]:
                doc.drop_paragraph(i, "title", "repeated_title")
        elif len(copies) < len(doc.paragraphs):  # in `title` only, unless it is all the text (a post that is its title)
            for i in copies:
                doc.drop_paragraph(i, "title", "title_in_metadata")
    return doc
