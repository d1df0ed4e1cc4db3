"""Inline styles that keep text from being seen: shared by HTML extraction and by the
cleaning of markup left in text, so a page hides the same things in both.

Besides `display:none` and `visibility:hidden`, text pushed far off the screen
(`position:absolute; left:-9999px`, `text-indent:-9999px`) is a classic way to
hide SEO text. Softer techniques are not taken: `font-size:0` is also the
inline-block whitespace trick on containers whose children set their own
size, `opacity:0` and `height:0; overflow:hidden` are how pages fade in or
fold away real text that a script then shows.
"""

from __future__ import annotations

import re

# Declarations a stylesheet rule hides an element with (a class or id selector).
HIDING_DECLARATION = r"display\s*:\s*none|visibility\s*:\s*hidden"
# ... and in an element's own style attribute, also off the screen: 999 px or more to the left or top.
OFFSCREEN = r"(?:left|top|text-indent|margin-left|margin-top)\s*:\s*-\s*(?:999|\d{4,})(?:\.\d+)?(?:px)?(?![\d.])"
HIDING_STYLE = rf"{HIDING_DECLARATION}|{OFFSCREEN}"
HIDING_STYLE_RE = re.compile(HIDING_STYLE, re.I)
