"""Inputs that are not pages (a symlink loop, a dangling link, a named pipe, a socket, a device,
a damaged WARC file) each become a rejected record with its reason and a clear error: never an
exception that fails the run, never a wait that hangs it. All made for real: os.mkfifo, os.symlink,
a bound Unix socket, WARC files written by warcio and then cut or damaged."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from config import ReadSettings
from flows.cli import main
from tasks.inputs.read import iter_input_files, read_inputs
from tasks.output.publish import iter_records
from tasks.record import Document
from tests.test_warc import write_sample

ROOT = Path(__file__).resolve().parent.parent
GOOD_PAGE = ROOT / "seeds" / "002_2f3e4135016b6e4b.txt"
SETTINGS = ReadSettings()
T = TypeVar("T")


def within(seconds: float, work: Callable[[], T]) -> T:
    """`work()`'s result, failing the test (instead of hanging it) if it takes longer than `seconds`."""
    out: list[T] = []
    worker = threading.Thread(target=lambda: out.append(work()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still waiting after {seconds} s"
    return out[0]


def read_all(*paths: Path) -> list[Document]:
    return within(20, lambda: [doc for path in iter_input_files(paths, SETTINGS)
                               for doc in read_inputs(path, SETTINGS)])


def by_name(docs: list[Document]) -> dict[str, Document]:
    return {Path(doc.source.uri).name: doc for doc in docs}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(GOOD_PAGE, pages / "good.txt")
    return pages


def test_symlink_loop_in_input_folder_is_rejected_with_its_reason(folder):
    (folder / "loop.html").symlink_to(folder / "loop2.html")
    (folder / "loop2.html").symlink_to(folder / "loop.html")
    docs = by_name(read_all(folder))
    assert docs["good.txt"].reject_reason is None
    for name in ("loop.html", "loop2.html"):
        assert docs[name].reject_reason == "symlink_loop"
        assert docs[name].error.startswith(f"{folder / name}: symbolic links loop")


def test_symlink_loop_named_on_the_command_line_is_rejected_as_a_page_or_an_archive(tmp_path):
    for name in ("page.html", "crawl.warc.gz"):
        (tmp_path / name).symlink_to(tmp_path / name)
        [doc] = read_all(tmp_path / name)
        assert doc.reject_reason == "symlink_loop", name
        assert doc.source.uri == (tmp_path / name).as_uri()


def test_dangling_symlink_is_rejected_naming_where_it_points(folder):
    (folder / "moved.html").symlink_to(folder / "gone" / "page.html")
    doc = by_name(read_all(folder))["moved.html"]
    assert doc.reject_reason == "dangling_symlink"
    assert doc.error == f"{folder / 'moved.html'} links to {folder / 'gone' / 'page.html'}, which does not exist"


def test_named_pipe_in_a_folder_or_named_directly_is_never_opened(folder):
    os.mkfifo(folder / "pipe.html")  # opening it to read would wait for a writer forever
    os.mkfifo(folder / "pipe.warc.gz")
    docs = by_name(read_all(folder))
    assert docs["good.txt"].reject_reason is None
    for name in ("pipe.html", "pipe.warc.gz"):
        assert docs[name].reject_reason == "not_a_regular_file"
        assert docs[name].error == f"{folder / name} is a named pipe (FIFO): not read"
    [direct] = read_all(folder / "pipe.html")
    assert direct.reject_reason == "not_a_regular_file"


def test_socket_and_device_are_rejected_as_not_regular_files(folder):
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(folder / "server.html"))
        docs = by_name(read_all(folder, Path("/dev/zero")))  # a device that never ends
    assert docs["server.html"].error == f"{folder / 'server.html'} is a socket: not read"
    assert docs["zero"].reject_reason == "not_a_regular_file"
    assert docs["zero"].error == "/dev/zero is a character device: not read"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_and_unlistable_folder_are_rejected_unreadable(folder):
    (folder / "secret.html").write_text("<p>private</p>")
    (folder / "secret.html").chmod(0)
    (folder / "locked").mkdir()
    (folder / "locked").chmod(0)
    try:
        docs = by_name(read_all(folder))
    finally:
        (folder / "locked").chmod(0o755)
    assert docs["secret.html"].reject_reason == "unreadable"
    assert docs["secret.html"].error.startswith("PermissionError")
    assert docs["locked"].reject_reason == "unreadable"


def warc_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "sample.warc.gz"
    write_sample(path)
    return path.read_bytes()


def records_before_damage(data: bytes, damage_at: int) -> list[str]:
    """URIs of the responses wholly before byte `damage_at` of a gzipped WARC (one member a record)."""
    whole, offset = [], 0
    for member in data.split(b"\x1f\x8b\x08")[1:]:
        offset += 3 + len(member)
        if offset > damage_at:
            break
        text = gzip.decompress(b"\x1f\x8b\x08" + member)
        if b"WARC-Type: response" in text:
            whole.append(text.split(b"WARC-Target-URI: ")[1].split(b"\r\n")[0].decode())
    return whole


@pytest.mark.parametrize("damage", ["cut", "flipped", "garbage"])
def test_damaged_warc_keeps_the_records_before_the_damage_then_one_rejected_record(tmp_path, damage):
    data = warc_bytes(tmp_path)
    at = len(data) * 3 // 5
    damaged = {"cut": data[:at],
               "flipped": data[:at] + bytes(b ^ 0xFF for b in data[at:at + 64]) + data[at + 64:],
               "garbage": data[:at] + b"this is not a WARC record\r\n" * 40}[damage]
    path = tmp_path / "damaged.warc.gz"
    path.write_bytes(damaged)
    docs = read_all(path)
    *kept, last = docs
    assert [d.source.uri for d in kept] == records_before_damage(data, at)
    assert kept and all(d.reject_reason != "corrupt_warc" for d in kept)
    assert last.reject_reason == "corrupt_warc"
    assert last.error.startswith(f"archive damaged after {len(kept) * 2 + 1}")  # responses, requests, warcinfo
    assert last.source.warc_file == str(path)


def test_uncompressed_warc_cut_inside_a_record_is_reported_not_read_short(tmp_path):
    data = gzip.decompress(warc_bytes(tmp_path))
    path = tmp_path / "cut.warc"
    path.write_bytes(data[:len(data) - 20_000])  # inside the 50 kB page near the end
    *kept, last = read_all(path)
    assert len(kept) == 5
    assert last.reject_reason == "corrupt_warc"
    assert "the archive ends inside a record" in last.error


def test_a_run_over_a_folder_of_bad_inputs_finishes_and_rejects_each_with_its_reason(folder, tmp_path):
    (folder / "loop.html").symlink_to(folder / "loop.html")
    (folder / "moved.html").symlink_to(folder / "nowhere.html")
    os.mkfifo(folder / "pipe.html")
    (folder / "crawl.warc.gz").write_bytes(warc_bytes(tmp_path)[:1000])
    out = tmp_path / "out"
    assert within(300, lambda: main(["run", str(folder), "--out", str(out), "--workers", "1"])) == 0
    rejected = {Path(r["source"]["uri"]).name: r["reject_reason"] for r in iter_records(out, ("rejected",))}
    assert rejected == {"loop.html": "symlink_loop", "moved.html": "dangling_symlink",
                        "pipe.html": "not_a_regular_file", "crawl.warc.gz": "corrupt_warc"}
    summary = json.loads((out / "reports" / "summary.json").read_text())
    assert summary["published"] == 2  # good.txt, and the page wholly inside the WARC's first 1000 bytes


def test_a_record_whose_target_uri_is_not_a_uri_is_damage_not_a_page(tmp_path):
    """Damaged bytes can read as a record with a binary "URI" (flipped bytes in a gzip member did):
    the archive is reported damaged there instead of publishing a page with a garbage source."""
    from tasks.inputs.warc import WarcArchive  # noqa: PLC0415
    from tests.test_warc import HTML, exchange  # noqa: PLC0415

    path = tmp_path / "odd.warc.gz"
    with WarcArchive(path) as warc:
        warc.write_exchange(exchange("https://example.com/page", HTML))
        warc.write_exchange(exchange("\x1f\x08\x02\x03 not a uri", HTML))
    *kept, last = read_all(path)
    assert [d.source.uri for d in kept] == ["https://example.com/page"]
    assert last.reject_reason == "corrupt_warc" and "not a URI" in last.error
