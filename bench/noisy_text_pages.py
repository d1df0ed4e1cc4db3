"""Noisy plain-text pages of the samples' kind, composed from real texts, with line gold.

usage: python bench/noisy_text_pages.py OUT_DIR [--split dev|heldout] [--seed N] [--wcxb DIR]

Writes OUT_DIR/pages/*.txt, OUT_DIR/gold.json (the format of tests/gold/seeds.json) and
OUT_DIR/config.yaml (the pipeline's own, deduplication off: an article comes back with other
noise, and a copy cleaned perfectly would be rejected as a duplicate of the first), so that
`sieve eval --gold OUT_DIR/gold.json --pages OUT_DIR/pages --config OUT_DIR/config.yaml` and
../shared/tools/score_seeds.py score them. Deterministic for a seed.

The material is real: English articles are the human-reviewed main texts of
../shared/dev/wcxb-dev (article pages; `dev` takes even ids, `heldout` odd ones); Chinese
articles are the test fixtures' pages (tests/fixtures). The noise is made from *other*
articles of the same pool, so its words and topics are new to the rules each time:

- teasers: a block after the article of other articles' titles, each followed by the first
  60-220 characters of that article, cut mid-sentence, with or without an ellipsis or a date;
- news flash: a paragraph of another article pasted between two paragraphs (also into short
  articles of 7-10 paragraphs);
- previous/next lines: a label and another article's title;
- reprint disclaimer and editor line (wording from small template sets written here, none of
  them from the sample pages);
- menu lines before the title, a copyright line at the end.

Spam-only pages (a listing of teasers, a keyword block page) have no line to keep.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from opencc import OpenCC

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tasks.tools.evaluate import line_ranges  # noqa: E402
from tests.fixtures import articles as fixture_articles  # noqa: E402 - the project's root on the path first

WCXB = ROOT.parent / "shared" / "dev" / "wcxb-dev"


@dataclass
class Article:
    title: str
    paragraphs: list[str]
    lang: str
    group: str  # articles of one group share a topic: never noise for each other


def english_articles(wcxb: Path, split: str) -> list[Article]:
    index = [json.loads(line) for line in (wcxb / "index.jsonl").read_text().splitlines() if line.strip()]
    out = []
    for row in index:
        if row["page_type"] != "article" or int(row["id"]) % 2 != (0 if split == "dev" else 1):
            continue
        gt = json.loads((wcxb / "gold" / f"{row['id']}.json").read_text(encoding="utf-8"))["ground_truth"]
        paras = [re.sub(r"\s+", " ", p).strip() for p in gt["main_content"].split("\n")]
        paras = [p for p in paras if p]
        body = [p for p in paras if len(p) >= 120 and not p.startswith(("|", "#", "-", "*"))]
        title = (gt.get("title") or "").strip()
        # A page whose text is mostly prose paragraphs (not lists, tables or code).
        if not title or len(body) < 7 or len(body) < 0.6 * len(paras) or len(paras) > 40:
            continue
        if any(len(p) > 1500 for p in body):
            continue
        out.append(Article(title, body, "en", row["domain"]))
    return out


def chinese_articles() -> list[Article]:
    fx = fixture_articles
    html_gold = json.loads((ROOT / "tests/fixtures/html/gold.json").read_text(encoding="utf-8"))
    out = [Article(g["title"], g["paragraphs"], "zh", name) for name, g in html_gold.items()
           if not name.startswith("_") and g["lang"] == "zh"]
    out.append(Article(fx.RAIL_ZH_HANT[0], fx.RAIL_ZH_HANT[1:], "zh", "rail"))
    # The sample pages' own article bodies (not their noise): long Chinese articles, one topic.
    seeds_gold = json.loads((ROOT / "tests/gold/seeds.json").read_text(encoding="utf-8"))
    for name in ("001_a60c4e758812ea41.txt", "003_70ee1a5ae531a587.txt", "004_0c0d24ab21bbcc88.txt"):
        lines = (ROOT / "seeds" / name).read_text(encoding="utf-8").split("\n")
        keep = line_ranges(seeds_gold[name]["keep"])
        heads = sorted(keep | line_ranges(seeds_gold[name].get("optional", [])))
        paras = [lines[i - 1].strip() for i in sorted(keep) if lines[i - 1].strip()]
        titles = [lines[i - 1].strip() for i in heads[:3] if not lines[i - 1].rstrip().endswith(("。", ":", "："))]
        for s in seeds_gold[name].get("strip", []):
            paras = [p.replace(s, "") for p in paras]
            titles = [t.replace(s, "") for t in titles]
        body = [p for p in paras if len(p) >= 40 and p not in titles]
        if titles and len(body) >= 7 and not seeds_gold[name].get("strip_except_lines"):
            out.append(Article(titles[0], body[:40], "zh", "seeds-ai"))
    return out



# Wording written for this set (none of it occurs in the sample pages).
EN = {
    "menu": ["World", "Business", "Opinion", "Science", "Sport", "Culture", "Travel", "Podcasts", "Newsletters",
             "Sign in", "Subscribe", "Weather", "Video"],
    "teaser_heading": ["More from this section", "Recommended for you", "Also on the site", "Editor's picks",
                       "Trending now", "You might have missed"],
    "prev": ["Previous story:", "« Older post", "Prev article -", "Back:"],
    "next": ["Next story:", "Newer post »", "Next article -", "Up next:"],
    "disclaimer": [
        "This piece first appeared on {src} and is republished with permission. Opinions expressed are the "
        "author's own and not necessarily shared by this website; write to us if you hold rights to it and want it "
        "taken down.",
        "Reposted from {src}. The content is provided for information only and does not constitute advice; "
        "copyright belongs to the original author, and any infringement will be removed upon notice.",
        "Content syndicated from {src}. We do not verify third-party claims and accept no liability for them.",
    ],
    "editor": ["Edited by {name}", "(Editor: {name})", "Reporting by {name}; editing by {name2}",
               "Responsible editor: {name}"],
    "names": ["Laura Whitfield", "Tomasz Brenner", "Anita Roy", "Declan Moss", "Priya Natarajan", "Hugo Lindqvist"],
    "sources": ["the Riverside Courier", "Northline Weekly", "Harbor Daily Review", "Metro Ledger"],
    "copyright": "© {year} {src}. All rights reserved.",
    "dateline": ["Published {date} · {min} min read", "{date} | Updated {date2}", "Posted on {date} by {name}"],
}
ZH = {
    "menu": ["要闻", "财经", "科技", "体育", "娱乐", "汽车", "房产", "教育", "健康", "旅游", "登录", "注册", "手机版"],
    "teaser_heading": ["延伸阅读", "编辑推荐", "本周热点", "精彩图文", "大家都在看", "最新文章"],
    "prev": ["前一篇：", "上一条:", "上篇文章 ", "‹ 上一則"],
    "next": ["后一篇：", "下一条:", "下篇文章 ", "下一則 ›"],
    "disclaimer": [
        "特别说明：本文转载自{src}，转载目的在于传递更多信息，不代表本网赞同其观点和对其真实性负责。如涉及作品内容、版权等问题，请在三十日内同本网联系。",
        "免责声明：文章内容来源于{src}，仅供读者参考，并不构成任何投资建议，版权归原作者所有，如有侵权请联系删除。",
        "本文系{src}授权发布，未经许可，不得转载。",
    ],
    "editor": ["（编辑：{name}）", "责编：{name}", "文字编辑 {name}  审核 {name2}", "【編輯：{name}】"],
    "names": ["王晓峰", "陈雨桐", "李明哲", "周佳怡", "赵海波", "孙若琳"],
    "sources": ["晨报网", "东方观察", "南城日报客户端", "新知周刊"],
    "copyright": "Copyright © {year} {src} 版权所有",
    "dateline": ["发布时间：{date}", "{date}  来源：{src}", "{date} 作者：{name}"],
}


def excerpt(article: Article, rng: random.Random) -> str:
    """The start of an article, cut mid-sentence (as teasers cut it), maybe with an ellipsis."""
    text = " ".join(article.paragraphs[:2]) if article.lang == "en" else "".join(article.paragraphs[:2])
    if article.lang == "en":
        n = rng.randint(120, 220)
        cut = text[:n].rsplit(" ", 1)[0].rstrip(",;:")
    else:
        n = rng.randint(50, 100)
        cut = text[:n].rstrip("，、：；")
    return cut + rng.choice(["...", "…", " …", "", "", " [...]"])


def date(rng: random.Random) -> str:
    return f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def page(art: Article, others: list[Article], kinds: set[str], rng: random.Random) -> tuple[list, dict]:
    """Lines with their labels (keep, optional, drop), and the gold's forbid/require."""
    w = EN if art.lang == "en" else ZH
    lines: list[tuple[str, str]] = []
    forbid: list[str] = []
    fill = dict(src=rng.choice(w["sources"]), name=rng.choice(w["names"]), name2=rng.choice(w["names"]),
                date=date(rng), date2=date(rng), min=rng.randint(2, 12), year=rng.randint(2015, 2025))
    pick = rng.sample(others, min(len(others), 12))
    if "menu" in kinds:
        lines += [(m, "drop:menu") for m in rng.sample(w["menu"], rng.randint(3, 7))]
    lines.append((art.title, "keep"))
    if "dateline" in kinds:
        lines.append((rng.choice(w["dateline"]).format(**fill), "optional"))
    body = list(art.paragraphs)
    if "short" in kinds:
        body = body[: rng.randint(7, 10)]
    body_lines = [(p, "keep") for p in body]
    if "flash" in kinds:
        n_flash = 1 if len(body) < 14 else rng.randint(1, 2)
        for _ in range(n_flash):
            src = pick.pop()
            flash = rng.choice([p for p in src.paragraphs if len(p) >= (150 if art.lang == "en" else 60)]
                               or src.paragraphs)
            at = rng.randint(2, len(body_lines) - 2)
            body_lines.insert(at, (flash, "drop:flash"))
            forbid.append(flash[len(flash) // 2: len(flash) // 2 + 24])
    lines += body_lines
    if "editor" in kinds:
        lines.append((rng.choice(w["editor"]).format(**fill), "drop:editor"))
    if "disclaimer" in kinds:
        lines.append((rng.choice(w["disclaimer"]).format(**fill), "drop:disclaimer"))
    if "prevnext" in kinds:
        lines.append((rng.choice(w["prev"]) + " " + pick.pop().title, "drop:prevnext"))
        lines.append((rng.choice(w["next"]) + " " + pick.pop().title, "drop:prevnext"))
    if "teasers" in kinds:
        lines += teaser_block(pick, w, rng, forbid)
    if "copyright" in kinds:
        lines.append((w["copyright"].format(**fill), "drop:copyright"))
    require = [body[1][:60].strip(), body[-1][-60:].strip()]
    return lines, {"forbid": forbid, "require": require}


def teaser_block(pick: list[Article], w: dict, rng: random.Random, forbid: list[str]) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    if rng.random() < 0.6:
        lines.append((rng.choice(w["teaser_heading"]), "drop:teasers"))
    dated = rng.random() < 0.4
    for _ in range(rng.randint(3, 6)):
        if not pick:
            break
        other = pick.pop()
        ex = excerpt(other, rng)
        lines += [(other.title, "drop:teasers"), (ex, "drop:teasers")]
        if dated:
            lines.append((date(rng) + rng.choice(["", " 08:15", " 19:42:07"]), "drop:teasers"))
        forbid.append(ex[10:34])
    return lines


def spam_page(pool: list[Article], w: dict, rng: random.Random) -> list[tuple[str, str]]:
    """A page with nothing to keep: menus and a listing of teasers, or a keyword block page."""
    lines = [(m, "drop:menu") for m in rng.sample(w["menu"], 5)]
    if rng.random() < 0.5:
        return lines + teaser_block(rng.sample(pool, min(8, len(pool))), w, rng, [])
    titles = [a.title for a in rng.sample(pool, min(10, len(pool)))]
    words = [t for title in titles for t in re.findall(r"\w{3,}", title)][:40]
    words = [w[:4] if len(w) > 8 and not w.isascii() else w for w in words]
    for k in range(12):
        lines.append((" | ".join(rng.sample(words, min(len(words), 7))) + f" {k}", "drop:keywords"))
    return lines


KINDS = ["menu", "dateline", "flash", "editor", "disclaimer", "prevnext", "teasers", "copyright"]


def build(out: Path, split: str, seed: int, wcxb: Path, n_en: int, n_zh: int) -> None:
    rng = random.Random(f"{seed}-{split}")
    en, zh = english_articles(wcxb, split), chinese_articles()
    (out / "pages").mkdir(parents=True, exist_ok=True)
    gold: dict = {"_format": "as tests/gold/seeds.json; made by bench/noisy_text_pages.py "
                             f"(split {split}, seed {seed})"}
    jobs = [(a, "en") for a in rng.sample(en, min(n_en, len(en)))]
    jobs += [(a, "zh") for a in (rng.sample(zh, len(zh)) * 3)[:n_zh]]
    for k, (art, lang) in enumerate(jobs):
        pool = en if lang == "en" else zh
        others = [a for a in pool if a.group != art.group and a.title != art.title]
        kinds = {kd for kd in KINDS if rng.random() < 0.6} | {rng.choice(["flash", "teasers", "prevnext"])}
        if rng.random() < 0.35:
            kinds.add("short")
        lines, extra = page(art, others, kinds, rng)
        hant = lang == "zh" and rng.random() < 0.4
        if hant:
            s2t = OpenCC("s2t").convert
            lines = [(s2t(t), lab) for t, lab in lines]
            extra["forbid"] = [s2t(f) for f in extra["forbid"]]
            extra["require"] = [s2t(r) for r in extra["require"]]
        name = f"{k:03d}_{lang}_{'-'.join(sorted(kinds))}.txt"
        write(out, name, lines, lang, extra, gold)
    for k in range(4):
        lang = "en" if k % 2 == 0 else "zh"
        lines = spam_page(en if lang == "en" else zh, EN if lang == "en" else ZH, rng)
        write(out, f"spam_{k}_{lang}.txt", lines, lang, {"forbid": [], "require": []}, gold)
    (out / "gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1), encoding="utf-8")
    config = yaml.safe_load((ROOT / "config" / "pipeline.yaml").read_text(encoding="utf-8"))
    config["dedup"] = {**config.get("dedup", {}), "enabled": False}
    (out / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def write(out: Path, name: str, lines: list[tuple[str, str]], lang: str, extra: dict, gold: dict) -> None:
    (out / "pages" / name).write_text("\n".join(t for t, _ in lines) + "\n", encoding="utf-8")
    labels: dict[str, list[str]] = {"keep": [], "optional": [], "drop": []}
    noise: dict[str, list[int]] = {}
    for i, (_, label) in enumerate(lines, 1):
        lab, _, kind = label.partition(":")
        labels[lab].append(str(i))
        if kind:
            noise.setdefault(kind, []).append(i)
    # `noise` (ignored by the scorers): which kind of noise each dropped line is.
    g = {"lang": lang, **labels, "strip": [], **extra, "noise": noise}
    if lang == "zh":
        g["script"] = "Hans"
    gold[name] = g


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--split", choices=["dev", "heldout"], default="dev")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--wcxb", type=Path, default=WCXB)
    ap.add_argument("--en", type=int, default=50)
    ap.add_argument("--zh", type=int, default=30)
    args = ap.parse_args()
    build(args.out, args.split, args.seed, args.wcxb, args.en, args.zh)


if __name__ == "__main__":
    main()
