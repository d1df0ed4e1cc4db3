"""Two small pages (English and Chinese) that load what the stages load lazily.

The first document a process sees pays for langdetect's language profiles,
OpenCC's dictionaries, wordfreq's frequency lists and jieba's dictionary
(seconds, and tens of MB). Running these pages through every stage loads
exactly what real documents would, whatever the stages use: before a
process's first document runs under its CPU-time budget (tasks/stages/document.py), since a budget that
ran out halfway through such a first use would leave it half done for every
later document (langdetect keeps a half-loaded profile set).
"""

from __future__ import annotations

import hashlib

from tasks.record import Document, Source

_EN = [
    "The city council approved a new budget for public transport on Tuesday evening after a long debate.",
    "Bus routes in the northern districts will run every ten minutes during the morning and evening peaks.",
    "Officials said the money would also pay for new shelters, better lighting and a mobile ticket system.",
    "Residents who spoke at the meeting welcomed the plan but asked for more services on weekends.",
    "The first changes are expected in the spring, with the full timetable in place by the end of the year.",
]
_ZH = [
    "市议会周二晚间经过长时间讨论，批准了一项新的公共交通预算，用于改善城市北部的公交服务。",
    "根据计划，北部各区的公交线路在早晚高峰期间将每十分钟发一班车，以减少乘客的等候时间。",
    "官员表示，这笔资金还将用于建设新的候车亭、改善夜间照明，并推出手机购票系统。",
    "在会上发言的居民对这项计划表示欢迎，但也希望在周末增加更多班次，方便出行。",
    "第一批调整预计将在春季实施，全部新时刻表将于年底前到位。臺灣與香港的讀者也可以閱讀這篇報導。",
]


def _page(lang: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<html lang="{lang}"><head><title>{paragraphs[0][:30]}</title></head><body>'
            f"<article><h1>{paragraphs[0][:30]}</h1>{body}</article></body></html>")


def warm_documents() -> list[Document]:
    """The two pages as documents ready for the stages (fresh ones on every call)."""
    docs = []
    for lang, paragraphs in (("en", _EN), ("zh", _ZH)):
        raw = _page(lang, paragraphs).encode("utf-8")
        source = Source(uri=f"warm://{lang}", kind="file", retrieved_at="",
                        sha256=hashlib.sha256(raw).hexdigest(), content_type="text/html", size=len(raw))
        docs.append(Document(source=source, raw=raw, media="html"))
    return docs
