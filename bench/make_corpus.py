"""Generate a synthetic but realistically shaped corpus of HTML pages (no network).

Pages are English, Simplified Chinese or Traditional Chinese, 5 to 200 KB each,
with the structure of real article pages: <head> with title, meta, inline
styles and scripts; a header with a navigation menu; a breadcrumb; an article
of 5 to 60 paragraphs (sub-headings, lists, quotes, figures); related-article
lists, sidebars, comments and a footer with copyright and contact lines. Some
pages carry noise sieve is meant to remove: a spam suffix repeated on many
paragraphs, CSS-hidden blocks, keyword-stuffing blocks.

Text comes from recombining sentence pieces per topic, so documents differ but
stay on topic. Everything is deterministic for a given seed. Traditional pages
are the Simplified pieces converted with OpenCC (s2t).

    python bench/make_corpus.py [OUT_DIR] [-n 2000] [--seed 0] [--min-kb 5] [--max-kb 200]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "corpus"

# --------------------------------------------------------------------------- English pools

EN_TOPICS: dict[str, dict[str, list[str]]] = {
    "energy": {
        "subj": ["the grid operator", "the utility", "regional regulators", "the wind farm developer",
                 "battery makers", "the energy ministry", "solar installers", "the transmission company",
                 "independent analysts", "local cooperatives"],
        "obj": ["offshore wind capacity", "battery storage projects", "peak electricity demand",
                "transmission upgrades", "solar panel tariffs", "heat pump subsidies", "grid congestion",
                "power purchase agreements", "coal plant closures", "hydrogen pilot plants"],
        "verb": ["expanded", "delayed", "reviewed", "financed", "approved", "questioned", "doubled",
                 "scaled back", "connected", "forecast"],
        "tail": ["after a winter of record prices", "despite supply chain bottlenecks",
                 "as interest rates climbed", "under the new capacity auction rules",
                 "ahead of the summer peak", "while permits remained slow"],
        "head": ["Grid Storage", "Wind Auctions", "Power Prices", "Solar Tariffs", "Transmission Plans"],
    },
    "health": {
        "subj": ["hospital administrators", "the health agency", "clinical researchers", "nurses' unions",
                 "the vaccine manufacturer", "public health officials", "family doctors", "the insurer",
                 "the trial's investigators", "patient advocates"],
        "obj": ["waiting lists for surgery", "the booster campaign", "antibiotic resistance",
                "emergency room staffing", "the new diabetes drug", "mental health services",
                "screening programmes", "primary care funding", "the phase three trial", "drug shortages"],
        "verb": ["tracked", "criticised", "funded", "measured", "extended", "reorganised", "published",
                 "warned about", "reduced", "audited"],
        "tail": ["in the first quarter", "according to data released on Tuesday",
                 "after a two-year pilot", "in rural districts", "as flu season began",
                 "despite a shortage of specialists"],
        "head": ["Hospital Capacity", "Vaccine Trial", "Care Funding", "Drug Shortages", "Screening Results"],
    },
    "football": {
        "subj": ["the home side", "the visiting coach", "the captain", "the league", "the club's owners",
                 "the young striker", "the goalkeeper", "supporters' groups", "the referee", "the defence"],
        "obj": ["the title race", "a late equaliser", "the transfer budget", "the relegation battle",
                "a penalty decision", "the new stadium", "the cup run", "season ticket prices",
                "the youth academy", "a hamstring injury"],
        "verb": ["dominated", "complained about", "secured", "rescued", "blamed", "celebrated", "rebuilt",
                 "defended", "extended", "conceded"],
        "tail": ["in front of a sold-out crowd", "in the final minutes", "for the third season running",
                 "before the international break", "on a rain-soaked pitch", "after extra time"],
        "head": ["Derby Report", "Transfer Window", "Title Race", "Cup Semi-final", "Injury Update"],
    },
    "software": {
        "subj": ["the maintainers", "the cloud provider", "the security team", "open source contributors",
                 "the database vendor", "the compiler developers", "the startup", "the platform team",
                 "enterprise customers", "the browser makers"],
        "obj": ["the memory safety bug", "the new query planner", "release candidate builds",
                "the package registry", "dependency updates", "the API rate limits", "build times",
                "the authentication service", "container images", "the long-term support branch"],
        "verb": ["patched", "rewrote", "deprecated", "benchmarked", "shipped", "documented", "migrated",
                 "profiled", "hardened", "open-sourced"],
        "tail": ["in version four", "after a public disclosure", "with a two-week freeze",
                 "behind a feature flag", "across all regions", "without breaking compatibility"],
        "head": ["Release Notes", "Security Advisory", "Performance Work", "Migration Guide", "Roadmap"],
    },
    "food": {
        "subj": ["the chef", "home cooks", "the bakery", "market traders", "the restaurant critic",
                 "coffee roasters", "the farmers' cooperative", "the food festival", "nutritionists",
                 "the noodle shop"],
        "obj": ["sourdough starters", "seasonal vegetables", "the tasting menu", "fermented sauces",
                "olive oil prices", "the lunch crowd", "street food stalls", "single-origin beans",
                "the braised pork recipe", "regional cheeses"],
        "verb": ["perfected", "revived", "priced", "sampled", "praised", "simplified", "imported",
                 "slow-cooked", "reinvented", "served"],
        "tail": ["for a fraction of the usual cost", "using only local produce", "during the autumn harvest",
                 "after three days of fermentation", "in a converted warehouse", "to long queues"],
        "head": ["Seasonal Menu", "Market Prices", "Recipe Notes", "Restaurant Review", "Harvest Festival"],
    },
    "climate": {
        "subj": ["glaciologists", "the weather service", "coastal towns", "the research vessel",
                 "forest rangers", "insurance companies", "farmers", "the climate panel",
                 "satellite observers", "city planners"],
        "obj": ["sea ice extent", "heatwave warnings", "river flooding", "drought relief",
                "wildfire seasons", "carbon budgets", "coral bleaching", "storm surge defences",
                "crop yields", "permafrost thaw"],
        "verb": ["recorded", "mapped", "underestimated", "modelled", "monitored", "adapted to",
                 "reported", "insured against", "predicted", "documented"],
        "tail": ["over the past decade", "for the second year in a row", "in the northern hemisphere",
                 "faster than expected", "along the river basin", "with new sensors"],
        "head": ["Heatwave Data", "Flood Defences", "Sea Ice", "Drought Outlook", "Wildfire Season"],
    },
}
EN_CONNECT = ["Meanwhile,", "However,", "In addition,", "By contrast,", "Earlier this year,", "As a result,",
              "Officials said", "Critics argue that", "According to the report,", "For now,", ""]
EN_QUOTES = ["\"We did not expect it to move this quickly,\" one of them said.",
             "\"The numbers speak for themselves,\" a spokesperson told reporters.",
             "\"It is a step, not a solution,\" said a person familiar with the plans.",
             "\"We will keep watching the data closely,\" the statement read."]
EN_NAV = ["Home", "News", "World", "Business", "Technology", "Science", "Health", "Sport", "Culture",
          "Opinion", "Travel", "Video", "Podcasts", "Newsletters"]
EN_NAMES = ["Alex Morgan", "Priya Shah", "Daniel Okafor", "Maria Rossi", "Tom Becker", "Lena Novak",
            "Samuel Green", "Chloe Martin"]
EN_SITES = ["The Daily Ledger", "Northfield Post", "Metro Review", "Harbour Times", "Open Signal",
            "Civic Journal"]
EN_SPAM = ["Read more at BESTDEALS-NOW.COM - cheap watches and free shipping",
           "Visit WWW.LUCKYSPIN88.NET for daily bonus codes", "Download the FastNews app for instant alerts"]
EN_KEYWORDS = ["cheap flights", "casino bonus", "free movies", "loan calculator", "weight loss", "crypto signals",
               "best vpn", "car insurance quotes", "online degree", "dating app", "phone deals", "hotel discounts"]

# --------------------------------------------------------------------------- Chinese pools (Simplified)

ZH_TOPICS: dict[str, dict[str, list[str]]] = {
    "科技": {
        "subj": ["这家芯片公司", "多家互联网企业", "研发团队", "监管部门", "业内分析师", "开源社区",
                 "手机厂商", "云计算服务商", "初创企业", "高校实验室"],
        "obj": ["大模型训练成本", "新一代处理器", "数据中心能耗", "自动驾驶测试", "操作系统更新",
                "算力租赁价格", "人工智能应用", "芯片出口管制", "软件供应链安全", "智能手机销量"],
        "verb": ["大幅提升了", "重新评估了", "公开发布了", "持续关注", "投资布局了", "明显放缓了",
                 "加快推进了", "深入研究了"],
        "tail": ["预计明年将进一步扩大规模", "但仍面临不少技术挑战", "引发了业内的广泛讨论",
                 "相关数据已于本周公布", "这一趋势在下半年更加明显", "市场反应总体积极"],
        "head": ["行业观察", "技术进展", "市场动态", "深度分析", "专家解读"],
    },
    "经济": {
        "subj": ["央行", "统计局", "多家银行", "出口企业", "地方政府", "投资者", "经济学家", "消费者",
                 "制造业企业", "外资机构"],
        "obj": ["居民消费价格", "房地产市场", "制造业采购经理指数", "人民币汇率", "社会融资规模",
                "外贸出口数据", "中小企业贷款", "就业形势", "基础设施投资", "服务业景气度"],
        "verb": ["密切关注", "下调了", "稳步推进", "重新审视了", "公布了", "明显改善了", "调整了",
                 "积极支持"],
        "tail": ["同比增长百分之五点二", "环比略有回落", "超出市场普遍预期", "政策效果正逐步显现",
                 "短期内仍存在不确定性", "为全年目标打下基础"],
        "head": ["宏观数据", "政策解读", "市场观察", "财经评论", "经济形势"],
    },
    "教育": {
        "subj": ["教育部门", "多所高校", "中小学教师", "家长们", "教育专家", "培训机构", "毕业生",
                 "研究人员", "学校管理者", "志愿者团队"],
        "obj": ["课后服务", "高考招生计划", "职业教育改革", "乡村学校建设", "教师待遇",
                "在线课程质量", "学生心理健康", "研究生扩招", "双语教学", "校园安全"],
        "verb": ["进一步完善了", "认真讨论了", "全面推行了", "积极探索", "调查了", "重点支持",
                 "逐步落实了", "广泛关注"],
        "tail": ["受到社会各界好评", "今年秋季学期起实施", "覆盖全省一百多所学校", "仍需长期投入",
                 "试点经验将逐步推广", "相关细则正在制定中"],
        "head": ["教育动态", "校园新闻", "政策速递", "专家观点", "改革进展"],
    },
    "体育": {
        "subj": ["主队", "客队主教练", "这名年轻前锋", "门将", "球迷们", "联赛组委会", "俱乐部管理层",
                 "国家队", "裁判组", "后卫线"],
        "obj": ["联赛冠军争夺", "补时阶段的进球", "转会预算", "保级形势", "点球判罚", "新球场建设",
                "青训体系", "季票价格", "伤病名单", "亚洲杯预选赛"],
        "verb": ["牢牢掌控了", "强烈质疑了", "成功锁定了", "重新调整了", "高度评价了", "意外输掉了",
                 "全力备战", "顺利完成了"],
        "tail": ["现场观众超过五万人", "比赛最后时刻风云突变", "连续第三个赛季实现这一目标",
                 "赛后发布会上气氛紧张", "这一结果出乎许多人意料", "下一轮将迎来关键对决"],
        "head": ["赛事报道", "转会传闻", "冠军之争", "杯赛半决赛", "伤病更新"],
    },
    "健康": {
        "subj": ["医院", "卫生健康委员会", "临床研究人员", "社区医生", "疫苗生产企业", "营养专家",
                 "医保部门", "患者家属", "护理人员", "公共卫生专家"],
        "obj": ["慢性病管理", "门诊预约流程", "新药临床试验", "流感疫苗接种", "基层医疗服务",
                "医保报销比例", "儿童近视防控", "心理咨询服务", "药品集中采购", "健康体检项目"],
        "verb": ["不断优化了", "重点推进", "严格审查了", "持续扩大了", "提醒公众注意", "深入分析了",
                 "首次公布了", "有效降低了"],
        "tail": ["惠及数百万患者", "专家建议定期复查", "相关措施将于下月实施", "效果有待进一步观察",
                 "在多个城市同步开展", "得到了患者的普遍认可"],
        "head": ["健康提示", "医疗改革", "研究发现", "就医指南", "专家提醒"],
    },
}
ZH_CONNECT = ["与此同时，", "此外，", "不过，", "据了解，", "业内人士指出，", "记者注意到，", "数据显示，",
              "总体来看，", ""]
ZH_QUOTES = ["“我们没有想到变化会来得这么快。”一位受访者说。",
             "“数据本身已经说明了问题。”相关负责人表示。",
             "“这只是第一步，后面的工作还很多。”知情人士透露。"]
ZH_NAV = ["首页", "新闻", "国内", "国际", "财经", "科技", "体育", "娱乐", "教育", "健康", "汽车", "房产",
          "视频", "专题"]
ZH_NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"]
ZH_SITES = ["东方资讯网", "晨报在线", "新视界", "华夏观察", "今日头版", "城市日报"]
ZH_SPAM = ["olX流量资讯——探索最新科技、每天知道多一点LLSUM.COM", "【免费领取会员】关注公众号获取更多精彩内容",
           "本文来源于网络，如有侵权请联系删除www.xx-news.cn"]
ZH_KEYWORDS = ["蜘蛛池", "免费电影", "彩票平台", "贷款口子", "减肥药", "网赚项目", "代开发票", "棋牌游戏",
               "成人用品", "刷单兼职", "游戏外挂", "股票配资"]

LANGS = ("en", "zh-Hans", "zh-Hant")


@lru_cache(maxsize=1)
def _s2t():
    import opencc  # noqa: PLC0415 - only Traditional pages need it

    return opencc.OpenCC("s2t")


@dataclass
class Page:
    name: str
    lang: str
    html: str


class _Writer:
    """Text pieces for one page: English or Chinese, Traditional by conversion."""

    def __init__(self, rng: random.Random, lang: str) -> None:
        self.rng, self.lang = rng, lang
        self.zh = lang.startswith("zh")
        topics = ZH_TOPICS if self.zh else EN_TOPICS
        self.topic_name = rng.choice(sorted(topics))
        self.topic = topics[self.topic_name]
        other = [t for t in sorted(topics) if t != self.topic_name]
        self.other = topics[rng.choice(other)]

    def t(self, s: str) -> str:
        return _s2t().convert(s) if self.lang == "zh-Hant" else s

    def sentence(self, topic: dict[str, list[str]] | None = None) -> str:
        r, tp = self.rng, topic or self.topic
        if self.zh:
            return (r.choice(ZH_CONNECT) + r.choice(tp["subj"]) + r.choice(tp["verb"]) + r.choice(tp["obj"])
                    + "，" + r.choice(tp["tail"]) + "。")
        lead = r.choice(EN_CONNECT)
        s = f"{r.choice(tp['subj'])} {r.choice(tp['verb'])} {r.choice(tp['obj'])} {r.choice(tp['tail'])}."
        s = f"{lead} {s}" if lead else s[0].upper() + s[1:]
        return s

    def paragraph(self, lo: int = 2, hi: int = 6, topic: dict[str, list[str]] | None = None) -> str:
        parts = [self.sentence(topic) for _ in range(self.rng.randint(lo, hi))]
        if self.rng.random() < 0.12:
            parts.append(self.rng.choice(ZH_QUOTES if self.zh else EN_QUOTES))
        return self.t(("" if self.zh else " ").join(parts))

    def title(self) -> str:
        r = self.rng
        if self.zh:
            return self.t(f"{r.choice(self.topic['head'])}：{r.choice(self.topic['subj'])}"
                          f"{r.choice(self.topic['verb'])}{r.choice(self.topic['obj'])}")
        obj = r.choice(self.topic["obj"])
        subj, verb = r.choice(self.topic["subj"]).title(), r.choice(self.topic["verb"])
        return f"{r.choice(self.topic['head'])}: {subj} {verb} {obj[0].upper() + obj[1:]}"

    def short(self, topic: dict[str, list[str]] | None = None) -> str:
        tp = topic or self.topic
        if self.zh:
            return self.t(self.rng.choice(tp["subj"]) + self.rng.choice(tp["verb"]) + self.rng.choice(tp["obj"]))
        s = f"{self.rng.choice(tp['subj'])} {self.rng.choice(tp['verb'])} {self.rng.choice(tp['obj'])}"
        return s[0].upper() + s[1:]


def _date(rng: random.Random) -> str:
    return f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _css(rng: random.Random, n: int) -> str:
    props = ["margin:0 auto", "padding:8px 16px", "color:#333", "font-size:14px", "line-height:1.6",
             "display:flex", "border-bottom:1px solid #eee", "background:#fafafa", "max-width:1200px",
             "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,sans-serif", "overflow:hidden"]
    sels = ["header", ".nav li", ".sidebar .widget", "article p", ".footer a", ".related ul li", ".btn-primary",
            ".breadcrumb", ".share-bar", ".comment-list .item", "#search input", ".ad-slot"]
    return "\n".join(f"{rng.choice(sels)}-{k} {{{';'.join(rng.sample(props, 4))}}}" for k in range(n))


def _js(rng: random.Random, n: int) -> str:
    lines = ["(function(w,d){", "  var cfg = {"]
    for k in range(n):
        lines.append(f"    slot_{k}: {{id: 'ad-{rng.randint(1000, 9999)}', sizes: [[300,250],[728,90]], "
                     f"refresh: {rng.randint(10, 90)}, lazy: {str(rng.random() < 0.5).lower()}, "
                     f"targeting: {{section: 's{rng.randint(1, 40)}', pos: {k}}}}},")
    lines += ["  };", "  w.__cfg = cfg;",
              "  function track(e){ if(!w.dataLayer){w.dataLayer=[];} w.dataLayer.push({event:e,ts:Date.now()}); }",
              "  d.addEventListener('DOMContentLoaded', function(){ track('ready'); });", "})(window, document);"]
    return "\n".join(lines)


def make_page(seed: int, index: int, lang: str | None = None, size_kb: float | None = None,
              min_kb: float = 5, max_kb: float = 200) -> Page:
    """One page, deterministic in (seed, index). Size is log-uniform in [min_kb, max_kb] unless given."""
    rng = random.Random(f"sieve-bench-{seed}-{index}")
    lang = lang or rng.choice(LANGS)
    target = int(1024 * (size_kb or math.exp(rng.uniform(math.log(min_kb), math.log(max_kb)))))
    w = _Writer(rng, lang)
    zh = w.zh
    site = rng.choice(ZH_SITES if zh else EN_SITES)
    site = w.t(site)
    title = w.title()
    # Paragraph count grows with the page's size, within 5..60.
    frac = (math.log(max(target, 5120)) - math.log(5120)) / (math.log(204800) - math.log(5120))
    n_par = max(5, min(60, int(5 + frac * 55 * rng.uniform(0.6, 1.1))))
    spam = rng.choice(ZH_SPAM if zh else EN_SPAM) if rng.random() < 0.3 else None
    spam = w.t(spam) if spam else None
    nav = ZH_NAV if zh else EN_NAV
    nav = [w.t(x) for x in nav]

    out: list[str] = []
    a = out.append
    a("<!DOCTYPE html>")
    a(f'<html lang="{ {"en": "en", "zh-Hans": "zh-CN", "zh-Hant": "zh-TW"}[lang] }">')
    a("<head>")
    a('<meta charset="utf-8">')
    a('<meta name="viewport" content="width=device-width, initial-scale=1">')
    a(f"<title>{title} - {site}</title>")
    kws = rng.sample(w.topic["obj"], 4)
    a(f'<meta name="keywords" content="{",".join(w.t(k) for k in kws)}">')
    a(f'<meta name="description" content="{w.short()}">')
    a(f'<link rel="stylesheet" href="/static/css/main.{rng.randint(10**7, 10**8)}.css">')
    a(f"<style>\n{_css(rng, rng.randint(8, 30))}\n.hide-me {{display:none}}\n</style>")
    a(f"<script>\n{_js(rng, rng.randint(2, 8))}\n</script>")
    a("</head>")
    a(f'<body class="article-page lang-{lang}">')
    a('<header class="site-header"><div class="logo"><a href="/">' + site + "</a></div>")
    a('<nav class="main-nav"><ul>' + "".join(f'<li><a href="/{k}/">{x}</a></li>' for k, x in enumerate(nav))
      + "</ul></nav>")
    a('<form class="search" action="/search"><input type="text" name="q" placeholder="'
      + ("搜索" if zh else "Search") + '"><button>' + ("搜索" if zh else "Go") + "</button></form></header>")
    a(f'<div class="breadcrumb"><a href="/">{nav[0]}</a> &gt; <a href="/s/">{rng.choice(nav[1:])}</a> &gt; '
      f"<span>{title}</span></div>")
    a('<div class="container"><main id="content">')
    a('<article class="post">')
    a(f'<h1 class="entry-title">{title}</h1>')
    author = rng.choice(ZH_NAMES if zh else EN_NAMES)
    date = _date(rng)
    a(f'<div class="byline"><span class="author">{w.t("作者：") if zh else "By "}{w.t(author)}</span> '
      f'<time datetime="{date}T08:00:00+08:00">{date}</time></div>')
    a('<div class="entry-content">')
    hidden_at = rng.randrange(n_par) if rng.random() < 0.4 else -1
    digression_at = rng.randrange(2, n_par) if rng.random() < 0.15 and n_par > 8 else -1
    for k in range(n_par):
        if k and k % rng.randint(6, 12) == 0:
            a(f"<h2>{w.t(rng.choice(w.topic['head']))}</h2>")
        if k == digression_at:
            a(f"<p>{w.paragraph(3, 6, w.other)}</p>")
        text = w.paragraph()
        if spam and rng.random() < 0.6:
            text += spam
        r = rng.random()
        if r < 0.05:
            a(f"<blockquote><p>{text}</p></blockquote>")
        elif r < 0.09:
            a("<ul>" + "".join(f"<li>{w.short()}</li>" for _ in range(rng.randint(3, 6))) + "</ul>")
            a(f"<p>{text}</p>")
        elif r < 0.12:
            a(f'<figure><img src="/img/{rng.randint(1, 10**6)}.jpg" alt="{w.short()}">'
              f"<figcaption>{w.short()}</figcaption></figure>")
            a(f"<p>{text}</p>")
        else:
            a(f"<p>{text}</p>")
        if k == hidden_at:
            junk = spam or rng.choice(ZH_SPAM if zh else EN_SPAM)
            style = rng.choice(['style="display:none"', 'style="visibility: hidden"', "hidden",
                                'class="hide-me"'])
            a(f"<div {style}>{w.t(junk)} {' '.join(rng.sample(ZH_KEYWORDS if zh else EN_KEYWORDS, 5))}</div>")
    a("</div>")
    a('<div class="share-bar">' + ("分享到：微信 微博 QQ空间" if zh else "Share: Facebook Twitter LinkedIn Email")
      + "</div>")
    tags = rng.sample(w.topic["obj"], 3)
    a('<div class="tags">' + ("标签：" if zh else "Tags: ")
      + " ".join(f'<a href="/tag/{i}">{w.t(x)}</a>' for i, x in enumerate(tags)) + "</div>")
    a("</article>")
    a('<section class="related"><h3>' + w.t("相关阅读" if zh else "Related articles") + "</h3><ul>")
    for _ in range(rng.randint(4, 10)):
        a(f'<li><a href="/a/{rng.randint(10**5, 10**6)}.html">{w.short()}</a> <span class="date">{_date(rng)}</span>'
          "</li>")
    a("</ul></section>")
    if rng.random() < 0.5:
        a('<section class="comments"><h3>' + w.t("网友评论" if zh else "Comments") + "</h3>")
        for _ in range(rng.randint(1, 5)):
            a(f'<div class="comment"><span class="user">user{rng.randint(1, 9999)}</span>'
              f"<p>{w.short()}{'！' if zh else '!'}</p></div>")
        a("</section>")
    a("</main>")
    a('<aside class="sidebar">')
    for head in (("热门文章", "编辑推荐") if zh else ("Most read", "Editor's picks")):
        a(f'<div class="widget"><h3>{w.t(head)}</h3><ol>')
        for _ in range(rng.randint(5, 10)):
            a(f'<li><a href="/a/{rng.randint(10**5, 10**6)}.html">{w.short(w.other)}</a></li>')
        a("</ol></div>")
    a('<div class="ad-slot" id="ad-side"><script>window.__ads && __ads.push("side");</script></div>')
    a("</aside></div>")
    a('<footer class="site-footer"><div class="links">'
      + " | ".join(f'<a href="/p/{k}">{x}</a>' for k, x in enumerate(nav[:8])) + "</div>")
    a(f"<p>{w.t('版权所有') if zh else 'Copyright'} © 2010-2024 {site}. "
      f"{w.t('保留所有权利') if zh else 'All rights reserved.'}</p>")
    a(f"<p>{w.t('联系我们') if zh else 'Contact'}: editor@{rng.choice(['ledger', 'news', 'daily'])}.example "
      f"Tel: 010-{rng.randint(10**7, 10**8 - 1)}</p>")
    if rng.random() < 0.3:
        kw = rng.sample(ZH_KEYWORDS if zh else EN_KEYWORDS, 8)
        a(f'<div class="kw">{w.t("热门搜索：") if zh else "Popular searches: "}'
          + " | ".join(w.t(k) for k in kw) + "</div>")
    a("</footer>")
    body = "\n".join(out)
    tail = "\n</body>\n</html>\n"
    # Pad with the inline scripts and styles real pages carry, up to the target size.
    pad: list[str] = []
    size = len(body.encode()) + len(tail)
    k = 0
    while size < target:
        block = (f"<script>\n{_js(rng, rng.randint(5, 40))}\n</script>" if k % 3 else
                 f"<style>\n{_css(rng, rng.randint(10, 60))}\n</style>")
        pad.append(block)
        size += len(block) + 1
        k += 1
    html = body + ("\n" + "\n".join(pad) if pad else "") + tail
    return Page(name=f"{index:06d}_{lang}.html", lang=lang, html=html)


def write_corpus(out: str | Path, n: int = 2000, seed: int = 0, min_kb: float = 5, max_kb: float = 200) -> list[Path]:
    """Write `n` pages to `out` (created; existing pages of the same names replaced)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        page = make_page(seed, i, min_kb=min_kb, max_kb=max_kb)
        path = out / page.name
        path.write_text(page.html, encoding="utf-8")
        paths.append(path)
    return paths


def replicate(src: str | Path, dst: str | Path, times: int) -> int:
    """`times` copies of every page of `src` under `dst/rep00..`, hard-linked when possible."""
    src, dst = Path(src), Path(dst)
    files = sorted(p for p in src.iterdir() if p.suffix == ".html")
    count = 0
    for k in range(times):
        rep = dst / f"rep{k:02d}"
        rep.mkdir(parents=True, exist_ok=True)
        for f in files:
            target = rep / f.name
            if not target.exists():
                try:
                    os.link(f, target)
                except OSError:
                    shutil.copyfile(f, target)
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", default=str(DEFAULT_OUT))
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--min-kb", type=float, default=5)
    ap.add_argument("--max-kb", type=float, default=200)
    args = ap.parse_args(argv)
    paths = write_corpus(args.out, args.n, args.seed, args.min_kb, args.max_kb)
    sizes = sorted(p.stat().st_size for p in paths)
    print(f"{len(paths)} pages in {args.out}: {sum(sizes) / 1e6:.1f} MB, "
          f"size min {sizes[0] / 1024:.1f} KB, median {sizes[len(sizes) // 2] / 1024:.1f} KB, "
          f"max {sizes[-1] / 1024:.1f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
