"""A document rejected whole (language, too short, mostly spam) says why in `error`,
with the numbers that decided it, like the input errors (empty, binary, ...) do."""

from __future__ import annotations

from tests.conftest import run_text

ENGLISH = [
    "The regional rail line reopened on Monday after six months of track renewal between the two valley towns.",
    "Engineers replaced the sleepers and the signalling, and the timetable now has a train every half hour.",
    "Commuters said the journey was quieter and faster, though the first morning trains were already full.",
    "The operator plans to add longer trains in the autumn, once the platforms at the smaller stations are extended.",
]


def test_a_page_in_a_language_not_published_says_which_and_what_is_allowed(settings):
    settings.languages = ["zh"]
    doc = run_text("\n".join(ENGLISH), settings)
    assert doc.reject_reason == "language_en"
    assert doc.error == "language en not in allowed [zh]"
    assert doc.record({})["error"] == doc.error


def test_a_short_page_says_how_many_words_were_left_and_the_minimum(settings):
    doc = run_text("Opening hours\nMonday to Friday, nine to five.", settings)
    assert doc.reject_reason == "too_short"
    assert doc.error.endswith(f"after cleaning < clean.min_doc_words={settings.clean.min_doc_words}")
    assert "words" in doc.error and "chars" in doc.error


def test_a_page_of_spam_says_what_share_was_spam(settings):
    lines = []
    for k in range(12):
        lines.append(" | ".join(f"best online casino {k} bonus {j}" for j in range(8)))
        lines.append(f"WIN BIG at lucky-spin-{k}.example now: http://lucky-spin-{k}.example/register?ref={k}")
    doc = run_text("\n".join(lines), settings)
    assert doc.reject_reason in {"mostly_spam", "too_short"}
    assert "spam removals" in doc.error or "min_doc_words" in doc.error
    assert doc.error.isprintable()


def test_a_published_page_has_no_error(settings):
    doc = run_text("\n".join(ENGLISH * 3), settings)
    assert doc.reject_reason is None and doc.error is None
    assert "error" not in doc.record({})
