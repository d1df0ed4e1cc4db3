"""Web sources in config/sources.yaml: listed, added to and removed from by command.

Edits go through ruamel.yaml's round-trip mode so the operator's comments, key
order and quoting survive, and the file is replaced atomically. URLs are
normalized before they are stored (lower-case host, no fragment, tracking
parameters dropped) so the same page is not crawled twice under two spellings.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import courlan
from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from config import PROJECT_ROOT, SourceConfig, SourcesFile
from config.errors import UserError, describe

DEFAULT_SOURCES = PROJECT_ROOT / "config" / "sources.yaml"


class SourceError(UserError, ValueError):
    """A source edit or a sources file that cannot be accepted; the message says why."""


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    return y


def normalize_url(url: str) -> str:
    """The form a URL is stored and fetched in; SourceError when it cannot be fetched."""
    raw = url.strip()
    if not raw or any(c.isspace() for c in raw):
        raise SourceError(f"{url!r}: not a URL (empty or contains spaces)")
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https"):
        raise SourceError(f"{url!r}: only http:// and https:// URLs can be fetched")
    try:
        host, _ = parts.hostname, parts.port
    except ValueError as exc:
        raise SourceError(f"{url!r}: {exc}") from exc
    if not host:
        raise SourceError(f"{url!r}: no host")
    try:
        return courlan.normalize_url(raw, strict=True)
    except (ValueError, AttributeError) as exc:
        raise SourceError(f"{url!r}: cannot be normalized ({exc})") from exc


def load_seed_file(path: str | Path) -> list[str]:
    """URLs of a seed file: one a line, blank lines and `#` comments ignored, normalized, deduplicated."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SourceError(f"seed file {path}: {exc.strerror or exc}") from exc
    urls, problems = [], []
    for n, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.split(" #", 1)[0].strip()
        if not text:
            continue
        try:
            urls.append(normalize_url(text))
        except SourceError as exc:
            problems.append(f"{path}:{n}: {exc}")
    if problems:
        raise SourceError("invalid URLs in seed file:\n" + "\n".join(problems))
    return list(dict.fromkeys(urls))


def _load(path: Path) -> CommentedMap:
    if not path.exists():
        return CommentedMap(sources=CommentedSeq())
    try:
        data = _yaml().load(path)
    except Exception as exc:  # ruamel raises many error types; all mean "fix the file"
        raise SourceError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        data = CommentedMap()
    if not isinstance(data, dict):
        raise SourceError(f"{path}: expected a mapping with a 'sources' list")
    if data.get("sources") is None:
        data["sources"] = CommentedSeq()
    if not isinstance(data["sources"], list):
        raise SourceError(f"{path}: 'sources' must be a list")
    return data


def _save(path: Path, data: CommentedMap) -> None:
    """Write next to the target, then rename: a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            _yaml().dump(data, fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _plain(node: Any) -> Any:
    return json.loads(json.dumps(node))


def _validated(path: Path, data: CommentedMap) -> list[SourceConfig]:
    """The sources checked by the model (`config.SourcesFile`): what `list` refuses, `add` and `remove` refuse."""
    try:
        return SourcesFile.model_validate(_plain(data)).sources
    except ValidationError as exc:
        raise SourceError(f"invalid sources file:\n{describe(exc, SourcesFile, path)}") from exc


def list_sources(path: str | Path = DEFAULT_SOURCES) -> list[SourceConfig]:
    """Every source in the file, validated."""
    path = Path(path)
    return _validated(path, _load(path))


def source_urls(source: SourceConfig, root: str | Path = PROJECT_ROOT) -> list[str]:
    """The URLs a source fetches: its `urls`, then its seed file's (relative to root), capped by max_pages."""
    urls = [normalize_url(u) for u in source.urls]
    if source.seed_file:
        urls += load_seed_file(Path(root) / source.seed_file)
    urls = list(dict.fromkeys(urls))
    return urls[: source.max_pages] if source.max_pages is not None else urls


def _known_urls(sources: list[SourceConfig], root: Path | None) -> dict[str, str]:
    """Normalized URL -> source name, over every source's urls and readable seed files."""
    known: dict[str, str] = {}
    for src in sources:
        for u in src.urls:
            try:
                known.setdefault(normalize_url(u), src.name)
            except SourceError:
                known.setdefault(u.strip(), src.name)
        seed = src.seed_file
        if seed and root is not None and (root / seed).is_file():
            for u in load_seed_file(root / seed):
                known.setdefault(u, f"{src.name} (seed file {seed})")
    return known


def add_urls(path: str | Path, source: str, urls: Iterable[str], root: str | Path | None = None) -> list[str]:
    """Add URLs to a source (created if new); all or nothing. Returns the URLs as stored.

    Refused, with every problem listed: URLs that are not http(s) with a host, and
    URLs already in any source (after normalization) or repeated in the request.
    """
    path = Path(path)
    root_path = Path(root) if root is not None else path.resolve().parent.parent
    data = _load(path)
    known = _known_urls(_validated(path, data), root_path)
    added, problems = [], []
    for url in urls:
        try:
            norm = normalize_url(url)
        except SourceError as exc:
            problems.append(str(exc))
            continue
        if norm in known:
            problems.append(f"{url!r}: already in source {known[norm]!r}" + (f" as {norm}" if norm != url else ""))
        elif norm in added:
            problems.append(f"{url!r}: given twice (as {norm})")
        else:
            added.append(norm)
    if problems:
        raise SourceError("nothing added:\n" + "\n".join(problems))
    if not added:
        raise SourceError("no URL given")
    sources: CommentedSeq = data["sources"]
    if hasattr(sources, "fa"):
        sources.fa.set_block_style()
    entry = next((s for s in sources if s.get("name") == source), None)
    if entry is None:
        entry = CommentedMap(name=source, urls=CommentedSeq())
        sources.append(entry)
    if entry.get("urls") is None:
        entry["urls"] = CommentedSeq()
    seq = entry["urls"]
    if hasattr(seq, "fa"):
        seq.fa.set_block_style()
    seq.extend(added)
    try:
        SourceConfig.model_validate(_plain(entry))  # the new source's name, checked where the file's are
    except ValidationError as exc:
        raise SourceError(f"nothing added:\n{describe(exc, SourceConfig, f'source {source!r}')}") from exc
    _save(path, data)
    return added


def remove_url(path: str | Path, url: str, root: str | Path | None = None) -> str:
    """Remove a URL from the source that lists it; returns that source's name."""
    path = Path(path)
    root_path = Path(root) if root is not None else path.resolve().parent.parent
    try:
        target = normalize_url(url)
    except SourceError:
        target = url.strip()
    data = _load(path)
    sources = _validated(path, data)
    for item in data["sources"]:
        seq = item.get("urls") or []
        for i, u in enumerate(seq):
            try:
                same = normalize_url(str(u)) == target
            except SourceError:
                same = str(u).strip() == target
            if same or str(u).strip() == url.strip():
                del seq[i]
                _save(path, data)
                return str(item.get("name"))
    known = _known_urls(sources, root_path)
    if target in known:
        raise SourceError(f"{url!r} comes from {known[target]}: remove it from that file")
    raise SourceError(f"{url!r} is not in any source of {path}")
