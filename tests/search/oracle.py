"""A brute-force oracle for search: which pages hold a query, by scanning their text.

Queries are generated from the indexed text itself; each engine's result set is then
compared with a plain scan of the same text (NFKC, lower-cased), which is the meaning
search/text.py promises: a Han string matches where it occurs as a substring, a run
of letters and digits (a code) only as a whole run.
"""

import random
import re

from modelsearch.index import RelatedFields, SearchField

from cms.chinese import is_han
from search.text import chunks, normalize

ALNUM = "0-9a-z"


def leaf_texts(obj, fields=None) -> list[str]:
    """The raw values of `obj`'s searchable fields, as the indexers receive them."""
    texts = []
    for field in fields if fields is not None else type(obj).get_search_fields():
        if isinstance(field, SearchField):
            texts.extend(_flatten(field.get_value(obj)))
        elif isinstance(field, RelatedFields):
            related = field.get_value(obj)
            if related is None:
                continue
            items = related.all() if hasattr(related, "all") else [related]
            for item in items:
                texts.extend(leaf_texts(item, field.fields))
    return [normalize(t) for t in texts if t]


def _flatten(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _flatten(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _flatten(item)]
    return [str(value)]


def _pattern(word: str) -> re.Pattern:
    word = normalize(word)
    head = f"(?<![{ALNUM}])" if re.match(f"[{ALNUM}]", word) else ""
    tail = f"(?![{ALNUM}])" if re.search(f"[{ALNUM}]$", word) else ""
    return re.compile(head + re.escape(word) + tail)


def holds(texts: list[str], word: str) -> bool:
    pattern = _pattern(word)
    return any(pattern.search(text) for text in texts)


def generate_queries(texts: list[str], seed: int = 17, per_kind: int = 40) -> dict[str, list[str]]:
    """Single-word queries of every kind, drawn from `texts` (bounded, deterministic)."""
    rng = random.Random(seed)
    han_runs, units_of_chunks = set(), []
    for text in texts:
        for chunk in chunks(text):
            units_of_chunks.append(chunk)
        han_runs.update(re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", text))
    kinds = {}
    for length in (1, 2, 3, 4):
        pool = sorted(
            {run[i : i + length] for run in han_runs for i in range(len(run) - length + 1)}
        )
        kinds[f"han{length}"] = rng.sample(pool, min(per_kind, len(pool)))
    mixed = set()
    for units in units_of_chunks:
        for size in (2, 3, 4):
            for i in range(len(units) - size + 1):
                window = units[i : i + size]
                if any(is_han(u) for u in window) and not all(is_han(u) for u in window):
                    mixed.add("".join(window))
    kinds["mixed"] = rng.sample(sorted(mixed), min(per_kind, len(mixed)))
    codes = sorted({u for units in units_of_chunks for u in units if not is_han(u)})
    kinds["code"] = rng.sample(codes, min(per_kind, len(codes)))
    kinds["join"] = _joins(han_runs, texts, rng, per_kind)
    return kinds


def _joins(han_runs, texts, rng, count) -> list[str]:
    """Three characters xyz whose pairs xy and yz occur, but xyz nowhere (目标 + 标准 → 目标准)."""
    pairs = sorted({run[i : i + 2] for run in han_runs for i in range(len(run) - 1)})
    by_first = {}
    for pair in pairs:
        by_first.setdefault(pair[0], []).append(pair)
    joins = sorted(
        {
            first + second[1]
            for first in pairs
            for second in by_first.get(first[1], [])
            if not any(first + second[1] in text for text in texts)
        }
    )
    return rng.sample(joins, min(count, len(joins)))
