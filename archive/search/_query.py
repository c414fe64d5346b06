"""The archive query: words, their limits, who may see what, and the facet filters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from search.text import chunks, query_groups, query_terms, query_words

FACETS = ("kind", "application_kind", "state", "department", "region", "year")

# A dozen pasted invoice numbers is a realistic query; a page of text is not.
MAX_WORDS = 24
MAX_QUERY_CHARS = 512  # 24 twenty-digit invoice numbers and their spaces

CODE_PREFIX_MIN = 4
SHA_PREFIX_MIN = 8

_CODE_WORD = re.compile(r"[0-9a-z]{4,}")
_YEAR = re.compile(r"[0-9]{1,4}")  # ASCII digits only: "²".isdigit() is true


class QueryTooLong(ValueError):
    """The query exceeds MAX_WORDS or MAX_QUERY_CHARS; str() is the Chinese message."""


@dataclass
class Word:
    text: str  # normalised (NFKC, lower case)
    parts: list[str]  # its chunks (search/text.py): each must occur as written
    groups: list[tuple[str, ...]]  # the index terms of each chunk: one term, or a phrase
    code: str | None = None  # upper-cased, when the word looks like a code

    @property
    def terms(self) -> list[str]:
        return query_terms(self.text)

    @property
    def sha(self) -> str | None:
        return self.code.lower() if self.code else None


def check_length(query: str) -> None:
    if len(query) > MAX_QUERY_CHARS:
        raise QueryTooLong(f"检索词过长：最多 {MAX_QUERY_CHARS} 个字符，请缩短后再试。")
    if len(query_words(query)) > MAX_WORDS:
        raise QueryTooLong(f"检索词过多：最多 {MAX_WORDS} 个词（以空格分隔），请分几次检索。")


def parse_query(query: str) -> list[Word]:
    """The words of `query`; raises QueryTooLong past the limits."""
    query = query or ""
    check_length(query)
    words = []
    for text in dict.fromkeys(query_words(query)):
        parts = ["".join(units) for units in chunks(text)]
        if not parts:
            continue
        is_code = bool(_CODE_WORD.fullmatch(text)) and any(c in "0123456789" for c in text)
        words.append(Word(text, parts, query_groups(text), text.upper() if is_code else None))
    return words


@dataclass
class Scope:
    """What a user may see: everything, some departments, or nothing."""

    everything: bool = False
    departments: list[str] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.departments


def scope_for(user) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    codes = list(user.review_departments.values_list("code", flat=True))
    return Scope(departments=codes)


def _as_list(value) -> list:
    if value in (None, "", []):
        return []
    if isinstance(value, str | int):
        return [value]
    return [v for v in value if v not in (None, "")]


def clean_filters(**raw) -> dict[str, list]:
    filters = {}
    for name in FACETS:
        values = _as_list(raw.get(name))
        if name == "year":
            values = [int(v) for v in values if _YEAR.fullmatch(str(v))]
        else:
            values = [str(v) for v in values]
        if values:
            filters[name] = list(dict.fromkeys(values))
    return filters


def sorted_counts(pairs) -> dict:
    """Facet counts, largest first, without empty keys."""
    counts = {key: n for key, n in pairs if key not in (None, "")}
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))
