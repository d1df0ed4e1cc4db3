"""Mistakes in settings, sources files and arguments: one clear message naming the file, the key and what is
expected, exit code 2, never a traceback. Run as a user runs them: `sieve` in a subprocess."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from config import Settings, SourceConfig
from config.errors import EXIT_FAILED, EXIT_REFUSED
from tasks.inputs.sources import SourceError, add_urls, list_sources
from tasks.tools.inspect import find_records

ROOT = Path(__file__).resolve().parent.parent


def sieve(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=120, env={"PATH": "/usr/bin:/bin", "SIEVE_QUIET": "1", "COLUMNS": "200"})


def assert_refused_with(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == EXIT_REFUSED, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    for text in expected:
        assert text in result.stderr, result.stderr


@pytest.mark.parametrize(("body", "expected"), [
    ("publish:\n  shard_size: 0\n", ["publish.shard_size", "greater than or equal to 1", "got 0"]),
    ("publish:\n  shard_size: -5\n", ["publish.shard_size", "greater than or equal to 1", "got -5"]),
    ("publish:\n  keep_runs: -1\n", ["publish.keep_runs", "greater than or equal to 0"]),
    ("publsh:\n  shard_size: 5\n", ["publsh: unknown key", "known here:", "publish"]),
    ("clean:\n  min_doc_words: many\n", ["clean.min_doc_words", "valid integer", "'many'"]),
    ("clean:\n  topic_alpha: 1.5\n", ["clean.topic_alpha", "less than 1"]),
    ("clean:\n  html_rules: [related_lists]\n", ["clean.html_rules", "unknown rule(s) ['related_lists']"]),
    ("clean:\n  html_rules_by_language: {zh: [hidden_element]}\n", ["clean.html_rules_by_language",
                                                                      "before the language is known"]),
    ("fetch:\n  total_timeout: 0\n", ["fetch.total_timeout", "greater than 0"]),
    ("normalize:\n  opencc: {zh: nosuch}\n", ["normalize.opencc.zh", "'t2s'", "got 'nosuch'"]),
    ("languages: [en\n", ["not valid YAML", "line 2"]),
    ("- just\n- a list\n", ["expected a mapping of settings"]),
    ("sources:\n  - name: ../../x\n    paths: [seeds/]\n", ["sources[0].name", "path separator"]),
    ("sources:\n  - name: ok\n    clean: {min_doc_words: -1}\n", ["sources[0].clean", "min_doc_words"]),
])
def test_an_invalid_config_is_refused_with_the_file_the_key_and_what_is_expected(tmp_path, body, expected):
    config = tmp_path / "pipeline.yaml"
    config.write_text(body, encoding="utf-8")
    result = sieve("run", "--config", str(config), "--out", str(tmp_path / "out"), str(ROOT / "seeds"))
    assert_refused_with(result, str(config), *expected)
    assert not (tmp_path / "out").exists()


def test_a_config_that_is_missing_or_a_folder_is_named_in_the_message(tmp_path):
    assert_refused_with(sieve("run", "--config", str(tmp_path / "nope.yaml")), str(tmp_path / "nope.yaml"),
                        "no such file")
    assert_refused_with(sieve("run", "--config", str(tmp_path)), str(tmp_path), "is a directory")


def test_every_numeric_setting_refuses_a_negative_value():
    """Bounds live in the models: each number of the settings has one, so no negative count, size or time passes."""
    def numbers(model: type) -> list[tuple[type, str]]:
        found = []
        for name, field in model.model_fields.items():
            number = isinstance(field.default, int | float) and not isinstance(field.default, bool)
            if number or str(field.annotation) in ("int | None", "float | None"):
                found.append((model, name))
            elif hasattr(field.annotation, "model_fields"):
                found += numbers(field.annotation)
        return found

    checked = numbers(Settings) + numbers(SourceConfig)
    assert len(checked) > 30
    for model, name in checked:
        with pytest.raises(ValueError, match=name):
            model.model_validate({name: -1})


@pytest.mark.parametrize(("sources", "expected"), [
    ('sources:\n  - name: a\n    urls: "https://example.com/"\n', ["sources[0].urls", "valid list"]),
    ("sources:\n  - name: a\n    urls: 5\n", ["sources[0].urls", "valid list", "got 5"]),
    ("sources:\n  - name: a\n    urls: [https://example.com/, 42]\n", ["sources[0].urls[1]", "valid string"]),
    ("sources:\n  - name: a/b\n    urls: [https://example.com/]\n", ["sources[0].name", "path separator"]),
    ("sources:\n  - name: a\n  - name: a\n", ["several sources are named 'a'"]),
])
@pytest.mark.parametrize("command", [["list"], ["add", "https://example.net/", "--source", "new"],
                                     ["remove", "https://example.com/"]])
def test_a_sources_file_that_list_refuses_is_refused_by_add_and_remove_too(tmp_path, sources, expected, command):
    path = tmp_path / "sources.yaml"
    path.write_text(sources, encoding="utf-8")
    result = sieve("sources", "--file", str(path), *command)
    assert_refused_with(result, str(path), *expected)
    assert path.read_text(encoding="utf-8") == sources


@pytest.mark.parametrize("name", ["../../x", "/abs", "a/b", "a\\b", "nul\0name", ".hidden", "..", " "])
def test_a_source_name_that_could_leave_its_folder_is_refused_by_sources_add(tmp_path, name):
    path = tmp_path / "sources.yaml"
    with pytest.raises(SourceError, match="name"):
        add_urls(path, name, ["https://example.com/"])
    assert not path.exists() or list_sources(path) == []


def test_sources_add_refuses_a_bad_source_name_from_the_command_line(tmp_path):
    path = tmp_path / "sources.yaml"
    result = sieve("sources", "--file", str(path), "add", "https://example.com/", "--source", "../../x")
    assert_refused_with(result, "../../x", "path separator")
    assert not path.exists()


def test_workers_must_be_a_positive_number():
    result = sieve("run", "--workers", "0", "seeds")
    assert result.returncode == 2 and "expected at least 1" in result.stderr


def test_inspect_with_an_ambiguous_prefix_lists_the_candidates_and_fails(tmp_path):
    out = tmp_path / "out"
    corpus = out / "corpus"
    corpus.mkdir(parents=True)
    ids = [f"ab{k:022d}" for k in range(3)] + ["cd" + "0" * 22]
    with gzip.open(corpus / "part-00000.jsonl.gz", "wt", encoding="utf-8") as fh:
        for k, doc_id in enumerate(ids):
            fh.write(json.dumps({"id": doc_id, "title": f"title {k}", "text": "x"}) + "\n")
    for prefix in ("a", ""):
        result = sieve("inspect", prefix, "--out", str(out))
        assert result.returncode == EXIT_REFUSED, result.stderr
        assert "ambiguous" in result.stderr
        expected = ids[:3] if prefix else ids
        for k, doc_id in enumerate(expected):
            assert doc_id in result.stderr and f"title {k}" in result.stderr
    result = sieve("inspect", "zz", "--out", str(out))
    assert result.returncode == EXIT_FAILED and "no published or rejected document" in result.stderr


def test_inspect_caps_the_list_of_candidates(tmp_path):
    (tmp_path / "corpus").mkdir()
    with gzip.open(tmp_path / "corpus" / "part-00000.jsonl.gz", "wt", encoding="utf-8") as fh:
        for k in range(50):
            fh.write(json.dumps({"id": f"{k:024d}", "text": "x"}) + "\n")
    assert len(find_records(tmp_path, "", limit=10)) == 11
    assert [r["id"] for r in find_records(tmp_path, f"{7:024d}")] == [f"{7:024d}"]
