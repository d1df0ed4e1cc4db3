"""tasks/clean/injection.py: the shortcuts give what the plain method gives."""

from __future__ import annotations

import random
from collections import Counter
from difflib import SequenceMatcher

from tasks.clean.injection import _core


def plain_core(runs: list[str]) -> str:
    """`_core` without the quick "no": the longest match with every other frequent run."""
    common = [r for r, _ in Counter(runs).most_common(5)]
    core = common[0]
    for other in common[1:]:
        m = SequenceMatcher(None, core, other, autojunk=False).find_longest_match(0, len(core), 0, len(other))
        if m.size >= len(core) * 0.6:
            core = core[m.a: m.a + m.size]
    return core.strip()


def test_core_is_the_plain_core():
    """Runs that are variants of one string (neighbours' characters on either side), and unrelated ones."""
    rng = random.Random(3)
    for _ in range(3000):
        alphabet = rng.choice(["ab ", "abcdef ", "的是天地人山 。"])
        base = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        runs = []
        for _ in range(rng.randint(1, 9)):
            if rng.random() < 0.3:
                runs.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))))
            else:
                a, b = rng.randint(0, 3), rng.randint(0, 3)
                noise = "".join(rng.choice(alphabet) for _ in range(a + b))
                runs.append(noise[:a] + base[rng.randint(0, 2):] + noise[a:])
        assert _core(runs) == plain_core(runs), runs
