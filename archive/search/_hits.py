"""Hits as shown to a reviewer: highlighted text and name, duplicate flags, exact-code badge.

Computed in Python from the database rows of one page of hits, the same way for both
engines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from search.highlight import make_snippet

from .. import documents
from ..duplicates import duplicate_flags_for, invoice_lines_for
from ..models import ArchiveEntry
from ._query import Word

DUPLICATE_LABELS = {"invoice_reused": "发票重复使用", "same_file": "同一文件"}
ENGINE_LABELS = {"opensearch": "OpenSearch", "database": "数据库"}


@dataclass
class Hit:
    entry: ArchiveEntry
    score: float
    highlight: str  # HTML-safe fragment of the text with <mark>s
    duplicate_flags: list[str] = field(default_factory=list)
    name_highlight: str = ""  # the file name with <mark>s
    exact: bool = False  # a code matched exactly on this material

    @property
    def application(self):
        return self.entry.application

    @property
    def duplicate_labels(self) -> list[str]:
        return [DUPLICATE_LABELS[flag] for flag in self.duplicate_flags]


@dataclass
class ArchiveResults:
    query: str
    hits: list[Hit]
    total: int
    facets: dict[str, dict]
    engine: str
    page: int = 1
    per_page: int = 20
    filters: dict = field(default_factory=dict)

    @property
    def engine_label(self) -> str:
        return ENGINE_LABELS.get(self.engine, self.engine)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _material_keys(entry, lines) -> set[str]:
    """The codes on this very material (what an exact code match means)."""
    fields = entry.fields if isinstance(entry.fields, dict) else {}
    keys = set(documents.find_codes(entry.text))
    keys.add((entry.sha256 or "").upper())
    for line in lines:
        keys.update({line.invoice_number, line.invoice_code})
    keys.update(str(fields.get(k) or "") for k in ("invoice_number", "invoice_code"))
    keys.discard("")
    return keys


def _mark(text: str, query: str) -> str:
    return make_snippet(text, query, width=max(200, len(text or ""))) if text else ""


def build_hits(ranked, query: str, words: list[Word]) -> list[Hit]:
    ids = [pk for pk, _score in ranked]
    entries = ArchiveEntry.objects.select_related(
        "applicant", "attachment__application__applicant", "attachment__application__region"
    ).in_bulk(ids)
    ordered = [(entries[pk], score) for pk, score in ranked if pk in entries]
    if not ordered:
        return []
    lines = invoice_lines_for([entry for entry, _ in ordered])
    flags = duplicate_flags_for([entry for entry, _ in ordered], lines)
    codes = [w.code for w in words if w.code]
    hits = []
    for entry, score in ordered:
        own_lines = lines.get(entry.attachment_id, [])
        hits.append(
            Hit(
                entry=entry,
                score=score,
                highlight=make_snippet(entry.text, query, width=160) if entry.text else "",
                duplicate_flags=flags.get(entry.pk, []),
                name_highlight=_mark(entry.original_name, query)
                or mark_safe(escape(entry.original_name)),
                exact=bool(codes) and bool(set(codes) & _material_keys(entry, own_lines)),
            )
        )
    return hits
