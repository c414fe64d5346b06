"""Search-result snippets with the query's words marked."""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from cms.chinese import is_han

from .text import normalize, query_words, runs


def _needles(query: str) -> list[str]:
    """What to mark: the words as typed, else the Han pairs they consist of."""
    needles = []
    for word in query_words(query):
        needles.append(word)
        for run in runs(word):
            if run != word:
                needles.append(run)
            if is_han(run) and len(run) > 2:
                needles.extend(run[i : i + 2] for i in range(len(run) - 1))
    return sorted(set(needles), key=len, reverse=True)


def make_snippet(text: str, query: str, width: int = 120) -> str:
    """An HTML-safe excerpt of `text` around the first match, with <mark>s."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return ""
    folded = normalize(text)
    needles = [n for n in _needles(query) if n]
    # NFKC can change string length (rare: ligatures); fall back to the raw text then.
    if len(folded) != len(text):
        folded = text.lower()
    first = min((pos for n in needles if (pos := folded.find(n)) >= 0), default=0)
    start = max(0, first - width // 4)
    end = min(len(text), start + width)
    excerpt, fexcerpt = text[start:end], folded[start:end]
    pattern = re.compile("|".join(re.escape(n) for n in needles)) if needles else None
    out, pos = [], 0
    if pattern:
        for match in pattern.finditer(fexcerpt):
            out.append(escape(excerpt[pos : match.start()]))
            out.append(f"<mark>{escape(excerpt[match.start() : match.end()])}</mark>")
            pos = match.end()
    out.append(escape(excerpt[pos:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)
