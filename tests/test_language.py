"""Language and script: the script decides where it can, langdetect only among what the script allows."""

from __future__ import annotations

import pytest

from tasks.stages.language import chinese_script, detect, dominant_script, script_units, total_units

TRADITIONAL = "臺灣的研究人員發現，這種蜜蜂在冬天會聚集在蜂巢中央取暖，並輪流換到外圍。"
SIMPLIFIED = "台湾的研究人员发现，这种蜜蜂在冬天会聚集在蜂巢中央取暖，并轮流换到外围。"
ENGLISH = ("The researchers found that the bees gather in the middle of the hive in winter "
           "and take turns moving to the colder outer layer, which keeps the colony alive.")
FRENCH = ("Les chercheurs ont découvert que les abeilles se rassemblent au centre de la ruche "
          "en hiver et se relaient vers la couche extérieure, ce qui maintient la colonie en vie.")


def test_traditional_chinese_is_chinese_not_korean():
    # langdetect 1.0.9 alone calls most Traditional Chinese paragraphs Korean.
    guess = detect(TRADITIONAL * 3)
    assert guess.lang == "zh" and guess.script == "han"
    assert chinese_script(TRADITIONAL) == "Hant"
    assert chinese_script(SIMPLIFIED) == "Hans"


def test_hangul_is_korean_and_kana_is_japanese_whatever_the_han_share():
    assert detect("한국어 문장입니다. 연구진은 꿀벌이 겨울에 모인다는 것을 발견했다.").lang == "ko"
    assert detect("研究者は冬に蜂が巣の中央に集まることを発見した。").lang == "ja"


@pytest.mark.parametrize(("text", "lang"), [(ENGLISH, "en"), (FRENCH, "fr")])
def test_latin_script_goes_to_langdetect_and_the_answer_is_repeatable(text, lang):
    assert {detect(text).lang for _ in range(5)} == {lang}


def test_text_with_no_letters_has_no_language():
    assert detect("12:30 — 2024/05/01 ... !!!").lang == "und"


def test_script_units_of_paragraphs_add_up_to_those_of_the_joined_text():
    parts = [ENGLISH, TRADITIONAL, "", "Tokyo 東京 とうきょう", FRENCH, "Москва", "mixed中文words"]
    joined = script_units("\n".join(parts))
    summed = total_units(script_units(p) for p in parts)
    assert summed == joined
    assert list(summed) == list(joined)  # same order: ties between scripts break the same way
    assert dominant_script(summed) == dominant_script(joined)
