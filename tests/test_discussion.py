"""A discussion's replies are its content: a page whose text is short and whose comment section more
than doubles it (a forum thread, a link aggregator's page), or a page that declares itself a discussion, is
published with its comments; an article's comments, and a product's reviews, are not
(`extract.discussion_max_words`, tasks/stages/extract.py)."""

from __future__ import annotations

from config import ExtractSettings
from tasks.stages.extract import html_paragraphs

REPLIES = [
    "I moved from a circular saw to a track saw last year and the difference in the quality of my cuts was huge.",
    "Start with a good set of chisels and learn to sharpen them properly before you buy any power tools at all.",
    "A small workbench with a vise will teach you more than any jig; build one first and use it for everything.",
    "Local woodworking clubs often have shared workshops, which is a cheap way to try the big machines safely.",
    "Hand planes look old fashioned but they are quiet, cheap secondhand, and teach you how wood grain behaves.",
    "Buy the wood from a yard rather than a big box store; it is drier, straighter and often costs less per foot.",
]


def page(post: str, head: str = "", wrapper: str = "div") -> str:
    """A thread: the post, then the replies, in `wrapper` (a `main` declares it the page's main content)."""
    comments = "".join(f'<div class="comment"><p class="author">user{i}</p><p>{r}</p></div>'
                       for i, r in enumerate(REPLIES))
    return (f"<html><head><title>Getting started</title>{head}</head><body><{wrapper}><article>"
            f"<h1>Getting started</h1><p>{post}</p></article><section id=\"comments\" class=\"comments\">"
            f"{comments}</section></{wrapper}></body></html>")


SHORT_POST = "How did you get into woodworking as a hobby, and which tools would you buy first with a small budget?"


def test_a_short_post_with_a_long_thread_is_published_with_its_replies():
    found = html_paragraphs(page(SHORT_POST), ExtractSettings())
    text = "\n".join(found.paragraphs)
    assert found.discussion
    assert SHORT_POST in text and all(r in text for r in REPLIES)


def test_a_thread_in_the_declared_main_content_is_published_whole():
    """In a `<main>`, the post alone is a fragment of the declared main content, which is published."""
    found = html_paragraphs(page(SHORT_POST, wrapper="main"), ExtractSettings())
    text = "\n".join(found.paragraphs)
    assert found.landmark
    assert SHORT_POST in text and all(r in text for r in REPLIES)


def test_an_articles_comments_are_not_its_text():
    article = " ".join([SHORT_POST.replace("?", ".")] * 20)  # about 400 words
    for wrapper in ("div", "main"):
        found = html_paragraphs(page(article, wrapper=wrapper), ExtractSettings())
        assert not found.discussion and not found.landmark
        assert not any(r in "\n".join(found.paragraphs) for r in REPLIES)


def test_a_thread_that_declares_itself_one_is_published_with_its_replies_after_a_long_first_post():
    """A forum thread (schema.org `DiscussionForumPosting`) whose first post is an article's length."""
    first_post = " ".join([SHORT_POST.replace("?", ".")] * 11)  # about 220 words
    replies = [f"Reply {n}: {r}" for n in range(2) for r in REPLIES]
    declared = '<script type="application/ld+json">{"@type": "DiscussionForumPosting"}</script>'
    html = page(first_post, head=declared)
    for i, r in enumerate(REPLIES):
        html = html.replace(f"<p>{r}</p>", f"<p>{replies[i]}</p><p>{replies[i + len(REPLIES)]}</p>")
    found = html_paragraphs(html, ExtractSettings())
    assert found.discussion
    assert all(r in "\n".join(found.paragraphs) for r in replies)
    undeclared = html.replace(declared, "")
    assert not html_paragraphs(undeclared, ExtractSettings()).discussion  # an article's comments


def test_a_products_reviews_are_not_its_text():
    product = '<script type="application/ld+json">{"@type": "Product", "name": "Chisel set"}</script>'
    found = html_paragraphs(page(SHORT_POST, head=product, wrapper="main"), ExtractSettings())
    assert not found.discussion and not found.landmark
    assert not any(r in "\n".join(found.paragraphs) for r in REPLIES)


def test_discussions_can_be_switched_off():
    found = html_paragraphs(page(SHORT_POST), ExtractSettings(discussion_max_words=0))
    assert not found.discussion
    assert not any(r in "\n".join(found.paragraphs) for r in REPLIES)
