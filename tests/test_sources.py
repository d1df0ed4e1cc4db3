"""Editing config/sources.yaml by command: comments survive, bad or repeated URLs are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from config import PROJECT_ROOT
from tasks.inputs.sources import (
    SourceError,
    add_urls,
    list_sources,
    load_seed_file,
    normalize_url,
    remove_url,
    source_urls,
)

COMMENTED = """\
# Sources of the test corpus.
sources:
  # News sites, checked daily.
  - name: news
    urls:
      - https://example.com/a   # the front page
      - https://example.org/b
    schedule: "0 6 * * *"   # six in the morning
    languages: [en]
    max_pages: 10
  - name: blog
    seed_file: seeds/blog.urls
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config").mkdir()
    (tmp_path / "seeds").mkdir()
    (tmp_path / "config" / "sources.yaml").write_text(COMMENTED, encoding="utf-8")
    (tmp_path / "seeds" / "blog.urls").write_text(
        "# blog posts\nhttps://blog.example.net/post-1\n\nhttps://blog.example.net/post-2?utm_source=feed  # via RSS\n",
        encoding="utf-8")
    return tmp_path


def test_shipped_sources_file_is_valid() -> None:
    assert list_sources(PROJECT_ROOT / "config" / "sources.yaml") == []


def test_list_sources(project: Path) -> None:
    news, blog = list_sources(project / "config" / "sources.yaml")
    assert news.name == "news" and news.urls == ["https://example.com/a", "https://example.org/b"]
    assert news.schedule == "0 6 * * *" and news.languages == ["en"] and news.max_pages == 10
    assert source_urls(blog, project) == ["https://blog.example.net/post-1", "https://blog.example.net/post-2"]


def test_add_keeps_comments_and_normalizes(project: Path) -> None:
    path = project / "config" / "sources.yaml"
    added = add_urls(path, "news", ["https://Example.com/c?utm_source=x&id=3#top"])
    assert added == ["https://example.com/c?id=3"]
    text = path.read_text(encoding="utf-8")
    for comment in ("# Sources of the test corpus.", "# News sites, checked daily.", "# the front page",
                    "# six in the morning"):
        assert comment in text
    assert list_sources(path)[0].urls[-1] == "https://example.com/c?id=3"
    assert text.index("https://example.com/c?id=3") < text.index("schedule:")  # in its list, order kept


def test_add_creates_a_source(project: Path) -> None:
    path = project / "config" / "sources.yaml"
    add_urls(path, "forum", ["http://forum.example.com/t/1"])
    assert [s.name for s in list_sources(path)] == ["news", "blog", "forum"]


def test_add_into_the_shipped_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "config" / "sources.yaml"
    path.parent.mkdir()
    shutil.copy(PROJECT_ROOT / "config" / "sources.yaml", path)
    add_urls(path, "example-news", ["https://www.example.com/news/"])
    text = path.read_text(encoding="utf-8")
    assert "# Example:" in text and "seed_file" in text  # the documentation comments survive
    assert [s.urls for s in list_sources(path)] == [["https://www.example.com/news/"]]


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://example.com/file", "only http"),
    ("example.com/page", "only http"),
    ("https:///path", "no host"),
    ("https://exa mple.com/", "spaces"),
    ("https://example.com/a#frag", "already in source 'news'"),
    ("https://blog.example.net/post-1", "seed file"),
])
def test_add_refuses_invalid_and_duplicate(project: Path, url: str, message: str) -> None:
    path = project / "config" / "sources.yaml"
    before = path.read_text(encoding="utf-8")
    with pytest.raises(SourceError, match=message):
        add_urls(path, "news", ["https://fine.example.com/", url])
    assert path.read_text(encoding="utf-8") == before  # all or nothing


def test_add_refuses_the_same_url_twice_in_one_call(project: Path) -> None:
    with pytest.raises(SourceError, match="given twice"):
        add_urls(project / "config" / "sources.yaml", "news", ["https://x.example/p", "https://X.example/p#a"])


def test_remove(project: Path) -> None:
    path = project / "config" / "sources.yaml"
    assert remove_url(path, "https://example.org/b#anything") == "news"
    assert list_sources(path)[0].urls == ["https://example.com/a"]
    assert "# the front page" in path.read_text(encoding="utf-8")
    with pytest.raises(SourceError, match="not in any source"):
        remove_url(path, "https://example.org/b")
    with pytest.raises(SourceError, match="seed file"):
        remove_url(path, "https://blog.example.net/post-1")


def test_seed_file_errors_name_the_line(tmp_path: Path) -> None:
    seeds = tmp_path / "bad.urls"
    seeds.write_text("https://ok.example/\n# comment\nmailto:someone@example.com\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"bad.urls:3"):
        load_seed_file(seeds)
    with pytest.raises(SourceError, match="No such file"):
        load_seed_file(tmp_path / "missing.urls")


def test_normalize_url() -> None:
    assert normalize_url(" https://Example.COM:443/a/?fbclid=1&page=2#x ") == "https://example.com/a/?page=2"
    assert normalize_url("http://127.0.0.1:8080/p") == "http://127.0.0.1:8080/p"
    with pytest.raises(ValueError, match="only http"):
        normalize_url("javascript:alert(1)")
